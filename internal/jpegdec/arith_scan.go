package jpegdec

import "math/bits"

// Arithmetic-coded scans (SOF9 sequential, SOF10 progressive): the
// statistical models of T.81 F.1.4.4 (DC differences and AC values) and
// the walk over a scan's blocks with its restart intervals. The
// progressive procedures of G.1.3 are in arith_prog.go.

// arithConf is the conditioning of the arithmetic statistical models,
// set by DAC segments (T.81 B.2.4.3); the zero value is "no DAC seen":
// every table has the defaults L = 0, U = 1 and Kx = 5.
type arithConf struct {
	on    bool     // the frame is arithmetic-coded (SOF9, SOF10)
	dc    [4]uint8 // DC table t: Cs = U<<4 | L, if dcSet[t]
	ac    [4]uint8 // AC table t: Kx, if acSet[t]
	dcSet [4]bool
	acSet [4]bool
}

// dcBounds returns the conditioning bounds L and U of DC table t.
func (a *arithConf) dcBounds(t uint8) (l, u uint8) {
	if !a.dcSet[t] {
		return 0, 1
	}
	return a.dc[t] & 15, a.dc[t] >> 4
}

// kx returns the conditioning threshold Kx of AC table t.
func (a *arithConf) kx(t uint8) int {
	if !a.acSet[t] {
		return 5
	}
	return int(a.ac[t])
}

// parseDAC reads a DAC segment: pairs of Tc<<4 | Tb and the
// conditioning value Cs, with Tc 0 (DC: L = Cs&15 <= U = Cs>>4) or 1
// (AC: 1 <= Kx = Cs <= 63) and Tb 0..3.
func (a *arithConf) parseDAC(p []byte) error {
	if len(p) == 0 || len(p)%2 != 0 {
		return FormatError("bad DAC length")
	}
	for ; len(p) > 0; p = p[2:] {
		tc, tb, cs := p[0]>>4, p[0]&15, p[1]
		switch {
		case tc > 1 || tb > 3:
			return FormatError("bad DAC table")
		case tc == 0 && cs&15 > cs>>4:
			return FormatError("bad DAC DC conditioning (L > U)")
		case tc == 1 && (cs < 1 || cs > 63):
			return FormatError("bad DAC AC conditioning (Kx)")
		case tc == 0:
			a.dc[tb], a.dcSet[tb] = cs, true
		default:
			a.ac[tb], a.acSet[tb] = cs, true
		}
	}
	return nil
}

// Statistics areas of T.81 F.1.4.4: per DC table 49 bins (S0, SS, SP
// and SN for each of the five contexts of the previous difference, then
// X1..X15 and M2..M15), per AC table 245 (SE, S0 and SP/SN/X1 for each
// of the 63 positions, then X2..X15 and M2..M15 below and above Kx).
const (
	dcBins = 64  // 49 used
	acBins = 256 // 245 used
	dcX1   = 20  // first magnitude-category bin of a DC table
	acXLow = 189 // X2 of an AC table for k <= Kx
	acXHi  = 217 // X2 of an AC table for k > Kx
	xToM   = 14  // from a category bin Xn to its magnitude-bit bin Mn
)

var (
	errArithBand      = FormatError("arithmetic: AC coefficient outside band")
	errArithMagnitude = FormatError("arithmetic: magnitude category too large")
	errArithTable     = FormatError("arithmetic: bad conditioning table selector")
)

// arithWalk is the state of one arithmetic-coded scan: the decoder, the
// statistics of the tables (reset at the start of the scan and of every
// restart interval), and per scan slot its tables, conditioning and the
// DC context (the class of the previous DC difference: 0 zero, 4 small
// positive, 8 small negative, 12 large positive, 16 large negative).
type arithWalk struct {
	d      *decoder
	s      *scan
	q      qmDecoder
	dcSt   [4][dcBins]uint8
	acSt   [4][acBins]uint8
	dcT    [4]uint8
	acT    [4]uint8
	dcCtx  [4]uint8
	lo, hi [4]int32 // DC: zero class if the magnitude m < lo, large if m > hi
	kx     [4]int
	vals   [64]int32 // AC values of the block being decoded, zig-zag order
}

// newArithWalk sets up the decoding of scan s from its table selectors.
func (d *decoder) newArithWalk(s *scan) (*arithWalk, error) {
	w := &arithWalk{d: d, s: s}
	for j := range s.n {
		td, ta := s.tbl[j]>>4, s.tbl[j]&15
		if td > 3 || ta > 3 {
			return nil, errArithTable
		}
		w.dcT[j], w.acT[j] = td, ta
		l, u := d.arith.dcBounds(td)
		w.lo[j], w.hi[j] = int32(1)<<l>>1, int32(1)<<u>>1
		w.kx[j] = d.arith.kx(ta)
	}
	return w, nil
}

// reset clears the statistics, DC contexts and predictions (scan start
// and restart).
func (w *arithWalk) reset() {
	w.dcSt = [4][dcBins]uint8{}
	w.acSt = [4][acBins]uint8{}
	w.dcCtx = [4]uint8{}
	w.d.resetPredictors()
}

