package jpegdec

import (
	"math"
)

// A tiny test-only JPEG encoder for frames no common tool writes on
// demand: any component count, ids and sampling factors, with or without
// Adobe/JFIF markers and DHT, sequential (interleaved or not) or
// progressive with spectral selection. It codes with the Annex K tables
// (stdhuff.go) and a flat quantiser, so q=1 is nearly lossless.

// encComp is one component: its full-resolution samples (w*h), id and
// sampling factors. Subsampled components are box-averaged.
type encComp struct {
	id   byte
	h, v int
	pix  []byte
}

// encSpec describes the file to write.
type encSpec struct {
	w, h        int
	comps       []encComp
	adobe       int  // Adobe APP14 transform, or -1 for no marker
	jfif        bool // write a JFIF APP0
	noDHT       bool // leave out the DHT segment (Annex K tables implied)
	q           int  // flat quantiser step, 1..255
	progressive bool // DC scan, then AC 1-5 and 6-63 per component
	separate    bool // sequential: one scan per component
	extra       [][]byte
}

// testEncode writes the JPEG described by s.
func testEncode(s encSpec) []byte {
	hmax, vmax := 1, 1
	for _, c := range s.comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	mx, my := ceilDiv(s.w, 8*hmax), ceilDiv(s.h, 8*vmax)
	// Coefficients of every block of the MCU-padded components.
	type cdata struct {
		bw, bh, nbw, nbh int
		blocks           [][64]int32 // zig-zag order, quantised
	}
	cd := make([]cdata, len(s.comps))
	for i, c := range s.comps {
		fh, fv := hmax/c.h, vmax/c.v
		cw, ch := ceilDiv(s.w, fh), ceilDiv(s.h, fv)
		d := &cd[i]
		d.bw, d.bh = mx*c.h, my*c.v
		d.nbw, d.nbh = ceilDiv(cw, 8), ceilDiv(ch, 8)
		sample := func(x, y int) float64 { // box average, edge replicated
			x, y = min(x, cw-1), min(y, ch-1)
			sum, n := 0, 0
			for yy := y * fv; yy < min((y+1)*fv, s.h); yy++ {
				for xx := x * fh; xx < min((x+1)*fh, s.w); xx++ {
					sum += int(c.pix[yy*s.w+xx])
					n++
				}
			}
			return float64(sum) / float64(n)
		}
		d.blocks = make([][64]int32, d.bw*d.bh)
		for by := range d.bh {
			for bx := range d.bw {
				var px [64]float64
				for y := range 8 {
					for x := range 8 {
						px[y*8+x] = sample(bx*8+x, by*8+y) - 128
					}
				}
				d.blocks[by*d.bw+bx] = fdctQuant(&px, s.q)
			}
		}
	}

	var out []byte
	seg := func(m byte, p []byte) {
		out = append(out, 0xFF, m, byte((len(p)+2)>>8), byte(len(p)+2))
		out = append(out, p...)
	}
	out = append(out, 0xFF, mSOI)
	if s.jfif {
		seg(mAPP0, []byte{'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0})
	}
	if s.adobe >= 0 {
		seg(mAPPE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(s.adobe)})
	}
	for _, e := range s.extra {
		out = append(out, e...)
	}
	dqt := []byte{0}
	for range 64 {
		dqt = append(dqt, byte(s.q))
	}
	seg(mDQT, dqt)
	sof := []byte{8, byte(s.h >> 8), byte(s.h), byte(s.w >> 8), byte(s.w), byte(len(s.comps))}
	for _, c := range s.comps {
		sof = append(sof, c.id, byte(c.h<<4|c.v), 0)
	}
	m := byte(mSOF0)
	if s.progressive {
		m = mSOF2
	}
	seg(m, sof)
	if !s.noDHT {
		var dht []byte
		for tc, specs := range [2]*[2]stdTable{&stdDC, &stdAC} {
			for th := range specs {
				dht = append(dht, byte(tc<<4|th))
				dht = append(dht, specs[th].bits[:]...)
				dht = append(dht, specs[th].vals...)
			}
		}
		seg(mDHT, dht)
	}
	slot := func(i int) int { return min(i, 1) }
	codes := [2][2]huffCodes{{makeCodes(&stdDC[0]), makeCodes(&stdDC[1])}, {makeCodes(&stdAC[0]), makeCodes(&stdAC[1])}}

	// scan writes one scan over components cs and band ss..se.
	scan := func(cs []int, ss, se int) {
		sos := []byte{byte(len(cs))}
		for _, i := range cs {
			sos = append(sos, s.comps[i].id, byte(slot(i)<<4|slot(i)))
		}
		sos = append(sos, byte(ss), byte(se), 0)
		seg(mSOS, sos)
		var bw bitWriter
		pred := make([]int32, len(s.comps))
		block := func(i, bx, by int) {
			d := &cd[i]
			b := &d.blocks[by*d.bw+bx]
			if ss == 0 {
				diff := b[0] - pred[i]
				pred[i] = b[0]
				n, bits := magnitude(diff)
				bw.put(codes[0][slot(i)][n])
				bw.putBits(bits, n)
			}
			if se == 0 {
				return
			}
			ac := &codes[1][slot(i)]
			run := 0
			for k := max(ss, 1); k <= se; k++ {
				if b[k] == 0 {
					run++
					continue
				}
				for ; run > 15; run -= 16 {
					bw.put(ac[0xF0])
				}
				n, bits := magnitude(b[k])
				bw.put(ac[run<<4|int(n)])
				bw.putBits(bits, n)
				run = 0
			}
			if run > 0 {
				bw.put(ac[0x00]) // EOB (EOBRUN 1 in progressive scans)
			}
		}
		if len(cs) == 1 {
			i := cs[0]
			for by := range cd[i].nbh {
				for bx := range cd[i].nbw {
					block(i, bx, by)
				}
			}
		} else {
			for y := range my {
				for x := range mx {
					for _, i := range cs {
						c := s.comps[i]
						for v := range c.v {
							for h := range c.h {
								block(i, x*c.h+h, y*c.v+v)
							}
						}
					}
				}
			}
		}
		out = append(out, bw.flush()...)
	}
	all := make([]int, len(s.comps))
	for i := range all {
		all[i] = i
	}
	switch {
	case s.progressive:
		scan(all, 0, 0)
		for i := range all {
			scan([]int{i}, 1, 5)
			scan([]int{i}, 6, 63)
		}
	case s.separate:
		for i := range all {
			scan([]int{i}, 0, 63)
		}
	default:
		scan(all, 0, 63)
	}
	return append(out, 0xFF, mEOI)
}

// fdctQuant computes the 2-D DCT of px (T.81 A.3.3) and quantises it by
// q, returning zig-zag order.
func fdctQuant(px *[64]float64, q int) [64]int32 {
	var out [64]int32
	for z := range 64 {
		n := int(zigzag[z])
		u, v := n%8, n/8
		sum := 0.0
		for y := range 8 {
			for x := range 8 {
				sum += px[y*8+x] * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) *
					math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
			}
		}
		cu, cv := 1.0, 1.0
		if u == 0 {
			cu = 1 / math.Sqrt2
		}
		if v == 0 {
			cv = 1 / math.Sqrt2
		}
		out[z] = int32(math.Round(sum * cu * cv / 4 / float64(q)))
	}
	return out
}

