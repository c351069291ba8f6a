package pngdec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

func decodeAll(data []byte) (image.Image, error) {
	p, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return p.Decode(nil, 1<<24)
}

// requireSame fails unless a and b have the same type, bounds, pixels
// and (for Paletted) palette.
func requireSame(t *testing.T, want, got image.Image, name string) {
	t.Helper()
	require.IsType(t, want, got, name)
	require.Equal(t, want.Bounds(), got.Bounds(), name)
	wp, ws := pixOf(want)
	gp, gs := pixOf(got)
	require.Equal(t, ws, gs, name)
	require.True(t, bytes.Equal(wp, gp), "%s: pixels differ", name)
	if w, ok := want.(*image.Paletted); ok {
		g := got.(*image.Paletted)
		require.Equal(t, len(w.Palette), len(g.Palette), name)
		for i := range w.Palette {
			require.Equal(t, w.Palette[i], g.Palette[i], "%s: palette entry %d", name, i)
		}
	}
}

// TestDecodeMatchesImagePNG: every colour type and depth, tRNS, palette,
// interlaced and not, odd sizes, IDAT split or whole: the same image as
// image/png's, pixel for pixel, of the same type.
func TestDecodeMatchesImagePNG(t *testing.T) {
	t.Parallel()
	n := 0
	for _, k := range pngtest.Kinds() {
		for _, split := range []int{0, 7} {
			name := fmt.Sprintf("%+v/idat%d", k, split)
			data := pngtest.Encode(t, k, uint64(n), split)
			n++
			want, err := png.Decode(bytes.NewReader(data))
			require.NoError(t, err, name)
			got, err := decodeAll(data)
			require.NoError(t, err, name)
			requireSame(t, want, got, name)
		}
	}
	t.Logf("%d files", n)
}

// TestRowsMatchDecode: Rows hands over Decode's rows, in order, and a
// sink's error ends it.
func TestRowsMatchDecode(t *testing.T) {
	t.Parallel()
	for i, k := range pngtest.Kinds() {
		if k.Laced {
			continue
		}
		data := pngtest.Encode(t, k, uint64(i), 0)
		p, err := Parse(data)
		require.NoError(t, err)
		whole, err := p.Decode(nil, 0)
		require.NoError(t, err)
		wp, stride := pixOf(whole)
		next := 0
		err = p.Rows(nil, func(y int, row image.Image) error {
			require.Equal(t, next, y)
			next++
			require.Equal(t, image.Rect(0, 0, k.W, 1), row.Bounds())
			rp, _ := pixOf(row)
			require.Equal(t, wp[y*stride:(y+1)*stride], rp, "%+v row %d", k, y)
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, k.H, next)
	}
	p, err := Parse(pngtest.Encode(t, pngtest.Kind{CT: 2, Depth: 8, W: 10, H: 10}, 1, 0))
	require.NoError(t, err)
	stop := errors.New("stop")
	rows := 0
	err = p.Rows(nil, func(int, image.Image) error { rows++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, rows)
}

// rechunk rewrites data's chunk typ with body, recomputing the CRC.
func rechunk(data []byte, typ string, edit func([]byte) []byte) []byte {
	var out bytes.Buffer
	out.Write(data[:8])
	for off := 8; off+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[off:]))
		ty, body := string(data[off+4:off+8]), data[off+8:off+8+n]
		if ty == typ {
			body = edit(append([]byte(nil), body...))
		}
		pngtest.WriteChunk(&out, ty, body)
		off += 12 + n
	}
	return out.Bytes()
}

// TestCorruptRefused: each corruption is an error wrapping ErrFormat,
// and image/png refuses it too.
func TestCorruptRefused(t *testing.T) {
	t.Parallel()
	good := pngtest.Encode(t, pngtest.Kind{CT: 2, Depth: 8, W: 33, H: 17}, 3, 0)
	laced := pngtest.Encode(t, pngtest.Kind{CT: 6, Depth: 16, W: 33, H: 17, Laced: true}, 4, 0)
	idatAt := bytes.Index(good, []byte("IDAT"))
	recompress := func(data []byte, edit func([]byte) []byte) []byte {
		return rechunk(data, "IDAT", func(b []byte) []byte {
			raw := pngtest.Inflate(t, b)
			return pngtest.Deflate(t, edit(raw))
		})
	}
	cases := map[string][]byte{
		"bad signature":     append([]byte("\x89PNG\r\n\x1a\x0b"), good[8:]...),
		"bad crc":           flip(good, idatAt+10),
		"bad ihdr crc":      flip(good, 8+4+4+13),
		"truncated idat":    good[:idatAt+30],
		"no iend":           good[:len(good)-12],
		"zero width":        rechunk(good, "IHDR", func(b []byte) []byte { clear(b[:4]); return b }),
		"huge height":       rechunk(good, "IHDR", func(b []byte) []byte { b[4] = 0x80; return b }),
		"bad depth":         rechunk(good, "IHDR", func(b []byte) []byte { b[8] = 4; return b }),
		"bad colour type":   rechunk(good, "IHDR", func(b []byte) []byte { b[9] = 5; return b }),
		"bad compression":   rechunk(good, "IHDR", func(b []byte) []byte { b[10] = 1; return b }),
		"bad filter method": rechunk(good, "IHDR", func(b []byte) []byte { b[11] = 1; return b }),
		"bad interlace":     rechunk(good, "IHDR", func(b []byte) []byte { b[12] = 2; return b }),
		"short ihdr":        rechunk(good, "IHDR", func(b []byte) []byte { return b[:12] }),
		"bad filter type":   recompress(good, func(b []byte) []byte { b[0] = 5; return b }),
		"too little data":   recompress(good, func(b []byte) []byte { return b[:len(b)-10] }),
		"too much data":     recompress(good, func(b []byte) []byte { return append(b, 0, 0, 0, 0) }),
		"laced too little":  recompress(laced, func(b []byte) []byte { return b[:len(b)-1] }),
		"laced bad filter":  recompress(laced, func(b []byte) []byte { b[len(b)-(33*8+1)] = 9; return b }),
		"bad zlib checksum": rechunk(good, "IDAT", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }),
		"bad zlib header":   rechunk(good, "IDAT", func(b []byte) []byte { b[0] = 0; return b }),
		"empty":             nil,
		"signature only":    good[:8],
	}
	for name, data := range cases {
		_, err := decodeAll(data)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, ErrFormat, name)
		_, perr := png.Decode(bytes.NewReader(data))
		assert.Error(t, perr, "image/png accepts %s", name)
	}
}

