package resample

import (
	"image"
	"image/color"
	"image/color/palette"
	"math"
	"math/rand/v2"
)

// photo returns a deterministic photo-like test image: smooth gradients,
// soft blobs, hard-edged shapes, a band of fine stripes and mild noise.
func photo(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 40 + 160*fx + 30*math.Sin(6*fy)
			g := 90 + 80*math.Sin(3*fx+2*fy) + 40*math.Exp(-20*((fx-0.3)*(fx-0.3)+(fy-0.6)*(fy-0.6)))
			b := 60 + 150*fy*(1-fx)
			switch {
			case (fx-0.7)*(fx-0.7)+(fy-0.35)*(fy-0.35) < 0.02: // disc
				r, g, b = 230, 200, 40
			case fx > 0.1 && fx < 0.35 && fy > 0.1 && fy < 0.3: // rectangle
				r, g, b = 20, 30, 120
			case fx > 0.45 && fx < 0.9 && fy > 0.75 && fy < 0.9: // fine stripes
				v := 128 + 100*math.Sin(float64(x+y)*2*math.Pi/7)
				r, g, b = v, v*0.8, 255-v
			}
			n := func(v float64) uint8 { return uint8(max(0, min(255, math.Round(v+rng.Float64()*12-6)))) }
			img.SetNRGBA(x, y, color.NRGBA{n(r), n(g), n(b), 255})
		}
	}
	return img
}

// toYCbCr converts an opaque image to YCbCr with ratio, averaging chroma
// over the luma samples each chroma sample covers.
func toYCbCr(src image.Image, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	r := src.Bounds()
	dst := image.NewYCbCr(r, ratio)
	sx, sy, _ := subFactors(ratio)
	cb := make([]int, len(dst.Cb))
	cr := make([]int, len(dst.Cb))
	cnt := make([]int, len(dst.Cb))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(src.At(x, y)).(color.NRGBA)
			yy, u, v := color.RGBToYCbCr(c.R, c.G, c.B)
			dst.Y[dst.YOffset(x, y)] = yy
			i := dst.COffset(x, y)
			cb[i], cr[i], cnt[i] = cb[i]+int(u), cr[i]+int(v), cnt[i]+1
		}
	}
	_, _ = sx, sy
	for i, n := range cnt {
		if n > 0 {
			dst.Cb[i], dst.Cr[i] = uint8((cb[i]+n/2)/n), uint8((cr[i]+n/2)/n)
		}
	}
	return dst
}

// convertTo returns src (opaque NRGBA) as the named image type.
func convertTo(src *image.NRGBA, kind string) image.Image {
	r := src.Bounds()
	var dst interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	switch kind {
	case "nrgba":
		return src
	case "ycbcr444":
		return toYCbCr(src, image.YCbCrSubsampleRatio444)
	case "ycbcr422":
		return toYCbCr(src, image.YCbCrSubsampleRatio422)
	case "ycbcr420":
		return toYCbCr(src, image.YCbCrSubsampleRatio420)
	case "ycbcr440":
		return toYCbCr(src, image.YCbCrSubsampleRatio440)
	case "ycbcr411":
		return toYCbCr(src, image.YCbCrSubsampleRatio411)
	case "nycbcra":
		y := toYCbCr(src, image.YCbCrSubsampleRatio420)
		n := &image.NYCbCrA{YCbCr: *y, A: make([]uint8, r.Dx()*r.Dy()), AStride: r.Dx()}
		for i := range n.A {
			n.A[i] = 255
		}
		return n
	case "rgba":
		dst = image.NewRGBA(r)
	case "gray":
		dst = image.NewGray(r)
	case "paletted":
		dst = image.NewPaletted(r, palette.WebSafe)
	case "nrgba64":
		dst = image.NewNRGBA64(r)
	case "rgba64":
		dst = image.NewRGBA64(r)
	case "cmyk":
		dst = image.NewCMYK(r)
	case "gray16":
		dst = image.NewGray16(r)
	default:
		panic(kind)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.Set(x, y, src.At(x, y))
		}
	}
	return dst
}

var allKinds = []string{"nrgba", "rgba", "gray", "ycbcr444", "ycbcr422", "ycbcr420", "ycbcr440", "ycbcr411",
	"nycbcra", "paletted", "nrgba64", "rgba64", "cmyk", "gray16"}

// flat returns a w x h opaque NRGBA image of colour c.
func flat(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// pixels returns the raw pixel bytes of the supported output types.
func pixels(img image.Image) []byte {
	switch m := img.(type) {
	case *image.NRGBA:
		return m.Pix
	case *image.RGBA:
		return m.Pix
	case *image.Gray:
		return m.Pix
	case *image.YCbCr:
		return append(append(append([]byte{}, m.Y...), m.Cb...), m.Cr...)
	}
	panic("unexpected type")
}
