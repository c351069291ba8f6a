package resample

import (
	"image"
	"image/color"
)

// rowFunc writes row y (relative to the image bounds) as 8-bit RGBA into out.
type rowFunc func(y int, out []byte)

// rgbaRows returns a converter of src rows to 8-bit RGBA, premultiplied
// or not, with fast paths for the types the standard decoders return.
func rgbaRows(src image.Image, premul bool) rowFunc {
	switch s := src.(type) {
	case *image.NRGBA:
		return nrgbaRows(s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y):], s.Stride, premul)
	case *image.RGBA:
		return rgbaPremulRows(s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y):], s.Stride, premul)
	case *image.Gray:
		return grayRows(s)
	case *image.Paletted:
		return palettedRows(s, premul)
	case *image.NRGBA64:
		return nrgba64Rows(s, premul)
	case *image.Gray16:
		return gray16Rows(s)
	case *image.RGBA64:
		if premul {
			return rgba64PremulRows(s)
		}
	case *image.YCbCr:
		return func(y int, out []byte) { ycbcrRow(s, nil, y, out, premul) }
	case *image.NYCbCrA:
		return func(y int, out []byte) { ycbcrRow(&s.YCbCr, s, y, out, premul) }
	}
	return genericRows(src, premul)
}

func nrgbaRows(pix []byte, stride int, premul bool) rowFunc {
	return func(y int, out []byte) {
		in := pix[y*stride:]
		in = in[:len(out)]
		copy(out, in)
		if premul {
			premulRow(out)
		}
	}
}

func rgbaPremulRows(pix []byte, stride int, premul bool) rowFunc {
	return func(y int, out []byte) {
		in := pix[y*stride:]
		copy(out, in[:len(out)])
		if !premul {
			unpremulRow(out)
		}
	}
}

func grayRows(s *image.Gray) rowFunc {
	return func(y int, out []byte) {
		in := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
		for i := 0; i+3 < len(out) && i/4 < len(in); i += 4 {
			g := in[i/4]
			o := out[i : i+4 : i+4]
			o[0], o[1], o[2], o[3] = g, g, g, 0xff
		}
	}
}

func palettedRows(s *image.Paletted, premul bool) rowFunc {
	lut := paletteLUT(s.Palette, premul)
	return func(y int, out []byte) {
		in := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
		lutRow(out, in, lut)
	}
}

// paletteLUT returns pal as 8-bit RGBA, premultiplied or not; indices
// outside the palette are transparent black.
func paletteLUT(pal color.Palette, premul bool) *[256][4]byte {
	var lut [256][4]byte
	for i, c := range pal[:min(len(pal), 256)] {
		var p color.NRGBA
		if premul {
			r, g, b, a := c.RGBA()
			p = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
		} else {
			p = color.NRGBAModel.Convert(c).(color.NRGBA)
		}
		lut[i] = [4]byte{p.R, p.G, p.B, p.A}
	}
	return &lut
}

// lutRow writes the colours of the indices in into out.
func lutRow(out, in []byte, lut *[256][4]byte) {
	for i := 0; i+3 < len(out) && i/4 < len(in); i += 4 {
		copy(out[i:i+4], lut[in[i/4]][:])
	}
}

func nrgba64Rows(s *image.NRGBA64, premul bool) rowFunc {
	return func(y int, out []byte) {
		in := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
		for i := 0; i+3 < len(out) && 2*i+7 < len(in); i += 4 {
			p := in[2*i : 2*i+8 : 2*i+8]
			a := uint32(p[6])<<8 | uint32(p[7])
			o := out[i : i+4 : i+4]
			for c := range 3 {
				v := uint32(p[2*c])<<8 | uint32(p[2*c+1])
				if premul {
					v = v * a / 0xffff
				}
				o[c] = uint8((v*255 + 32767) / 65535)
			}
			o[3] = uint8((a*255 + 32767) / 65535)
		}
	}
}

