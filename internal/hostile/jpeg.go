package hostile

// JPEG generators. Every file has one quantisation table, one DC and one
// AC Huffman table shared by all components, and all coefficients zero:
// a DC scan codes one 1-bit symbol per block, an AC scan (first or
// refinement) codes all its blocks as end-of-band runs of up to 32767
// blocks (T.81 G.1.2.2), 2 or 3 bytes each. A 7000x7000 grey frame
// therefore costs about 96 KB of DC data and under 100 bytes per AC scan.

// Scan is the header of one progressive scan (T.81 B.2.3). Comps are
// frame component indices (0-based, in scan order; the file's component
// identifiers are index+1); Ss and Se are the spectral band in zig-zag
// order, Ah and Al the successive-approximation bit positions. Values
// are written as given (Ss, Se as bytes, Ah, Al as 4-bit fields), valid
// or not, so that tests can build illegal progressions.
type Scan struct {
	Comps          []int
	Ss, Se, Ah, Al int
}

// ProgressiveJPEG returns a progressive (SOF2) JPEG of w x h pixels coded
// by scans. hv gives each component's sampling factors as H<<4|V (nil:
// one grey component, 0x11). Scans with Ss = 0 are coded as DC data, the
// others as end-of-band runs, whatever their other parameters; component
// indices outside the frame are written as identifier 0xFF. w and h must
// be 1..65535 and hv at most 4 entries of factors 1..4.
func ProgressiveJPEG(w, h int, hv []byte, scans []Scan) []byte {
	if len(hv) == 0 {
		hv = []byte{0x11}
	}
	f := newFrame(w, h, hv)
	out := []byte{0xFF, 0xD8}
	out = f.headers(out)
	for _, s := range scans {
		out = f.scan(out, s)
	}
	return append(out, 0xFF, 0xD9)
}

// ScanBomb returns the probe's scan bomb: a grey w x h progressive JPEG
// of one DC scan followed by scans-1 AC refinement scans (Ss=1, Se=63,
// Ah=1, Al=0), each one end-of-band run over every block. The
// refinements have no first scan, which T.81 G.1.1.1.1 forbids; a decoder
// that accepts them walks 63 coefficients of every block in each of them
// (7000x7000, 1000 scans: 189 KB of input, 48 billion coefficient
// visits; 2000x2000: 24 KB). scans < 1 is taken as 1.
func ScanBomb(w, h, scans int) []byte {
	ss := []Scan{{Comps: []int{0}}}
	for i := 1; i < scans; i++ {
		ss = append(ss, Scan{Comps: []int{0}, Ss: 1, Se: 63, Ah: 1})
	}
	return ProgressiveJPEG(w, h, nil, ss)
}

// DeepScript is the deepest progression T.81 allows for one component
// c in the fewest scans: the DC coefficient first at Al=13 and refined
// bit by bit to Al=0 (14 scans), then AC 1..63 likewise (14 scans). Every
// coefficient of every block is visited by 14 scans.
func DeepScript(c int) []Scan {
	var ss []Scan
	for _, band := range [][2]int{{0, 0}, {1, 63}} {
		ss = append(ss, Scan{Comps: []int{c}, Ss: band[0], Se: band[1], Al: 13})
		for al := 12; al >= 0; al-- {
			ss = append(ss, Scan{Comps: []int{c}, Ss: band[0], Se: band[1], Ah: al + 1, Al: al})
		}
	}
	return ss
}

// DeepBomb returns a grey w x h progressive JPEG coded with DeepScript:
// 28 scans in an order T.81 allows, with about 4.7 times the coefficient
// visits per block of libjpeg's default progression (896 against 191),
// each of them an end-of-band run. A decoder needs a work bound, not
// only the progression rules, to refuse it.
func DeepBomb(w, h int) []byte {
	return ProgressiveJPEG(w, h, nil, DeepScript(0))
}

// frame is the geometry of the generated picture.
type frame struct {
	w, h       int
	hv         []byte
	hmax, vmax int
	mx, my     int // MCUs
}

