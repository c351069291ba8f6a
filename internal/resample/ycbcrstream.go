package resample

import "image"

// A YCbCrShrinker resizes a planar YCbCr picture handed over row by row,
// plane by plane, to the *image.YCbCr that [ResizeYCbCrExtent] makes of
// the whole picture (no Extent), exactly: each plane is resized as
// ResizeYCbCrExtent resizes it, with the box factors and kernel tables
// it would use for that plane. A plane with a box pre-reduction holds
// only its column sums and reduced plane; one without (chroma reduced
// less than its luma, as to 4:4:4) runs the pass twoPass would run first
// as its rows come: the horizontal one into a plane of the output width,
// or the vertical one into accumulators of the few output rows the
// current row falls in. The picture is never held at full size.
type YCbCrShrinker struct {
	y, cb, cr planeStream
	result    *image.YCbCr
}

// How a planeStream resizes its rows.
const (
	streamBox  = iota // box sums, then both kernel passes at the end
	streamH           // horizontal pass per row, vertical at the end
	streamV           // vertical pass accumulated per row, then horizontal
	streamCopy        // both passes the identity
)

// planeStream resizes one 8-bit plane handed over row by row as
// resamplePlane resizes it whole. out is its plane of the result.
type planeStream struct {
	mode       int
	srcW, srcH int
	ax, ay     axis
	k          Kernel
	fx, fy     int
	out        plane
	y          int // the next source row
	// streamBox
	rows      int // rows summed in cols
	cols, acc []int32
	small     plane
	buf       *[]byte
	// streamH, streamV, streamCopy
	tx, ty *table
	mid    plane // streamH: the horizontal pass (out.w x srcH)
	midBuf *[]byte
	// streamV: accumulators of output rows [lo, hi), row r in ring[r%len]
	ring   [][]int32
	lo, hi int
	vrow   []byte // a finished row of the vertical pass
}

// NewYCbCrShrinker returns a YCbCrShrinker of a srcW x srcH picture whose
// chroma is subsampled by srcRatio, to a w x h *image.YCbCr subsampled
// by ratio, with kernel k (the zero Kernel means Lanczos3); nil where
// ResizeYCbCrExtent would not box-reduce the luma plane (a reduction
// under 5x on both axes), for an unknown ratio or an empty size.
func NewYCbCrShrinker(srcW, srcH int, srcRatio image.YCbCrSubsampleRatio, w, h int, ratio image.YCbCrSubsampleRatio, k Kernel) *YCbCrShrinker {
	s := planYCbCr(srcW, srcH, srcRatio, w, h, ratio, k)
	if s == nil {
		return nil
	}
	d := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	s.result = d
	s.y.allocate(plane{d.Y, d.YStride, w, h, 1})
	cw, ch := s.cb.ax.out, s.cb.ay.out
	s.cb.allocate(plane{d.Cb, d.CStride, cw, ch, 1})
	s.cr.allocate(plane{d.Cr, d.CStride, cw, ch, 1})
	return s
}

// planYCbCr returns a YCbCrShrinker's plan, without its buffers; nil as
// for NewYCbCrShrinker.
func planYCbCr(srcW, srcH int, srcRatio image.YCbCrSubsampleRatio, w, h int, ratio image.YCbCrSubsampleRatio, k Kernel) *YCbCrShrinker {
	isx, isy, ok1 := subFactors(srcRatio)
	osx, osy, ok2 := subFactors(ratio)
	if !ok1 || !ok2 || w <= 0 || h <= 0 || srcW <= 0 || srcH <= 0 {
		return nil
	}
	k = k.orDefault()
	r := image.Rect(0, 0, srcW, srcH)
	ax, ay := axes(r, w, h, Extent{})
	s := &YCbCrShrinker{}
	if !s.y.plan(ax, ay, k) || s.y.mode != streamBox {
		return nil
	}
	cx := chromaAxis(0, srcW, float64(srcW), w, isx, osx)
	cy := chromaAxis(0, srcH, float64(srcH), h, isy, osy)
	if !s.cb.plan(cx, cy, k) || !s.cr.plan(cx, cy, k) {
		return nil
	}
	return s
}

