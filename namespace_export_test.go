package imgproxy

// KeyPrefix returns the prefix of h's cache keys, "<namespace>/", for
// the black-box tests.
func KeyPrefix(h *Handler) string {
	h.once.Do(h.init)
	return h.keys.prefix
}
