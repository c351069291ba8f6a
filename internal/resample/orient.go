package resample

// This file turns pictures upright: EXIF orientations and quarter-turn
// rotations, plane by plane, without converting YCbCr to RGB.

import (
	"fmt"
	"image"
)

// turn is one of the eight symmetries of a rectangle, described as how
// each output axis reads the source: transpose means output x walks the
// source's y axis (and output y the source's x axis); flipX and flipY mean
// the source axis feeding output x (respectively y) is walked backwards.
type turn struct{ transpose, flipX, flipY bool }

// turns maps EXIF orientation 1..8 to its turn (index 0 unused). With w x h
// the source size, output (x, y) reads source:
//
//	1 (x, y)          5 (y, x)
//	2 (w-1-x, y)      6 (y, h-1-x)
//	3 (w-1-x, h-1-y)  7 (w-1-y, h-1-x)
//	4 (x, h-1-y)      8 (w-1-y, x)
var turns = [9]turn{
	{}, {},
	{flipX: true},
	{flipX: true, flipY: true},
	{flipY: true},
	{transpose: true},
	{transpose: true, flipX: true},
	{transpose: true, flipX: true, flipY: true},
	{transpose: true, flipY: true},
}

// Orient returns m as a viewer shows it when m's EXIF orientation tag is
// orientation, that is m turned upright. The values are those of the EXIF
// specification (TIFF tag 0x0112), named by where the stored 0th row and
// 0th column end up:
//
//	1  as stored (m itself is returned)
//	2  mirrored left-right
//	3  rotated 180°
//	4  mirrored top-bottom
//	5  transposed: mirrored along the top-left to bottom-right diagonal
//	   (0th row is the visual left side, 0th column the visual top)
//	6  rotated 90° clockwise (0th row is the visual right side, 0th
//	   column the visual top)
//	7  transversed: mirrored along the top-right to bottom-left diagonal
//	8  rotated 90° counter-clockwise (270° clockwise)
//
// Values outside 1..8 are treated as 1. Orientations 5 to 8 swap width and
// height. The result's bounds start at (0, 0).
//
// Result types: *image.YCbCr, *image.NYCbCrA, *image.Gray, *image.RGBA and
// *image.NRGBA keep their type, and are moved plane by plane. A transposing
// orientation swaps a YCbCr subsample ratio's axes (4:2:2 <-> 4:4:0; 4:2:0
// and 4:4:4 stay). 4:1:1 and 4:1:0, whose transposes image.YCbCr cannot
// hold, become 4:4:0 and 4:2:0 (twice the chroma rows, none lost). When
// the chroma grid cannot be carried over exactly (those two, a mirrored
// axis whose length is not a multiple of the subsampling factor, or a
// sub-image starting off the chroma grid), chroma samples are linearly
// interpolated at their new centres (clamped at the edges), so colour
// does not shift. Any other type, and YCbCr with a negative Min,
// is converted to *image.NRGBA first.
func Orient(m image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return m
	}
	t := turns[orientation]
	switch s := m.(type) {
	case *image.YCbCr:
		if s.Rect.Min.X >= 0 && s.Rect.Min.Y >= 0 {
			if d := orientYCbCr(s, t); d != nil {
				return d
			}
		}
	case *image.NYCbCrA:
		if s.Rect.Min.X >= 0 && s.Rect.Min.Y >= 0 {
			if d := orientYCbCr(&s.YCbCr, t); d != nil {
				a := orientPlane(planeAt(s.A, s.AStride, s.Rect, s.AOffset, 1), t)
				return &image.NYCbCrA{YCbCr: *d, A: a.pix, AStride: a.stride}
			}
		}
	case *image.Gray:
		p := orientPlane(planeAt(s.Pix, s.Stride, s.Rect, s.PixOffset, 1), t)
		return &image.Gray{Pix: p.pix, Stride: p.stride, Rect: image.Rect(0, 0, p.w, p.h)}
	case *image.RGBA:
		p := orientPlane(planeAt(s.Pix, s.Stride, s.Rect, s.PixOffset, 4), t)
		return &image.RGBA{Pix: p.pix, Stride: p.stride, Rect: image.Rect(0, 0, p.w, p.h)}
	case *image.NRGBA:
		p := orientPlane(planeAt(s.Pix, s.Stride, s.Rect, s.PixOffset, 4), t)
		return &image.NRGBA{Pix: p.pix, Stride: p.stride, Rect: image.Rect(0, 0, p.w, p.h)}
	}
	return Orient(toNRGBA(m), orientation)
}

