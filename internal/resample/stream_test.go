package resample

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

// withAlpha returns a copy of src with alpha varying over the picture,
// some pixels fully transparent.
func withAlpha(src *image.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(src.Rect)
	copy(m.Pix, src.Pix)
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = uint8(max(0, (i/4)%300-45))
	}
	return m
}

type subImager interface {
	SubImage(image.Rectangle) image.Image
}

// TestShrinkerMatchesResize: fed row by row, the Shrinker's result is
// ResizeExtent's, byte for byte and of the same type, for every type a
// PNG decodes to, each axis reduced alone or both.
func TestShrinkerMatchesResize(t *testing.T) {
	t.Parallel()
	sizes := [][4]int{
		{1000, 700, 150, 105}, {333, 977, 40, 20}, {600, 50, 60, 50}, {64, 640, 64, 100},
		{2000, 30, 5, 1}, {97, 1203, 3, 7}, {40000, 3, 100, 3},
		// No box: the horizontal pass streamed.
		{1920, 1280, 640, 427}, {400, 300, 150, 113}, {300, 50, 100, 50}, {101, 77, 33, 40},
	}
	direct := 0
	for _, kind := range []string{"nrgba", "alpha", "rgba", "gray", "paletted", "nrgba64", "alpha64", "rgba64", "gray16"} {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s %v", kind, sz)
			src := photoOfKind(sz[0], sz[1], 3, kind)
			want := ResizeExtent(src, sz[2], sz[3], Extent{}, Lanczos3, 2)
			s := NewShrinker(src, sz[0], sz[1], sz[2], sz[3], Lanczos3)
			if s == nil { // no box, and the vertical pass would go first
				require.False(t, Boxes(sz[0], sz[1], sz[2], sz[3]), name)
				continue
			}
			if !s.Boxed() {
				direct++
			}
			for y := range sz[1] {
				s.Add(src.(subImager).SubImage(image.Rect(0, y, sz[0], y+1)))
			}
			got := s.Image(1)
			require.IsType(t, want, got, name)
			require.Equal(t, pixels(want), pixels(got), name)
		}
	}
	require.GreaterOrEqual(t, direct, 20, "Shrinkers without box")
}

// TestShrinkerWhen: a Shrinker boxes where ResizeExtent would (5x or
// more on an axis); without a box it exists only where the horizontal
// pass runs first or alone; never for YCbCr.
func TestShrinkerWhen(t *testing.T) {
	t.Parallel()
	m := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	for _, c := range []struct {
		sw, sh, w, h  int
		exists, boxed bool
	}{
		{1920, 1280, 640, 427, true, false},
		{499, 499, 100, 100, true, false},
		{500, 100, 100, 100, true, true},
		{400, 100, 100, 100, true, false},  // vertical identity
		{100, 400, 100, 100, false, false}, // horizontal identity: vertical pass alone
		{0, 10, 1, 1, false, false},
	} {
		s := NewShrinker(m, c.sw, c.sh, c.w, c.h, Lanczos3)
		require.Equal(t, c.exists, s != nil, "%+v", c)
		if s != nil {
			require.Equal(t, c.boxed, s.Boxed(), "%+v", c)
		}
	}
	require.True(t, NewShrinker(image.NewYCbCr(m.Rect, image.YCbCrSubsampleRatio420), 1000, 1000, 10, 10, Lanczos3) == nil)
}

// TestShrinkerAddRGB: RGB rows added with AddRGB give what their RGBA
// rows give through ResizeExtent.
func TestShrinkerAddRGB(t *testing.T) {
	t.Parallel()
	src := convertTo(photo(1001, 703, 5), "rgba").(*image.RGBA)
	rgb := make([]byte, 3*1001)
	for _, sz := range [][2]int{{97, 61}, {400, 281}} { // boxed, and not
		want := ResizeExtent(src, sz[0], sz[1], Extent{}, Lanczos3, 1)
		s := NewShrinker(src, 1001, 703, sz[0], sz[1], Lanczos3)
		require.True(t, s != nil)
		require.Equal(t, sz[0] == 97, s.Boxed())
		for y := range 703 {
			row := src.Pix[y*src.Stride:]
			for x := range 1001 {
				copy(rgb[3*x:3*x+3], row[4*x:4*x+3])
			}
			s.AddRGB(rgb)
		}
		require.Equal(t, pixels(want), pixels(s.Image(2)), "%v", sz)
	}
	require.Panics(t, func() { NewShrinker(image.NewGray(src.Rect), 1001, 703, 97, 61, Lanczos3).AddRGB(rgb) })
}

