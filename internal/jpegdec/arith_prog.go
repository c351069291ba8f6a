package jpegdec

import "math/bits"

// Progressive arithmetic-coded scans (T.81 G.1.3), decoded into the
// coefficient storage laid out by planProgressive exactly as the Huffman
// scans of progscan.go: DC first scans code differences with the
// sequential DC model and point transform Al, DC refinements one bit per
// block with the fixed estimate, AC first scans the values of a band
// with the sequential AC model, and AC refinements a correction bit per
// coefficient already non-zero and the new ones of ±2^Al.

// progressive decodes scan w.s of a progressive frame.
func (w *arithWalk) progressive() error {
	d, s := w.d, w.s
	if s.ss == 0 {
		if s.ah == 0 {
			return w.walk(func(j, bx, by int) error {
				c := &d.comp[s.comp[j]]
				diff, err := w.dcDiff(j)
				c.pred += diff
				c.coefs[(by*c.bw+bx)*c.cstride] = int16(c.pred << s.al)
				return err
			})
		}
		bit := int16(1) << s.al
		return w.walk(func(j, bx, by int) error {
			c := &d.comp[s.comp[j]]
			if w.q.fixed() != 0 {
				c.coefs[(by*c.bw+bx)*c.cstride] |= bit
			}
			return nil
		})
	}
	c := &d.comp[s.comp[0]]
	if band := bandMask(s.ss, s.se); d.k == 1 ||
		!c.outHist && (band&c.stored == 0 || s.ah > 0 && band&^c.stored != 0) {
		// As in progressiveScan: a safeguard the plan never needs.
		d.skipEntropy()
		return nil
	}
	cs, zz := c.cstride, &c.zz
	if s.ah == 0 {
		return w.walk(func(_, bx, by int) error {
			b := by*c.bw + bx
			blk := c.coefs[b*cs : b*cs+cs]
			set, err := w.acValues(0, s.ss, s.se)
			var nz uint64
			for m := set; m != 0; m &= m - 1 {
				z := bits.TrailingZeros64(m)
				v := int16(w.vals[z] << s.al)
				if p := int(zz[z]); p < len(blk) {
					blk[p] = v
				}
				nz |= b2u(v != 0) << z // v can be 0 (int16 overflow on corrupt data)
			}
			if c.nz != nil {
				c.nz[b] |= nz
			}
			return err
		})
	}
	return w.walk(func(_, bx, by int) error {
		b := by*c.bw + bx
		blk := c.coefs[b*cs : b*cs+cs]
		return w.acRefine(blk, d.blockMask(c, blk, b), zz)
	})
}

// acRefine decodes an AC refinement of one block (T.81 G.1.3.3): blk is
// its storage as mapped by zz, nz its mask of non-zero coefficients
// (zig-zag), which new coefficients are added to. Past the last
// coefficient already non-zero (EOBx) each position first codes whether
// the block ends; a coefficient already non-zero then codes its
// correction bit, any other whether it becomes ±2^Al.
func (w *arithWalk) acRefine(blk []int16, nz *uint64, zz *[64]uint8) error {
	s, q := w.s, &w.q
	st := &w.acSt[w.acT[0]]
	p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
	prev := *nz & bandMask(s.ss, s.se)
	eobx := 0
	if prev != 0 {
		eobx = 63 - bits.LeadingZeros64(prev)
	}
	for k := s.ss; k <= s.se; k++ {
		i := 3 * (k - 1)
		if k > eobx && q.decode(&st[i]) != 0 {
			break // end of block
		}
		for {
			if prev&(1<<k) != 0 {
				if q.decode(&st[i+2]) != 0 {
					if p := int(zz[k]); p < len(blk) {
						if blk[p] < 0 {
							blk[p] += m1
						} else {
							blk[p] += p1
						}
					}
				}
				break
			}
			if q.decode(&st[i+1]) != 0 {
				v := p1
				if q.fixed() != 0 {
					v = m1
				}
				if p := int(zz[k]); p < len(blk) {
					blk[p] = v
				}
				*nz |= 1 << k
				break
			}
			i += 3
			if k++; k > s.se {
				return errArithBand
			}
		}
	}
	return nil
}