// Rotate returns m rotated counter-clockwise by degreesCCW, which must be
// a multiple of 90 (it is reduced modulo 360, so -90 means 90° clockwise);
// 0 returns m. It is Orient with orientation 8 (90), 3 (180) or 6 (270),
// with the same result types. Rotate panics on other angles: callers
// validate user input first.
func Rotate(m image.Image, degreesCCW int) image.Image {
	switch ((degreesCCW % 360) + 360) % 360 {
	case 0:
		return m
	case 90:
		return Orient(m, 8)
	case 180:
		return Orient(m, 3)
	case 270:
		return Orient(m, 6)
	}
	panic(fmt.Sprintf("resample: rotation by %d degrees", degreesCCW))
}

// toNRGBA converts m to a new *image.NRGBA with bounds starting at (0, 0).
func toNRGBA(m image.Image) *image.NRGBA {
	b := m.Bounds()
	d := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	rows := rgbaRows(m, false)
	for y := range b.Dy() {
		rows(y, d.Pix[y*d.Stride:y*d.Stride+4*b.Dx()])
	}
	return d
}

// planeAt returns the plane of r's pixels in pix, ch bytes each.
func planeAt(pix []byte, stride int, r image.Rectangle, offset func(x, y int) int, ch int) plane {
	if r.Empty() {
		return plane{ch: ch}
	}
	return plane{pix: pix[offset(r.Min.X, r.Min.Y):], stride: stride, w: r.Dx(), h: r.Dy(), ch: ch}
}

// transposedRatio returns the subsample ratio of a transposed picture:
// ratio with its axes exchanged, 4:2:2 <-> 4:4:0. The transposes of 4:1:1
// (1 x 4) and 4:1:0 (2 x 4) do not exist in image.YCbCr; they become 4:4:0
// and 4:2:0, whose vertical chroma resolution is twice what the source
// has, so no chroma detail is lost (the extra rows are interpolated).
func transposedRatio(r image.YCbCrSubsampleRatio) image.YCbCrSubsampleRatio {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return image.YCbCrSubsampleRatio440
	case image.YCbCrSubsampleRatio440:
		return image.YCbCrSubsampleRatio422
	case image.YCbCrSubsampleRatio411:
		return image.YCbCrSubsampleRatio440
	case image.YCbCrSubsampleRatio410:
		return image.YCbCrSubsampleRatio420
	}
	return r
}

// orientYCbCr turns s plane by plane; nil for an unknown subsample ratio.
func orientYCbCr(s *image.YCbCr, t turn) *image.YCbCr {
	sx, sy, ok := subFactors(s.SubsampleRatio)
	if !ok {
		return nil
	}
	r := s.Rect
	w, h := r.Dx(), r.Dy()
	ratio := s.SubsampleRatio
	if t.transpose {
		w, h, ratio = h, w, transposedRatio(ratio)
	}
	d := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	if r.Empty() {
		return d
	}
	orientInto(planeAt(s.Y, s.YStride, r, s.YOffset, 1), plane{pix: d.Y, stride: d.YStride, w: w, h: h, ch: 1}, t)

	// The chroma axes, in source orientation: luma extent [lo, hi) and
	// subsampling factor.
	ax := chromaGrid{lo: r.Min.X, hi: r.Max.X, s: sx}
	ay := chromaGrid{lo: r.Min.Y, hi: r.Max.Y, s: sy}
	osx, osy, _ := subFactors(ratio)
	co := s.COffset(r.Min.X, r.Min.Y)
	src := plane{stride: s.CStride, w: ax.count(), h: ay.count(), ch: 1}
	dst := plane{stride: d.CStride, w: (w + osx - 1) / osx, h: (h + osy - 1) / osy, ch: 1}
	mx, my := ax.maps(t.flipX, dst.w, osx), ay.maps(t.flipY, dst.h, osy)
	if t.transpose {
		mx, my = ay.maps(t.flipX, dst.w, osx), ax.maps(t.flipY, dst.h, osy)
	}
	for i, in := range [2][]byte{s.Cb[co:], s.Cr[co:]} {
		src.pix = in
		dst.pix = [2][]byte{d.Cb, d.Cr}[i]
		remap(src, dst, mx, my, t.transpose)
	}
	return d
}

