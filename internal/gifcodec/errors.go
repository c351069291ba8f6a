package gifcodec

// FormatError reports that the input is not a valid GIF, or that its
// first frame cannot be decoded.
type FormatError string

// Error implements error.
func (e FormatError) Error() string { return "gifcodec: invalid GIF: " + string(e) }
