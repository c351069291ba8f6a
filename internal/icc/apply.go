package icc

import (
	"image"
	"image/draw"
)

// Apply returns a copy of m with every pixel converted to sRGB; m is not
// modified. An *image.NRGBA gives an *image.NRGBA (colour converted, alpha
// kept); every other type gives an *image.RGBA with m's bounds. An
// *image.RGBA is converted directly; other types are first drawn into an
// *image.RGBA with image/draw, which has fast paths for *image.YCbCr and
// *image.Gray. Premultiplied pixels that are partly transparent are
// unpremultiplied (to 8.8 fixed point), converted and premultiplied again;
// fully transparent ones are copied.
//
// Apply converts even when t.IsIdentity(); the caller decides whether to
// skip it. Samples deeper than 8 bits (*image.RGBA64, *image.NRGBA64) are
// reduced to 8 bits.
func (t *Transform) Apply(m image.Image) image.Image {
	switch src := m.(type) {
	case *image.NRGBA:
		dst := image.NewNRGBA(src.Rect)
		t.nrgba(dst.Pix, dst.Stride, src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y):], src.Stride, src.Rect)
		return dst
	case *image.RGBA:
		dst := image.NewRGBA(src.Rect)
		t.rgba(dst.Pix, dst.Stride, src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y):], src.Stride, src.Rect)
		return dst
	}
	b := m.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, m, b.Min, draw.Src)
	t.rgba(dst.Pix, dst.Stride, dst.Pix, dst.Stride, b)
	return dst
}

// pixel converts one opaque 8-bit colour.
func (t *Transform) pixel(r, g, b uint8) (uint8, uint8, uint8) {
	lr, lg, lb := t.lin[0][r], t.lin[1][g], t.lin[2][b]
	m := &t.m
	return t.enc[encIndex(m[0][0]*lr+m[0][1]*lg+m[0][2]*lb)],
		t.enc[encIndex(m[1][0]*lr+m[1][1]*lg+m[1][2]*lb)],
		t.enc[encIndex(m[2][0]*lr+m[2][1]*lg+m[2][2]*lb)]
}

// encIndex clips a matrix product to [0, 1] and scales it to an index of
// the encoding table, without branches: out-of-gamut colours are common
// in wide-gamut photos and their branches would mispredict.
func encIndex(acc int64) int64 {
	x := acc >> (accBits - encBits)
	x &^= x >> 63 // negative -> 0
	const top = 1 << encBits
	d := x - top
	return top + d&(d>>63) // min(x, top)
}

// nrgba converts r's pixels from src to dst (both starting at r.Min),
// keeping alpha.
func (t *Transform) nrgba(dst []byte, dstStride int, src []byte, srcStride int, r image.Rectangle) {
	w := 4 * r.Dx()
	for y := 0; y < r.Dy(); y++ {
		t.row(dst[y*dstStride:y*dstStride+w], src[y*srcStride:y*srcStride+w], false)
	}
}

// rgba converts r's premultiplied pixels from src to dst (both starting at
// r.Min); src and dst may be the same slice.
func (t *Transform) rgba(dst []byte, dstStride int, src []byte, srcStride int, r image.Rectangle) {
	w := 4 * r.Dx()
	for y := 0; y < r.Dy(); y++ {
		t.row(dst[y*dstStride:y*dstStride+w], src[y*srcStride:y*srcStride+w], true)
	}
}

// row converts one row of 4-byte pixels, copying alpha. If premultiplied,
// pixels with alpha below 255 are unpremultiplied first.
func (t *Transform) row(d, s []byte, premultiplied bool) {
	lin0, lin1, lin2 := &t.lin[0], &t.lin[1], &t.lin[2]
	m00, m01, m02 := t.m[0][0], t.m[0][1], t.m[0][2]
	m10, m11, m12 := t.m[1][0], t.m[1][1], t.m[1][2]
	m20, m21, m22 := t.m[2][0], t.m[2][1], t.m[2][2]
	enc := t.enc
	for len(s) >= 4 && len(d) >= 4 {
		p, q := s[:4:4], d[:4:4]
		s, d = s[4:], d[4:]
		a := p[3]
		if premultiplied && a != 255 {
			if a == 0 {
				q[0], q[1], q[2], q[3] = p[0], p[1], p[2], 0
			} else {
				q[0], q[1], q[2] = t.pixelAlpha(p[0], p[1], p[2], a)
				q[3] = a
			}
			continue
		}
		lr, lg, lb := lin0[p[0]], lin1[p[1]], lin2[p[2]]
		q[0] = enc[encIndex(m00*lr+m01*lg+m02*lb)]
		q[1] = enc[encIndex(m10*lr+m11*lg+m12*lb)]
		q[2] = enc[encIndex(m20*lr+m21*lg+m22*lb)]
		q[3] = a
	}
}

// pixelAlpha converts one premultiplied colour with 0 < a < 255. The
// straight colour c*255/a is kept to 8 fractional bits and its linear
// value interpolated between table entries: rounding it to 8 bits first
// would be amplified up to 30-fold where the conversion is steep (dark
// outputs from cancelling terms), several levels even after
// premultiplying.
func (t *Transform) pixelAlpha(r, g, b, a uint8) (uint8, uint8, uint8) {
	lr, lg, lb := t.linAlpha(0, r, a), t.linAlpha(1, g, a), t.linAlpha(2, b, a)
	m := &t.m
	R := t.enc[encIndex(m[0][0]*lr+m[0][1]*lg+m[0][2]*lb)]
	G := t.enc[encIndex(m[1][0]*lr+m[1][1]*lg+m[1][2]*lb)]
	B := t.enc[encIndex(m[2][0]*lr+m[2][1]*lg+m[2][2]*lb)]
	return premul(R, a), premul(G, a), premul(B, a)
}

// linAlpha returns the linear value of the straight colour c*255/a.
func (t *Transform) linAlpha(ch int, c, a uint8) int64 {
	x := min(uint32(c)*255<<8/uint32(a), 255<<8) // 8.8 fixed point
	i, frac := x>>8, int64(x&0xff)
	lo := t.lin[ch][i]
	hi := t.lin[ch][min(i+1, 255)]
	return lo + (hi-lo)*frac>>8
}

func premul(c, a uint8) uint8 {
	return uint8((uint32(c)*uint32(a) + 127) / 255)
}
