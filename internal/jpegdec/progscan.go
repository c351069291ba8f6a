package jpegdec

import "math/bits"

// Decoding of the four kinds of progressive scans (T.81 G.1.2): DC first
// and refinement, AC first and refinement, into the coefficient storage
// laid out by planProgressive (all 64 coefficients at scale 1, the k×k
// zone and a non-zero mask at 1/2 and 1/4).

// progressiveScan decodes one needed progressive scan into coefficients.
func (d *decoder) progressiveScan(s *scan) error {
	if s.ss == 0 {
		if s.ah == 0 {
			if err := checkTables(s, true, false); err != nil {
				return err
			}
			return d.walkScan(s, func(j, bx, by int) error { return d.dcFirst(s, j, bx, by) }, nil, nil)
		}
		if d.ri == 0 {
			return d.dcRefine(s)
		}
		return d.walkScan(s, func(j, bx, by int) error {
			c := &d.comp[s.comp[j]]
			if d.br.bit() {
				c.coefs[(by*c.bw+bx)*c.cstride] |= 1 << s.al
			}
			return nil
		}, nil, nil)
	}
	if err := checkTables(s, false, true); err != nil {
		return err
	}
	c := &d.comp[s.comp[0]]
	if band := bandMask(s.ss, s.se); d.k == 1 ||
		!c.outHist && (band&c.stored == 0 || s.ah > 0 && band&^c.stored != 0) {
		// Nothing to keep, or a refinement without the history of its
		// band. The plan never decodes such scans; this is a safeguard.
		d.skipEntropy()
		return nil
	}
	if c.cstride == 64 {
		return d.acScan(s, c)
	}
	return d.acScanZone(s, c)
}

// acScan decodes an AC scan into full storage (scale 1: all
// coefficients, natural order). The rest of an end-of-band run (see
// walkScan) needs nothing in a first scan and, in a refinement,
// correction bits for the coefficients already non-zero, which the
// non-zero mask lists: a block with none costs one test.
func (d *decoder) acScan(s *scan, c *component) error {
	var run func(bx, by, n int)
	if s.ah > 0 {
		p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
		band := bandMask(s.ss, s.se)
		run = func(bx, by, n int) {
			b0 := by*c.bw + bx
			for i, m := range c.nz[b0 : b0+n] {
				if m&band != 0 {
					d.refineMasked((*[64]int16)(c.coefs[(b0+i)*64:]), m&band, p1, m1)
				}
			}
		}
	} else {
		run = func(_, _, _ int) {}
	}
	return d.walkScan(s, func(_, bx, by int) error {
		b := by*c.bw + bx
		blk := (*[64]int16)(c.coefs[b*64:])
		if s.ah == 0 {
			return d.acFirst(s, blk, &c.nz[b])
		}
		return d.acRefine(s, blk, &c.nz[b])
	}, nil, run)
}

// acScanZone is acScan for zone storage (scales 2 and 4), where the
// non-zero mask lets the rest of a refinement's end-of-band run pass
// every block with nothing to refine in one test. A component without a
// mask (see planProgressive) has it worked out from the block's stored
// values instead, block by block.
func (d *decoder) acScanZone(s *scan, c *component) error {
	cs, zz := c.cstride, &c.zz
	var run func(bx, by, n int)
	if s.ah > 0 {
		p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
		band := bandMask(s.ss, s.se)
		run = func(bx, by, n int) {
			b0 := by*c.bw + bx
			for b := b0; b < b0+n; b++ {
				blk := c.coefs[b*cs : b*cs+cs]
				nz := d.blockMask(c, blk, b)
				if *nz&band != 0 {
					d.refineBandZone(blk, nz, zz, s.ss, s.se, p1, m1)
				}
			}
		}
	} else {
		run = func(_, _, _ int) {}
	}
	return d.walkScan(s, func(_, bx, by int) error {
		b := by*c.bw + bx
		blk := c.coefs[b*cs : b*cs+cs]
		if s.ah == 0 {
			if c.nz == nil {
				return d.acFirstZone(s, blk, &d.nzScratch, zz)
			}
			return d.acFirstZone(s, blk, &c.nz[b], zz)
		}
		return d.acRefineZone(s, blk, d.blockMask(c, blk, b), zz)
	}, nil, run)
}

// blockMask returns the non-zero mask of block b of c (zone storage,
// values blk): its own, or, for a component that keeps none, the
// decoder's scratch mask set from the values.
func (d *decoder) blockMask(c *component, blk []int16, b int) *uint64 {
	if c.nz != nil {
		return &c.nz[b]
	}
	d.nzScratch = c.zoneNonZero(blk)
	return &d.nzScratch
}