func newFrame(w, h int, hv []byte) *frame {
	f := &frame{w: w, h: h, hv: hv, hmax: 1, vmax: 1}
	for _, x := range hv {
		f.hmax, f.vmax = max(f.hmax, int(x>>4)), max(f.vmax, int(x&15))
	}
	f.mx, f.my = ceilDiv(w, 8*f.hmax), ceilDiv(h, 8*f.vmax)
	return f
}

// blocks returns the number of blocks a scan over comps codes.
func (f *frame) blocks(comps []int) int {
	if len(comps) == 1 {
		c := comps[0]
		if c < 0 || c >= len(f.hv) {
			return 0
		}
		hc, vc := int(f.hv[c]>>4), int(f.hv[c]&15)
		return ceilDiv(ceilDiv(f.w*hc, f.hmax), 8) * ceilDiv(ceilDiv(f.h*vc, f.vmax), 8)
	}
	n := 0
	for _, c := range comps {
		if c >= 0 && c < len(f.hv) {
			n += int(f.hv[c]>>4) * int(f.hv[c]&15)
		}
	}
	return n * f.mx * f.my
}

// headers appends DQT, SOF2 and DHT.
func (f *frame) headers(out []byte) []byte {
	dqt := make([]byte, 65)
	for i := 1; i < len(dqt); i++ {
		dqt[i] = 1
	}
	out = segment(out, 0xDB, dqt)
	sof := []byte{8, byte(f.h >> 8), byte(f.h), byte(f.w >> 8), byte(f.w), byte(len(f.hv))}
	for i, x := range f.hv {
		sof = append(sof, byte(i+1), x, 0)
	}
	out = segment(out, 0xC2, sof)
	// DC table 0: the single symbol 0 (difference 0), code "0".
	dht := []byte{0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	// AC table 0: EOB0..EOB14 (symbols r<<4), 4-bit codes equal to r.
	dht = append(dht, 0x10, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	for r := range 15 {
		dht = append(dht, byte(r<<4))
	}
	return segment(out, 0xC4, dht)
}

// scan appends the SOS segment and entropy-coded data of s.
func (f *frame) scan(out []byte, s Scan) []byte {
	sos := []byte{byte(len(s.Comps))}
	for _, c := range s.Comps {
		id := byte(0xFF)
		if c >= 0 && c < len(f.hv) {
			id = byte(c + 1)
		}
		sos = append(sos, id, 0x00)
	}
	sos = append(sos, byte(s.Ss), byte(s.Se), byte(s.Ah&15<<4|s.Al&15))
	out = segment(out, 0xDA, sos)
	n := f.blocks(s.Comps)
	bw := bitWriter{out: out}
	if s.Ss == 0 {
		for ; n >= 32; n -= 32 { // 32 zero bits: DC difference 0 or refinement bit 0
			bw.put(0, 32)
		}
		bw.put(0, uint(n))
	} else {
		for n > 0 {
			run := min(n, 1<<15-1)
			r := uint(0)
			for run>>(r+1) != 0 {
				r++
			}
			bw.put(uint64(r), 4)
			bw.put(uint64(run-1<<r), r)
			n -= run
		}
	}
	return bw.flush()
}

// bitWriter appends entropy-coded bits MSB first with 0xFF stuffing.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

// put writes the low n (<= 32) bits of v.
func (b *bitWriter) put(v uint64, n uint) {
	b.acc = b.acc<<n | v&(1<<n-1)
	b.nacc += n
	for b.nacc >= 8 {
		b.nacc -= 8
		c := byte(b.acc >> b.nacc)
		b.out = append(b.out, c)
		if c == 0xFF {
			b.out = append(b.out, 0)
		}
	}
}

// flush pads the last byte with 1 bits and returns the output.
func (b *bitWriter) flush() []byte {
	if b.nacc > 0 {
		b.put(1<<(8-b.nacc)-1, 8-b.nacc)
	}
	return b.out
}

// segment appends marker m with payload p.
func segment(out []byte, m byte, p []byte) []byte {
	n := len(p) + 2
	out = append(out, 0xFF, m, byte(n>>8), byte(n))
	return append(out, p...)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
