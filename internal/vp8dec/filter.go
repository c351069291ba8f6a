package vp8dec

// filterInfo is the loop filter of one macroblock (section 15): limit is
// the subblock edge limit (macroblock edges take limit+4), 0 for no
// filtering; ilimit the interior limit; hev the high edge variance
// threshold; inner whether the subblock edges are filtered too.
type filterInfo struct {
	limit, ilimit, hev int32
	inner              bool
}

// computeFilterLevels derives the filter of each segment, for
// macroblocks with and without subblock prediction (section 9.3, 9.6 and
// 15.1), from the frame header.
func (d *Decoder) computeFilterLevels() {
	fh := &d.filter
	for s := range d.levels {
		base := fh.level
		if d.seg.enabled {
			base = d.seg.filter[s]
			if !d.seg.absolute {
				base += fh.level
			}
			base = min(max(base, 0), 63)
		}
		for i4 := range 2 {
			level := base
			if fh.useDeltas {
				level += fh.refDelta[0]
				if i4 == 1 {
					level += fh.modeDelta[0]
				}
				level = min(max(level, 0), 63)
			}
			d.levels[s][i4] = levelInfo(level, fh.sharpness)
		}
	}
}

// levelInfo is the filter of a loop_filter_level and sharpness.
func levelInfo(level, sharpness int) filterInfo {
	if level == 0 {
		return filterInfo{}
	}
	il := level
	if sharpness > 0 {
		if sharpness > 4 {
			il >>= 2
		} else {
			il >>= 1
		}
		il = min(il, 9-sharpness)
	}
	il = max(il, 1)
	hev := 0
	switch {
	case level >= 40:
		hev = 2
	case level >= 15:
		hev = 1
	}
	return filterInfo{limit: int32(2*level + il), ilimit: int32(il), hev: int32(hev)}
}

