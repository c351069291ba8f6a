package avif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/imgproxy-go/imgproxy/internal/isobmff"
)

// This file adds an ICC profile to libavif's output: a colr box of
// colour_type 'prof' appended to the item property container (ipco),
// associated with the primary item in ipma, with the sizes of iprp and
// meta fixed up and the absolute offsets of iloc moved by the bytes the
// meta box grew (ISO/IEC 14496-12 8.11 and ISO/IEC 23008-12 9.3).

var errLayout = errors.New("avif: unsupported ISOBMFF layout")

var (
	typMeta = isobmff.FourCC("meta")
	typIloc = isobmff.FourCC("iloc")
	typIprp = isobmff.FourCC("iprp")
	typIpco = isobmff.FourCC("ipco")
	typIpma = isobmff.FourCC("ipma")
)

// appendBox appends a box of the given type around payload, keeping a
// 64-bit size header if the box it replaces had one.
func appendBox(dst []byte, old isobmff.Box, data, payload []byte) []byte {
	if old.Body-old.Start == 16 {
		dst = binary.BigEndian.AppendUint32(dst, 1)
		dst = append(dst, data[old.Start+4:old.Start+8]...)
		return append(binary.BigEndian.AppendUint64(dst, uint64(16+len(payload))), payload...)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(8+len(payload)))
	dst = append(dst, data[old.Start+4:old.Start+8]...)
	return append(dst, payload...)
}

// addICC returns file with icc attached to its primary item.
func addICC(file, icc []byte) ([]byte, error) {
	top, err := isobmff.Boxes(file, 0, len(file))
	if err != nil {
		return nil, err
	}
	meta, ok := isobmff.Find(top, typMeta)
	if !ok || meta.End-meta.Body < 4 {
		return nil, fmt.Errorf("%w: no meta isobmff.Box", errLayout)
	}
	kids, err := isobmff.Boxes(file, meta.Body+4, meta.End) // meta is a FullBox
	if err != nil {
		return nil, err
	}
	primary, err := isobmff.PrimaryItem(file, kids)
	if err != nil {
		return nil, err
	}
	iprp, ok1 := isobmff.Find(kids, typIprp)
	iloc, ok2 := isobmff.Find(kids, typIloc)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: no iprp or iloc isobmff.Box", errLayout)
	}
	newIprp, err := iprpWithICC(file, iprp, primary, icc)
	if err != nil {
		return nil, err
	}
	newMetaLen := (meta.End - meta.Start) + len(newIprp) - (iprp.End - iprp.Start)
	if meta.Body-meta.Start == 8 && newMetaLen > 1<<32-1 {
		return nil, fmt.Errorf("%w: meta isobmff.Box too large", errLayout)
	}
	delta := newMetaLen - (meta.End - meta.Start)
	newIloc, err := shiftIloc(file[iloc.Start:iloc.End], iloc.Body-iloc.Start, meta.Start, meta.End, delta)
	if err != nil {
		return nil, err
	}

	payload := make([]byte, 0, newMetaLen)
	payload = append(payload, file[meta.Body:meta.Body+4]...)
	for _, k := range kids {
		switch k.Type {
		case typIprp:
			payload = append(payload, newIprp...)
		case typIloc:
			payload = append(payload, newIloc...)
		default:
			payload = append(payload, file[k.Start:k.End]...)
		}
	}
	out := make([]byte, 0, len(file)+delta)
	out = append(out, file[:meta.Start]...)
	out = appendBox(out, meta, file, payload)
	out = append(out, file[meta.End:]...)
	return out, nil
}

// iprpWithICC returns a new iprp box: ipco with a colr 'prof' box
// appended, ipma with that property associated to item.
func iprpWithICC(data []byte, iprp isobmff.Box, item uint32, icc []byte) ([]byte, error) {
	kids, err := isobmff.Boxes(data, iprp.Body, iprp.End)
	if err != nil {
		return nil, err
	}
	ipco, ok := isobmff.Find(kids, typIpco)
	if !ok {
		return nil, fmt.Errorf("%w: no ipco isobmff.Box", errLayout)
	}
	props, err := isobmff.Boxes(data, ipco.Body, ipco.End)
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

	payload := make([]byte, 0, iprp.End-iprp.Start+len(colr)+16)
	ipmas := 0
	for _, k := range kids {
		switch k.Type {
		case typIpco:
			body := append(slices.Clip(data[ipco.Body:ipco.End]), colr...)
			payload = appendBox(payload, k, data, body)
		case typIpma:
			ipmas++
			if ipmas > 1 {
				return nil, fmt.Errorf("%w: several ipma boxes", errLayout)
			}
			m, err := isobmff.ParseIpma(data[k.Body:k.End])
			if err != nil {
				return nil, err
			}
			m.Associate(item, uint16(index))
			payload = appendBox(payload, k, data, m.AppendTo(nil))
		default:
			payload = append(payload, data[k.Start:k.End]...)
		}
	}
	if ipmas == 0 {
		return nil, fmt.Errorf("%w: no ipma isobmff.Box", errLayout)
	}
	return appendBox(nil, iprp, data, payload), nil
}

// shiftIloc returns a copy of the iloc box b (header of hdr bytes) in
// which every absolute file offset at or after metaEnd is moved by
// delta. Offsets into the meta box itself, which is being rewritten,
// are refused.
func shiftIloc(b []byte, hdr, metaStart, metaEnd, delta int) ([]byte, error) {
	out := slices.Clone(b)
	p := out[hdr:]
	short := fmt.Errorf("%w: short iloc isobmff.Box", errLayout)
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
				return nil, fmt.Errorf("%w: iloc extent inside the meta isobmff.Box", errLayout)
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
