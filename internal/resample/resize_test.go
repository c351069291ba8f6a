package resample

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var kernels = []Kernel{Lanczos3, CatmullRom, Linear, Box}

func TestResizeTypes(t *testing.T) {
	t.Parallel()
	src := photo(61, 47, 1)
	want := map[string]string{"nrgba": "*image.NRGBA", "rgba": "*image.RGBA", "gray": "*image.Gray"}
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			in := convertTo(src, kind)
			out := Resize(in, 20, 15, Lanczos3, 2)
			require.Equal(t, image.Rect(0, 0, 20, 15), out.Bounds())
			exp, ok := want[kind]
			if _, isY := in.(*image.YCbCr); isY {
				exp, ok = "*image.YCbCr", true
				assert.Equal(t, in.(*image.YCbCr).SubsampleRatio, out.(*image.YCbCr).SubsampleRatio)
			}
			if !ok {
				exp = "*image.NRGBA"
			}
			assert.Equal(t, exp, fmt.Sprintf("%T", out))
			ref := Reference(in, 20, 15)
			assert.Greater(t, PSNR(ref, out), 25.0) // loose: chroma-subsampled / paletted inputs
		})
	}
}

func TestFlatStaysFlat(t *testing.T) {
	t.Parallel()
	c := color.NRGBA{200, 17, 99, 255}
	sizes := [][4]int{{50, 40, 7, 5}, {1, 1, 9, 4}, {300, 200, 11, 13}, {13, 9, 40, 31}, {64, 64, 64, 64}, {1, 50, 1, 3}, {97, 1, 5, 1}}
	for _, kind := range allKinds {
		for _, k := range kernels {
			t.Run(kind+"/"+k.Name, func(t *testing.T) {
				t.Parallel()
				for _, s := range sizes {
					src := convertTo(flat(s[0], s[1], c), kind)
					out := Resize(src, s[2], s[3], k, 3)
					conv := rgbaRows(src, false)
					first := make([]byte, 4*s[0])
					conv(0, first)
					want := color.NRGBA{first[0], first[1], first[2], first[3]}
					for y := range s[3] {
						for x := range s[2] {
							got := color.NRGBAModel.Convert(out.At(x, y)).(color.NRGBA)
							if _, isY := src.(*image.YCbCr); isY {
								// YCbCr planes stay exactly flat; the RGB view may differ by rounding.
								assert.InDelta(t, float64(want.R), float64(got.R), 1)
								continue
							}
							require.Equal(t, want, got, "%v at %d,%d", s, x, y)
						}
					}
				}
			})
		}
	}
}

func TestFlatYCbCrPlanesExact(t *testing.T) {
	t.Parallel()
	src := image.NewYCbCr(image.Rect(0, 0, 705, 397), image.YCbCrSubsampleRatio420)
	fill := func(p []byte, v byte) {
		for i := range p {
			p[i] = v
		}
	}
	fill(src.Y, 77)
	fill(src.Cb, 130)
	fill(src.Cr, 99)
	for _, k := range kernels {
		out := Resize(src, 150, 85, k, 2).(*image.YCbCr)
		for _, v := range out.Y {
			require.Equal(t, byte(77), v)
		}
		for i := range out.Cb {
			require.Equal(t, byte(130), out.Cb[i])
			require.Equal(t, byte(99), out.Cr[i])
		}
	}
}

func TestTranslucentFlat(t *testing.T) {
	t.Parallel()
	// Premultiplied 8-bit resampling: stays flat, colour within rounding.
	c := color.NRGBA{200, 17, 99, 77}
	out := Resize(flat(90, 60, c), 13, 11, Lanczos3, 1).(*image.NRGBA)
	for i := 0; i < len(out.Pix); i += 4 {
		require.Equal(t, out.Pix[:4], out.Pix[i:i+4])
	}
	assert.InDelta(t, 200, float64(out.Pix[0]), 2)
	assert.InDelta(t, 17, float64(out.Pix[1]), 2)
	assert.InDelta(t, 99, float64(out.Pix[2]), 2)
	assert.Equal(t, uint8(77), out.Pix[3])
}