// filterRow runs the loop filter over macroblock row mby (at d.yOff and
// d.cOff), in place in the planes: for each macroblock, its left edge, its inner vertical edges,
// its top edge, its inner horizontal edges. It changes up to three rows of
// the row above, never what prediction still needs (kept in d.top and the
// workspaces).
func (d *Decoder) filterRow(mby int) {
	ys, cs := d.yStride, d.cStride
	for mbx, f := range d.finfo {
		if f.limit == 0 {
			continue
		}
		yo := d.yOff + mbx*16
		if d.filter.simple {
			if mbx > 0 {
				simpleEdge(d.y, yo, 1, ys, f.limit+4)
			}
			if f.inner {
				for x := 4; x < 16; x += 4 {
					simpleEdge(d.y, yo+x, 1, ys, f.limit)
				}
			}
			if mby > 0 {
				simpleEdge(d.y, yo, ys, 1, f.limit+4)
			}
			if f.inner {
				for y := 4; y < 16; y += 4 {
					simpleEdge(d.y, yo+y*ys, ys, 1, f.limit)
				}
			}
			continue
		}
		co := d.cOff + mbx*8
		if mbx > 0 {
			mbEdge(d.y, yo, 1, ys, 16, f)
			mbEdge(d.cb, co, 1, cs, 8, f)
			mbEdge(d.cr, co, 1, cs, 8, f)
		}
		if f.inner {
			for x := 4; x < 16; x += 4 {
				subEdge(d.y, yo+x, 1, ys, 16, f)
			}
			subEdge(d.cb, co+4, 1, cs, 8, f)
			subEdge(d.cr, co+4, 1, cs, 8, f)
		}
		if mby > 0 {
			mbEdge(d.y, yo, ys, 1, 16, f)
			mbEdge(d.cb, co, cs, 1, 8, f)
			mbEdge(d.cr, co, cs, 1, 8, f)
		}
		if f.inner {
			for y := 4; y < 16; y += 4 {
				subEdge(d.y, yo+y*ys, ys, 1, 16, f)
			}
			subEdge(d.cb, co+4*cs, cs, 1, 8, f)
			subEdge(d.cr, co+4*cs, cs, 1, 8, f)
		}
	}
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// The filters below work on unsigned samples: the differences are those
// of the signed values of RFC 6386 section 15, and clamping p+a to 0..255
// is clamping the signed p+a to -128..127. Their edge test
// 4*|p0-q0| + |p1-q1| <= 2*limit+1 is the specification's
// |p0-q0|*2 + |p1-q1|/2 <= limit without the division. Each reads the
// pixels across an edge at buf[o + i*pitch], step apart, for i < n.

// simpleEdge is the simple filter (section 15.2).
func simpleEdge(buf []byte, o, step, pitch int, limit int32) {
	t := 2*limit + 1
	for i := range 16 {
		at := o + i*pitch
		p1, p0, q0, q1 := int32(buf[at-2*step]), int32(buf[at-step]), int32(buf[at]), int32(buf[at+step])
		if 4*abs32(p0-q0)+abs32(p1-q1) > t {
			continue
		}
		a := 3*(q0-p0) + min(max(p1-q1, -128), 127)
		a1 := min(max((a+4)>>3, -16), 15)
		a2 := min(max((a+3)>>3, -16), 15)
		buf[at-step] = uint8(min(max(p0+a2, 0), 255))
		buf[at] = uint8(min(max(q0-a1, 0), 255))
	}
}

// mbEdge is the macroblock edge filter (section 15.3).
func mbEdge(buf []byte, o, step, pitch, n int, f filterInfo) {
	t, il, hev := 2*(f.limit+4)+1, f.ilimit, f.hev
	for i := range n {
		at := o + i*pitch
		p1, p0, q0, q1 := int32(buf[at-2*step]), int32(buf[at-step]), int32(buf[at]), int32(buf[at+step])
		if 4*abs32(p0-q0)+abs32(p1-q1) > t {
			continue
		}
		p3, p2, q2, q3 := int32(buf[at-4*step]), int32(buf[at-3*step]), int32(buf[at+2*step]), int32(buf[at+3*step])
		hv := max(abs32(p1-p0), abs32(q1-q0))
		if max(abs32(p3-p2), abs32(p2-p1), abs32(q3-q2), abs32(q2-q1), hv) > il { // one branch
			continue
		}
		outer := min(max(p1-q1, -128), 127)
		if hv > hev {
			a := 3*(q0-p0) + outer
			a1 := min(max((a+4)>>3, -16), 15)
			a2 := min(max((a+3)>>3, -16), 15)
			buf[at-step] = uint8(min(max(p0+a2, 0), 255))
			buf[at] = uint8(min(max(q0-a1, 0), 255))
			continue
		}
		w := min(max(3*(q0-p0)+outer, -128), 127)
		a := (27*w + 63) >> 7
		buf[at-step] = uint8(min(max(p0+a, 0), 255))
		buf[at] = uint8(min(max(q0-a, 0), 255))
		a = (18*w + 63) >> 7
		buf[at-2*step] = uint8(min(max(p1+a, 0), 255))
		buf[at+step] = uint8(min(max(q1-a, 0), 255))
		a = (9*w + 63) >> 7
		buf[at-3*step] = uint8(min(max(p2+a, 0), 255))
		buf[at+2*step] = uint8(min(max(q2-a, 0), 255))
	}
}

// subEdge is the subblock edge filter (section 15.3).
func subEdge(buf []byte, o, step, pitch, n int, f filterInfo) {
	t, il, hev := 2*f.limit+1, f.ilimit, f.hev
	for i := range n {
		at := o + i*pitch
		p1, p0, q0, q1 := int32(buf[at-2*step]), int32(buf[at-step]), int32(buf[at]), int32(buf[at+step])
		if 4*abs32(p0-q0)+abs32(p1-q1) > t {
			continue
		}
		p3, p2, q2, q3 := int32(buf[at-4*step]), int32(buf[at-3*step]), int32(buf[at+2*step]), int32(buf[at+3*step])
		hv := max(abs32(p1-p0), abs32(q1-q0))
		if max(abs32(p3-p2), abs32(p2-p1), abs32(q3-q2), abs32(q2-q1), hv) > il { // one branch
			continue
		}
		if hv > hev {
			a := 3*(q0-p0) + min(max(p1-q1, -128), 127)
			a1 := min(max((a+4)>>3, -16), 15)
			a2 := min(max((a+3)>>3, -16), 15)
			buf[at-step] = uint8(min(max(p0+a2, 0), 255))
			buf[at] = uint8(min(max(q0-a1, 0), 255))
			continue
		}
		a := 3 * (q0 - p0)
		a1 := min(max((a+4)>>3, -16), 15)
		a2 := min(max((a+3)>>3, -16), 15)
		a3 := (a1 + 1) >> 1
		buf[at-2*step] = uint8(min(max(p1+a3, 0), 255))
		buf[at-step] = uint8(min(max(p0+a2, 0), 255))
		buf[at] = uint8(min(max(q0-a1, 0), 255))
		buf[at+step] = uint8(min(max(q1-a3, 0), 255))
	}
}
