package isobmff

import (
	"fmt"
)

// MaxFrame reads, before any decode, the AV1 sequence headers of an
// AVIF's primary item and of its alpha item (if any): from the item's
// av1C property's configOBUs (AV1-ISOBMFF 2.3), else from the first
// extent of its data (iloc). It returns the largest maximum frame size
// they declare, which is what a decoder may allocate whatever ispe
// says. An item without a readable sequence header is an error.
func MaxFrame(data []byte) (w, h int, err error) {
	if !IsAVIF(data) {
		return 0, 0, fmt.Errorf("%w: no avif brand", ErrFormat)
	}
	top, err := Boxes(data, 0, len(data))
	if err != nil {
		return 0, 0, err
	}
	meta, ok := Find(top, FourCC("meta"))
	if !ok {
		return 0, 0, fmt.Errorf("%w: no meta box", ErrFormat)
	}
	kids, err := Children(data, meta, true)
	if err != nil {
		return 0, 0, err
	}
	primary, err := PrimaryItem(data, kids)
	if err != nil {
		return 0, 0, err
	}
	it, err := readItems(data, kids)
	if err != nil {
		return 0, 0, err
	}
	ids := []uint32{primary}
	alpha, ok, err := it.alphaItem(data, kids, primary)
	if err != nil {
		return 0, 0, err
	}
	if ok {
		ids = append(ids, alpha)
	}
	for _, id := range ids {
		obus, err := it.configOBUs(data, kids, id)
		if err != nil {
			return 0, 0, err
		}
		s, err := ParseSeqHeader(obus)
		if err != nil {
			return 0, 0, fmt.Errorf("item %d: %w", id, err)
		}
		w, h = max(w, s.MaxWidth), max(h, s.MaxHeight)
	}
	return w, h, nil
}

// configOBUs returns the OBUs that should start with item's sequence
// header: its av1C's configOBUs, else its data's first extent.
func (it *items) configOBUs(data []byte, kids []Box, item uint32) ([]byte, error) {
	for _, i := range it.assoc.Properties(item) {
		if b, ok := it.property(i); ok && b.Type == FourCC("av1C") && b.End-b.Body > 4 {
			return data[b.Body+4 : b.End], nil
		}
	}
	iloc, ok := Find(kids, FourCC("iloc"))
	if !ok {
		return nil, fmt.Errorf("%w: no iloc box", ErrFormat)
	}
	return itemData(data, kids, data[iloc.Body:iloc.End], item)
}

// itemData returns the first extent of item in the payload p of an
// iloc box (ISO/IEC 14496-12 8.11.3), in the file (construction method
// 0) or in the meta box's idat (1), cut at the end of the data.
func itemData(data []byte, kids []Box, p []byte, item uint32) ([]byte, error) {
	r := &byteReader{p: p}
	version := r.int(1)
	r.int(3) // flags
	sizes := r.int(2)
	offSize, lenSize, baseSize, idxSize := sizes>>12, sizes>>8&15, sizes>>4&15, sizes&15
	if version < 1 || version > 2 {
		idxSize = 0
	}
	if version > 2 {
		return nil, fmt.Errorf("%w: iloc version %d", ErrFormat, version)
	}
	idSize := 2 + 2*(version/2)
	for range r.int(idSize) {
		id := r.int(idSize)
		method := 0
		if version >= 1 {
			method = int(r.int(2) & 15)
		}
		r.int(2) // data_reference_index
		base := r.int(baseSize)
		extents := r.int(2)
		if r.short {
			break
		}
		if id != uint64(item) || extents == 0 {
			r.skip(int(extents) * int(idxSize+offSize+lenSize))
			continue
		}
		r.int(idxSize)
		off, n := base+r.int(offSize), r.int(lenSize)
		if r.short {
			break
		}
		return extent(data, kids, method, off, n)
	}
	if r.short {
		return nil, fmt.Errorf("%w: short iloc box", ErrFormat)
	}
	return nil, fmt.Errorf("%w: item %d not in iloc", ErrFormat, item)
}

// extent returns n bytes (0: to the end) at off, in the file or in idat.
func extent(data []byte, kids []Box, method int, off, n uint64) ([]byte, error) {
	src := data
	switch method {
	case 0:
	case 1:
		idat, ok := Find(kids, FourCC("idat"))
		if !ok {
			return nil, fmt.Errorf("%w: no idat box", ErrFormat)
		}
		src = data[idat.Body:idat.End]
	default:
		return nil, fmt.Errorf("%w: iloc construction method %d", ErrFormat, method)
	}
	if off >= uint64(len(src)) {
		return nil, fmt.Errorf("%w: item data at %d past the end", ErrFormat, off)
	}
	end := uint64(len(src))
	if n > 0 && n < end-off {
		end = off + n
	}
	return src[off:end], nil
}

// byteReader reads big-endian integers of 0 to 8 bytes; past the end it
// reads zeros and sets short.
type byteReader struct {
	p     []byte
	short bool
}

func (r *byteReader) int(n uint64) uint64 {
	if n > 8 || uint64(len(r.p)) < n {
		r.p, r.short = nil, true
		return 0
	}
	var v uint64
	for _, b := range r.p[:n] {
		v = v<<8 | uint64(b)
	}
	r.p = r.p[n:]
	return v
}

func (r *byteReader) skip(n int) {
	if n < 0 || len(r.p) < n {
		r.p, r.short = nil, true
		return
	}
	r.p = r.p[n:]
}
