// Package isobmff walks the boxes of ISO base media files (ISO/IEC
// 14496-12) and reads what the HEIF image file format (ISO/IEC 23008-12)
// keeps in them for an AVIF picture: the primary item's size, bit
// depth, alpha item, colour profile and transformative properties (see
// ParseAVIF), the largest frame its AV1 sequence headers allow
// (MaxFrame), and the item property associations (Ipma), which the avif
// subpackage also rewrites when it adds a profile.
//
// Everything is bounds-checked against the input: a malformed file gives
// an error wrapping ErrFormat, never a panic or an out-of-range read.
// Nothing here decodes pixels; each function walks the boxes it reads
// once, in time linear in their size, and keeps only the boxes of one
// level at a time.
package isobmff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// ErrFormat is wrapped by every error of this package: the data is not
// the box structure it should be.
var ErrFormat = errors.New("malformed ISOBMFF")

// FourCC returns the box type named s (four ASCII bytes).
func FourCC(s string) uint32 { return binary.BigEndian.Uint32([]byte(s)) }

// Box is one box of the data it was read from: its type and where it
// lies. The zero Box is empty.
type Box struct {
	Type             uint32
	Start, Body, End int // header start, payload start, end
}

// Boxes splits data[start:end] into its boxes. A size of 0 means "to
// the end", 1 a 64-bit size after the type.
func Boxes(data []byte, start, end int) ([]Box, error) {
	if start < 0 || end > len(data) || start > end {
		return nil, fmt.Errorf("%w: box range %d..%d of %d bytes", ErrFormat, start, end, len(data))
	}
	var out []Box
	for off := start; off < end; {
		if end-off < 8 {
			return nil, fmt.Errorf("%w: truncated box header at %d", ErrFormat, off)
		}
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		hdr := 8
		switch size {
		case 1:
			if end-off < 16 {
				return nil, fmt.Errorf("%w: truncated box header at %d", ErrFormat, off)
			}
			size, hdr = binary.BigEndian.Uint64(data[off+8:]), 16
		case 0:
			size = uint64(end - off)
		}
		if size < uint64(hdr) || size > uint64(end-off) {
			return nil, fmt.Errorf("%w: bad box size %d at %d", ErrFormat, size, off)
		}
		b := Box{Type: binary.BigEndian.Uint32(data[off+4:]), Start: off, Body: off + hdr, End: off + int(size)}
		out = append(out, b)
		off = b.End
	}
	return out, nil
}

// Find returns the first box of bs of type typ.
func Find(bs []Box, typ uint32) (Box, bool) {
	i := slices.IndexFunc(bs, func(b Box) bool { return b.Type == typ })
	if i < 0 {
		return Box{}, false
	}
	return bs[i], true
}

// Children returns the boxes inside b; full (a FullBox) skips its
// version and flags first.
func Children(data []byte, b Box, full bool) ([]Box, error) {
	body := b.Body
	if full {
		body += 4
	}
	if body > b.End {
		return nil, fmt.Errorf("%w: short full box", ErrFormat)
	}
	return Boxes(data, body, b.End)
}

// PrimaryItem reads the item ID of the pitm box among a meta box's
// children.
func PrimaryItem(data []byte, kids []Box) (uint32, error) {
	pitm, ok := Find(kids, FourCC("pitm"))
	if !ok || pitm.End-pitm.Body < 6 {
		return 0, fmt.Errorf("%w: no pitm box", ErrFormat)
	}
	p := data[pitm.Body:pitm.End]
	if p[0] == 0 {
		return uint32(binary.BigEndian.Uint16(p[4:])), nil
	}
	if len(p) < 8 {
		return 0, fmt.Errorf("%w: short pitm box", ErrFormat)
	}
	return binary.BigEndian.Uint32(p[4:]), nil
}