func TestNoDarkHalo(t *testing.T) {
	t.Parallel()
	// White opaque square on transparent black: edge pixels must stay white.
	src := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 16; y < 48; y++ {
		for x := 16; x < 48; x++ {
			src.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
		}
	}
	for _, w := range []int{8, 21, 40} {
		out := Resize(src, w, w, Lanczos3, 1).(*image.NRGBA)
		for i := 0; i < len(out.Pix); i += 4 {
			if out.Pix[i+3] > 8 {
				require.GreaterOrEqual(t, out.Pix[i], uint8(250), "w=%d pixel %d alpha %d", w, i/4, out.Pix[i+3])
			}
		}
	}
}

func TestRGBAStaysPremultiplied(t *testing.T) {
	t.Parallel()
	src := convertTo(photo(80, 60, 3), "rgba").(*image.RGBA)
	for i := 3; i < len(src.Pix); i += 4 * 7 {
		src.Pix[i] /= 3 // make some pixels translucent, keeping premultiplication valid
		src.Pix[i-1], src.Pix[i-2], src.Pix[i-3] = min(src.Pix[i-1], src.Pix[i]), min(src.Pix[i-2], src.Pix[i]), min(src.Pix[i-3], src.Pix[i])
	}
	out := Resize(src, 37, 29, Lanczos3, 2).(*image.RGBA)
	for i := 0; i < len(out.Pix); i += 4 {
		a := out.Pix[i+3]
		require.True(t, out.Pix[i] <= a && out.Pix[i+1] <= a && out.Pix[i+2] <= a, "pixel %d", i/4)
	}
}

func TestGradient(t *testing.T) {
	t.Parallel()
	for _, k := range kernels {
		for _, sz := range [][2]int{{256, 16}, {256, 100}, {256, 255}, {256, 600}, {1000, 7}} {
			src := image.NewGray(image.Rect(0, 0, sz[0], 3))
			for x := range sz[0] {
				for y := range 3 {
					src.Pix[y*src.Stride+x] = uint8(x * 256 / sz[0])
				}
			}
			out := Resize(src, sz[1], 1, k, 1).(*image.Gray)
			for x := range sz[1] {
				want := ((float64(x)+0.5)*float64(sz[0])/float64(sz[1]) - 0.5) * 256 / float64(sz[0])
				if x > 2 && x < sz[1]-3 { // away from the edges the ramp is exact
					require.InDelta(t, want, float64(out.Pix[x]), 1.5, "%s %v x=%d", k.Name, sz, x)
				}
				if x > 0 {
					require.GreaterOrEqual(t, out.Pix[x], out.Pix[x-1], "%s %v monotonic", k.Name, sz)
				}
			}
		}
	}
}

func TestSubImage(t *testing.T) {
	t.Parallel()
	full := photo(120, 90, 5)
	r := image.Rect(10, 6, 101, 77) // even origin keeps the chroma grid
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			big := convertTo(full, kind)
			sub := big.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(r)
			copied := convertTo(full.SubImage(r).(*image.NRGBA), kind)
			switch y := big.(type) { // same chroma samples as the sub-image
			case *image.YCbCr:
				copied = toYCbCrCopy(y, r)
			case *image.NYCbCrA:
				c := toYCbCrCopy(&y.YCbCr, r).(*image.YCbCr)
				copied = &image.NYCbCrA{YCbCr: *c, A: bytes.Repeat([]byte{255}, r.Dx()*r.Dy()), AStride: r.Dx()}
			}
			for _, sz := range [][2]int{{30, 21}, {91, 71}, {200, 3}} {
				a := Resize(sub, sz[0], sz[1], Lanczos3, 2)
				b := Resize(copied, sz[0], sz[1], Lanczos3, 2)
				requireSame(t, pixels(b), pixels(a), "%v", sz)
			}
		})
	}
}

