package jpegdec

import "math/bits"

// Progressive decoding (T.81 G.1.2) with scan skipping: at scale 1/s only
// coefficients in the top-left k×k corner (k = 8/s) of each block reach
// the output. A scan is needed if its band touches a needed coefficient;
// a needed refinement scan also needs the history (earlier scans) of its
// whole band, because its correction bits are interleaved per non-zero
// coefficient. Unneeded scans are skipped by jumping to the next marker.
//
// Options.Approximate (scales 2 and 4) drops that history requirement:
// see planApproximate.
//
// Coefficient storage: only the values of the k×k zone of every block
// are stored (1, 4, 16 or 64 int16). AC first scans whose band straddles
// the zone are still entropy-decoded whole, but only their in-zone
// values are kept. Decoding a refinement scan over coefficients outside
// the zone (exact decodes at 1/2 and 1/4) needs their history, but only
// whether each is non-zero, not its value: the scan sends a correction
// bit for every non-zero coefficient and codes new ones as runs of
// zero-history ones. For such components a 64-bit mask per block records
// which coefficients outside the zone are non-zero (8 bytes instead of
// 2 per coefficient). Approximate decodes and decodes at 1/8 never
// refine outside the zone and store no mask.

// zoneMask returns the set of zig-zag indices inside the k×k corner.
func zoneMask(k int) uint64 {
	var m uint64
	for i := range 64 {
		n := int(zigzag[i])
		if n/8 < k && n%8 < k {
			m |= 1 << i
		}
	}
	return m
}

// bandMask returns the set of zig-zag indices ss..se.
func bandMask(ss, se int) uint64 {
	return (^uint64(0) >> (63 - se)) &^ (1<<ss - 1)
}

// scanInfo is the part of a scan header the need analysis uses.
type scanInfo struct {
	comps uint8 // bit i: frame component i
	band  uint64
	ah    int
	al    int
}

// planProgressive decides which scans to decode and allocates
// coefficient storage.
func (d *decoder) planProgressive() error {
	zone := zoneMask(d.k)
	for i := range d.ncomp {
		d.comp[i].need = zone
	}
	if d.k == 2 || d.k == 4 {
		scans := d.collectScans()
		d.needed = make([]bool, len(scans))
		if d.approx {
			d.planApproximate(scans, zone)
		}
		for i := len(scans) - 1; i >= 0 && !d.approx; i-- {
			s := &scans[i]
			for ci := range d.ncomp {
				if s.comps&(1<<ci) != 0 && s.band&d.comp[ci].need != 0 {
					d.needed[i] = true
				}
			}
			if d.needed[i] && s.ah > 0 {
				for ci := range d.ncomp {
					if s.comps&(1<<ci) != 0 {
						d.comp[ci].need |= s.band
					}
				}
			}
		}
	}
	for i := range d.ncomp {
		c := &d.comp[i]
		c.setStorage(d.k)
		nb := c.bw * c.bh
		c.coefs = make([]int16, nb*c.cstride)
		// Exact refinement outside the zone: its history is needed.
		c.outHist = d.k > 1 && c.need&^zone != 0
		if d.k == 8 || c.outHist {
			// Zone storage without outside history needs no mask: the
			// stored values say which are non-zero (see zoneNonZero).
			c.nz = make([]uint64, nb)
		}
	}
	return nil
}

// zoneNonZero returns the mask of zig-zag indices of blk, zone storage
// of c, whose stored value is non-zero: for a component that keeps no
// non-zero mask (no refinement outside the zone is decoded), all that
// refinement scans need, since a correction never makes a non-zero
// coefficient zero.
func (c *component) zoneNonZero(blk []int16) uint64 {
	var m uint64
	for z := c.stored; z != 0; z &= z - 1 {
		k := bits.TrailingZeros64(z)
		m |= b2u(blk[c.zz[k]] != 0) << k
	}
	return m
}

// noCoef marks a zig-zag index whose value is not stored.
const noCoef = 0xFF

