package icc

// FormatError reports that the input is not a well-formed ICC profile: a
// header field out of range, a tag table or tag data outside the profile,
// a curve or XYZ tag cut short.
type FormatError string

// Error implements error.
func (e FormatError) Error() string { return "icc: invalid profile: " + string(e) }

// UnsupportedError reports a well-formed profile that ToSRGB cannot turn
// into a transform (not RGB, Lab PCS, LUT-based, a curve type other than
// curv or para). The caller keeps such a profile embedded instead.
type UnsupportedError string

// Error implements error.
func (e UnsupportedError) Error() string { return "icc: unsupported profile: " + string(e) }
