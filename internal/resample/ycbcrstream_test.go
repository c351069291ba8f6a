package resample

import (
	"fmt"
	"image"
	"testing"

	"github.com/stretchr/testify/require"
)

// feedYCbCr hands src's planes to s row by row, the first rows rows of
// luma (and the chroma rows they cover), chroma lagging behind luma as a
// decoder's filter makes it.
func feedYCbCr(s *YCbCrShrinker, src *image.YCbCr, rows int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	sx, sy, _ := subFactors(src.SubsampleRatio)
	cw, ch := (w+sx-1)/sx, (min(rows, h)+sy-1)/sy
	c := 0
	for y := range min(rows, h) {
		s.AddY(src.Y[y*src.YStride : y*src.YStride+w])
		for ; c < ch && (c+2)*sy <= y; c++ {
			s.AddC(src.Cb[c*src.CStride:c*src.CStride+cw], src.Cr[c*src.CStride:c*src.CStride+cw])
		}
	}
	for ; c < ch; c++ {
		s.AddC(src.Cb[c*src.CStride:c*src.CStride+cw], src.Cr[c*src.CStride:c*src.CStride+cw])
	}
}

// TestYCbCrShrinkerMatchesResize: fed row by row, the YCbCrShrinker's
// result is ResizeYCbCrExtent's (ResizeExtent's when the ratio is kept),
// of the same type and sample for sample: sizes odd and even, one-pixel
// sides, reductions just at the 5x box threshold and far past it, one
// axis boxed or both, chroma kept at 4:2:0 (boxed as luma is) or brought
// to 4:4:4 (reduced half as much: boxed, or streamed through the
// horizontal or the vertical pass first); nil exactly where no box.
func TestYCbCrShrinkerMatchesResize(t *testing.T) {
	t.Parallel()
	sizes := [][4]int{
		{1024, 1024, 120, 120}, {1000, 700, 150, 105}, {700, 1000, 105, 150}, {640, 480, 64, 48},
		{500, 500, 100, 100}, {499, 499, 100, 100}, {501, 37, 100, 37}, {37, 900, 37, 100},
		{333, 977, 40, 20}, {2000, 1, 5, 1}, {1, 2000, 1, 7}, {2000, 30, 5, 1}, {97, 1203, 3, 7},
		{600, 3, 60, 50}, {1203, 1201, 237, 239}, {999, 777, 199, 155}, {1025, 769, 15, 11},
	}
	ratios := [][2]image.YCbCrSubsampleRatio{
		{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio420},
		{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio444},
		{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio444},
		{image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420},
	}
	modes := map[int]int{}
	for _, sz := range sizes {
		for _, rr := range ratios {
			name := fmt.Sprintf("%v %v->%v", sz, rr[0], rr[1])
			src := toYCbCr(photo(sz[0], sz[1], 5), rr[0])
			want := ResizeYCbCrExtent(src, sz[2], sz[3], Extent{}, rr[1], Lanczos3, 2)
			if rr[0] == rr[1] {
				require.Equal(t, want, ResizeExtent(src, sz[2], sz[3], Extent{}, Lanczos3, 2), name)
			}
			s := NewYCbCrShrinker(sz[0], sz[1], rr[0], sz[2], sz[3], rr[1], Lanczos3)
			ok, _ := YCbCrShrinkerPlan(sz[0], sz[1], rr[0], sz[2], sz[3], rr[1])
			require.Equal(t, ok, s != nil, name)
			if s == nil {
				require.False(t, Boxes(sz[0], sz[1], sz[2], sz[3]), name)
				continue
			}
			require.True(t, Boxes(sz[0], sz[1], sz[2], sz[3]), name)
			modes[s.y.mode]++
			modes[s.cb.mode]++
			feedYCbCr(s, src, sz[1])
			got := s.Image(1 + len(modes)%3)
			require.Equal(t, want, got, name)
		}
	}
	require.Positive(t, modes[streamBox], "boxed planes")
	require.Positive(t, modes[streamH], "chroma through the horizontal pass first")
	require.Positive(t, modes[streamV], "chroma through the vertical pass first")
}

// TestYCbCrShrinkerMissingRows: rows never added count as zeros.
func TestYCbCrShrinkerMissingRows(t *testing.T) {
	t.Parallel()
	src := toYCbCr(photo(801, 603, 9), image.YCbCrSubsampleRatio420)
	s := NewYCbCrShrinker(801, 603, src.SubsampleRatio, 99, 75, image.YCbCrSubsampleRatio444, Lanczos3)
	require.NotNil(t, s)
	feedYCbCr(s, src, 300)
	clear(src.Y[300*src.YStride:])
	clear(src.Cb[150*src.CStride:])
	clear(src.Cr[150*src.CStride:])
	want := ResizeYCbCrExtent(src, 99, 75, Extent{}, image.YCbCrSubsampleRatio444, Lanczos3, 1)
	require.Equal(t, want, s.Image(2))
}

// TestYCbCrShrinkerPlanBytes: what the plan says a shrinker holds grows
// with the reduced planes and stays far below the source's planes.
func TestYCbCrShrinkerPlanBytes(t *testing.T) {
	t.Parallel()
	r420, r444 := image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio444
	for _, c := range []struct {
		sw, sh, w, h int
		min, max     int64
	}{
		{4096, 4096, 150, 150, 100 << 10, 1 << 20},
		{4096, 4096, 480, 480, 1 << 20, 4 << 20},
		{16383, 16383, 640, 640, 4 << 20, 16 << 20},
	} {
		ok, n := YCbCrShrinkerPlan(c.sw, c.sh, r420, c.w, c.h, r444)
		require.True(t, ok, "%+v", c)
		require.GreaterOrEqual(t, n, c.min, "%+v", c)
		require.LessOrEqual(t, n, c.max, "%+v", c)
	}
	ok, _ := YCbCrShrinkerPlan(4096, 4096, r420, 1000, 1000, r444)
	require.False(t, ok, "a 4x reduction does not box")
}
