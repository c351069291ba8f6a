// Package pngtest writes PNG files of every colour type, bit depth,
// tRNS, palette size and interlacing, with every filter type, for tests
// of PNG decoders (internal/pngdec and the root package's pipeline).
package pngtest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

const signature = "\x89PNG\r\n\x1a\n"

// pass is one Adam7 pass: the pixels at (x0 + i*dx, y0 + j*dy).
type pass struct{ x0, y0, dx, dy int }

var adam7 = [7]pass{
	{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
	{0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
}

func (a pass) size(w, h int) (int, int) {
	return (w - a.x0 + a.dx - 1) / a.dx, (h - a.y0 + a.dy - 1) / a.dy
}

// Kind is one generated test picture.
type Kind struct {
	CT, Depth, W, H int  // colour type, bit depth, size
	Laced, TRNS     bool // Adam7; a tRNS chunk (colour types 0, 2, 3)
	PLTE            int  // palette entries (colour type 3)
}

// Encode writes a PNG of k with random samples, each row filtered with
// the filter type (row number mod 5), so that every filter is decoded.
// Its IDAT data is split in chunks of at most idat bytes (0: one chunk).
func Encode(t testing.TB, k Kind, seed uint64, idat int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(k.W*131+k.H)))
	bits := k.Depth * [...]int{1, 0, 3, 1, 2, 0, 4}[k.CT]
	bpp := max(1, bits/8)
	var raw bytes.Buffer
	first := []byte(nil)
	passes := []pass{{0, 0, 1, 1}}
	if k.Laced {
		passes = adam7[:]
	}
	n := 0
	for _, a := range passes {
		pw, ph := a.size(k.W, k.H)
		if pw <= 0 || ph <= 0 {
			continue
		}
		rb := (bits*pw + 7) / 8
		prev := make([]byte, rb)
		for range ph {
			row := make([]byte, rb)
			for i := range row {
				row[i] = uint8(rng.Uint32())
			}
			if first == nil {
				first = append([]byte(nil), row...)
			}
			ft := byte(n % 5)
			n++
			raw.WriteByte(ft)
			raw.Write(filterRow(ft, row, prev, bpp))
			prev = row
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, err := zw.Write(raw.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	var out bytes.Buffer
	out.WriteString(signature)
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(k.W))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(k.H))
	ihdr[8], ihdr[9] = byte(k.Depth), byte(k.CT)
	if k.Laced {
		ihdr[12] = 1
	}
	WriteChunk(&out, "IHDR", ihdr)
	if k.CT == 3 {
		pal := make([]byte, 3*k.PLTE)
		for i := range pal {
			pal[i] = uint8(rng.Uint32())
		}
		WriteChunk(&out, "PLTE", pal)
	}
	if k.TRNS {
		WriteChunk(&out, "tRNS", trnsFor(k, first, rng))
	}
	d := z.Bytes()
	for len(d) > 0 {
		c := len(d)
		if idat > 0 {
			c = min(c, idat)
		}
		WriteChunk(&out, "IDAT", d[:c])
		d = d[c:]
	}
	WriteChunk(&out, "IEND", nil)
	return out.Bytes()
}

// trnsFor returns a tRNS chunk for k whose key is the first pixel's
// value, so that some pixels are transparent.
func trnsFor(k Kind, first []byte, rng *rand.Rand) []byte {
	switch k.CT {
	case 0:
		if k.Depth == 16 {
			return first[:2]
		}
		if k.Depth == 8 {
			return []byte{0, first[0]}
		}
		return []byte{0, first[0] >> (8 - k.Depth)}
	case 2:
		if k.Depth == 16 {
			return first[:6]
		}
		return []byte{0, first[0], 0, first[1], 0, first[2]}
	}
	a := make([]byte, 1+rng.IntN(min(256, k.PLTE+3)))
	for i := range a {
		a[i] = uint8(rng.Uint32())
	}
	return a
}

// WriteChunk appends a chunk of type typ with body and its CRC to w.
func WriteChunk(w *bytes.Buffer, typ string, body []byte) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(len(body)))
	w.Write(b[:])
	start := w.Len()
	w.WriteString(typ)
	w.Write(body)
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(w.Bytes()[start:]))
	w.Write(b[:])
}

// filterRow applies filter ft to row (above it: prev), the encoder's
// side of the specification's section 9.
func filterRow(ft byte, row, prev []byte, bpp int) []byte {
	out := make([]byte, len(row))
	for i, x := range row {
		var a, b, c byte
		if i >= bpp {
			a, c = row[i-bpp], prev[i-bpp]
		}
		b = prev[i]
		switch ft {
		case 0:
			out[i] = x
		case 1:
			out[i] = x - a
		case 2:
			out[i] = x - b
		case 3:
			out[i] = x - byte((int(a)+int(b))/2)
		case 4:
			out[i] = x - paethRef(a, b, c)
		}
	}
	return out
}

// paethRef is the predictor exactly as the specification writes it.
func paethRef(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
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

// Kinds lists every colour type and depth, with and without tRNS where
// allowed, interlaced and not, at odd sizes.
func Kinds() []Kind {
	type ctd struct{ ct, depth int }
	var types []ctd
	for _, d := range []int{1, 2, 4, 8, 16} {
		types = append(types, ctd{0, d})
		if d <= 8 {
			types = append(types, ctd{3, d})
		}
		if d >= 8 {
			types = append(types, ctd{2, d}, ctd{4, d}, ctd{6, d})
		}
	}
	sizes := [][2]int{{1, 1}, {3, 7}, {33, 17}, {8, 8}, {17, 1}, {1, 9}, {64, 5}}
	var ks []Kind
	for _, ty := range types {
		for _, sz := range sizes {
			for _, laced := range []bool{false, true} {
				for _, trns := range []bool{false, true} {
					if trns && ty.ct >= 4 {
						continue
					}
					plte := 0
					if ty.ct == 3 {
						plte = 1 + (sz[0]*7+sz[1])%(1<<ty.depth) // sometimes fewer than the indices
					}
					ks = append(ks, Kind{ty.ct, ty.depth, sz[0], sz[1], laced, trns, plte})
				}
			}
		}
	}
	return ks
}

// Inflate returns the zlib stream b inflated.
func Inflate(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = out.ReadFrom(zr)
	require.NoError(t, err)
	return out.Bytes()
}

// Deflate returns b as a zlib stream.
func Deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return z.Bytes()
}