// setStorage lays out the coefficients of c to keep the top-left k×k
// corner of every block, row-major.
func (c *component) setStorage(k int) {
	c.crow, c.cstride, c.stored = k, k*k, 0
	for z := range 64 {
		y, x := int(zigzag[z])/8, int(zigzag[z])%8
		c.zz[z] = noCoef
		if y < k && x < k {
			c.zz[z] = uint8(y*k + x)
			c.stored |= 1 << z
		}
	}
}

// coef returns the stored coefficient at row y, column x (natural
// frequency order, inside the zone) of block b.
func (c *component) coef(b, y, x int) int16 {
	return c.coefs[b*c.cstride+y*c.crow+x]
}

// planApproximate fills d.needed for Options.Approximate and records in
// approxAl the precision of coefficients whose refinement is skipped.
// Walking the scans in file order, it decodes
//
//   - every DC scan (first and refinement; they are small and exact);
//   - every AC first scan (Ah=0) whose band meets the zone;
//   - an AC refinement scan (Ah>0) only if its band lies inside the zone
//     and no earlier scan over its band was skipped: a refinement codes
//     its new coefficients as runs over the coefficients that are still
//     zero, so decoding it needs the exact history of its whole band.
//
// A skipped scan breaks the history of its band for good (later
// refinements over it are skipped too), so a coefficient's value is known
// to the Al of the last scan decoded over it; reconstruct places such
// values at the middle of their uncertainty interval (approxOffset).
func (d *decoder) planApproximate(scans []scanInfo, zone uint64) {
	var broken [4]uint64   // per component: zig-zag indices with a skipped scan
	var known [4][64]uint8 // per component, zig-zag order: Al of the last decoded scan
	for i, s := range scans {
		var brk uint64
		for ci := range d.ncomp {
			if s.comps&(1<<ci) != 0 {
				brk |= broken[ci]
			}
		}
		need := s.band&1 != 0 || // DC scan
			s.ah == 0 && s.band&zone != 0 ||
			s.ah > 0 && s.band&^zone == 0 && s.band&brk == 0
		d.needed[i] = need
		for ci := range d.ncomp {
			if s.comps&(1<<ci) == 0 {
				continue
			}
			if !need {
				broken[ci] |= s.band
				continue
			}
			broken[ci] &^= s.band // a first scan starts a fresh history
			for z := range 64 {
				if s.band&(1<<z) != 0 {
					known[ci][z] = uint8(s.al)
				}
			}
		}
	}
	for ci := range d.ncomp {
		c := &d.comp[ci]
		for z := 1; z < 64; z++ {
			if broken[ci]&zone&(1<<z) != 0 {
				c.approxAl[zigzag[z]] = known[ci][z]
			}
		}
	}
}

// approxOffset is the magnitude added to a non-zero dequantised
// coefficient v·q whose value is known only to precision 2^al (its
// refinement scans were skipped). Successive approximation transmits the
// magnitude of an AC coefficient truncated toward zero (T.81 A.4: for AC
// coefficients the point transform is an integer division by 2^Al, not an
// arithmetic shift; G.1.2.3 then sends the lower bits), so a decoded
// v = ±(m<<al) with m > 0 stands for a true magnitude in
// [m·2^al, m·2^al + 2^al − 1]; the middle of that interval is
// (m<<al) + (2^al − 1)/2. A zero stands for a value in
// [−(2^al − 1), 2^al − 1], whose middle is 0, so zeros stay zero. In the
// dequantised domain the offset is (2^al − 1)·q/2, truncated (rounding
// it up, or adding no offset, measured slightly worse on the corpus: AC
// magnitudes are more likely near the low end of their interval).
func approxOffset(al uint8, q int32) int32 {
	return ((1<<al - 1) * q) / 2
}