// gray16Rows keeps the high byte of each sample, as At and RGBA do
// (opaque, so premultiplied or not alike).
func gray16Rows(s *image.Gray16) rowFunc {
	return func(y int, out []byte) {
		in := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
		for i := 0; i+3 < len(out) && i/2+1 < len(in); i += 4 {
			g := in[i/2]
			o := out[i : i+4 : i+4]
			o[0], o[1], o[2], o[3] = g, g, g, 0xff
		}
	}
}

// rgba64PremulRows keeps the high byte of each (premultiplied) sample,
// as RGBA()>>8 does.
func rgba64PremulRows(s *image.RGBA64) rowFunc {
	return func(y int, out []byte) {
		in := s.Pix[s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y):]
		for i := 0; i+3 < len(out) && 2*i+7 < len(in); i += 4 {
			p, o := in[2*i:2*i+8:2*i+8], out[i:i+4:i+4]
			o[0], o[1], o[2], o[3] = p[0], p[2], p[4], p[6]
		}
	}
}

func ycbcrRow(s *image.YCbCr, alpha *image.NYCbCrA, y int, out []byte, premul bool) {
	r := s.Rect
	yy := r.Min.Y + y
	for x := r.Min.X; x < r.Max.X; x++ {
		i := 4 * (x - r.Min.X)
		if i+3 >= len(out) {
			return
		}
		yi, ci := s.YOffset(x, yy), s.COffset(x, yy)
		cr, cg, cb := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
		o := out[i : i+4 : i+4]
		o[0], o[1], o[2], o[3] = cr, cg, cb, 0xff
		if alpha != nil {
			o[3] = alpha.A[alpha.AOffset(x, yy)]
			if premul {
				premulRow(o)
			}
		}
	}
}

func genericRows(src image.Image, premul bool) rowFunc {
	b := src.Bounds()
	return func(y int, out []byte) {
		for x := b.Min.X; x < b.Max.X && 4*(x-b.Min.X)+3 < len(out); x++ {
			c := src.At(x, b.Min.Y+y)
			o := out[4*(x-b.Min.X):]
			if premul {
				r, g, bl, a := c.RGBA()
				o[0], o[1], o[2], o[3] = uint8(r>>8), uint8(g>>8), uint8(bl>>8), uint8(a>>8)
			} else {
				p := color.NRGBAModel.Convert(c).(color.NRGBA)
				o[0], o[1], o[2], o[3] = p.R, p.G, p.B, p.A
			}
		}
	}
}

// div255 returns round(v/255) for v in [0, 255*255].
func div255(v uint32) uint8 {
	v += 128
	return uint8((v + v>>8) >> 8)
}

// premulRow premultiplies 8-bit RGBA pixels in place.
func premulRow(p []byte) {
	for len(p) >= 4 {
		if a := uint32(p[3]); a != 0xff {
			p[0], p[1], p[2] = div255(uint32(p[0])*a), div255(uint32(p[1])*a), div255(uint32(p[2])*a)
		}
		p = p[4:]
	}
}

// unpremulRow converts premultiplied 8-bit RGBA pixels in place to
// non-premultiplied (colour channels saturate at 255).
func unpremulRow(p []byte) {
	for len(p) >= 4 {
		switch a := uint32(p[3]); a {
		case 0xff:
		case 0:
			p[0], p[1], p[2] = 0, 0, 0
		default:
			p[0] = uint8(min(255, (uint32(p[0])*255+a/2)/a))
			p[1] = uint8(min(255, (uint32(p[1])*255+a/2)/a))
			p[2] = uint8(min(255, (uint32(p[2])*255+a/2)/a))
		}
		p = p[4:]
	}
}

// clampPremulRow limits the colour channels of premultiplied RGBA pixels
// to their alpha (kernel overshoot can break that invariant).
func clampPremulRow(p []byte) {
	for len(p) >= 4 {
		a := p[3]
		p[0], p[1], p[2] = min(p[0], a), min(p[1], a), min(p[2], a)
		p = p[4:]
	}
}
