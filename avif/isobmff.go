package avif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// This file adds an ICC profile to libavif's output: a colr box of
// colour_type 'prof' appended to the item property container (ipco),
// associated with the primary item in ipma, with the sizes of iprp and
// meta fixed up and the absolute offsets of iloc moved by the bytes the
// meta box grew (ISO/IEC 14496-12 8.11 and ISO/IEC 23008-12 9.3).

var errLayout = errors.New("avif: unsupported ISOBMFF layout")

func fourCC(s string) uint32 { return binary.BigEndian.Uint32([]byte(s)) }

var (
	typMeta = fourCC("meta")
	typPitm = fourCC("pitm")
	typIloc = fourCC("iloc")
	typIprp = fourCC("iprp")
	typIpco = fourCC("ipco")
	typIpma = fourCC("ipma")
)

// box is one box of data: its type and where it lies.
type box struct {
	typ              uint32
	start, body, end int // header start, payload start, end
}

// boxes splits data[start:end] into its boxes.
func boxes(data []byte, start, end int) ([]box, error) {
	var out []box
	for off := start; off < end; {
		if end-off < 8 {
			return nil, fmt.Errorf("avif: truncated box header at %d", off)
		}
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		hdr := 8
		switch size {
		case 1:
			if end-off < 16 {
				return nil, fmt.Errorf("avif: truncated box header at %d", off)
			}
			size, hdr = binary.BigEndian.Uint64(data[off+8:]), 16
		case 0:
			size = uint64(end - off)
		}
		if size < uint64(hdr) || size > uint64(end-off) {
			return nil, fmt.Errorf("avif: bad box size %d at %d", size, off)
		}
		b := box{typ: binary.BigEndian.Uint32(data[off+4:]), start: off, body: off + hdr, end: off + int(size)}
		out = append(out, b)
		off = b.end
	}
	return out, nil
}

func find(bs []box, typ uint32) (box, bool) {
	i := slices.IndexFunc(bs, func(b box) bool { return b.typ == typ })
	if i < 0 {
		return box{}, false
	}
	return bs[i], true
}

// appendBox appends a box of the given type around payload, keeping a
// 64-bit size header if the box it replaces had one.
func appendBox(dst []byte, old box, data, payload []byte) []byte {
	if old.body-old.start == 16 {
		dst = binary.BigEndian.AppendUint32(dst, 1)
		dst = append(dst, data[old.start+4:old.start+8]...)
		return append(binary.BigEndian.AppendUint64(dst, uint64(16+len(payload))), payload...)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(8+len(payload)))
	dst = append(dst, data[old.start+4:old.start+8]...)
	return append(dst, payload...)
}

// addICC returns file with icc attached to its primary item.
func addICC(file, icc []byte) ([]byte, error) {
	top, err := boxes(file, 0, len(file))
	if err != nil {
		return nil, err
	}
	meta, ok := find(top, typMeta)
	if !ok || meta.end-meta.body < 4 {
		return nil, fmt.Errorf("%w: no meta box", errLayout)
	}
	kids, err := boxes(file, meta.body+4, meta.end) // meta is a FullBox
	if err != nil {
		return nil, err
	}
	primary, err := primaryItem(file, kids)
	if err != nil {
		return nil, err
	}
	iprp, ok1 := find(kids, typIprp)
	iloc, ok2 := find(kids, typIloc)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: no iprp or iloc box", errLayout)
	}
	newIprp, err := iprpWithICC(file, iprp, primary, icc)
	if err != nil {
		return nil, err
	}
	newMetaLen := (meta.end - meta.start) + len(newIprp) - (iprp.end - iprp.start)
	if meta.body-meta.start == 8 && newMetaLen > 1<<32-1 {
		return nil, fmt.Errorf("%w: meta box too large", errLayout)
	}
	delta := newMetaLen - (meta.end - meta.start)
	newIloc, err := shiftIloc(file[iloc.start:iloc.end], iloc.body-iloc.start, meta.start, meta.end, delta)
	if err != nil {
		return nil, err
	}

	payload := make([]byte, 0, newMetaLen)
	payload = append(payload, file[meta.body:meta.body+4]...)
	for _, k := range kids {
		switch k.typ {
		case typIprp:
			payload = append(payload, newIprp...)
		case typIloc:
			payload = append(payload, newIloc...)
		default:
			payload = append(payload, file[k.start:k.end]...)
		}
	}
	out := make([]byte, 0, len(file)+delta)
	out = append(out, file[:meta.start]...)
	out = appendBox(out, meta, file, payload)
	out = append(out, file[meta.end:]...)
	return out, nil
}

