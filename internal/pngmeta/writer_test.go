package pngmeta

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

// testPNG describes a PNG for the tiny test-only writer below. Samples are
// raw values at the bit depth (palette indexes for colour type 3).
type testPNG struct {
	w, h      int
	depth, ct int
	interlace bool
	plte      []color.RGBA // colour type 3; alpha is unused
	trns      []byte       // raw tRNS payload, nil for none
	before    []rawChunk   // extra chunks between IHDR and IDAT
	after     []rawChunk   // extra chunks between IDAT and IEND
}

type rawChunk struct {
	typ  string
	data []byte
}

// channels is the number of samples per pixel of colour type ct.
func channels(ct int) int {
	return [...]int{1, 0, 3, 1, 2, 0, 4}[ct]
}

// sample is the deterministic raw value of channel c of pixel (x, y).
func (p *testPNG) sample(x, y, c int) uint16 {
	if p.trns != nil && (x+2*y)%3 == 0 && p.ct != 3 {
		// Make the transparent colour occur.
		return binary.BigEndian.Uint16(p.trns[2*c:])
	}
	h := uint32(x*7919+y*104729+c*15485863) * 2654435761
	h ^= h >> 15
	if p.ct == 3 {
		return uint16(h % uint32(len(p.plte)))
	}
	return uint16(h >> 8 & (1<<p.depth - 1))
}

// want is the colour the decoder must produce at (x, y).
func (p *testPNG) want(x, y int) color.NRGBA64 {
	scale := uint16(0xffff / (1<<p.depth - 1))
	s := func(c int) uint16 { return p.sample(x, y, c) * scale }
	transparent := func(n int) bool {
		if p.trns == nil {
			return false
		}
		for c := range n {
			if p.sample(x, y, c) != binary.BigEndian.Uint16(p.trns[2*c:]) {
				return false
			}
		}
		return true
	}
	switch p.ct {
	case 0:
		c := color.NRGBA64{s(0), s(0), s(0), 0xffff}
		if transparent(1) {
			c.A = 0
		}
		return c
	case 2:
		c := color.NRGBA64{s(0), s(1), s(2), 0xffff}
		if transparent(3) {
			c.A = 0
		}
		return c
	case 3:
		i := p.sample(x, y, 0)
		e := p.plte[i]
		a := uint16(0xffff)
		if int(i) < len(p.trns) {
			a = uint16(p.trns[i]) * 0x101
		}
		return color.NRGBA64{uint16(e.R) * 0x101, uint16(e.G) * 0x101, uint16(e.B) * 0x101, a}
	case 4:
		return color.NRGBA64{s(0), s(0), s(0), s(1)}
	default:
		return color.NRGBA64{s(0), s(1), s(2), s(3)}
	}
}

// adam7 lists the Adam7 passes: x0, y0, dx, dy.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// encode writes p as a PNG datastream.
func (p *testPNG) encode(t testing.TB) []byte {
	t.Helper()
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(p.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(p.h))
	ihdr[8], ihdr[9] = byte(p.depth), byte(p.ct)
	if p.interlace {
		ihdr[12] = 1
	}
	out := appendChunk([]byte(signature), "IHDR", ihdr[:])
	for _, c := range p.before {
		out = appendChunk(out, c.typ, c.data)
	}
	if p.plte != nil {
		var pl []byte
		for _, c := range p.plte {
			pl = append(pl, c.R, c.G, c.B)
		}
		out = appendChunk(out, "PLTE", pl)
	}
	if p.trns != nil {
		out = appendChunk(out, "tRNS", p.trns)
	}
	var raw []byte
	if p.interlace {
		for _, ps := range adam7 {
			raw = p.appendPass(raw, ps[0], ps[1], ps[2], ps[3])
		}
	} else {
		raw = p.appendPass(raw, 0, 0, 1, 1)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	// Two IDAT chunks, to show decoders concatenate them.
	zb := z.Bytes()
	out = appendChunk(out, "IDAT", zb[:len(zb)/2])
	out = appendChunk(out, "IDAT", zb[len(zb)/2:])
	for _, c := range p.after {
		out = appendChunk(out, c.typ, c.data)
	}
	return appendChunk(out, "IEND", nil)
}

// appendPass appends the filtered scanlines of the sub-image of pixels
// (x0+i*dx, y0+j*dy). Empty passes add nothing, as the spec says.
func (p *testPNG) appendPass(dst []byte, x0, y0, dx, dy int) []byte {
	pw := (p.w - x0 + dx - 1) / dx
	ph := (p.h - y0 + dy - 1) / dy
	if pw <= 0 || ph <= 0 {
		return dst
	}
	nc := channels(p.ct)
	bpp := max(1, nc*p.depth/8)
	prev := make([]byte, (pw*nc*p.depth+7)/8)
	for j := range ph {
		row := make([]byte, len(prev))
		bit := 0
		for i := range pw {
			for c := range nc {
				v := p.sample(x0+i*dx, y0+j*dy, c)
				switch p.depth {
				case 16:
					binary.BigEndian.PutUint16(row[bit/8:], v)
				case 8:
					row[bit/8] = byte(v)
				default:
					row[bit/8] |= byte(v) << (8 - p.depth - bit%8)
				}
				bit += p.depth
			}
		}
		ft := byte(j % 5) // exercise every filter type
		dst = append(dst, ft)
		dst = appendFiltered(dst, ft, row, prev, bpp)
		prev = row
	}
	return dst
}

// appendFiltered appends row filtered with filter type ft.
func appendFiltered(dst []byte, ft byte, row, prev []byte, bpp int) []byte {
	for i, x := range row {
		var a, b, c byte
		if i >= bpp {
			a, c = row[i-bpp], prev[i-bpp]
		}
		b = prev[i]
		var pred byte
		switch ft {
		case 1:
			pred = a
		case 2:
			pred = b
		case 3:
			pred = byte((int(a) + int(b)) / 2)
		case 4:
			pred = paeth(a, b, c)
		}
		dst = append(dst, x-pred)
	}
	return dst
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
