package isobmff

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Ipma is a parsed ItemPropertyAssociation box (ISO/IEC 23008-12 9.3).
type Ipma struct {
	Version byte
	Flags   uint32 // bit 0: 15-bit property indices
	Entries []IpmaEntry
}

// IpmaEntry is the properties of one item.
type IpmaEntry struct {
	Item uint32
	// Assoc holds the essential bit in bit 15 and the 1-based property
	// index in the low 15 bits, in the box's order.
	Assoc []uint16
}

// ParseIpma parses the payload of an ipma box.
func ParseIpma(p []byte) (Ipma, error) {
	short := fmt.Errorf("%w: short ipma box", ErrFormat)
	if len(p) < 8 {
		return Ipma{}, short
	}
	m := Ipma{Version: p[0], Flags: uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])}
	n := binary.BigEndian.Uint32(p[4:])
	p = p[8:]
	if uint64(n) > uint64(len(p))/3 {
		return Ipma{}, short
	}
	m.Entries = make([]IpmaEntry, 0, n)
	for range n {
		var e IpmaEntry
		if m.Version < 1 {
			if len(p) < 3 {
				return Ipma{}, short
			}
			e.Item, p = uint32(binary.BigEndian.Uint16(p)), p[2:]
		} else {
			if len(p) < 5 {
				return Ipma{}, short
			}
			e.Item, p = binary.BigEndian.Uint32(p), p[4:]
		}
		count := int(p[0])
		p = p[1:]
		e.Assoc = make([]uint16, count)
		for j := range count {
			if m.Flags&1 != 0 {
				if len(p) < 2 {
					return Ipma{}, short
				}
				e.Assoc[j], p = binary.BigEndian.Uint16(p), p[2:]
				continue
			}
			if len(p) < 1 {
				return Ipma{}, short
			}
			e.Assoc[j], p = uint16(p[0]&0x80)<<8|uint16(p[0]&0x7f), p[1:]
		}
		m.Entries = append(m.Entries, e)
	}
	return m, nil
}

// Properties returns the property indices (1-based, essential bit
// cleared) associated with item, in order; nil if it has none.
func (m *Ipma) Properties(item uint32) []int {
	var out []int
	for _, e := range m.Entries {
		if e.Item != item {
			continue
		}
		for _, a := range e.Assoc {
			out = append(out, int(a&0x7fff))
		}
	}
	return out
}

// Associate adds the non-essential property index to item, adding an
// entry (in item order) if item has none, and widening the indices to
// 15 bits if index needs them.
func (m *Ipma) Associate(item uint32, index uint16) {
	if index > 0x7f {
		m.Flags |= 1
	}
	if item > 0xffff && m.Version < 1 {
		m.Version = 1
	}
	i, found := slices.BinarySearchFunc(m.Entries, item, func(e IpmaEntry, id uint32) int {
		return int(int64(e.Item) - int64(id))
	})
	if !found {
		m.Entries = slices.Insert(m.Entries, i, IpmaEntry{Item: item})
	}
	m.Entries[i].Assoc = append(m.Entries[i].Assoc, index)
}

// AppendTo appends the box's payload to dst.
func (m *Ipma) AppendTo(dst []byte) []byte {
	dst = append(dst, m.Version, byte(m.Flags>>16), byte(m.Flags>>8), byte(m.Flags))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Entries)))
	for _, e := range m.Entries {
		if m.Version < 1 {
			dst = binary.BigEndian.AppendUint16(dst, uint16(e.Item))
		} else {
			dst = binary.BigEndian.AppendUint32(dst, e.Item)
		}
		dst = append(dst, byte(len(e.Assoc)))
		for _, a := range e.Assoc {
			if m.Flags&1 != 0 {
				dst = binary.BigEndian.AppendUint16(dst, a)
			} else {
				dst = append(dst, byte(a>>8&0x80)|byte(a&0x7f))
			}
		}
	}
	return dst
}
