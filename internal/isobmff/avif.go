package isobmff

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// AVIF is what ParseAVIF reads of an AVIF file's primary item.
type AVIF struct {
	Width, Height int // ispe: the stored size, before Orientation
	// Depth is the bits per channel of the first channel in pixi; 0
	// when there is no pixi box (8 is then the norm).
	Depth int
	// Alpha reports an auxiliary alpha item (auxl reference to the
	// primary item, auxC of the alpha URN).
	Alpha bool
	// ICC is the payload of a colr box of type prof or rICC, nil if
	// none; it aliases the input.
	ICC []byte
	// Orientation is the EXIF orientation (1..8) equivalent to the
	// primary item's irot and imir properties, applied in the order the
	// ipma box lists them (ISO/IEC 23008-12 6.5.10, 6.5.12; MIAF orders
	// them irot then imir). 1 when there are none.
	Orientation int
	// Frames is the sample count of the first track of an image
	// sequence (moov), 1 for a still picture.
	Frames int
}

var (
	brandAVIF = FourCC("avif")
	brandAVIS = FourCC("avis")
)

// IsAVIF reports whether data starts with an ftyp box whose major or a
// compatible brand is avif or avis.
func IsAVIF(data []byte) bool {
	if len(data) < 16 || string(data[4:8]) != "ftyp" {
		return false
	}
	size := int(binary.BigEndian.Uint32(data))
	if size < 16 || size > len(data) || size%4 != 0 {
		return false
	}
	for off := 8; off+4 <= size; off += 4 {
		if off == 12 {
			continue // minor_version
		}
		if b := binary.BigEndian.Uint32(data[off:]); b == brandAVIF || b == brandAVIS {
			return true
		}
	}
	return false
}

// ParseAVIF reads the primary item of an AVIF file (IsAVIF true) from
// its meta box, and the frame count of an image sequence from its moov
// box.
func ParseAVIF(data []byte) (AVIF, error) {
	if !IsAVIF(data) {
		return AVIF{}, fmt.Errorf("%w: no avif brand", ErrFormat)
	}
	top, err := Boxes(data, 0, len(data))
	if err != nil {
		return AVIF{}, err
	}
	meta, ok := Find(top, FourCC("meta"))
	if !ok {
		return AVIF{}, fmt.Errorf("%w: no meta box", ErrFormat)
	}
	kids, err := Children(data, meta, true)
	if err != nil {
		return AVIF{}, err
	}
	primary, err := PrimaryItem(data, kids)
	if err != nil {
		return AVIF{}, err
	}
	it, err := readItems(data, kids)
	if err != nil {
		return AVIF{}, err
	}
	a := AVIF{Orientation: 1, Frames: 1}
	if err := it.primary(&a, primary); err != nil {
		return AVIF{}, err
	}
	a.Alpha, err = it.hasAlpha(data, kids, primary)
	if err != nil {
		return AVIF{}, err
	}
	if moov, ok := Find(top, FourCC("moov")); ok {
		a.Frames = max(sampleCount(data, moov), 1)
	}
	return a, nil
}

// items is a meta box's properties and their associations.
type items struct {
	data  []byte
	props []Box // ipco's, in order: index i+1
	assoc Ipma  // every ipma box's entries
}

func readItems(data []byte, kids []Box) (*items, error) {
	iprp, ok := Find(kids, FourCC("iprp"))
	if !ok {
		return nil, fmt.Errorf("%w: no iprp box", ErrFormat)
	}
	pk, err := Children(data, iprp, false)
	if err != nil {
		return nil, err
	}
	it := &items{data: data}
	for _, b := range pk {
		switch b.Type {
		case FourCC("ipco"):
			if it.props != nil {
				return nil, fmt.Errorf("%w: several ipco boxes", ErrFormat)
			}
			if it.props, err = Children(data, b, false); err != nil {
				return nil, err
			}
		case FourCC("ipma"):
			m, err := ParseIpma(data[b.Body:b.End])
			if err != nil {
				return nil, err
			}
			it.assoc.Entries = append(it.assoc.Entries, m.Entries...)
		}
	}
	if it.props == nil {
		return nil, fmt.Errorf("%w: no ipco box", ErrFormat)
	}
	return it, nil
}

// property returns the box of 1-based property index i.
func (it *items) property(i int) (Box, bool) {
	if i < 1 || i > len(it.props) {
		return Box{}, false // 0 is "no property"; past the end is ignored
	}
	return it.props[i-1], true
}

