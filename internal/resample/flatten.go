package resample

// This file composites pictures with transparency over a background, for
// encoders without alpha (JPEG).

import (
	"image"
	"image/color"
)

// Flatten returns m composited over the background colour bg (taken as
// opaque: bg.A is ignored) as a new opaque *image.RGBA with m's bounds, or
// m itself when it has an Opaque method that reports true (YCbCr, Gray and
// CMYK always do; NRGBA, RGBA, Paletted and the others when no pixel is
// translucent).
//
// Each pixel becomes colour*alpha + bg*(1-alpha), computed from the
// source's own form so that nothing is rounded twice: *image.RGBA,
// *image.RGBA64 and types read through At are premultiplied (colour +
// bg*(1-alpha)); *image.NRGBA, *image.NRGBA64, *image.NYCbCrA and
// *image.Paletted (whose transparent palette entries show the background)
// are straight. Values are rounded to the nearest 8-bit level: 50%
// transparent red (alpha 128) over white gives (255, 127, 127).
func Flatten(m image.Image, bg color.NRGBA) image.Image {
	if o, ok := m.(interface{ Opaque() bool }); ok && o.Opaque() {
		return m
	}
	b := m.Bounds()
	d := image.NewRGBA(b)
	premul := true
	switch m.(type) {
	case *image.NRGBA, *image.NRGBA64, *image.NYCbCrA, *image.Paletted:
		premul = false
	}
	rows := rgbaRows(m, premul)
	back := [3]uint32{uint32(bg.R), uint32(bg.G), uint32(bg.B)}
	for y := range b.Dy() {
		row := d.Pix[y*d.Stride : y*d.Stride+4*b.Dx()]
		rows(y, row)
		if premul {
			flattenPremulRow(row, back)
		} else {
			flattenRow(row, back)
		}
	}
	return d
}

// flattenRow composites straight-alpha RGBA pixels in place over back.
func flattenRow(p []byte, back [3]uint32) {
	for ; len(p) >= 4; p = p[4:] {
		a := uint32(p[3])
		if a == 0xff {
			continue
		}
		p[0] = div255(uint32(p[0])*a + back[0]*(255-a))
		p[1] = div255(uint32(p[1])*a + back[1]*(255-a))
		p[2] = div255(uint32(p[2])*a + back[2]*(255-a))
		p[3] = 0xff
	}
}

// flattenPremulRow composites premultiplied RGBA pixels in place over back.
func flattenPremulRow(p []byte, back [3]uint32) {
	for ; len(p) >= 4; p = p[4:] {
		a := uint32(p[3])
		if a == 0xff {
			continue
		}
		p[0] = uint8(min(255, uint32(p[0])+uint32(div255(back[0]*(255-a)))))
		p[1] = uint8(min(255, uint32(p[1])+uint32(div255(back[1]*(255-a)))))
		p[2] = uint8(min(255, uint32(p[2])+uint32(div255(back[2]*(255-a)))))
		p[3] = 0xff
	}
}
