package imgproxy

import (
	"context"
	"errors"
	"net/http"
)

// Sentinel errors. Implementations wrap them with %w so that the Handler's
// single statusCode table can map any failure to an HTTP status without
// inspecting error text. Response bodies never carry error text: only
// http.StatusText of the status.
var (
	// ErrBadRequest marks a malformed request (bad size or option): 400.
	ErrBadRequest = errors.New("imgproxy: bad request")
	// ErrForbidden marks a missing or wrong signature: 403.
	ErrForbidden = errors.New("imgproxy: forbidden")
	// ErrNotFound marks an upstream path that does not exist: 404.
	ErrNotFound = errors.New("imgproxy: not found")
	// ErrMethod marks a method other than GET or HEAD: 405.
	ErrMethod = errors.New("imgproxy: method not allowed")
	// ErrExpired marks a signed link past its expiry time: 410 (Gone), so
	// that clients and logs tell an expired link from a forged one.
	ErrExpired = errors.New("imgproxy: link expired")
	// ErrUnsupported marks a source that is not an image we can decode: 415,
	// as nginx's image_filter answers.
	ErrUnsupported = errors.New("imgproxy: unsupported media")
	// ErrTooLarge marks a source over the byte or pixel limit: 415, as
	// nginx's image_filter_buffer answers.
	ErrTooLarge = errors.New("imgproxy: source too large")
	// ErrUpstream marks any other upstream failure: 502.
	ErrUpstream = errors.New("imgproxy: upstream failure")
	// ErrOverloaded marks a request refused for lack of capacity: 503,
	// sent with Retry-After.
	ErrOverloaded = errors.New("imgproxy: overloaded")
	// ErrTimeout marks an upstream or processing timeout: 504.
	ErrTimeout = errors.New("imgproxy: timeout")
)

// statusTable is the one mapping from error to HTTP status, and to the
// reason an Observer is told (Event.Reason). The first entry whose error
// matches (errors.Is) wins.
var statusTable = [...]struct {
	err    error
	code   int
	reason string
}{
	{ErrBadRequest, http.StatusBadRequest, "bad_request"},
	{ErrForbidden, http.StatusForbidden, "bad_signature"},
	{ErrNotFound, http.StatusNotFound, "not_found"},
	{ErrMethod, http.StatusMethodNotAllowed, "method"},
	{ErrExpired, http.StatusGone, "expired"},
	{ErrUnsupported, http.StatusUnsupportedMediaType, "unsupported"},
	{ErrTooLarge, http.StatusUnsupportedMediaType, "too_large"},
	{ErrOverloaded, http.StatusServiceUnavailable, "overloaded"},
	{ErrTimeout, http.StatusGatewayTimeout, "timeout"},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "timeout"},
	{ErrUpstream, http.StatusBadGateway, "upstream"},
}

// statusCode maps err to the HTTP status the Handler answers with.
// Unknown errors are 500.
func statusCode(err error) int {
	code, _ := classify(err)
	return code
}

// classify maps err to its HTTP status and reason through statusTable:
// an *OptionsError is 400 "bad_request", an unknown error 500
// "internal".
func classify(err error) (code int, reason string) {
	var oe *OptionsError
	if errors.As(err, &oe) {
		return http.StatusBadRequest, "bad_request"
	}
	for _, e := range statusTable {
		if errors.Is(err, e.err) {
			return e.code, e.reason
		}
	}
	return http.StatusInternalServerError, "internal"
}
