package resample

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"
)

// xdraw resizes src with an x/image/draw interpolator into a new RGBA.
func xdraw(src image.Image, w, h int, s draw.Scaler) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	s.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

var qualityCases = []struct {
	kind         string
	sw, sh, w, h int
	minPSNR      float64
}{
	{"nrgba", 705, 400, 150, 85, 35},
	{"nrgba", 1280, 800, 150, 94, 35},
	{"nrgba", 1280, 800, 640, 400, 35},
	{"nrgba", 1280, 800, 427, 267, 35},
	{"nrgba", 1920, 1280, 150, 100, 35},
	{"nrgba", 1920, 1280, 640, 427, 35},
	{"nrgba", 100, 60, 250, 150, 35}, // enlarging
	{"ycbcr444", 1280, 800, 150, 94, 35},
	{"ycbcr444", 1280, 800, 640, 400, 35},
	// 4:2:0 output vs the full-chroma ground truth: the saturated
	// period-7 stripes cannot be represented at 640x400 in 4:2:0 (the
	// 4:4:4-output figure is what compares with x/image/draw).
	{"ycbcr420", 1280, 800, 150, 94, 35},
	{"ycbcr420", 1280, 800, 640, 400, 22},
}

func TestQualityVsReference(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow reference resizes")
	}
	for _, c := range qualityCases {
		name := fmt.Sprintf("%s_%dx%d_to_%dx%d", c.kind, c.sw, c.sh, c.w, c.h)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			orig := photo(c.sw, c.sh, 42)
			src := convertTo(orig, c.kind)
			ref := Reference(orig, c.w, c.h) // ground truth: before any chroma subsampling
			ours := PSNR(ref, Resize(src, c.w, c.h, Lanczos3, 1))
			cr := PSNR(ref, xdraw(src, c.w, c.h, draw.CatmullRom))
			bl := PSNR(ref, xdraw(src, c.w, c.h, draw.ApproxBiLinear))
			ourCR := PSNR(ref, Resize(src, c.w, c.h, CatmullRom, 1))
			full := ours
			if y, ok := src.(*image.YCbCr); ok { // full-chroma output, comparable to x/image/draw's RGBA
				full = PSNR(ref, ResizeYCbCr(y, c.w, c.h, image.YCbCrSubsampleRatio444, Lanczos3, 1))
			}
			t.Logf("%-30s ours lanczos3 %6.2f dB (4:4:4 out %6.2f), ours catmullrom %6.2f, x/image CatmullRom %6.2f, ApproxBiLinear %6.2f",
				name, ours, full, ourCR, cr, bl)
			assert.GreaterOrEqual(t, ours, c.minPSNR)
			if _, ok := src.(*image.YCbCr); ok {
				// 8-bit Y/Cb/Cr output planes (rounded twice, then converted
				// to RGB for PSNR) put a floor near 51 dB on smooth images.
				assert.GreaterOrEqual(t, full, min(cr, 50.0), "worse than x/image/draw CatmullRom")
			} else {
				assert.GreaterOrEqual(t, full, cr, "worse than x/image/draw CatmullRom")
			}
		})
	}
}

func TestPSNR(t *testing.T) {
	t.Parallel()
	a := photo(40, 30, 1)
	require.True(t, PSNR(a, a) > 1000)
	b := image.NewNRGBA(a.Rect)
	copy(b.Pix, a.Pix)
	b.Pix[0] += 16
	// one channel of one pixel off by 16: MSE = 256/(40*30*3)
	assert.InDelta(t, 10*math.Log10(255*255*3600/256.0), PSNR(a, b), 1e-9)
	assert.Panics(t, func() { PSNR(a, photo(4, 4, 1)) })
	assert.InDelta(t, PSNR(a, b), PSNR(convertTo(a, "rgba"), b), 1e-9)
}

func TestReferenceIdentity(t *testing.T) {
	t.Parallel()
	a := photo(30, 20, 7)
	assert.True(t, PSNR(a, Reference(a, 30, 20)) > 1000)
}