// primaryItem reads the item ID of the pitm box.
func primaryItem(data []byte, kids []box) (uint32, error) {
	pitm, ok := find(kids, typPitm)
	if !ok || pitm.end-pitm.body < 6 {
		return 0, fmt.Errorf("%w: no pitm box", errLayout)
	}
	p := data[pitm.body:pitm.end]
	if p[0] == 0 {
		return uint32(binary.BigEndian.Uint16(p[4:])), nil
	}
	if len(p) < 8 {
		return 0, fmt.Errorf("%w: short pitm box", errLayout)
	}
	return binary.BigEndian.Uint32(p[4:]), nil
}

// iprpWithICC returns a new iprp box: ipco with a colr 'prof' box
// appended, ipma with that property associated to item.
func iprpWithICC(data []byte, iprp box, item uint32, icc []byte) ([]byte, error) {
	kids, err := boxes(data, iprp.body, iprp.end)
	if err != nil {
		return nil, err
	}
	ipco, ok := find(kids, typIpco)
	if !ok {
		return nil, fmt.Errorf("%w: no ipco box", errLayout)
	}
	props, err := boxes(data, ipco.body, ipco.end)
	if err != nil {
		return nil, err
	}
	index := len(props) + 1 // property indices are 1-based
	if index > 0x7fff {
		return nil, fmt.Errorf("%w: too many properties", errLayout)
	}
	colr := make([]byte, 0, 12+len(icc))
	colr = binary.BigEndian.AppendUint32(colr, uint32(12+len(icc)))
	colr = append(colr, "colrprof"...)
	colr = append(colr, icc...)

	payload := make([]byte, 0, iprp.end-iprp.start+len(colr)+16)
	ipmas := 0
	for _, k := range kids {
		switch k.typ {
		case typIpco:
			body := append(slices.Clip(data[ipco.body:ipco.end]), colr...)
			payload = appendBox(payload, k, data, body)
		case typIpma:
			ipmas++
			if ipmas > 1 {
				return nil, fmt.Errorf("%w: several ipma boxes", errLayout)
			}
			m, err := parseIpma(data[k.body:k.end])
			if err != nil {
				return nil, err
			}
			m.associate(item, uint16(index))
			payload = appendBox(payload, k, data, m.appendTo(nil))
		default:
			payload = append(payload, data[k.start:k.end]...)
		}
	}
	if ipmas == 0 {
		return nil, fmt.Errorf("%w: no ipma box", errLayout)
	}
	return appendBox(nil, iprp, data, payload), nil
}

// ipma is a parsed ItemPropertyAssociation box.
type ipma struct {
	version byte
	flags   uint32
	entries []ipmaEntry
}

type ipmaEntry struct {
	item uint32
	// assoc holds the essential bit in bit 15 and the 1-based property
	// index in the low 15 bits.
	assoc []uint16
}

func parseIpma(p []byte) (ipma, error) {
	short := fmt.Errorf("%w: short ipma box", errLayout)
	if len(p) < 8 {
		return ipma{}, short
	}
	m := ipma{version: p[0], flags: uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])}
	n := binary.BigEndian.Uint32(p[4:])
	p = p[8:]
	if uint64(n) > uint64(len(p))/3 {
		return ipma{}, short
	}
	m.entries = make([]ipmaEntry, 0, n)
	for range n {
		var e ipmaEntry
		if m.version < 1 {
			if len(p) < 3 {
				return ipma{}, short
			}
			e.item, p = uint32(binary.BigEndian.Uint16(p)), p[2:]
		} else {
			if len(p) < 5 {
				return ipma{}, short
			}
			e.item, p = binary.BigEndian.Uint32(p), p[4:]
		}
		count := int(p[0])
		p = p[1:]
		e.assoc = make([]uint16, count)
		for j := range count {
			if m.flags&1 != 0 {
				if len(p) < 2 {
					return ipma{}, short
				}
				e.assoc[j], p = binary.BigEndian.Uint16(p), p[2:]
				continue
			}
			if len(p) < 1 {
				return ipma{}, short
			}
			e.assoc[j], p = uint16(p[0]&0x80)<<8|uint16(p[0]&0x7f), p[1:]
		}
		m.entries = append(m.entries, e)
	}
	return m, nil
}

// associate adds the non-essential property index to item, adding an
// entry (in item order) if item has none, and widening the indices to
// 15 bits if index needs them.
func (m *ipma) associate(item uint32, index uint16) {
	if index > 0x7f {
		m.flags |= 1
	}
	if item > 0xffff && m.version < 1 {
		m.version = 1
	}
	i, found := slices.BinarySearchFunc(m.entries, item, func(e ipmaEntry, id uint32) int {
		return int(int64(e.item) - int64(id))
	})
	if !found {
		m.entries = slices.Insert(m.entries, i, ipmaEntry{item: item})
	}
	m.entries[i].assoc = append(m.entries[i].assoc, index)
}

