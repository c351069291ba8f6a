package jpegdec

// FormatError reports that the input is not a valid JPEG.
type FormatError string

// Error implements error.
func (e FormatError) Error() string { return "jpegdec: invalid JPEG: " + string(e) }

// UnsupportedError reports a valid JPEG feature this package does not
// decode (lossless and hierarchical, arithmetic-coded or not, 12-bit,
// unusual sampling factors). Callers may fall back to image/jpeg on it;
// use errors.As to detect it.
type UnsupportedError string

// Error implements error.
func (e UnsupportedError) Error() string { return "jpegdec: unsupported JPEG feature: " + string(e) }
