package jpegenc

import "math/bits"

// bitWriter appends entropy-coded bits to buf, inserting a 0x00 after
// every 0xFF byte (T.81 B.1.1.5).
type bitWriter struct {
	buf []byte
	acc uint64 // pending bits, the last n bits of acc
	n   uint
}

// write appends the low n bits of v (n <= 32).
func (w *bitWriter) write(v uint32, n uint) {
	w.acc = w.acc<<n | uint64(v)
	w.n += n
	if w.n >= 32 {
		w.n -= 32
		x := uint32(w.acc >> w.n)
		if y := ^x; (y-0x01010101)&^y&0x80808080 == 0 { // no 0xFF byte
			w.buf = append(w.buf, byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
			return
		}
		for s := 24; s >= 0; s -= 8 {
			b := byte(x >> s)
			w.buf = append(w.buf, b)
			if b == 0xFF {
				w.buf = append(w.buf, 0)
			}
		}
	}
}

// flush pads the last byte with 1 bits and writes all pending bits.
func (w *bitWriter) flush() {
	pad := (8 - w.n%8) % 8
	w.write(1<<pad-1, pad)
	for w.n >= 8 {
		w.n -= 8
		b := byte(w.acc >> w.n)
		w.buf = append(w.buf, b)
		if b == 0xFF {
			w.buf = append(w.buf, 0)
		}
	}
	w.acc = 0
}

// scan is one scan of the encoding script: components (indices into the
// frame's components) and the spectral band Ss..Se. Ah=Al=0 always.
type scan struct {
	comps  []int
	ss, se int
}

// coder entropy-codes scans. With counting set it only gathers symbol
// statistics into the tables; otherwise it writes with their codes.
type coder struct {
	bitWriter
	counting bool
	comps    []component
	dc, ac   [2]*huffTable // indexed by table slot
	eobrun   int
}

// emit codes symbol s followed by the n extra bits v.
func (c *coder) emit(t *huffTable, s uint8, v uint32, n uint) {
	if c.counting {
		t.freq[s]++
		return
	}
	c.write(uint32(t.code[s])<<n|v, uint(t.size[s])+n)
}

// magnitude returns the size category of v and its extra bits (T.81
// F.1.2.1: negative values are coded as v-1 in the low bits).
func magnitude(v int32) (uint, uint32) {
	a := v
	if v < 0 {
		a, v = -v, v-1
	}
	n := uint(bits.Len32(uint32(a)))
	return n, uint32(v) & (1<<n - 1)
}

// slot returns the Huffman table slot of a component: 0 luma, 1 chroma.
func slot(ci int) int { return min(ci, 1) }

// encodeScan codes one scan (counting or writing) and, when writing, pads
// its last byte.
func (c *coder) encodeScan(s scan) {
	var pred [3]int32
	code := func(ci int, b *[64]int16, nz uint64) {
		if s.ss == 0 {
			d := int32(b[0]) - pred[ci]
			pred[ci] = int32(b[0])
			n, v := magnitude(d)
			c.emit(c.dc[slot(ci)], uint8(n), v, n)
			if s.se == 63 {
				c.sequentialAC(c.ac[slot(ci)], b, nz)
			}
			return
		}
		c.progressiveAC(c.ac[slot(ci)], b, nz, s.ss, s.se)
	}
	if len(s.comps) == 1 { // non-interleaved: the component's own grid
		ci := s.comps[0]
		comp := &c.comps[ci]
		for by := range comp.nbh {
			for bx := range comp.nbw {
				b, nz := comp.block(bx, by)
				code(ci, b, nz)
			}
		}
	} else { // interleaved: MCU by MCU
		first := &c.comps[s.comps[0]]
		mw, mh := first.bw/first.hs, first.bh/first.vs
		for my := range mh {
			for mx := range mw {
				for _, ci := range s.comps {
					comp := &c.comps[ci]
					for v := range comp.vs {
						for h := range comp.hs {
							b, nz := comp.block(mx*comp.hs+h, my*comp.vs+v)
							code(ci, b, nz)
						}
					}
				}
			}
		}
	}
	c.flushEOBRun(c.ac[slot(s.comps[0])])
	if !c.counting {
		c.flush()
	}
}

// sequentialAC codes the AC coefficients of a baseline block (F.1.2.2).
// nz has bit k set for every non-zero coefficient k; zero runs are skipped
// through it.
func (c *coder) sequentialAC(t *huffTable, b *[64]int16, nz uint64) {
	nz &^= 1  // DC
	prev := 0 // index of the last coded coefficient
	for nz != 0 {
		k := bits.TrailingZeros64(nz)
		nz &= nz - 1
		run := k - prev - 1
		for run >= 16 {
			c.emit(t, 0xF0, 0, 0) // ZRL
			run -= 16
		}
		n, v := magnitude(int32(b[k]))
		c.emit(t, uint8(run<<4)|uint8(n), v, n)
		prev = k
	}
	if prev < 63 {
		c.emit(t, 0x00, 0, 0) // EOB
	}
}

// progressiveAC codes band ss..se of a block in a first AC scan with
// Al=0 (G.1.2.2), accumulating blocks that end in zeros into EOB runs.
func (c *coder) progressiveAC(t *huffTable, b *[64]int16, nz uint64, ss, se int) {
	nz &= (2<<se - 1) &^ (1<<ss - 1) // the band
	prev := ss - 1
	for nz != 0 {
		k := bits.TrailingZeros64(nz)
		nz &= nz - 1
		if c.eobrun > 0 {
			c.flushEOBRun(t)
		}
		run := k - prev - 1
		for run >= 16 {
			c.emit(t, 0xF0, 0, 0) // ZRL
			run -= 16
		}
		n, v := magnitude(int32(b[k]))
		c.emit(t, uint8(run<<4)|uint8(n), v, n)
		prev = k
	}
	if prev < se {
		c.eobrun++
		if c.eobrun == 0x7FFF { // largest run EOB14 can code
			c.flushEOBRun(t)
		}
	}
}

// flushEOBRun codes the pending EOB run as EOBn plus n extra bits.
func (c *coder) flushEOBRun(t *huffTable) {
	if c.eobrun == 0 {
		return
	}
	n := uint(bits.Len(uint(c.eobrun))) - 1
	c.emit(t, uint8(n<<4), uint32(c.eobrun)&(1<<n-1), n)
	c.eobrun = 0
}
