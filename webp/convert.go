package webp

import (
	"image"
	"image/color"
	"image/draw"
)

// toNRGBA returns m as a compact *image.NRGBA (Stride == 4*width), the
// layout gen2brain/webp hands to libwebp without a copy of its own. A
// compact *image.NRGBA, or a compact opaque *image.RGBA (whose bytes are
// the same), is used as it is.
func toNRGBA(m image.Image) *image.NRGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := m.(type) {
	case *image.NRGBA:
		if m.Stride == 4*w {
			return m
		}
	case *image.RGBA:
		if m.Stride == 4*w && m.Opaque() {
			return &image.NRGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	switch m := m.(type) {
	case *image.YCbCr:
		ycbcrToNRGBA(dst, m)
	case *image.Gray:
		for y := range h {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			row := dst.Pix[y*dst.Stride:][:4*w]
			for x, v := range src {
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = v, v, v, 0xff
			}
		}
	default:
		draw.Draw(dst, dst.Rect, m, b.Min, draw.Src)
	}
	return dst
}

func ycbcrToNRGBA(dst *image.NRGBA, m *image.YCbCr) {
	b := m.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := dst.Pix[(y-b.Min.Y)*dst.Stride:][:4*b.Dx()]
		yi := m.YOffset(b.Min.X, y)
		for x := b.Min.X; x < b.Max.X; x++ {
			ci := m.COffset(x, y)
			r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			i := 4 * (x - b.Min.X)
			row[i], row[i+1], row[i+2], row[i+3] = r, g, bl, 0xff
			yi++
		}
	}
}
