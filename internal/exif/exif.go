// Package exif reads the one piece of EXIF metadata the proxy acts on: the
// orientation of the picture (TIFF tag 0x0112 in IFD0).
//
// # Why our own reader
//
// Orientation is read on every request, from the EXIF block (a few
// kilobytes at most) that the format's parser has already cut out of the
// file. General EXIF libraries
// decode every IFD, tag and value into maps and slices first; this package
// reads the 12-byte entries of IFD0 in place and stops at the tag.
//
// Measured on the EXIF payload (TIFF part of APP1) of goexif's own
// sample1.jpg, in a throwaway module outside this repository, on a 2-core
// Intel Xeon with go1.26.8 (go test -bench . -count 3):
//
//	exif.Orientation                                       14 ns/op      0 B/op    0 allocs/op
//	rwcarlsen/goexif v0.0.0-20190401172101-9e8deecbddbd    50 µs/op  98880 B/op  711 allocs/op
//	  (exif.Decode + Get(exif.Orientation) + Int(0))
//
// Both agree on all 58 sample JPEGs shipped with goexif.
//
// # Worst case
//
// Orientation reads IFD0 only, at most 65535 entries of 12 bytes (the
// count is 16 bits) and no more than the payload holds, and allocates
// nothing: time linear in min(65535, len/12). The worst IFD0, 65535
// entries without the tag (786 KB), takes 0.13 ms (a throwaway
// benchmark, same machine).
package exif

import "encoding/binary"

// FormatError reports that the payload is not a well-formed TIFF
// structure.
type FormatError string

// Error implements error.
func (e FormatError) Error() string { return "exif: invalid TIFF: " + string(e) }

const (
	tagOrientation = 0x0112
	typeShort      = 3
	typeLong       = 4
	entrySize      = 12
	headerSize     = 8
)

// Orientation returns the EXIF orientation, 1..8, stored in IFD0 of tiff.
//
// tiff is the TIFF payload of an EXIF block: what follows "Exif\x00\x00" in
// a JPEG APP1 segment, a PNG eXIf chunk or a WebP EXIF chunk. It starts
// with "II*\x00" (little-endian) or "MM\x00*" (big-endian); a payload that
// still starts with "Exif\x00\x00" (some WebP writers leave it) is accepted
// too.
//
// The meaning of the values (how the stored pixels must be turned to be
// seen upright) is that of the EXIF specification; see
// resample.Orient.
//
// Results:
//   - the tag's value when it is present as a SHORT (the specified type)
//     or a LONG, with count 1, and lies in 1..8;
//   - 1 (upright) when the tag is absent, has another type or count, or
//     holds a value outside 1..8 (0 and 9+ are undefined: viewers show
//     such pictures as stored, and so do we);
//   - 1 and a FormatError when the header is not TIFF, or IFD0 lies
//     outside the payload. If IFD0's entry table is cut short by the end of
//     the payload, the entries that lie wholly inside it are still
//     searched: a found tag is returned with a nil error, otherwise the
//     error reports the truncation.
//
// Only IFD0 is read (no IFD chain is followed), so the cost is bounded
// by its entry count and Orientation cannot loop. It does not allocate
// and does not retain tiff.
func Orientation(tiff []byte) (int, error) {
	if len(tiff) >= 6 && string(tiff[:6]) == "Exif\x00\x00" {
		tiff = tiff[6:]
	}
	if len(tiff) < headerSize {
		return 1, FormatError("short header")
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1, FormatError("bad byte order or magic")
	}
	off := uint64(bo.Uint32(tiff[4:8]))
	n := uint64(len(tiff))
	if off < headerSize || off+2 > n {
		return 1, FormatError("IFD0 offset out of range")
	}
	count := uint64(bo.Uint16(tiff[off:]))
	table := tiff[off+2:]
	// count <= 65535, so count*12 cannot overflow; the payload may hold
	// fewer entries than declared.
	have := uint64(len(table)) / entrySize
	truncated := have < count
	count = min(count, have)
	for i := uint64(0); i < count; i++ {
		e := table[i*entrySize : i*entrySize+entrySize : i*entrySize+entrySize]
		if bo.Uint16(e[0:2]) != tagOrientation {
			continue
		}
		if bo.Uint32(e[4:8]) != 1 {
			return 1, nil
		}
		var v uint32
		switch bo.Uint16(e[2:4]) {
		case typeShort:
			v = uint32(bo.Uint16(e[8:10])) // left-justified in the value field
		case typeLong:
			v = bo.Uint32(e[8:12])
		default:
			return 1, nil
		}
		if v < 1 || v > 8 {
			return 1, nil
		}
		return int(v), nil
	}
	if truncated {
		return 1, FormatError("IFD0 entry table truncated")
	}
	return 1, nil
}
