package resample

// This file implements the sharpening of nginx's image_filter_sharpen.

import (
	"image"
)

// maxSharpen caps the percentage: far beyond it every edge saturates
// anyway, and the cap keeps the fixed-point sums inside int32.
const maxSharpen = 100000

// Sharpen returns m sharpened by percent, as nginx's
// "image_filter_sharpen percent" does after resizing (it calls libgd's
// gdImageSharpen): a separable 3-tap filter [-k, 1+2k, -k] with
// k = percent/400 applied down the columns, then along the rows (so 100
// gives [-1 6 -1]/4 per axis, [1 -6 1; -6 36 -6; 1 -6 1]/16 in 2-D). Edge
// samples are replicated, so the border of a flat area is not darkened or
// brightened. Each pass rounds to 8 bits and clamps to 0..255 (libgd
// truncates instead, which darkens by half a level per pass). percent <= 0
// returns m (libgd does nothing either); values above 100000 count as
// 100000.
//
// The result is a new image of m's type and bounds:
//   - *image.YCbCr and *image.NYCbCrA: only the Y plane is sharpened
//     (chroma and alpha are copied). That is what a perceptual sharpen
//     does, at a third of the cost; libgd, working on RGB, also sharpens
//     colour edges.
//   - *image.Gray: the plane.
//   - *image.RGBA: R, G and B, premultiplied as stored, then limited to
//     alpha; alpha is not sharpened.
//   - *image.NRGBA: R, G and B premultiplied by alpha (so transparent
//     pixels, whatever colour they hold, neither bleed into visible ones
//     nor gain colour), then un-premultiplied; alpha is not sharpened.
//     libgd sharpens the straight colour, so hidden colour can show at
//     alpha edges.
//   - anything else is converted to *image.NRGBA first.
//
// Rows are split over at most workers goroutines (< 1 counts as 1).
func Sharpen(m image.Image, percent int, workers int) image.Image {
	if percent <= 0 {
		return m
	}
	k := int32(min(percent, maxSharpen))
	workers = max(workers, 1)
	b := m.Bounds()
	switch s := m.(type) {
	case *image.YCbCr:
		return sharpenYCbCr(s, k, workers)
	case *image.NYCbCrA:
		d := &image.NYCbCrA{YCbCr: *sharpenYCbCr(&s.YCbCr, k, workers), A: make([]byte, len(s.A)), AStride: s.AStride}
		copy(d.A, s.A)
		return d
	case *image.Gray:
		d := image.NewGray(b)
		sharpenPlane(planeAt(s.Pix, s.Stride, b, s.PixOffset, 1), plane{d.Pix, d.Stride, b.Dx(), b.Dy(), 1}, k, workers)
		return d
	case *image.RGBA:
		d := image.NewRGBA(b)
		dp := plane{d.Pix, d.Stride, b.Dx(), b.Dy(), 4}
		sharpenPlane(planeAt(s.Pix, s.Stride, b, s.PixOffset, 4), dp, k, workers)
		eachRow(dp, workers, clampPremulRow)
		return d
	case *image.NRGBA:
		return sharpenNRGBA(s, k, workers)
	}
	n := toNRGBA(m)
	d := sharpenNRGBA(n, k, workers)
	d.Rect = b
	return d
}

func sharpenNRGBA(s *image.NRGBA, k int32, workers int) *image.NRGBA {
	b := s.Rect
	w, h := b.Dx(), b.Dy()
	src := planeAt(s.Pix, s.Stride, b, s.PixOffset, 4)
	premul := !s.Opaque()
	if premul {
		p := plane{pix: make([]byte, 4*w*h), stride: 4 * w, w: w, h: h, ch: 4}
		parallel(h, workers, func(lo, hi int) {
			for y := lo; y < hi; y++ {
				copy(p.row(y), src.row(y))
				premulRow(p.row(y))
			}
		})
		src = p
	}
	d := image.NewNRGBA(b)
	dp := plane{d.Pix, d.Stride, w, h, 4}
	sharpenPlane(src, dp, k, workers)
	if premul {
		eachRow(dp, workers, func(r []byte) {
			clampPremulRow(r)
			unpremulRow(r)
		})
	}
	return d
}

func sharpenYCbCr(s *image.YCbCr, k int32, workers int) *image.YCbCr {
	b := s.Rect
	d := image.NewYCbCr(b, s.SubsampleRatio)
	if b.Empty() {
		return d
	}
	sharpenPlane(planeAt(s.Y, s.YStride, b, s.YOffset, 1), plane{d.Y, d.YStride, b.Dx(), b.Dy(), 1}, k, workers)
	// Same bounds and ratio, so the chroma grids coincide.
	co, do := s.COffset(b.Min.X, b.Min.Y), d.COffset(b.Min.X, b.Min.Y)
	rows, cw := len(d.Cb)/max(d.CStride, 1), d.CStride
	for y := range rows {
		copy(d.Cb[do+y*d.CStride:][:cw], s.Cb[co+y*s.CStride:])
		copy(d.Cr[do+y*d.CStride:][:cw], s.Cr[co+y*s.CStride:])
	}
	return d
}

// sharpenPlane writes src sharpened by k percent into dst of the same
// size. With 4 channels the fourth (alpha) is copied, not filtered.
func sharpenPlane(src, dst plane, k int32, workers int) {
	if src.w == 0 || src.h == 0 {
		return
	}
	parallel(src.h, workers, func(lo, hi int) {
		tmp := make([]byte, src.w*src.ch)
		for y := lo; y < hi; y++ {
			up, down := src.row(max(y-1, 0)), src.row(min(y+1, src.h-1))
			sharpen3(tmp, up, src.row(y), down, k, src.ch)
			sharpenRow(dst.row(y), tmp, k, src.ch)
		}
	})
}

// sharpenTap returns c sharpened against its neighbours p and n:
// round(c + k/400 * (2c - p - n)), clamped to 0..255.
func sharpenTap(p, c, n byte, k int32) byte {
	v := int32(c)*(400+2*k) - k*(int32(p)+int32(n))
	if v <= 0 {
		return 0
	}
	return uint8(min((v+200)/400, 255))
}

// sharpen3 filters vertically: out[i] from up[i], mid[i], down[i].
func sharpen3(out, up, mid, down []byte, k int32, ch int) {
	out, up, down = out[:len(mid)], up[:len(mid)], down[:len(mid)]
	for i, c := range mid {
		if ch == 4 && i&3 == 3 {
			out[i] = c
			continue
		}
		out[i] = sharpenTap(up[i], c, down[i], k)
	}
}

// sharpenRow filters horizontally: out from in, pixels of ch bytes, edge
// pixels replicated.
func sharpenRow(out, in []byte, k int32, ch int) {
	n := len(in)
	out = out[:n]
	for i, c := range in {
		if ch == 4 && i&3 == 3 {
			out[i] = c
			continue
		}
		l, r := i-ch, i+ch
		if l < 0 {
			l = i
		}
		if r >= n {
			r = i
		}
		out[i] = sharpenTap(in[l], c, in[r], k)
	}
}