func flip(data []byte, at int) []byte {
	out := append([]byte(nil), data...)
	out[at] ^= 0x40
	return out
}

// TestCRCCoversEveryChunk: a flipped bit in any critical chunk's type,
// body or CRC is refused; in an ancillary chunk (here tRNS and a tEXt)
// the chunk is discarded, so the picture is the one without that chunk.
func TestCRCCoversEveryChunk(t *testing.T) {
	t.Parallel()
	data := pngtest.Encode(t, pngtest.Kind{CT: 3, Depth: 4, W: 9, H: 9, TRNS: true, PLTE: 7}, 5, 0)
	var text bytes.Buffer
	pngtest.WriteChunk(&text, "tEXt", []byte("Comment\x00made here"))
	iend := len(data) - 12
	data = append(append(append([]byte(nil), data[:iend]...), text.Bytes()...), data[iend:]...)
	ancillary := 0
	for off := 8; off < len(data); {
		n := int(binary.BigEndian.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		for at := off + 4; at < off+12+n; at += max(1, n/3) {
			got, err := decodeAll(flip(data, at))
			if typ != "tRNS" && typ != "tEXt" {
				require.ErrorIs(t, err, ErrFormat, "%s: byte %d", typ, at)
				continue
			}
			require.NoError(t, err, "%s: byte %d", typ, at)
			want, err := decodeAll(append(append([]byte(nil), data[:off]...), data[off+12+n:]...))
			require.NoError(t, err)
			requireSame(t, want, got, fmt.Sprintf("%s without its chunk, byte %d", typ, at))
			ancillary++
		}
		require.Equal(t, crc32.ChecksumIEEE(data[off+4:off+8+n]), binary.BigEndian.Uint32(data[off+8+n:]))
		off += 12 + n
	}
	require.GreaterOrEqual(t, ancillary, 6, "tRNS and tEXt each damaged in type, body and CRC")
	// The tRNS really mattered: without it the palette is opaque.
	m, err := decodeAll(data)
	require.NoError(t, err)
	_, _, _, a := m.(*image.Paletted).Palette[0].RGBA()
	require.Less(t, a, uint32(0xffff))
}

// TestCheckEndsDecode: the check is called as the data is inflated, and
// its error ends Decode and Rows at once, returned as it is.
func TestCheckEndsDecode(t *testing.T) {
	t.Parallel()
	for _, laced := range []bool{false, true} {
		data := pngtest.Encode(t, pngtest.Kind{CT: 6, Depth: 8, W: 300, H: 200, Laced: laced}, 6, 0)
		p, err := Parse(data)
		require.NoError(t, err)
		calls := 0
		_, err = p.Decode(func() error { calls++; return nil }, 0)
		require.NoError(t, err)
		require.GreaterOrEqual(t, calls, 300*200*4/checkEvery)
		stop := errors.New("stop")
		for _, at := range []int{0, calls / 2, calls - 1} {
			n := 0
			check := func() error {
				if n == at {
					return stop
				}
				n++
				return nil
			}
			_, err = p.Decode(check, 0)
			require.ErrorIs(t, err, stop)
			require.Equal(t, at, n)
		}
	}
}

// TestPixelLimit: a picture over the limit is refused before any
// allocation that depends on its size.
func TestPixelLimit(t *testing.T) {
	t.Parallel()
	data := pngtest.Encode(t, pngtest.Kind{CT: 0, Depth: 8, W: 100, H: 100}, 7, 0)
	p, err := Parse(data)
	require.NoError(t, err)
	_, err = p.Decode(nil, 9999)
	require.ErrorIs(t, err, ErrFormat)
	_, err = p.Decode(nil, 10000)
	require.NoError(t, err)
}

// TestPixelsMatchDecode: the stored rows Pixels hands over, scattered to
// where it says they lie, make Decode's picture, interlaced or not, and
// cover every pixel once.
func TestPixelsMatchDecode(t *testing.T) {
	t.Parallel()
	for i, k := range pngtest.Kinds() {
		data := pngtest.Encode(t, k, uint64(i), 0)
		p, err := Parse(data)
		require.NoError(t, err)
		whole, err := p.Decode(nil, 0)
		require.NoError(t, err)
		wp, stride := pixOf(whole)
		bpp := p.BytesPerPixel()
		got := make([]byte, len(wp))
		seen := make([]int, k.W*k.H)
		err = p.Pixels(nil, func(y, x0, dx int, row image.Image) error {
			rp, _ := pixOf(row)
			for i := range row.Bounds().Dx() {
				x := x0 + i*dx
				seen[y*k.W+x]++
				copy(got[y*stride+x*bpp:], rp[i*bpp:(i+1)*bpp])
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, wp, got, "%+v", k)
		for j, n := range seen {
			require.Equal(t, 1, n, "%+v pixel %d", k, j)
		}
	}
}
