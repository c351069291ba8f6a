package pngmeta

// FormatError reports that the input is not a valid PNG (bad signature,
// bad IHDR, a chunk cut short before the first IDAT).
type FormatError string

// Error implements error.
func (e FormatError) Error() string { return "pngmeta: invalid PNG: " + string(e) }