// plan sets the plane's mode, factors and (without a box) kernel tables
// for axes ax and ay, as resamplePlane and twoPass would choose them;
// false for a vertical pass whose windows do not move down in order.
func (p *planeStream) plan(ax, ay axis, k Kernel) bool {
	*p = planeStream{srcW: ax.in, srcH: ay.in, ax: ax, ay: ay, k: k}
	p.fx, p.fy = shrinkFactor(ax.scale), shrinkFactor(ay.scale)
	if p.fx > 1 || p.fy > 1 {
		p.mode = streamBox
		return true
	}
	p.tx, p.ty = newTable(k, ax, 4), newTable(k, ay, 1)
	hFirst := p.srcH*ax.out*p.tx.taps + ax.out*ay.out*p.ty.taps
	vFirst := p.srcW*ay.out*p.ty.taps + ax.out*ay.out*p.tx.taps
	switch {
	case p.tx.ident && p.ty.ident:
		p.mode = streamCopy
	case p.ty.ident || (!p.tx.ident && hFirst <= vFirst):
		p.mode = streamH
	default:
		p.mode = streamV
		return p.inflight() > 0
	}
	return true
}

// inflight returns how many output rows of the vertical pass at most
// take input rows at once, 0 if the windows' starts ever go back.
func (p *planeStream) inflight() int {
	t, n := p.ty, 0
	lo, hi := 0, 0
	for r := range p.srcH {
		for hi < len(t.start) && int(t.start[hi]) <= r {
			if hi > 0 && t.start[hi] < t.start[hi-1] {
				return 0
			}
			hi++
		}
		n = max(n, hi-lo)
		for lo < hi && int(t.start[lo])+t.taps-1 <= r {
			lo++
		}
	}
	return max(n, 1)
}

// allocate gives the plane its buffers and its plane out of the result.
func (p *planeStream) allocate(out plane) {
	p.out = out
	switch p.mode {
	case streamBox:
		p.cols, p.acc = make([]int32, p.srcW), make([]int32, (p.srcW+p.fx-1)/p.fx)
		p.small, p.buf = newPlane((p.srcW+p.fx-1)/p.fx, (p.srcH+p.fy-1)/p.fy, 1)
	case streamH:
		if !p.ty.ident {
			p.mid, p.midBuf = newPlane(out.w, p.srcH, 1)
		}
	case streamV:
		p.ring = make([][]int32, p.inflight())
		for i := range p.ring {
			p.ring[i] = make([]int32, p.srcW)
		}
		p.vrow = make([]byte, p.srcW)
	}
}

// AddY adds the next row of the luma plane (srcW samples). Rows past
// srcH are ignored.
func (s *YCbCrShrinker) AddY(row []byte) { s.y.add(row) }

// AddC adds the next rows of the Cb and Cr planes (as many samples as
// srcRatio leaves of srcW: (srcW+1)/2 for 4:2:0). Rows past the chroma
// height are ignored.
func (s *YCbCrShrinker) AddC(cb, cr []byte) {
	s.cb.add(cb)
	s.cr.add(cr)
}

// Image finishes the resize on at most workers goroutines and returns the
// w x h result. Rows never added count as zeros. The YCbCrShrinker is
// then spent.
func (s *YCbCrShrinker) Image(workers int) *image.YCbCr {
	workers = max(workers, 1)
	for _, p := range []*planeStream{&s.y, &s.cb, &s.cr} {
		p.finish(workers)
	}
	return s.result
}

