// Package webpmeta reads and writes the RIFF container of WebP files
// (the "WebP Container Specification"): what a file holds (canvas size,
// alpha, animation, colour profile, EXIF) without decoding pixels, the
// image chunks of a still file for re-muxing, and the first frame of an
// animation as a still file that golang.org/x/image/webp can decode.
//
// Everything here is bounds-checked against the input: a malformed file
// gives a *FormatError, never a panic or an out-of-range read.
//
// Worst cases: nothing here decodes pixels or decompresses anything.
// Parse walks the chunks once, linear in the file (each chunk costs its
// 8-byte header, whatever its payload: 20 MB of empty chunks take 33 ms,
// with no allocation; ICC and EXIF alias the input), reading the
// bitstream headers of the still image or of each ANMF frame. FirstFrame
// parses once more and copies the first frame's ALPH and bitstream
// chunks into a new still file: time and memory at most the input's
// size. Decoding is golang.org/x/image/webp's, whose worst cases the
// root package states at decodeWebP. (Measured with a throwaway
// benchmark of Parse on such a file, one core of a 2-core Xeon.)
package webpmeta
