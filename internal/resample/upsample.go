package resample

// This file converts YCbCr to RGB with smooth ("fancy") chroma upsampling,
// the way libjpeg-turbo and browsers show a subsampled JPEG.

import (
	"image"
)

// YCbCrToRGBA converts m to a new opaque *image.RGBA (bounds starting at
// (0, 0); for opaque pixels premultiplied and straight alpha coincide, so
// this is also the NRGBA picture), interpolating chroma rather than
// replicating it as image.YCbCr.At does.
//
// Chroma samples sit at the centres of the luma blocks they cover (JFIF's
// centred siting, the one image.YCbCr assumes, including sub-images that
// start off the chroma grid). Each luma pixel takes the chroma linearly
// interpolated, separably, between the two nearest chroma samples along
// each subsampled axis; at the picture's edges the outermost sample is
// held. For a factor of 2 those are the 3/4, 1/4 weights of libjpeg's
// "fancy" h2v1 and h2v2 upsampling; for 4 (4:1:1, 4:1:0) they are 7/8, 1/8
// and 5/8, 3/8. The interpolated chroma is rounded to 8 bits, then
// converted with the JFIF equations and rounding of color.YCbCrToRGB, so a
// 4:4:4 image gives exactly image/color's conversion.
//
// Rows are split over at most workers goroutines (< 1 counts as 1). An
// unknown subsample ratio is converted through At.
func YCbCrToRGBA(m *image.YCbCr, workers int) *image.RGBA {
	r := m.Rect
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	sx, sy, ok := subFactors(m.SubsampleRatio)
	if !ok {
		rows := rgbaRows(m, true)
		for y := range r.Dy() {
			rows(y, dst.Pix[y*dst.Stride:y*dst.Stride+4*r.Dx()])
		}
		return dst
	}
	if r.Empty() {
		return dst
	}
	cols := chromaTaps(r.Min.X, r.Max.X, sx)
	rows := chromaTaps(r.Min.Y, r.Max.Y, sy)
	shift := uint(cols.shift + rows.shift)
	co := m.COffset(r.Min.X, r.Min.Y)
	w := r.Dx()
	parallel(r.Dy(), max(workers, 1), func(lo, hi int) {
		buf := make([]int32, 2*cols.n) // vertically mixed Cb, Cr rows
		cb, cr := buf[:cols.n], buf[cols.n:]
		for y := lo; y < hi; y++ {
			y0 := co + int(rows.i0[y])*m.CStride
			y1 := co + int(rows.i1[y])*m.CStride
			yo := m.YOffset(r.Min.X, r.Min.Y+y)
			ys := m.Y[yo : yo+w : yo+w]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w : y*dst.Stride+4*w]
			if sx == 1 && rows.w1[y] == 0 {
				// No interpolation: convert straight from the planes.
				ycbcrRowToRGBA(out, ys, m.Cb[y0:y0+w], m.Cr[y0:y0+w])
				continue
			}
			w1 := rows.w1[y]
			w0 := int32(1)<<rows.shift - w1
			vmix(cb, m.Cb[y0:y0+cols.n], m.Cb[y1:y1+cols.n], w0, w1)
			vmix(cr, m.Cr[y0:y0+cols.n], m.Cr[y1:y1+cols.n], w0, w1)
			upsampleRow(out, ys, cb, cr, &cols, shift)
		}
	})
	return dst
}

// vmix sets acc[i] = a[i]*w0 + b[i]*w1.
func vmix(acc []int32, a, b []byte, w0, w1 int32) {
	a, b = a[:len(acc)], b[:len(acc)]
	if w1 == 0 {
		for i := range acc {
			acc[i] = int32(a[i]) * w0
		}
		return
	}
	for i := range acc {
		acc[i] = int32(a[i])*w0 + int32(b[i])*w1
	}
}

// upsampleRow converts one row of luma ys with the vertically mixed chroma
// rows cb, cr (scaled by 1<<rows.shift) into out, interpolating chroma
// horizontally with cols; shift is the total scale of a mixed sample.
func upsampleRow(out, ys []byte, cb, cr []int32, cols *taps, shift uint) {
	half := int32(1) << shift >> 1
	i0, i1, w1s := cols.i0[:len(ys)], cols.i1[:len(ys)], cols.w1[:len(ys)]
	one := int32(1) << cols.shift
	for x, yv := range ys {
		a, b, w1 := i0[x], i1[x], w1s[x]
		w0 := one - w1
		u := (cb[a]*w0 + cb[b]*w1 + half) >> shift
		v := (cr[a]*w0 + cr[b]*w1 + half) >> shift
		o := out[4*x : 4*x+4 : 4*x+4]
		o[0], o[1], o[2] = ycc2rgb(yv, u, v)
		o[3] = 0xff
	}
}

// ycbcrRowToRGBA converts a row of full-resolution Y, Cb, Cr to RGBA.
func ycbcrRowToRGBA(out, ys, cb, cr []byte) {
	cb, cr = cb[:len(ys)], cr[:len(ys)]
	out = out[:4*len(ys)]
	for x, yv := range ys {
		o := out[4*x : 4*x+4 : 4*x+4]
		o[0], o[1], o[2] = ycc2rgb(yv, int32(cb[x]), int32(cr[x]))
		o[3] = 0xff
	}
}

// ycc2rgb applies the JFIF YCbCr -> RGB equations
// (R = Y + 1.402 (Cr-128), G = Y - 0.344136 (Cb-128) - 0.714136 (Cr-128),
// B = Y + 1.772 (Cb-128)) in 16.16 fixed point, rounding and clamping as
// color.YCbCrToRGB does (Y is scaled by 0x10101, which also rounds).
func ycc2rgb(y uint8, cb, cr int32) (uint8, uint8, uint8) {
	yy := int32(y) * 0x10101
	cb -= 128
	cr -= 128
	r := yy + 91881*cr
	g := yy - 22554*cb - 46802*cr
	b := yy + 116130*cb
	return clamp16(r), clamp16(g), clamp16(b)
}

// clamp16 returns v>>16 clamped to [0, 255].
func clamp16(v int32) uint8 {
	if uint32(v) < 1<<24 {
		return uint8(v >> 16)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// taps is how each luma sample along one axis reads the chroma plane:
// samples i0 and i1 (plane-relative) with weights (1<<shift - w1) and w1.
type taps struct {
	i0, i1, w1 []int32
	shift      int
	n          int // chroma samples covering the axis
}

// chromaTaps returns the taps of luma [lo, hi) subsampled by s (1, 2 or
// 4). Luma x's centre x+0.5 lies at chroma plane position
// (x + 0.5 - s*(lo/s) - s/2)/s, that is num/(2s) with
// num = 2(x - s*(lo/s)) + 1 - s.
func chromaTaps(lo, hi, s int) taps {
	n := hi - lo
	t := taps{i0: make([]int32, n), i1: make([]int32, n), w1: make([]int32, n), n: (hi+s-1)/s - lo/s}
	den := 2 * s
	for den > 1<<t.shift {
		t.shift++
	}
	base := s * (lo / s)
	last := int32(t.n - 1)
	for x := range n {
		num := 2*(lo+x-base) + 1 - s
		i, frac := num/den, num%den
		if frac < 0 {
			i, frac = i-1, frac+den
		}
		a, b := max(0, min(last, int32(i))), max(0, min(last, int32(i+1)))
		if a == b {
			frac = 0
		}
		t.i0[x], t.i1[x], t.w1[x] = a, b, int32(frac)
	}
	return t
}