// collectScans reads all remaining scan headers without decoding.
func (d *decoder) collectScans() []scanInfo {
	w := walker{data: d.data, pos: d.pos}
	var out []scanInfo
	for {
		m, err := w.nextMarker()
		if err != nil || m == mEOI {
			return out
		}
		if m == mSOI || m == 0x01 || m >= mRST0 && m <= mRST7 {
			continue
		}
		p, err := w.segment()
		if err != nil {
			return out
		}
		if m != mSOS {
			continue
		}
		if len(p) < 1 || len(p) != 4+2*int(p[0]) {
			return out
		}
		var si scanInfo
		for j := range int(p[0]) {
			for ci := range d.ncomp {
				if d.comp[ci].id == p[1+2*j] {
					si.comps |= 1 << ci
				}
			}
		}
		q := p[1+2*int(p[0]):]
		ss, se := int(q[0]), int(q[1])
		if ss > se || se > 63 {
			return out
		}
		si.band, si.ah, si.al = bandMask(ss, se), int(q[2]>>4), int(q[2]&15)
		out = append(out, si)
		w.skipEntropy()
	}
}

// scanNeeded reports whether scan number index must be decoded.
func (d *decoder) scanNeeded(s *scan, index int) bool {
	if d.needed != nil {
		return index >= len(d.needed) || d.needed[index]
	}
	if d.k == 1 {
		return s.ss == 0
	}
	return true
}

// dequant is a component's dequantisation for reconstruct: the
// quantiser and the Approximate offsets (see approxOffset), natural order.
type dequant struct {
	q, off [64]int32
	approx bool
}

// setDequant fills dq from c's quantiser and approxAl.
func (c *component) setDequant(dq *dequant) {
	for z := range 64 {
		dq.q[zigzag[z]] = c.q[z]
	}
	for n, al := range c.approxAl {
		if al > 0 {
			dq.off[n], dq.approx = approxOffset(al, dq.q[n]), true
		}
	}
}

// reconstruct dequantises stored coefficients and writes every block;
// for a converted frame (color.go) one MCU row at a time. It checks the
// context as scans do (see tick).
func (d *decoder) reconstruct() error {
	var dq [4]dequant // on the stack: no allocation
	for i := range d.ncomp {
		d.comp[i].setDequant(&dq[i])
	}
	var tk ctxTicker
	if d.band {
		perMCU := 0
		for i := range d.ncomp {
			perMCU += d.comp[i].h * d.comp[i].v
		}
		for my := range d.mcusY {
			if my > 0 {
				if err := d.tick(&tk, d.mcusX*perMCU); err != nil {
					return err
				}
			}
			for i := range d.ncomp {
				c := &d.comp[i]
				for y := range c.v {
					d.reconstructRow(c, &dq[i], my*c.v+y, y)
				}
			}
			d.convertBand(my)
		}
		return nil
	}
	for i := range d.ncomp {
		c := &d.comp[i]
		for by := range c.bh {
			if by > 0 {
				if err := d.tick(&tk, c.bw); err != nil {
					return err
				}
			}
			d.reconstructRow(c, &dq[i], by, by)
		}
	}
	return nil
}

// reconstructRow writes block row by of c into plane block row py.
func (d *decoder) reconstructRow(c *component, dq *dequant, by, py int) {
	k := d.k
	blk := &d.blk
	qn, off := &dq.q, &dq.off
	for bx := range c.bw {
		b := (by*c.bw + bx) * c.cstride
		if k == 1 {
			c.plane[py*c.stride+bx] = dcSample(int32(c.coefs[b]) * qn[0])
			continue
		}
		src := c.coefs[b : b+c.cstride]
		for y := range k {
			row := src[y*c.crow:][:k]
			for x, v := range row {
				blk[y*8+x] = int32(v) * qn[y*8+x]
			}
		}
		if dq.approx {
			for y := range k {
				for x := range k {
					n := y*8 + x
					switch v := src[y*c.crow+x]; {
					case v > 0:
						blk[n] += off[n]
					case v < 0:
						blk[n] -= off[n]
					}
				}
			}
		}
		idctScaled(k, blk, c.plane[(py*c.stride+bx)*k:], c.stride)
	}
}
