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

// filterRow runs the loop filter over macroblock row mby, in place in the
// planes: for each macroblock, its left edge, its inner vertical edges,
// its top edge, its inner horizontal edges. It changes up to three rows of
// the row above, never what prediction still needs (kept in d.top and the
// workspaces).
func (d *Decoder) filterRow(mby int) {
	ys, cs := d.yStride, d.cStride
	for mbx, f := range d.finfo {
		if f.limit == 0 {
			continue
		}
		yo := mby*16*ys + mbx*16
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
		co := mby*8*cs + mbx*8
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

// clampS8 clamps to a signed 8-bit value.
func clampS8(v int32) int32 { return min(max(v, -128), 127) }

// edgeLimitOK is the edge test of section 15.2 and 15.3:
// |p0-q0|*2 + |p1-q1|/2 <= limit.
func edgeLimitOK(p1, p0, q0, q1, limit int32) bool {
	return abs32(p0-q0)*2+abs32(p1-q1)>>1 <= limit
}

// commonAdjust moves p0 and q0 (signed, -128..127) toward each other
// (section 15.2), with the outer taps p1-q1 if outer; it returns the
// adjustment a of q0 and the new p0, q0.
func commonAdjust(outer bool, p1, p0, q0, q1 int32) (a, np0, nq0 int32) {
	v := 3 * (q0 - p0)
	if outer {
		v += clampS8(p1 - q1)
	}
	v = clampS8(v)
	b := clampS8(v+3) >> 3
	a = clampS8(v+4) >> 3
	return a, clampS8(p0 + b), clampS8(q0 - a)
}

// simpleEdge runs the simple filter across an edge of 16 pixels at
// buf[o]: step goes across the edge (1 for a vertical edge), pitch along
// it.
func simpleEdge(buf []byte, o, step, pitch int, limit int32) {
	for i := range 16 {
		at := o + i*pitch
		p1, p0 := int32(buf[at-2*step])-128, int32(buf[at-step])-128
		q0, q1 := int32(buf[at])-128, int32(buf[at+step])-128
		if !edgeLimitOK(p1, p0, q0, q1, limit) {
			continue
		}
		_, np0, nq0 := commonAdjust(true, p1, p0, q0, q1)
		buf[at-step], buf[at] = byte(np0+128), byte(nq0+128)
	}
}

// taps reads the eight pixels across an edge, signed.
func taps(buf []byte, at, step int) (p3, p2, p1, p0, q0, q1, q2, q3 int32) {
	return int32(buf[at-4*step]) - 128, int32(buf[at-3*step]) - 128, int32(buf[at-2*step]) - 128,
		int32(buf[at-step]) - 128, int32(buf[at]) - 128, int32(buf[at+step]) - 128,
		int32(buf[at+2*step]) - 128, int32(buf[at+3*step]) - 128
}

// normalOK is filter_yes of section 15.3: the edge test and every
// interior difference within the interior limit.
func normalOK(f filterInfo, limit, p3, p2, p1, p0, q0, q1, q2, q3 int32) bool {
	il := f.ilimit
	return edgeLimitOK(p1, p0, q0, q1, limit) &&
		abs32(p3-p2) <= il && abs32(p2-p1) <= il && abs32(p1-p0) <= il &&
		abs32(q3-q2) <= il && abs32(q2-q1) <= il && abs32(q1-q0) <= il
}

func highVariance(f filterInfo, p1, p0, q0, q1 int32) bool {
	return abs32(p1-p0) > f.hev || abs32(q1-q0) > f.hev
}

// mbEdge is the macroblock edge filter of section 15.3 over n pixels.
func mbEdge(buf []byte, o, step, pitch, n int, f filterInfo) {
	limit := f.limit + 4
	for i := range n {
		at := o + i*pitch
		p3, p2, p1, p0, q0, q1, q2, q3 := taps(buf, at, step)
		if !normalOK(f, limit, p3, p2, p1, p0, q0, q1, q2, q3) {
			continue
		}
		if highVariance(f, p1, p0, q0, q1) {
			_, np0, nq0 := commonAdjust(true, p1, p0, q0, q1)
			buf[at-step], buf[at] = byte(np0+128), byte(nq0+128)
			continue
		}
		w := clampS8(clampS8(p1-q1) + 3*(q0-p0))
		a := clampS8((27*w + 63) >> 7)
		buf[at-step], buf[at] = byte(clampS8(p0+a)+128), byte(clampS8(q0-a)+128)
		a = clampS8((18*w + 63) >> 7)
		buf[at-2*step], buf[at+step] = byte(clampS8(p1+a)+128), byte(clampS8(q1-a)+128)
		a = clampS8((9*w + 63) >> 7)
		buf[at-3*step], buf[at+2*step] = byte(clampS8(p2+a)+128), byte(clampS8(q2-a)+128)
	}
}

// subEdge is the subblock edge filter of section 15.3 over n pixels.
func subEdge(buf []byte, o, step, pitch, n int, f filterInfo) {
	for i := range n {
		at := o + i*pitch
		p3, p2, p1, p0, q0, q1, q2, q3 := taps(buf, at, step)
		if !normalOK(f, f.limit, p3, p2, p1, p0, q0, q1, q2, q3) {
			continue
		}
		hev := highVariance(f, p1, p0, q0, q1)
		a, np0, nq0 := commonAdjust(hev, p1, p0, q0, q1)
		buf[at-step], buf[at] = byte(np0+128), byte(nq0+128)
		if !hev {
			a = (a + 1) >> 1
			buf[at-2*step], buf[at+step] = byte(clampS8(p1+a)+128), byte(clampS8(q1-a)+128)
		}
	}
}