// chromaGrid is one axis of a chroma plane: luma samples [lo, hi)
// (absolute, non-negative), subsampled by s on image.YCbCr's grid (plane
// sample i covers luma [s*(lo/s+i), +s), centre s*(lo/s+i) + s/2).
type chromaGrid struct{ lo, hi, s int }

// count returns the number of chroma samples covering [lo, hi).
func (g chromaGrid) count() int { return (g.hi+g.s-1)/g.s - g.lo/g.s }

// maps returns how out output chroma samples, subsampled by os, read this
// axis, flipped or not. Output sample j covers output luma [os*j, os*j+os)
// of a plane starting at 0; its centre c = os*j + os/2, mapped back to the
// source (relative luma u = c, or n - c when flipped, n = hi - lo), lies
// at source plane position (p + u - s/2)/s, p = lo mod s. In units of
// 1/(2s) that is num(j) = 2p + 2u - s. Positions before the first or after
// the last source sample take that sample.
func (g chromaGrid) maps(flip bool, out, os int) axisMap {
	p, n, s := g.lo%g.s, g.hi-g.lo, g.s
	den := 2 * s
	last := g.count() - 1
	m := axisMap{i0: make([]int32, out), i1: make([]int32, out), w1: make([]int32, out), den: int32(den)}
	exact := true
	for j := range out {
		u2 := os * (2*j + 1) // twice the centre
		if flip {
			u2 = 2*n - u2
		}
		num := 2*p + u2 - s
		i, frac := num/den, num%den
		if frac < 0 { // floor division
			i, frac = i-1, frac+den
		}
		m.i0[j] = int32(max(0, min(last, i)))
		m.i1[j] = int32(max(0, min(last, i+1)))
		if m.i0[j] == m.i1[j] {
			frac = 0
		}
		m.w1[j] = int32(frac)
		exact = exact && frac == 0
	}
	if exact {
		m.i1, m.w1 = nil, nil
	}
	return m
}

// axisMap is how one output axis reads one source axis: sample j reads
// source index i0[j] with weight (den-w1[j])/den and i1[j] with weight
// w1[j]/den. i1 and w1 are nil when every w1 is 0.
type axisMap struct {
	i0, i1, w1 []int32
	den        int32
}

// lumaMap is the axisMap of an unsubsampled axis of n samples.
func lumaMap(n int, flip bool) axisMap {
	m := axisMap{i0: make([]int32, n), den: 1}
	for j := range m.i0 {
		if flip {
			m.i0[j] = int32(n - 1 - j)
		} else {
			m.i0[j] = int32(j)
		}
	}
	return m
}

// orientPlane returns a new plane holding src turned by t.
func orientPlane(src plane, t turn) plane {
	w, h := src.w, src.h
	if t.transpose {
		w, h = h, w
	}
	dst := plane{pix: make([]byte, w*h*src.ch), stride: w * src.ch, w: w, h: h, ch: src.ch}
	orientInto(src, dst, t)
	return dst
}

// orientInto fills dst, of src's size turned by t, with src turned by t.
func orientInto(src, dst plane, t turn) {
	if dst.w == 0 || dst.h == 0 {
		return
	}
	if !t.transpose {
		flipRows(src, dst, t.flipX, t.flipY)
		return
	}
	remap(src, dst, lumaMap(dst.w, t.flipX), lumaMap(dst.h, t.flipY), true)
}