// add takes the next source row of the plane.
func (p *planeStream) add(row []byte) {
	if p.y >= p.srcH {
		return
	}
	row = row[:p.srcW]
	switch p.mode {
	case streamBox:
		addRow(p.cols, row)
		p.rows++
		if p.rows == p.fy || p.y+1 == p.srcH {
			sumBlocks(p.acc, p.cols, p.fx, 1)
			finishRow(p.acc, p.small.row(p.y/p.fy), 1, p.rows, p.fx, p.srcW, false)
			clear(p.cols)
			p.rows = 0
		}
	case streamH:
		if p.ty.ident {
			hrow1(row, p.out.row(p.y), p.tx)
		} else {
			hrow1(row, p.mid.row(p.y), p.tx)
		}
	case streamV:
		p.vertical(row)
	case streamCopy:
		copy(p.out.row(p.y), row)
	}
	p.y++
}

// vertical adds source row p.y, weighted, into the accumulators of the
// output rows whose window it falls in, and ends those it is the last
// row of: through the horizontal pass into the result.
func (p *planeStream) vertical(row []byte) {
	t, r, n := p.ty, p.y, len(p.ring)
	for p.hi < len(t.start) && int(t.start[p.hi]) <= r {
		acc := p.ring[p.hi%n]
		for i := range acc {
			acc[i] = half
		}
		p.hi++
	}
	for y := p.lo; y < p.hi; y++ {
		accumulate1(p.ring[y%n], row, t.w[y*t.taps+r-int(t.start[y])])
	}
	for p.lo < p.hi && int(t.start[p.lo])+t.taps-1 <= r {
		acc := p.ring[p.lo%n]
		for i, v := range acc {
			p.vrow[i] = clamp8(v >> fracBits)
		}
		if p.tx.ident {
			copy(p.out.row(p.lo), p.vrow)
		} else {
			hrow1(p.vrow, p.out.row(p.lo), p.tx)
		}
		p.lo++
	}
}

// finish adds the rows never added as zeros and ends the resize.
func (p *planeStream) finish(workers int) {
	if p.y < p.srcH {
		zero := make([]byte, p.srcW)
		for p.y < p.srcH {
			p.add(zero)
		}
	}
	switch p.mode {
	case streamBox:
		tx := newTable(p.k, p.ax.shrunk(p.fx), 4)
		ty := newTable(p.k, p.ay.shrunk(p.fy), 1)
		twoPass(p.small, p.out, tx, ty, workers)
		bytePool.Put(p.buf)
	case streamH:
		if !p.ty.ident {
			parallel(p.out.h, workers, func(y0, y1 int) { vpass(p.mid, p.out, p.ty, y0, y1) })
			bytePool.Put(p.midBuf)
		}
	}
}

// bytes is what the plane holds at its peak besides its rows and its part
// of the result.
func (p *planeStream) bytes() int64 {
	w, h := int64(p.ax.out), int64(p.ay.out)
	switch p.mode {
	case streamBox:
		sw, sh := int64((p.srcW+p.fx-1)/p.fx), int64((p.srcH+p.fy-1)/p.fy)
		return 4*int64(p.srcW) + 4*sw + sw*sh + max(w*sh, sw*h)
	case streamH:
		if p.ty.ident {
			return 0
		}
		return w * int64(p.srcH)
	case streamV:
		return int64(p.inflight())*4*int64(p.srcW) + int64(p.srcW)
	}
	return 0
}

// YCbCrShrinkerPlan reports whether NewYCbCrShrinker would return a
// YCbCrShrinker for these sizes and ratios (with Lanczos3), and the bytes
// it would hold at its peak besides its rows and result, for an admission
// estimate: per plane, with a box its column sums, reduced plane and the
// kernel passes' intermediate plane; without, the horizontal pass's
// plane (w x srcH) or the vertical pass's accumulators (a few rows of
// int32 at the source width).
func YCbCrShrinkerPlan(srcW, srcH int, srcRatio image.YCbCrSubsampleRatio, w, h int, ratio image.YCbCrSubsampleRatio) (ok bool, bytes int64) {
	s := planYCbCr(srcW, srcH, srcRatio, w, h, ratio, Kernel{})
	if s == nil {
		return false, 0
	}
	return true, s.y.bytes() + s.cb.bytes() + s.cr.bytes()
}
