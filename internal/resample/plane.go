package resample

// resamplePlane resamples src into dst mapping axes ax, ay: an optional
// box pre-reduction (which also premultiplies non-premultiplied RGBA when
// premul is set), then the two kernel passes in the cheaper order.
func resamplePlane(src, dst plane, ax, ay axis, k Kernel, workers int, premul bool) {
	fx, fy := shrinkFactor(ax.scale), shrinkFactor(ay.scale)
	if fx > 1 || fy > 1 || premul {
		small, buf := newPlane((src.w+fx-1)/fx, (src.h+fy-1)/fy, src.ch)
		defer bytePool.Put(buf)
		parallel(small.h, workers, func(y0, y1 int) {
			boxShrink(src, small, fx, fy, premul, y0, y1)
		})
		src, ax, ay = small, ax.shrunk(fx), ay.shrunk(fy)
	}
	align := 1
	if src.ch == 1 {
		align = 4 // hrow1 steps 4 taps at a time
	}
	twoPass(src, dst, newTable(k, ax, align), newTable(k, ay, 1), workers)
}

// twoPass applies the horizontal table tx and the vertical table ty,
// running first the pass that makes the pair cheaper (usually the one that
// reduces most) and skipping identity passes.
func twoPass(src, dst plane, tx, ty *table, workers int) {
	hp := func(s, d plane) { parallel(d.h, workers, func(y0, y1 int) { hpass(s, d, tx, y0, y1) }) }
	vp := func(s, d plane) { parallel(d.h, workers, func(y0, y1 int) { vpass(s, d, ty, y0, y1) }) }
	switch {
	case tx.ident && ty.ident:
		for y := range dst.h {
			copy(dst.row(y), src.row(y))
		}
		return
	case tx.ident:
		vp(src, dst)
		return
	case ty.ident:
		hp(src, dst)
		return
	}
	hFirst := src.h*dst.w*tx.taps + dst.w*dst.h*ty.taps
	vFirst := src.w*dst.h*ty.taps + dst.w*dst.h*tx.taps
	if hFirst <= vFirst {
		mid, buf := newPlane(dst.w, src.h, src.ch)
		defer bytePool.Put(buf)
		hp(src, mid)
		vp(mid, dst)
		return
	}
	mid, buf := newPlane(src.w, dst.h, src.ch)
	defer bytePool.Put(buf)
	vp(src, mid)
	hp(mid, dst)
}