// primary fills a from the primary item's properties.
func (it *items) primary(a *AVIF, item uint32) error {
	o := identity
	for _, i := range it.assoc.Properties(item) {
		b, ok := it.property(i)
		if !ok {
			continue
		}
		p := it.data[b.Body:b.End]
		switch b.Type {
		case FourCC("ispe"):
			if len(p) < 12 {
				return fmt.Errorf("%w: short ispe box", ErrFormat)
			}
			w, h := binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:])
			if w > 1<<30 || h > 1<<30 {
				return fmt.Errorf("%w: ispe %dx%d", ErrFormat, w, h)
			}
			a.Width, a.Height = int(w), int(h)
		case FourCC("pixi"):
			if len(p) >= 6 && p[4] > 0 {
				a.Depth = int(p[5])
			}
		case FourCC("colr"):
			if len(p) >= 4 && (string(p[:4]) == "prof" || string(p[:4]) == "rICC") && a.ICC == nil {
				a.ICC = p[4:len(p):len(p)]
			}
		case FourCC("irot"):
			if len(p) >= 1 {
				for range p[0] & 3 {
					o = rotateCCW.mul(o)
				}
			}
		case FourCC("imir"):
			if len(p) >= 1 {
				o = mirrors[p[0]&1].mul(o)
			}
		}
	}
	if a.Width == 0 || a.Height == 0 {
		return fmt.Errorf("%w: no ispe for the primary item", ErrFormat)
	}
	a.Orientation = o.exif()
	return nil
}

// Auxiliary types of an alpha plane (MIAF/AVIF, and HEVC's).
var alphaURNs = [][]byte{
	[]byte("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"),
	[]byte("urn:mpeg:hevc:2015:auxid:1"),
}

// hasAlpha reports whether an item with an alpha auxC property has an
// auxl reference to item.
func (it *items) hasAlpha(data []byte, kids []Box, item uint32) (bool, error) {
	_, ok, err := it.alphaItem(data, kids, item)
	return ok, err
}

// alphaItem returns the first item with an alpha auxC property and an
// auxl reference to item; false if there is none.
func (it *items) alphaItem(data []byte, kids []Box, item uint32) (uint32, bool, error) {
	iref, ok := Find(kids, FourCC("iref"))
	if !ok || iref.End-iref.Body < 4 {
		return 0, false, nil
	}
	wide := data[iref.Body] != 0 // version 1: 32-bit item IDs
	refs, err := Children(data, iref, true)
	if err != nil {
		return 0, false, err
	}
	for _, r := range refs {
		if r.Type != FourCC("auxl") {
			continue
		}
		from, to, err := references(data[r.Body:r.End], wide)
		if err != nil {
			return 0, false, err
		}
		if containsWidth(to, item, idWidth(wide)) && it.isAlpha(from) {
			return from, true, nil
		}
	}
	return 0, false, nil
}

// references parses a SingleItemTypeReferenceBox's payload.
func references(p []byte, wide bool) (from uint32, to []byte, err error) {
	n := idWidth(wide)
	if len(p) < n+2 {
		return 0, nil, fmt.Errorf("%w: short item reference", ErrFormat)
	}
	from = readID(p, n)
	count := int(binary.BigEndian.Uint16(p[n:]))
	p = p[n+2:]
	if len(p) < count*n {
		return 0, nil, fmt.Errorf("%w: short item reference", ErrFormat)
	}
	return from, p[:count*n], nil
}

// containsWidth reports whether ids, n-byte item IDs, holds item.
func containsWidth(ids []byte, item uint32, n int) bool {
	for i := 0; i+n <= len(ids); i += n {
		if readID(ids[i:], n) == item {
			return true
		}
	}
	return false
}

func idWidth(wide bool) int {
	if wide {
		return 4
	}
	return 2
}

func readID(p []byte, n int) uint32 {
	if n == 4 {
		return binary.BigEndian.Uint32(p)
	}
	return uint32(binary.BigEndian.Uint16(p))
}

func (it *items) isAlpha(item uint32) bool {
	for _, i := range it.assoc.Properties(item) {
		b, ok := it.property(i)
		if !ok || b.Type != FourCC("auxC") || b.End-b.Body < 4 {
			continue
		}
		urn := it.data[b.Body+4 : b.End]
		if z := bytes.IndexByte(urn, 0); z >= 0 {
			urn = urn[:z]
		}
		for _, u := range alphaURNs {
			if bytes.Equal(urn, u) {
				return true
			}
		}
	}
	return false
}

// sampleCount returns the sample count of the first track's stsz (or
// stz2) box in moov, 0 if there is none.
func sampleCount(data []byte, moov Box) int {
	b := moov
	for _, typ := range []string{"trak", "mdia", "minf", "stbl"} {
		kids, err := Children(data, b, false)
		if err != nil {
			return 0
		}
		var ok bool
		if b, ok = Find(kids, FourCC(typ)); !ok {
			return 0
		}
	}
	kids, err := Children(data, b, false)
	if err != nil {
		return 0
	}
	for _, k := range kids {
		if (k.Type == FourCC("stsz") || k.Type == FourCC("stz2")) && k.End-k.Body >= 12 {
			return int(min(binary.BigEndian.Uint32(data[k.Body+8:]), 1<<16))
		}
	}
	return 0
}