// huffCodes maps a symbol to its code (length<<16 | code; 0 if absent).
type huffCodes [256]uint32

// makeCodes derives the codes of a table specification (T.81 C.2).
func makeCodes(t *stdTable) huffCodes {
	var c huffCodes
	code, k := uint32(0), 0
	for l := 1; l <= 16; l++ {
		for range int(t.bits[l-1]) {
			c[t.vals[k]] = uint32(l)<<16 | code
			code++
			k++
		}
		code <<= 1
	}
	return c
}

// magnitude returns the size category and the magnitude bits of v.
func magnitude(v int32) (uint, uint32) {
	a := v
	if a < 0 {
		a = -a
	}
	n := uint(0)
	for a>>n != 0 {
		n++
	}
	if v < 0 {
		v += 1<<n - 1
	}
	return n, uint32(v) & (1<<n - 1)
}

// bitWriter writes entropy-coded data with 0xFF byte stuffing.
type bitWriter struct {
	buf  []byte
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(code uint32) {
	if code == 0 {
		panic("testEncode: symbol missing from table")
	}
	w.putBits(code&0xFFFF, uint(code>>16))
}

func (w *bitWriter) putBits(bits uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | bits>>uint(i)&1
		w.nacc++
		if w.nacc == 8 {
			w.emit()
		}
	}
}

func (w *bitWriter) emit() {
	b := byte(w.acc)
	w.buf = append(w.buf, b)
	if b == 0xFF {
		w.buf = append(w.buf, 0)
	}
	w.acc, w.nacc = 0, 0
}

// flush pads the last byte with 1 bits.
func (w *bitWriter) flush() []byte {
	for w.nacc != 0 {
		w.putBits(1, 1)
	}
	return w.buf
}