// toYCbCrCopy copies the r part of src into a new image at origin r.Min.
func toYCbCrCopy(src *image.YCbCr, r image.Rectangle) image.Image {
	dst := image.NewYCbCr(r, src.SubsampleRatio)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.Y[dst.YOffset(x, y)] = src.Y[src.YOffset(x, y)]
			dst.Cb[dst.COffset(x, y)] = src.Cb[src.COffset(x, y)]
			dst.Cr[dst.COffset(x, y)] = src.Cr[src.COffset(x, y)]
		}
	}
	return dst
}

func TestChromaSiting(t *testing.T) {
	t.Parallel()
	// 4:2:0 chroma ramp Cb[i] = 10 + 8i centred on luma 2i+1: the luma
	// sample at x (centre x+0.5) must get Cb = 8 + 4x when upsampled to 4:4:4.
	src := image.NewYCbCr(image.Rect(0, 0, 64, 8), image.YCbCrSubsampleRatio420)
	for y := range 4 {
		for i := range 32 {
			src.Cb[y*src.CStride+i] = uint8(10 + 7*i) // = 6.5 + 3.5*xc at luma coordinate xc = 2i+1
			src.Cr[y*src.CStride+i] = 128
		}
	}
	ramp := func(xc float64) float64 { return 6.5 + 3.5*xc }
	for _, origin := range []int{0, 1, 2, 3} { // odd origins shift the chroma phase
		sub := src.SubImage(image.Rect(origin, 0, 64, 8)).(*image.YCbCr)
		out := ResizeYCbCr(sub, 64-origin, 8, image.YCbCrSubsampleRatio444, Linear, 1)
		for x := 2; x < 60-origin; x++ {
			want := ramp(float64(x+origin) + 0.5)
			require.InDelta(t, want, float64(out.Cb[3*out.CStride+x]), 1, "origin %d x %d", origin, x)
		}
		// And back: 4:4:4 -> 4:2:0 at the same size recovers the ramp.
		back := ResizeYCbCr(out, 64-origin, 8, image.YCbCrSubsampleRatio420, Linear, 1)
		for i := 1; i < (64-origin)/2-1; i++ {
			want := ramp(float64(origin + 2*i + 1))
			require.InDelta(t, want, float64(back.Cb[back.CStride+i]), 1, "back origin %d i %d", origin, i)
		}
	}
}

func TestThinAndTiny(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"nrgba", "gray", "ycbcr420", "ycbcr422", "rgba", "paletted"} {
		for _, s := range [][4]int{{1, 1, 1, 1}, {1, 1, 5, 3}, {1, 40, 1, 7}, {40, 1, 7, 1}, {1, 40, 3, 90}, {3, 3, 1, 1}, {2, 2, 1, 1}, {500, 2, 3, 1}, {2, 500, 1, 17}} {
			src := convertTo(photo(s[0], s[1], 2), kind)
			out := Resize(src, s[2], s[3], Lanczos3, 4)
			require.Equal(t, image.Rect(0, 0, s[2], s[3]), out.Bounds(), "%s %v", kind, s)
		}
	}
}

func TestWorkersIdentical(t *testing.T) {
	t.Parallel()
	src := photo(333, 217, 9)
	for _, kind := range []string{"nrgba", "rgba", "gray", "ycbcr420", "ycbcr444", "paletted"} {
		in := convertTo(src, kind)
		for _, sz := range [][2]int{{150, 98}, {41, 27}, {333, 100}, {600, 400}} {
			for _, k := range kernels {
				a := pixels(Resize(in, sz[0], sz[1], k, 1))
				b := pixels(Resize(in, sz[0], sz[1], k, 4))
				requireSame(t, a, b, "%s %v %s", kind, sz, k.Name)
			}
		}
	}
}

func TestIdentitySize(t *testing.T) {
	t.Parallel()
	src := photo(50, 30, 4)
	for _, k := range kernels {
		out := Resize(src, 50, 30, k, 1).(*image.NRGBA)
		requireSame(t, src.Pix, out.Pix, "%s", k.Name)
	}
}

