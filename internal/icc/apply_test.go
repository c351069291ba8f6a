package icc

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func adobeTransform(tb testing.TB) *Transform {
	tb.Helper()
	tr, err := mustParse(tb, adobeProfile().encode()).ToSRGB()
	require.NoError(tb, err)
	return tr
}

// noise fills an NRGBA with random colours; alphas is the set of alpha
// values to draw from.
func noise(r image.Rectangle, seed uint64, alphas ...uint8) *image.NRGBA {
	m := image.NewNRGBA(r)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2] = uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32())
		m.Pix[i+3] = alphas[rng.IntN(len(alphas))]
	}
	return m
}

func toRGBA(m image.Image) *image.RGBA {
	d := image.NewRGBA(m.Bounds())
	draw.Draw(d, d.Rect, m, m.Bounds().Min, draw.Src)
	return d
}

func TestApply(t *testing.T) {
	t.Parallel()
	tr := adobeTransform(t)
	rect := image.Rect(-3, 5, 20, 17)
	opaque := noise(rect, 1, 255)
	mixed := noise(rect, 2, 0, 1, 17, 128, 254, 255)
	// A sub-image: stride wider than the rectangle, Min inside the parent.
	sub := toRGBA(noise(image.Rect(0, 0, 40, 30), 3, 255)).SubImage(image.Rect(7, 4, 29, 21)).(*image.RGBA)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i * 7)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(i*13), uint8(255-i*5)
	}
	gray := image.NewGray(rect)
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	tests := []struct {
		name     string
		in       image.Image
		wantNRGB bool
		tol      int // levels allowed beyond the straight-alpha conversion
	}{
		{"RGBA opaque", toRGBA(opaque), false, 0},
		{"RGBA partly transparent", toRGBA(mixed), false, 4},
		{"RGBA sub-image", sub, false, 0},
		{"NRGBA", mixed, true, 0},
		{"YCbCr", ycc, false, 0},
		{"Gray", gray, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := toRGBA(tt.in)
			out := tr.Apply(tt.in)
			assert.Equal(t, tt.in.Bounds(), out.Bounds())
			assert.Equal(t, before, toRGBA(tt.in), "input modified")
			if tt.wantNRGB {
				require.IsType(t, &image.NRGBA{}, out)
			} else {
				require.IsType(t, &image.RGBA{}, out)
			}
			b := tt.in.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					in := color.NRGBAModel.Convert(tt.in.At(x, y)).(color.NRGBA)
					got := color.NRGBAModel.Convert(out.At(x, y)).(color.NRGBA)
					require.Equal(t, in.A, got.A, "alpha at %d,%d", x, y)
					if in.A == 0 {
						continue
					}
					r, g, bl := tr.pixel(in.R, in.G, in.B)
					want := color.NRGBA{r, g, bl, in.A}
					if tt.tol == 0 {
						require.Equal(t, want, got, "at %d,%d", x, y)
						continue
					}
					// Premultiplied 8-bit colour at low alpha carries
					// only a few levels; compare premultiplied.
					w, g2 := color.RGBAModel.Convert(want).(color.RGBA), color.RGBAModel.Convert(got).(color.RGBA)
					for _, d := range []int{int(w.R) - int(g2.R), int(w.G) - int(g2.G), int(w.B) - int(g2.B)} {
						require.LessOrEqual(t, max(d, -d), tt.tol, "at %d,%d: want %v got %v", x, y, w, g2)
					}
				}
			}
		})
	}
}

func TestApplyEmpty(t *testing.T) {
	t.Parallel()
	tr := adobeTransform(t)
	for _, m := range []image.Image{image.NewRGBA(image.Rectangle{}), image.NewNRGBA(image.Rect(3, 3, 3, 9)), image.NewYCbCr(image.Rectangle{}, image.YCbCrSubsampleRatio444)} {
		out := tr.Apply(m)
		assert.True(t, out.Bounds().Empty())
	}
}

// TestApplyPremultiplied compares partly transparent premultiplied pixels
// with the exact conversion of the straight colour they stand for,
// c*255/a unrounded. Apply unpremultiplies to 8 bits, and where the
// conversion is steep (dark outputs from cancelling terms) that half a
// level of rounding is amplified before premultiplying shrinks it again.
func TestApplyPremultiplied(t *testing.T) {
	t.Parallel()
	tr := adobeTransform(t)
	m := toRGBA(noise(image.Rect(0, 0, 256, 256), 4, 1, 2, 17, 64, 128, 200, 254))
	out := tr.Apply(m).(*image.RGBA)
	toSRGB := mul3(inv3(srgbD50), adobeColorants)
	worst := 0.0
	for i := 0; i < len(m.Pix); i += 4 {
		a := float64(m.Pix[i+3])
		var lin [3]float64
		for k := range 3 {
			lin[k] = adobeDecode(min(float64(m.Pix[i+k])/a, 1))
		}
		for k := range 3 {
			v := toSRGB[k][0]*lin[0] + toSRGB[k][1]*lin[1] + toSRGB[k][2]*lin[2]
			want := 255 * srgbEncode(min(max(v, 0), 1)) * a / 255
			worst = max(worst, math.Abs(want-float64(out.Pix[i+k])))
		}
	}
	t.Logf("max error %.3f levels (premultiplied)", worst)
	assert.Less(t, worst, 1.5)
}