// walk calls fn for every block of the scan in coding order, restarting
// the decoder at every restart interval, counting work and checking the
// context as walkScan does. Data past a marker or the end of the input
// reads as zeros (T.81 D.2.6: an encoder may drop trailing zero bytes),
// so a truncated scan ends in whatever those decode to.
func (w *arithWalk) walk(fn blockFunc) error {
	d, s := w.d, w.s
	w.q.init(d.data, d.pos)
	w.reset()
	unit := int64(blockCost + s.se - s.ss + 1)
	mcu := 0
	next := func() {
		if d.ri > 0 && mcu > 0 && mcu%d.ri == 0 {
			br := bitReader{data: d.data, pos: w.q.pos}
			br.restart()
			w.q.init(d.data, br.pos)
			w.reset()
		}
		mcu++
	}
	var tk ctxTicker
	var err error
	if s.n == 1 {
		c := &d.comp[s.comp[0]]
		for by := 0; by < c.nbh && err == nil; by++ {
			if by > 0 {
				if err = d.tick(&tk, c.nbw); err != nil {
					break
				}
			}
			d.work += int64(c.nbw) * unit
			for bx := 0; bx < c.nbw && err == nil; bx++ {
				next()
				err = fn(0, bx, by)
			}
		}
	} else {
		perMCU := 0
		for j := range s.n {
			perMCU += d.comp[s.comp[j]].h * d.comp[s.comp[j]].v
		}
		for my := 0; my < d.mcusY && err == nil; my++ {
			if my > 0 {
				if err = d.tick(&tk, d.mcusX*perMCU); err != nil {
					break
				}
			}
			d.work += int64(d.mcusX*perMCU) * unit
			for mx := 0; mx < d.mcusX && err == nil; mx++ {
				next()
				err = d.mcu(s, fn, mx, my)
			}
			if d.band && !d.progressive && err == nil {
				d.convertBand(my)
			}
		}
	}
	d.pos = w.q.pos
	return err
}

// dcDiff decodes the DC difference of the block in scan slot j (T.81
// F.1.4.4.1) and updates the slot's DC context.
func (w *arithWalk) dcDiff(j int) (int32, error) {
	st, q := &w.dcSt[w.dcT[j]], &w.q
	c := int(w.dcCtx[j])
	if q.decode(&st[c]) == 0 {
		w.dcCtx[j] = 0
		return 0, nil
	}
	sign := q.decode(&st[c+1])
	i := c + 2 + sign
	var m int32
	if q.decode(&st[i]) != 0 {
		m, i = 1, dcX1
		for q.decode(&st[i]) != 0 {
			if m <<= 1; m == 0x8000 {
				return 0, errArithMagnitude
			}
			i++
		}
	}
	switch {
	case m < w.lo[j]:
		w.dcCtx[j] = 0
	case m > w.hi[j]:
		w.dcCtx[j] = 12 + 4*uint8(sign)
	default:
		w.dcCtx[j] = 4 + 4*uint8(sign)
	}
	return q.value(st[i+xToM:], m, sign != 0), nil
}

// value decodes the bits below the top one of magnitude category m
// (T.81 F.1.4.4.1.2: one decision each, all in statistics bin st[0]) and
// returns the value they code, negated if neg.
func (q *qmDecoder) value(st []uint8, m int32, neg bool) int32 {
	v := m
	for m > 1 {
		m >>= 1
		if q.decode(&st[0]) != 0 {
			v |= m
		}
	}
	v++
	if neg {
		v = -v
	}
	return v
}

// acValues decodes the AC values ss..se of the block in scan slot j
// (T.81 F.1.4.4.2; G.1.3.2 for a band) into w.vals, zig-zag order, and
// returns the set of indices it wrote (all non-zero).
func (w *arithWalk) acValues(j, ss, se int) (uint64, error) {
	st, q, kx := &w.acSt[w.acT[j]], &w.q, w.kx[j]
	var set uint64
	for k := ss; k <= se; k++ {
		i := 3 * (k - 1)
		if q.decode(&st[i]) != 0 {
			break // end of block
		}
		for q.decode(&st[i+1]) == 0 {
			i += 3
			if k++; k > se {
				return set, errArithBand
			}
		}
		sign := q.fixed()
		i += 2
		var m int32
		if q.decode(&st[i]) != 0 {
			m = 1
			if q.decode(&st[i]) != 0 {
				m, i = 2, acXLow
				if k > kx {
					i = acXHi
				}
				for q.decode(&st[i]) != 0 {
					if m <<= 1; m == 0x8000 {
						return set, errArithMagnitude
					}
					i++
				}
			}
		}
		w.vals[k] = q.value(st[i+xToM:], m, sign != 0)
		set |= 1 << k
	}
	return set, nil
}

// arithScan decodes one needed arithmetic-coded scan.
func (d *decoder) arithScan(s *scan) error {
	w, err := d.newArithWalk(s)
	if err != nil {
		return err
	}
	if d.progressive {
		return w.progressive()
	}
	k, band := d.k, d.band
	return w.walk(func(j, bx, by int) error {
		c := &d.comp[s.comp[j]]
		if band {
			by %= c.v // the planes hold one MCU row
		}
		diff, err := w.dcDiff(j)
		if err != nil {
			return err
		}
		c.pred += diff
		set, err := w.acValues(j, 1, 63)
		if err != nil {
			return err
		}
		if k == 1 {
			c.plane[by*c.stride+bx] = dcSample(c.pred * c.q[0])
			return nil
		}
		blk := &d.blk
		blk[0] = c.pred * c.q[0]
		for m := set; m != 0; m &= m - 1 {
			z := bits.TrailingZeros64(m)
			blk[zigzag[z]] = w.vals[z] * c.q[z]
		}
		idctScaled(k, blk, c.plane[(by*c.stride+bx)*k:], c.stride)
		*blk = [64]int32{}
		return nil
	})
}

// b2i converts a bool to 0 or 1.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