func TestPanics(t *testing.T) {
	t.Parallel()
	src := photo(4, 4, 1)
	assert.Panics(t, func() { Resize(src, 0, 4, Lanczos3, 1) })
	assert.Panics(t, func() { Resize(src, 4, -1, Lanczos3, 1) })
	assert.NotPanics(t, func() { Resize(src, 4, 4, Kernel{}, 0) })
	empty := image.NewNRGBA(image.Rect(3, 3, 3, 3))
	assert.Equal(t, image.Rect(0, 0, 5, 5), Resize(empty, 5, 5, Lanczos3, 1).Bounds())
}

// requireSame compares byte slices, reporting only the first difference.
func requireSame(t *testing.T, want, got []byte, msg string, args ...any) {
	t.Helper()
	require.Equal(t, len(want), len(got), fmt.Sprintf(msg, args...))
	for i := range want {
		if want[i] != got[i] {
			require.Failf(t, "bytes differ", "at %d: want %d got %d: %s", i, want[i], got[i], fmt.Sprintf(msg, args...))
		}
	}
}

func TestResizeExtent(t *testing.T) {
	t.Parallel()
	// A horizontal ramp; mapping 5 outputs onto the first 5 of 10 columns
	// at scale 1 must reproduce those columns exactly.
	src := image.NewGray(image.Rect(0, 0, 10, 4))
	for y := range 4 {
		for x := range 10 {
			src.SetGray(x, y, color.Gray{Y: uint8(20 * x)})
		}
	}
	out := ResizeExtent(src, 5, 4, Extent{W: 5}, Lanczos3, 1).(*image.Gray)
	for x := range 5 {
		assert.Equal(t, uint8(20*x), out.GrayAt(x, 1).Y, "x=%d", x)
	}
	// A zero Extent is the whole image.
	assert.Equal(t, Resize(src, 3, 2, Lanczos3, 1), ResizeExtent(src, 3, 2, Extent{}, Lanczos3, 1))

	// YCbCr: half the luma and chroma extent.
	y := image.NewYCbCr(image.Rect(0, 0, 16, 8), image.YCbCrSubsampleRatio420)
	for i := range y.Y {
		y.Y[i] = uint8(16 * (i % 16))
	}
	for i := range y.Cb {
		y.Cb[i] = uint8(30 * (i % 8))
	}
	half := ResizeYCbCrExtent(y, 8, 8, Extent{W: 8}, image.YCbCrSubsampleRatio420, Lanczos3, 1)
	for x := range 8 {
		assert.Equal(t, uint8(16*x), half.Y[x], "Y x=%d", x)
	}
	for x := range 4 {
		assert.Equal(t, uint8(30*x), half.Cb[x], "Cb x=%d", x)
	}
}

// TestAlignedTable: widening the rows with zero weights changes no output.
func TestAlignedTable(t *testing.T) {
	t.Parallel()
	for _, a := range []axis{{640, 600, 640.0 / 600, 0}, {1280, 640, 2, 0}, {640, 150, 640.0 / 150, 0},
		{7, 3, 7.0 / 3, 0}, {5, 17, 5.0 / 17, 0}, {3, 2, 1.5, 0}, {9, 9, 1, 0.25}, {9, 9, 1, 0}} {
		tab, aligned := newTable(Lanczos3, a, 1), newTable(Lanczos3, a, 4)
		assert.LessOrEqual(t, aligned.taps, a.in)
		assert.Equal(t, tab.ident, aligned.ident, "%+v", a)
		if tab.taps > 1 && aligned.taps < a.in {
			assert.Zero(t, aligned.taps%4, "%+v", a)
		}
		in := make([]byte, a.in)
		for i := range in {
			in[i] = byte(i*37 + i*i)
		}
		want, got := make([]byte, a.out), make([]byte, a.out)
		hrow1(in, want, tab)
		hrow1(in, got, aligned)
		assert.Equal(t, want, got, "%+v", a)
	}
}
