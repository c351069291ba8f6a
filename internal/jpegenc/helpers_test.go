package jpegenc

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// smoothYCbCr returns a smooth synthetic 4:2:0 (or other ratio) image:
// low-frequency gradients and waves in all three planes.
func smoothYCbCr(w, h int, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	for y := range h {
		for x := range w {
			m.Y[m.YOffset(x, y)] = uint8(128 + 60*math.Sin(float64(x)/11) + 50*math.Cos(float64(y)/7+float64(x)/23))
			o := m.COffset(x, y)
			m.Cb[o] = uint8(128 + 50*math.Sin(float64(x+y)/19))
			m.Cr[o] = uint8(128 + 50*math.Cos(float64(x-y)/17))
		}
	}
	return m
}

// smoothRGBA returns the RGB equivalent of a smooth image, fully opaque.
func smoothRGBA(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			m.Pix[i] = uint8(128 + 100*math.Sin(float64(x)/31))
			m.Pix[i+1] = uint8(128 + 100*math.Cos(float64(y)/23+float64(x)/47))
			m.Pix[i+2] = uint8(128 + 100*math.Sin(float64(x+y)/37))
			m.Pix[i+3] = 255
		}
	}
	return m
}

// smoothGray returns the luma plane of smoothYCbCr as *image.Gray.
func smoothGray(w, h int) *image.Gray {
	c := smoothYCbCr(w, h, image.YCbCrSubsampleRatio444)
	return &image.Gray{Pix: c.Y, Stride: c.YStride, Rect: c.Rect}
}

var (
	photoOnce sync.Once
	photoSrc  *image.YCbCr
)

// photo returns the repository's landscape sample area-averaged to w x h
// as 4:2:0 (a stand-in for our resampler's thumbnails), or nil when the
// sample is not available.
func photo(tb testing.TB, w, h int) *image.YCbCr {
	photoOnce.Do(func() {
		data, err := os.ReadFile("../../samples/landscape.jpg")
		if err != nil {
			return
		}
		m, err := jpeg.Decode(bytes.NewReader(data))
		if err == nil {
			photoSrc, _ = m.(*image.YCbCr)
		}
	})
	if photoSrc == nil {
		tb.Skip("samples/landscape.jpg not available")
	}
	s := photoSrc
	out := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	sw, sh := s.Rect.Dx(), s.Rect.Dy()
	shrink := func(dst []byte, dstride, dw, dh int, at func(x, y int) byte, srcW, srcH int) {
		for y := range dh {
			y0, y1 := y*srcH/dh, max((y+1)*srcH/dh, y*srcH/dh+1)
			for x := range dw {
				x0, x1 := x*srcW/dw, max((x+1)*srcW/dw, x*srcW/dw+1)
				sum := 0
				for yy := y0; yy < y1; yy++ {
					for xx := x0; xx < x1; xx++ {
						sum += int(at(xx, yy))
					}
				}
				n := (y1 - y0) * (x1 - x0)
				dst[y*dstride+x] = uint8((sum + n/2) / n)
			}
		}
	}
	shrink(out.Y, out.YStride, w, h, func(x, y int) byte { return s.Y[s.YOffset(x, y)] }, sw, sh)
	cw, ch := (w+1)/2, (h+1)/2
	// Chroma: average over the source pixels covered by each output
	// chroma sample (sampled through COffset, whatever the source ratio).
	shrink(out.Cb, out.CStride, cw, ch, func(x, y int) byte { return s.Cb[s.COffset(x, y)] }, sw, sh)
	shrink(out.Cr, out.CStride, cw, ch, func(x, y int) byte { return s.Cr[s.COffset(x, y)] }, sw, sh)
	return out
}

// encode encodes m with our encoder and fails the test on error.
func encode(tb testing.TB, m image.Image, q int, progressive bool) []byte {
	tb.Helper()
	var buf bytes.Buffer
	require.NoError(tb, Encode(&buf, m, &Options{Quality: q, Progressive: progressive}))
	return buf.Bytes()
}

// decode decodes data with image/jpeg.
func decode(tb testing.TB, data []byte) image.Image {
	tb.Helper()
	m, err := jpeg.Decode(bytes.NewReader(data))
	require.NoError(tb, err)
	return m
}

// stdSize is the size of image/jpeg's encoding of m at quality q.
func stdSize(tb testing.TB, m image.Image, q int) int {
	var buf bytes.Buffer
	require.NoError(tb, jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}))
	return buf.Len()
}

// psnr compares the RGB colours of two images of the same size.
func psnr(a, b image.Image) float64 {
	r := a.Bounds()
	var se float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			p := b.Bounds().Min
			r2, g2, b2, _ := b.At(x-r.Min.X+p.X, y-r.Min.Y+p.Y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				se += d * d
			}
		}
	}
	mse := se / float64(3*r.Dx()*r.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// maxDiff is the largest per-channel difference between two images.
func maxDiff(a, b image.Image) int {
	r := a.Bounds()
	d := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, v := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				d = max(d, v, -v)
			}
		}
	}
	return d
}

// hasMarker reports whether the marker segment FF m occurs in the headers
// (before the first SOS).
func hasMarker(data []byte, m byte) bool {
	sos := bytes.Index(data, []byte{0xFF, 0xDA})
	return sos > 0 && bytes.Contains(data[:sos], []byte{0xFF, m})
}