// refineMasked applies correction bits to the coefficients of blk in m
// (zig-zag indices, all non-zero) inside an EOB run of a refinement scan.
func (d *decoder) refineMasked(blk *[64]int16, m uint64, p1, m1 int16) {
	for ; m != 0; m &= m - 1 {
		d.refineCoef(&blk[zigzag[bits.TrailingZeros64(m)]], p1, m1)
	}
}

// refineBandZone is refineBand for zone storage: it visits only the
// coefficients nz marks non-zero, in zig-zag order (see acRefineZone).
func (d *decoder) refineBandZone(blk []int16, nz *uint64, zz *[64]uint8, ss, se int, p1, m1 int16) {
	for m := *nz & bandMask(ss, se); m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		if p := int(zz[k]); p < len(blk) {
			d.refineCoef(&blk[p], p1, m1)
		} else {
			d.br.bit() // correction of an unneeded value
		}
	}
}

// dcRefine decodes a DC refinement scan without restart intervals: one
// bit per block in coding order, in a loop of its own (walkScan's calls
// per block cost three times as much; at scale 8 DC scans are all that is
// decoded). Past the end of the data the reader supplies zero bits, which
// change nothing, as walkScan's early end would. It counts work and
// checks the context as walkScan does.
func (d *decoder) dcRefine(s *scan) error {
	d.br = bitReader{data: d.data, pos: d.pos}
	bit := int16(1) << s.al
	unit := int64(blockCost + 1)
	var tk ctxTicker
	if s.n == 1 {
		c := &d.comp[s.comp[0]]
		for by := range c.nbh {
			if by > 0 {
				if err := d.tick(&tk, c.nbw); err != nil {
					return err
				}
			}
			d.work += int64(c.nbw) * unit
			row := c.coefs[by*c.bw*c.cstride:]
			for bx := range c.nbw {
				if d.br.bit() {
					row[bx*c.cstride] |= bit
				}
			}
		}
		d.pos = d.br.pos
		return nil
	}
	perMCU := 0
	for j := range s.n {
		perMCU += d.comp[s.comp[j]].h * d.comp[s.comp[j]].v
	}
	for my := range d.mcusY {
		if my > 0 {
			if err := d.tick(&tk, d.mcusX*perMCU); err != nil {
				return err
			}
		}
		d.work += int64(d.mcusX*perMCU) * unit
		for mx := range d.mcusX {
			for j := range s.n {
				c := &d.comp[s.comp[j]]
				for y := range c.v {
					row := c.coefs[(my*c.v+y)*c.bw*c.cstride:]
					for x := range c.h {
						if d.br.bit() {
							row[(mx*c.h+x)*c.cstride] |= bit
						}
					}
				}
			}
		}
	}
	d.pos = d.br.pos
	return nil
}

// dcFirst decodes the first DC scan value of one block.
func (d *decoder) dcFirst(s *scan, j, bx, by int) error {
	c := &d.comp[s.comp[j]]
	d.br.fill()
	diff, acc, n, err := decodeDC(s.dc[j], d.br.acc, d.br.n)
	if err != nil {
		return err
	}
	d.br.acc, d.br.n = acc, n
	c.pred += diff
	c.coefs[(by*c.bw+bx)*c.cstride] = int16(c.pred << s.al)
	return nil
}

// acFirst decodes a first AC scan (spectral band ss..se) of one block.
func (d *decoder) acFirst(s *scan, blk *[64]int16, nz *uint64) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	var set uint64 // see acFirstZone
	t := s.ac[0]
	for k := s.ss; k <= s.se; {
		rs, ok := d.br.decode(t)
		if !ok {
			return errHuffman
		}
		r, sz := int(rs>>4), uint(rs&15)
		if sz == 0 {
			if r < 15 {
				d.eobrun = 1<<r - 1
				if r > 0 {
					d.eobrun += int(d.br.bits(uint(r)))
				}
				break
			}
			k += 16
			continue
		}
		k += r
		if k > s.se {
			*nz |= set
			return FormatError("AC coefficient outside band")
		}
		v := int16(d.br.receiveExtend(sz) << s.al)
		blk[zigzag[k]] = v
		set |= b2u(v != 0) << k
		k++
	}
	*nz |= set
	return nil
}

// acRefine decodes an AC successive-approximation refinement scan of one
// block (T.81 G.1.2.3).
func (d *decoder) acRefine(s *scan, blk *[64]int16, nz *uint64) error {
	p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
	k := s.ss
	if d.eobrun == 0 {
		t := s.ac[0]
		for k <= s.se {
			rs, ok := d.br.decode(t)
			if !ok {
				return errHuffman
			}
			r, sz := int(rs>>4), rs&15
			var val int16
			switch {
			case sz != 0:
				val = m1
				if d.br.bit() {
					val = p1
				}
			case r != 15:
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(d.br.bits(uint(r)))
				}
				r = 64 // no more new coefficients in this block
			}
			if r == 64 {
				break
			}
			k = d.refineUntil(blk, nz, k, s.se, r, val, p1, m1)
		}
	}
	if d.eobrun > 0 {
		d.refineMasked(blk, *nz&bandMask(k, s.se), p1, m1)
		d.eobrun--
	}
	return nil
}

