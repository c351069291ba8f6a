package resample

import "math/bits"

// Box pre-reduction ("shrink"): when the reduction factor of an axis is
// large, the kernel needs support*scale taps per output sample. Averaging
// integer blocks of f input samples first is much cheaper and leaves a
// remaining factor of at least shrinkGap for the real kernel, which then
// still removes the aliasing the box filter lets through.

// shrinkGap is the smallest reduction factor left for the kernel after a
// box pre-reduction: f = floor(scale / shrinkGap), so the kernel reduces
// by a factor in [shrinkGap, 2*shrinkGap).
const shrinkGap = 2.5 // 2.0 scored 52 instead of 56 dB at 1920 -> 150

// maxShrink bounds the box factor: 255*255*maxShrink^2 < 2^31.
const maxShrink = 128

// shrinkFactor returns the integer box pre-reduction factor for an axis
// reduced by scale (input samples per output sample).
// It is capped at maxShrink so that block sums fit the int32 accumulators.
func shrinkFactor(scale float64) int {
	return min(maxShrink, max(1, int(scale/shrinkGap)))
}

// boxShrink averages blocks of fx x fy pixels of src into rows [y0, y1) of
// dst (dst.w = ceil(src.w/fx), dst.h = ceil(src.h/fy); blocks at the right
// and bottom edges may be partial). With premul, src is non-premultiplied
// RGBA and dst receives premultiplied RGBA. Rows are first summed
// vertically per input column, then per block horizontally.
func boxShrink(src, dst plane, fx, fy int, premul bool, y0, y1 int) {
	cp, bp := getInts(src.w*src.ch), getInts(dst.w*dst.ch)
	defer intPool.Put(cp)
	defer intPool.Put(bp)
	cols, acc := *cp, *bp
	for y := y0; y < y1; y++ {
		clear(cols)
		r0, r1 := y*fy, min(y*fy+fy, src.h)
		for r := r0; r < r1; r++ {
			if premul {
				addPremul(cols, src.row(r))
			} else {
				addRow(cols, src.row(r))
			}
		}
		sumBlocks(acc, cols, fx, src.ch)
		finishRow(acc, dst.row(y), dst.ch, r1-r0, fx, src.w, premul)
	}
}

func addRow(cols []int32, row []byte) {
	row = row[:len(cols)]
	for i, v := range row {
		cols[i] += int32(v)
	}
}

func addPremul(cols []int32, row []byte) {
	for len(cols) >= 4 && len(row) >= 4 {
		a := int32(row[3])
		cols[0] += int32(row[0]) * a
		cols[1] += int32(row[1]) * a
		cols[2] += int32(row[2]) * a
		cols[3] += a
		cols, row = cols[4:], row[4:]
	}
}

// sumBlocks sums runs of fx pixels (ch values each) of cols into acc.
func sumBlocks(acc, cols []int32, fx, ch int) {
	if fx == 1 {
		copy(acc, cols)
		return
	}
	if ch == 1 {
		for ox := range acc {
			s := int32(0)
			for _, v := range cols[min(ox*fx, len(cols)):min(ox*fx+fx, len(cols))] {
				s += v
			}
			acc[ox] = s
		}
		return
	}
	for ox := 0; ox+3 < len(acc); ox += 4 {
		blk := cols[min(ox*fx, len(cols)):min((ox+4)*fx, len(cols))]
		var r, g, b, a int32
		for len(blk) >= 4 {
			r, g, b, a = r+blk[0], g+blk[1], b+blk[2], a+blk[3]
			blk = blk[4:]
		}
		o := acc[ox : ox+4 : ox+4]
		o[0], o[1], o[2], o[3] = r, g, b, a
	}
}

// finishRow divides the block sums of acc by the block pixel counts
// (colour sums of premultiplied rows also by 255), rounding to nearest.
func finishRow(acc []int32, out []byte, ch, rows, fx, inW int, premul bool) {
	n := len(acc) / ch
	split := (n - 1) * ch
	divideRow(acc[:split], out[:split], ch, rows*fx, premul)
	divideRow(acc[split:], out[split:len(acc)], ch, rows*(inW-(n-1)*fx), premul)
}

func divideRow(acc []int32, out []byte, ch, count int, premul bool) {
	da, dc := newDivider(count), newDivider(count)
	if premul {
		dc = newDivider(255 * count)
	}
	out = out[:len(acc)]
	if ch == 1 {
		for i, v := range acc {
			out[i] = da.div(v)
		}
		return
	}
	for i := 0; i+3 < len(acc) && i+3 < len(out); i += 4 {
		a, o := acc[i:i+4:i+4], out[i:i+4:i+4]
		o[0], o[1], o[2], o[3] = dc.div(a[0]), dc.div(a[1]), dc.div(a[2]), da.div(a[3])
	}
}

// divider divides non-negative int32 values by a constant d, rounding to
// nearest, exactly (round-up multiplier method for 31-bit dividends).
type divider struct {
	m    uint64
	s    uint
	half uint64
}

func newDivider(d int) divider {
	s := 31 + uint(bits.Len(uint(d-1)))
	return divider{m: (1<<s + uint64(d) - 1) / uint64(d), s: s, half: uint64(d / 2)}
}

func (q divider) div(v int32) uint8 {
	return uint8(((uint64(v) + q.half) * q.m) >> q.s)
}
