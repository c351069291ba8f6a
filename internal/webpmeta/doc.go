// Package webpmeta reads and writes the RIFF container of WebP files
// (the "WebP Container Specification"): what a file holds (canvas size,
// alpha, animation, colour profile, EXIF) without decoding pixels, the
// image chunks of a still file for re-muxing, and the first frame of an
// animation as a still file that golang.org/x/image/webp can decode.
//
// Everything here is bounds-checked against the input: a malformed file
// gives a *FormatError, never a panic or an out-of-range read.
package webpmeta