func (m *ipma) appendTo(dst []byte) []byte {
	dst = append(dst, m.version, byte(m.flags>>16), byte(m.flags>>8), byte(m.flags))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.entries)))
	for _, e := range m.entries {
		if m.version < 1 {
			dst = binary.BigEndian.AppendUint16(dst, uint16(e.item))
		} else {
			dst = binary.BigEndian.AppendUint32(dst, e.item)
		}
		dst = append(dst, byte(len(e.assoc)))
		for _, a := range e.assoc {
			if m.flags&1 != 0 {
				dst = binary.BigEndian.AppendUint16(dst, a)
			} else {
				dst = append(dst, byte(a>>8&0x80)|byte(a&0x7f))
			}
		}
	}
	return dst
}

// shiftIloc returns a copy of the iloc box b (header of hdr bytes) in
// which every absolute file offset at or after metaEnd is moved by
// delta. Offsets into the meta box itself, which is being rewritten,
// are refused.
func shiftIloc(b []byte, hdr, metaStart, metaEnd, delta int) ([]byte, error) {
	out := slices.Clone(b)
	p := out[hdr:]
	short := fmt.Errorf("%w: short iloc box", errLayout)
	if len(p) < 6 {
		return nil, short
	}
	version := p[0]
	offSize, lenSize := int(p[4]>>4), int(p[4]&0xf)
	baseSize, idxSize := int(p[5]>>4), int(p[5]&0xf)
	if version > 2 || !validSize(offSize) || !validSize(lenSize) || !validSize(baseSize) {
		return nil, fmt.Errorf("%w: iloc version %d, sizes %d/%d/%d", errLayout, version, offSize, lenSize, baseSize)
	}
	if version == 0 {
		idxSize = 0
	} else if !validSize(idxSize) {
		return nil, fmt.Errorf("%w: iloc index size %d", errLayout, idxSize)
	}
	r := ilocReader{p: p, pos: 6}
	var count uint64
	if version < 2 {
		count = r.uint(2)
	} else {
		count = r.uint(4)
	}
	for range count {
		if version < 2 {
			r.uint(2)
		} else {
			r.uint(4)
		}
		method := uint64(0)
		if version > 0 {
			method = r.uint(2) & 0xf
		}
		dataRef := r.uint(2)
		basePos := r.pos
		base := r.uint(baseSize)
		extents := r.uint(2)
		absolute := method == 0 && dataRef == 0
		shiftBase := absolute && baseSize > 0 && base >= uint64(metaEnd)
		if shiftBase {
			if err := r.put(basePos, baseSize, base, delta); err != nil {
				return nil, err
			}
		}
		for range extents {
			r.uint(idxSize)
			offPos := r.pos
			off := r.uint(offSize)
			r.uint(lenSize)
			if r.err || !absolute || shiftBase {
				continue
			}
			at := base + off
			switch {
			case at >= uint64(metaEnd):
				if offSize == 0 {
					return nil, fmt.Errorf("%w: iloc extent without an offset field", errLayout)
				}
				if err := r.put(offPos, offSize, off, delta); err != nil {
					return nil, err
				}
			case at >= uint64(metaStart):
				return nil, fmt.Errorf("%w: iloc extent inside the meta box", errLayout)
			}
		}
		if r.err {
			return nil, short
		}
	}
	if r.err {
		return nil, short
	}
	return out, nil
}

func validSize(n int) bool { return n == 0 || n == 4 || n == 8 }

// ilocReader reads big-endian fields of 0, 2, 4 or 8 bytes; err is set
// (and zeros returned) once a field runs past the end.
type ilocReader struct {
	p   []byte
	pos int
	err bool
}

func (r *ilocReader) uint(n int) uint64 {
	if r.err || len(r.p)-r.pos < n {
		r.err = true
		return 0
	}
	var v uint64
	for _, c := range r.p[r.pos : r.pos+n] {
		v = v<<8 | uint64(c)
	}
	r.pos += n
	return v
}

// put overwrites the n-byte field at pos, holding v, with v+delta.
func (r *ilocReader) put(pos, n int, v uint64, delta int) error {
	nv := v + uint64(delta)
	if delta < 0 || (n == 4 && nv > 1<<32-1) {
		return fmt.Errorf("%w: iloc offset overflows", errLayout)
	}
	for i := n - 1; i >= 0; i-- {
		r.p[pos+i] = byte(nv)
		nv >>= 8
	}
	return nil
}