// flipRows copies src to the same-sized dst, mirroring each row and/or the
// row order.
func flipRows(src, dst plane, flipX, flipY bool) {
	for y := range dst.h {
		sy := y
		if flipY {
			sy = src.h - 1 - y
		}
		in, out := src.row(sy), dst.row(y)
		if !flipX {
			copy(out, in)
			continue
		}
		switch src.ch {
		case 1:
			reverse1(in, out)
		default:
			reverse4(in, out)
		}
	}
}

func reverse1(in, out []byte) {
	out = out[:len(in)]
	n := len(in) - 1
	for i, v := range in {
		out[n-i] = v
	}
}

func reverse4(in, out []byte) {
	out = out[:len(in)]
	for i, j := 0, len(in)-4; j >= 0; i, j = i+4, j-4 {
		copy(out[j:j+4:j+4], in[i:i+4:i+4])
	}
}

// orientTile is the side of the square blocks a transposing remap walks, so that
// the source rows a block reads stay in cache.
const orientTile = 32

// remap fills dst from src along the axis maps: output (x, y) reads source
// column mx and row my, or, if transpose, source row mx and column my.
func remap(src, dst plane, mx, my axisMap, transpose bool) {
	ch := src.ch
	ox, oy := ch, src.stride // byte step of a source index along each output axis
	if transpose {
		ox, oy = src.stride, ch
	}
	offX, offY := offsets(mx.i0, ox), offsets(my.i0, oy)
	if mx.i1 == nil && my.i1 == nil {
		gather(src.pix, dst, offX, offY)
		return
	}
	offX1, offY1 := offX, offY
	wx, wy := mx.w1, my.w1
	if wx == nil {
		wx = make([]int32, dst.w)
	} else {
		offX1 = offsets(mx.i1, ox)
	}
	if wy == nil {
		wy = make([]int32, dst.h)
	} else {
		offY1 = offsets(my.i1, oy)
	}
	dx, dy := mx.den, my.den
	total := dx * dy
	for y := range dst.h {
		r0, r1 := offY[y], offY1[y]
		wy1 := wy[y]
		wy0 := dy - wy1
		out := dst.row(y)
		for x := range dst.w {
			c0, c1 := offX[x], offX1[x]
			wx1 := wx[x]
			wx0 := dx - wx1
			for c := range ch {
				top := int32(src.pix[r0+c0+c])*wx0 + int32(src.pix[r0+c1+c])*wx1
				bot := int32(src.pix[r1+c0+c])*wx0 + int32(src.pix[r1+c1+c])*wx1
				out[x*ch+c] = uint8((top*wy0 + bot*wy1 + total/2) / total)
			}
		}
	}
}

// offsets returns idx scaled by step.
func offsets(idx []int32, step int) []int {
	o := make([]int, len(idx))
	for i, v := range idx {
		o[i] = int(v) * step
	}
	return o
}

// gather sets dst(x, y) to the pixel at pix[offY[y]+offX[x]], block by
// block.
func gather(pix []byte, dst plane, offX, offY []int) {
	for y0 := 0; y0 < dst.h; y0 += orientTile {
		y1 := min(y0+orientTile, dst.h)
		for x0 := 0; x0 < dst.w; x0 += orientTile {
			xs := offX[x0:min(x0+orientTile, dst.w)]
			for y := y0; y < y1; y++ {
				oy := offY[y]
				if dst.ch == 1 {
					out := dst.pix[y*dst.stride+x0:]
					out = out[:len(xs)]
					for i, ox := range xs {
						out[i] = pix[oy+ox]
					}
					continue
				}
				out := dst.pix[y*dst.stride+4*x0:]
				out = out[:4*len(xs)]
				for i, ox := range xs {
					o := oy + ox
					copy(out[4*i:4*i+4:4*i+4], pix[o:o+4:o+4])
				}
			}
		}
	}
}