// TestShrinkerAddAt: pixels added by AddAt, in Adam7's pass order (rows
// out of order, columns strided), give what Add gives.
func TestShrinkerAddAt(t *testing.T) {
	t.Parallel()
	passes := [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	for _, kind := range []string{"alpha", "rgba", "gray", "paletted", "alpha64"} {
		src := photoOfKind(613, 411, 9, kind)
		want := ResizeExtent(src, 40, 27, Extent{}, Lanczos3, 1)
		s := NewShrinker(src, 613, 411, 40, 27, Lanczos3)
		for _, p := range passes {
			for y := p[1]; y < 411; y += p[3] {
				// The pass row: its pixels gathered into a row image.
				n := (613 - p[0] + p[2] - 1) / p[2]
				row := gatherRow(src, y, p[0], p[2], n)
				s.AddAt(y, p[0], p[2], row)
			}
		}
		require.Equal(t, pixels(want), pixels(s.Image(1)), kind)
	}
}

// gatherRow returns the n pixels (x0 + i*dx, y) of src as a one-row image
// of src's type.
func gatherRow(src image.Image, y, x0, dx, n int) image.Image {
	var dst interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	r := image.Rect(0, 0, n, 1)
	switch s := src.(type) {
	case *image.NRGBA:
		dst = image.NewNRGBA(r)
	case *image.RGBA:
		dst = image.NewRGBA(r)
	case *image.Gray:
		dst = image.NewGray(r)
	case *image.Paletted:
		dst = image.NewPaletted(r, s.Palette)
	case *image.NRGBA64:
		dst = image.NewNRGBA64(r)
	}
	for i := range n {
		dst.Set(i, 0, src.At(x0+i*dx, y))
	}
	return dst
}

// TestFastRowsMatchGeneric: the Gray16 and RGBA64 row converters give
// what the generic one (At, then RGBA or NRGBAModel) gives.
func TestFastRowsMatchGeneric(t *testing.T) {
	t.Parallel()
	base := photo(97, 13, 4)
	for _, kind := range []string{"gray16", "rgba64"} {
		src := convertTo(base, kind)
		// Odd low bytes, so that rounding and truncation differ.
		switch m := src.(type) {
		case *image.Gray16:
			for i := 1; i < len(m.Pix); i += 2 {
				m.Pix[i] = uint8(i * 37)
			}
		case *image.RGBA64:
			for i := 1; i < len(m.Pix); i += 2 {
				if i%8 != 7 {
					m.Pix[i] = uint8(i * 37)
				}
			}
		}
		for _, premul := range []bool{true, false} {
			fast, slow := rgbaRows(src, premul), genericRows(src, premul)
			a, b := make([]byte, 4*97), make([]byte, 4*97)
			for y := range 13 {
				fast(y, a)
				slow(y, b)
				require.Equal(t, b, a, "%s premul %v row %d", kind, premul, y)
			}
		}
	}
}

// photoOfKind is photo(w, h, seed) as an image of kind: a convertTo name,
// or "alpha" / "alpha64" for NRGBA / NRGBA64 with transparency.
func photoOfKind(w, h int, seed uint64, kind string) image.Image {
	base := photo(w, h, seed)
	switch kind {
	case "alpha":
		return withAlpha(base)
	case "alpha64":
		return convertTo(withAlpha(base), "nrgba64")
	}
	return convertTo(base, kind)
}