// refineUntil walks from k applying correction bits to non-zero
// coefficients, skipping r zero-history ones, then places val (if any)
// at the next zero-history position. It returns the next index.
func (d *decoder) refineUntil(blk *[64]int16, nz *uint64, k, se, r int, val, p1, m1 int16) int {
	for ; k <= se; k++ {
		c := &blk[zigzag[k]]
		if *c != 0 {
			d.refineCoef(c, p1, m1)
			continue
		}
		if r == 0 {
			if val != 0 {
				*c = val
				*nz |= 1 << k
			}
			return k + 1
		}
		r--
	}
	return k
}

// acFirstZone is acFirst for zone storage (k < 8): it decodes into blk
// the values zz maps into it and into the mask nz whether the others are
// non-zero.
func (d *decoder) acFirstZone(s *scan, blk []int16, nz *uint64, zz *[64]uint8) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	// The band's mask bits are all zero: the progression rules give each
	// coefficient one first scan. Collect them locally, store once.
	var set uint64
	t := s.ac[0]
	for k := s.ss; k <= s.se; {
		rs, ok := d.br.decode(t)
		if !ok {
			return errHuffman
		}
		r, sz := int(rs>>4), uint(rs&15)
		if sz == 0 {
			if r < 15 {
				d.eobrun = 1<<r - 1
				if r > 0 {
					d.eobrun += int(d.br.bits(uint(r)))
				}
				break
			}
			k += 16
			continue
		}
		k += r
		if k > s.se {
			*nz |= set
			return FormatError("AC coefficient outside band")
		}
		v := int16(d.br.receiveExtend(sz) << s.al)
		if p := int(zz[k]); p < len(blk) {
			blk[p] = v
		}
		set |= b2u(v != 0) << k // v can be 0 (int16 overflow on corrupt data)
		k++
	}
	*nz |= set
	return nil
}

// acRefineZone is acRefine for zone storage (k < 8): values in blk as
// mapped by zz, the others tracked as non-zero or not in nz. The symbol
// decoding is written out in both on purpose: moved into a shared method
// it is not inlined, and full-scale progressive decodes measured 15-30%
// slower (go test -bench 'BenchmarkCorpus/.*/scale=1$' ./internal/jpegdec/).
func (d *decoder) acRefineZone(s *scan, blk []int16, nz *uint64, zz *[64]uint8) error {
	p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
	k := s.ss
	if d.eobrun == 0 {
		t := s.ac[0]
		for k <= s.se {
			rs, ok := d.br.decode(t)
			if !ok {
				return errHuffman
			}
			r, sz := int(rs>>4), rs&15
			var val int16
			switch {
			case sz != 0:
				val = m1
				if d.br.bit() {
					val = p1
				}
			case r != 15:
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(d.br.bits(uint(r)))
				}
				r = 64 // no more new coefficients in this block
			}
			if r == 64 {
				break
			}
			k = d.refineUntilZone(blk, nz, zz, k, s.se, r, val, p1, m1)
		}
	}
	if d.eobrun > 0 {
		d.refineBandZone(blk, nz, zz, k, s.se, p1, m1)
		d.eobrun--
	}
	return nil
}

// refineUntilZone is refineUntil for zone storage (see acRefineZone).
// Outside the zone a correction only changes the value, never whether it
// is zero (|p1| <= 2^13, so no int16 overflow reaches 0): the bit is read
// and dropped.
func (d *decoder) refineUntilZone(blk []int16, nz *uint64, zz *[64]uint8, k, se, r int, val, p1, m1 int16) int {
	for ; k <= se; k++ {
		p := int(zz[k])
		if p >= len(blk) {
			if *nz&(1<<k) != 0 {
				d.br.bit()
				continue
			}
			if r == 0 {
				if val != 0 {
					*nz |= 1 << k
				}
				return k + 1
			}
			r--
			continue
		}
		c := &blk[p]
		if *c != 0 {
			d.refineCoef(c, p1, m1)
			continue
		}
		if r == 0 {
			if val != 0 {
				*c = val
				*nz |= 1 << k
			}
			return k + 1
		}
		r--
	}
	return k
}

// refineCoef applies one correction bit to a non-zero coefficient.
func (d *decoder) refineCoef(c *int16, p1, m1 int16) {
	if *c == 0 || !d.br.bit() || *c&p1 != 0 {
		return
	}
	if *c >= 0 {
		*c += p1
	} else {
		*c += m1
	}
}

// b2u converts a bool to 0 or 1.
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
