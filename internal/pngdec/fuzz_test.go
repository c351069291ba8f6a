package pngdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

// FuzzDecode: any input either decodes or fails with an error wrapping
// ErrFormat, never panics, allocates at most what its header allows
// (pictures over 1<<20 pixels are refused before allocating), and
// whenever image/png decodes it too, both give the same picture; Rows
// hands over Decode's rows.
func FuzzDecode(f *testing.F) {
	for i, k := range pngtest.Kinds() {
		if k.W*k.H <= 64 && i%3 == 0 {
			f.Add(pngtest.Encode(f, k, uint64(i), 11))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		// Mutations rarely keep CRCs right: decode the mutated chunks
		// too, with their CRCs recomputed.
		checkDecode(t, fixCRCs(data))
	})
}

// fixCRCs returns data with the CRC of every whole chunk recomputed.
func fixCRCs(data []byte) []byte {
	out := append([]byte(nil), data...)
	for off := len(signature); off+12 <= len(out); {
		n := int(binary.BigEndian.Uint32(out[off:]))
		if n < 0 || n > len(out)-off-12 {
			break
		}
		binary.BigEndian.PutUint32(out[off+8+n:], crc32.ChecksumIEEE(out[off+4:off+8+n]))
		off += 12 + n
	}
	return out
}

// checkDecode fails t unless data decodes as FuzzDecode says.
func checkDecode(t *testing.T, data []byte) {
	p, err := Parse(data)
	if err != nil {
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("error not wrapping ErrFormat: %v", err)
		}
		return
	}
	got, err := p.Decode(nil, 1<<20)
	if err != nil {
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("error not wrapping ErrFormat: %v", err)
		}
		return
	}
	if !p.Interlaced {
		wp, stride := pixOf(got)
		err := p.Rows(nil, func(y int, row image.Image) error {
			rp, _ := pixOf(row)
			if !bytes.Equal(rp, wp[y*stride:(y+1)*stride]) {
				t.Fatalf("row %d differs from Decode's", y)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Rows failed where Decode did not: %v", err)
		}
	}
	want, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return
	}
	wp, _ := pixOf(want)
	gp, _ := pixOf(got)
	if want.Bounds() != got.Bounds() || !bytes.Equal(wp, gp) {
		t.Fatalf("%T %v differs from image/png's %T %v", got, got.Bounds(), want, want.Bounds())
	}
	if w, ok := want.(*image.Paletted); ok {
		g := got.(*image.Paletted)
		if len(w.Palette) != len(g.Palette) {
			t.Fatalf("palette of %d entries, image/png's %d", len(g.Palette), len(w.Palette))
		}
		for i := range w.Palette {
			if w.Palette[i] != g.Palette[i] {
				t.Fatalf("palette entry %d: %v, image/png's %v", i, g.Palette[i], w.Palette[i])
			}
		}
	}
}
