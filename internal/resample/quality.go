package resample

import (
	"fmt"
	"image"
	"math"
)

// PSNR returns the peak signal-to-noise ratio in dB between the R, G and B
// channels (8-bit scale, alpha ignored) of a and b, +Inf when they are
// equal. *image.NRGBA64 (as returned by Reference) is compared at full
// precision; other types are converted through the fast paths of this
// package. It panics if the sizes differ.
func PSNR(a, b image.Image) float64 {
	ra, rb := a.Bounds(), b.Bounds()
	if ra.Size() != rb.Size() {
		panic(fmt.Sprintf("resample: PSNR of %v and %v", ra.Size(), rb.Size()))
	}
	fa, fb := rgbFloats(a), rgbFloats(b)
	sum := 0.0
	for i, v := range fa {
		d := v - fb[i]
		sum += d * d
	}
	if sum == 0 {
		return math.Inf(1)
	}
	mse := sum / float64(len(fa))
	return 10 * math.Log10(255*255/mse)
}

// rgbFloats returns the non-premultiplied R, G, B values of img, 3 per pixel.
func rgbFloats(img image.Image) []float64 {
	r := img.Bounds()
	out := make([]float64, 0, 3*r.Dx()*r.Dy())
	if n, ok := img.(*image.NRGBA64); ok {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := n.Pix[n.PixOffset(r.Min.X, y):][:8*r.Dx()]
			for i := 0; i < len(row); i += 8 {
				for c := range 3 {
					out = append(out, float64(uint16(row[i+2*c])<<8|uint16(row[i+2*c+1]))/257)
				}
			}
		}
		return out
	}
	conv := rgbaRows(img, false)
	row := make([]byte, 4*r.Dx())
	for y := range r.Dy() {
		conv(y, row)
		for i := 0; i < len(row); i += 4 {
			out = append(out, float64(row[i]), float64(row[i+1]), float64(row[i+2]))
		}
	}
	return out
}

// Reference resizes src to w x h with a direct float64 Lanczos3
// convolution (premultiplied RGBA, sRGB values as stored, no
// pre-reduction, same edge renormalisation and pixel-centre mapping as
// Resize). It is slow and meant as the quality yardstick for tests. Its
// kernel is its own (refLanczos, written from the definition), not the
// one Resize uses, so that a wrong production kernel shows against it.
func Reference(src image.Image, w, h int) *image.NRGBA64 {
	r := src.Bounds()
	sw, sh := r.Dx(), r.Dy()
	buf := make([]float64, 4*sw*sh)
	conv := rgbaRows(src, false)
	row := make([]byte, 4*sw)
	for y := range sh {
		conv(y, row)
		for x := range sw {
			a := float64(row[4*x+3]) / 255
			p := buf[4*(y*sw+x):]
			p[0], p[1], p[2], p[3] = float64(row[4*x])*a, float64(row[4*x+1])*a, float64(row[4*x+2])*a, float64(row[4*x+3])
		}
	}
	tmp := refPass(buf, sw, sh, w, true) // w x sh
	res := refPass(tmp, w, sh, h, false) // w x h
	dst := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for i := 0; i < len(res); i += 4 {
		a := math.Max(0, math.Min(255, res[i+3]))
		for c := range 4 {
			v := res[i+c]
			if c < 3 && a > 0 {
				v = v * 255 / a
			} else if c < 3 {
				v = 0
			}
			u := uint16(math.Round(math.Max(0, math.Min(255, v)) * 257))
			dst.Pix[2*(i+c)], dst.Pix[2*(i+c)+1] = uint8(u>>8), uint8(u)
		}
	}
	return dst
}

// refPass resamples the w x h float RGBA buffer to n samples along x
// (horizontal) or y.
func refPass(in []float64, w, h, n int, horizontal bool) []float64 {
	size, ow, oh := h, w, n
	if horizontal {
		size, ow, oh = w, n, h
	}
	out := make([]float64, 4*ow*oh)
	scale := float64(size) / float64(n)
	fs := math.Max(scale, 1)
	for i := range n {
		c := (float64(i) + 0.5) * scale
		var idx []int
		var wts []float64
		sum := 0.0
		for j := range size {
			if v := refLanczos(3, (float64(j)+0.5-c)/fs); v != 0 {
				idx, wts, sum = append(idx, j), append(wts, v), sum+v
			}
		}
		lines := ow
		if horizontal {
			lines = oh
		}
		for o := range lines {
			acc := [4]float64{}
			for t, j := range idx {
				p := 4 * (o*w + j)
				if !horizontal {
					p = 4 * (j*w + o)
				}
				for c := range 4 {
					acc[c] += in[p+c] * wts[t] / sum
				}
			}
			q := 4 * (o*ow + i)
			if !horizontal {
				q = 4 * (i*ow + o)
			}
			copy(out[q:q+4], acc[:])
		}
	}
	return out
}

// refLanczos evaluates the Lanczos-a kernel at x from its definition,
// L(x) = sinc(x) sinc(x/a) for |x| < a and 0 elsewhere, where sinc(x) =
// sin(pi x)/(pi x) and sinc(0) = 1. It shares no code with the kernels
// Resize uses: it is the yardstick they are checked against. a <= 0
// gives 0 everywhere.
func refLanczos(a, x float64) float64 {
	if !(math.Abs(x) < a) {
		return 0
	}
	if x == 0 {
		return 1
	}
	px := math.Pi * x
	return a * math.Sin(px) * math.Sin(px/a) / (px * px)
}
