package jpegdec

// Scan admission for progressive files: the progression rules of ITU
// T.81 G.1.1.1, a limit on the number of scans and a work bound
// proportional to the frame's blocks. They are checked twice: over all
// scan headers before anything is decoded (checkScript), so that a scan
// bomb is refused for the cost of walking its markers, and scan by scan
// while decoding (decodeScans), which is authoritative.

// maxScans bounds the scans of a progressive file; one more is a
// FormatError. libjpeg's default scripts (cjpeg -progressive, jpegtran
// -progressive, ImageMagick -interlace Plane) write 6 scans for grey, 10
// for YCbCr and 2+4n for n other components (18 for CMYK); mozjpeg's
// optimised scripts about as many; Photoshop 3 to 5. The report of the
// EOB-run scan bomb to libjpeg-turbo (2016, Red Hat bug 1344214) found it
// "hard to imagine any real-world application needing more than 100";
// TurboJPEG's TJPARAM_SCANLIMIT (djpeg -maxscans) has no default and
// libjpeg-turbo's own fuzzers set 500.
const maxScans = 100

// Work bound. A decoded scan costs, per block it codes, blockCost units
// plus one per coefficient of its band (DC scans: 1), whatever its data
// holds: that is what walking it costs when every block is one EOB run,
// and an upper bound of the loop steps otherwise. The units of all scans
// may not exceed workPerBlock times the frame's blocks (all components,
// MCU-padded).
//
// Real scripts stay far below: libjpeg's default progression spends 191
// coefficient units per block of each component (DC 2, AC bands 1-5,
// 6-63, 1-63, 1-63 for luma; chroma 128) plus blockCost per scan, about
// 210 for luma; mozjpeg's scan search goes down to Al = 3 for luma (four
// scans of each AC coefficient) and 2 for chroma, about 280 for luma.
// T.81 itself allows 14 scans of each coefficient (Al = 13 down to 0):
// 896 units per block and more, which only a hostile file writes.
//
// DC scans have a bound of their own, dcPerBlock visits per block on
// average, because at scale 8 they are all that is decoded: a normal
// photo has one or two (libjpeg: Al = 1, then the refinement), T.81
// allows 14 (Al = 13 down to 0), which would make a 1/8 decode of a
// hostile file 5 times as slow as that of a photo of the same size.
const (
	blockCost    = 4
	workPerBlock = 320
	dcPerBlock   = 4
)

// scanHdr is the part of an SOS header the admission rules read.
type scanHdr struct {
	n              int
	comp           [4]int // frame component indices
	ss, se, ah, al int
}

// progression is the admission state of one progressive decode.
type progression struct {
	// al is, per component and zig-zag coefficient, 1 + the Al of the
	// last scan that coded it; 0 before its first scan.
	al       [4][64]int8
	scans    int
	work     int64 // units admitted
	budget   int64
	dc       int64 // block visits of DC scans admitted
	dcBudget int64
}

// newProgression returns the admission state for d's frame (geometry
// from allocate).
func newProgression(d *decoder) progression {
	var blocks int64
	for i := range d.ncomp {
		blocks += int64(d.comp[i].bw) * int64(d.comp[i].bh)
	}
	return progression{budget: workPerBlock * blocks, dcBudget: dcPerBlock * blocks}
}

// scanCost returns the work units of scan s in d's frame.
func (d *decoder) scanCost(s *scanHdr) int64 {
	return d.scanBlocks(s) * int64(blockCost+s.se-s.ss+1)
}

// scanBlocks returns the number of blocks scan s codes.
func (d *decoder) scanBlocks(s *scanHdr) int64 {
	var blocks int64
	if s.n == 1 {
		c := &d.comp[s.comp[0]]
		blocks = int64(c.nbw) * int64(c.nbh)
	} else {
		for j := range s.n {
			c := &d.comp[s.comp[j]]
			blocks += int64(c.h * c.v)
		}
		blocks *= int64(d.mcusX) * int64(d.mcusY)
	}
	return blocks
}

// admit checks scan s against the scan limit, the order of T.81
// G.1.1.1.1 and G.1.1.1.2 and the work bound, and records it. s has
// passed checkScanParams.
func (p *progression) admit(d *decoder, s *scanHdr) error {
	p.scans++
	if p.scans > maxScans {
		return FormatError("more than 100 scans")
	}
	for j := range s.n {
		st := &p.al[s.comp[j]]
		if s.ss > 0 && st[0] == 0 {
			return FormatError("progression: AC scan before the first DC scan of its component")
		}
		for k := s.ss; k <= s.se; k++ {
			switch {
			case st[k] == 0 && s.ah != 0:
				return FormatError("progression: refinement scan before the first scan of its coefficients")
			case st[k] != 0 && s.ah == 0:
				return FormatError("progression: second first scan of a coefficient")
			case st[k] != 0 && s.ah != int(st[k])-1:
				return FormatError("progression: refinement Ah differs from the previous Al")
			}
		}
		for k := s.ss; k <= s.se; k++ {
			st[k] = int8(s.al + 1)
		}
	}
	p.work += d.scanCost(s)
	if s.ss == 0 {
		p.dc += d.scanBlocks(s)
	}
	if p.work > p.budget || p.dc > p.dcBudget {
		return FormatError("progressive scans exceed the work bound")
	}
	return nil
}

// checkScanParams applies the per-scan rules of T.81 G.1.1.1 (as libjpeg
// does, fatally): a DC scan has Ss = Se = 0; an AC scan 1 <= Ss <= Se <=
// 63 and one component; a refinement (Ah > 0) has Al = Ah - 1; Al <= 13.
func checkScanParams(s *scanHdr) error {
	dc := s.ss == 0
	if dc && s.se != 0 || !dc && (s.se < s.ss || s.se > 63 || s.n != 1) ||
		s.ah != 0 && s.al != s.ah-1 || s.al > 13 {
		return FormatError("bad progressive scan parameters")
	}
	return nil
}

// parseScanHdr reads an SOS payload: component selectors (mapped to
// frame indices, distinct), the MCU size limit of interleaved scans, and
// the spectral and approximation parameters (raw; see checkScanParams).
// It returns the table selectors beside.
func (d *decoder) parseScanHdr(p []byte) (scanHdr, [4]byte, error) {
	var s scanHdr
	var tdta [4]byte
	if len(p) < 1 {
		return s, tdta, FormatError("short SOS")
	}
	s.n = int(p[0])
	if s.n < 1 || s.n > 4 || s.n > d.ncomp || len(p) != 4+2*s.n {
		return s, tdta, FormatError("bad SOS length")
	}
	blocks := 0
	for j := range s.n {
		ci := -1
		for i := range d.ncomp {
			if d.comp[i].id == p[1+2*j] {
				ci = i
			}
		}
		if ci < 0 {
			return s, tdta, FormatError("unknown scan component")
		}
		for i := range j {
			if s.comp[i] == ci {
				return s, tdta, FormatError("repeated scan component")
			}
		}
		s.comp[j], tdta[j] = ci, p[2+2*j]
		blocks += d.comp[ci].h * d.comp[ci].v
	}
	if s.n > 1 && blocks > 10 {
		return s, tdta, FormatError("too many blocks per MCU")
	}
	q := p[1+2*s.n:]
	s.ss, s.se, s.ah, s.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)
	return s, tdta, nil
}

// checkScript admits every scan header of a progressive file before
// decoding starts (from d.pos, without moving it), so that a file that
// breaks the rules is refused before any entropy decoding. It stops
// quietly where the marker structure ends or breaks: decodeScans reports
// that.
func (d *decoder) checkScript() error {
	w := walker{data: d.data, pos: d.pos}
	p := newProgression(d)
	for {
		m, err := w.nextMarker()
		if err != nil || m == mEOI {
			return nil
		}
		if m == mSOI || m == 0x01 || m >= mRST0 && m <= mRST7 {
			continue
		}
		seg, err := w.segment()
		if err != nil {
			return nil
		}
		if m != mSOS {
			continue
		}
		s, _, err := d.parseScanHdr(seg)
		if err != nil {
			return err
		}
		if err := checkScanParams(&s); err != nil {
			return err
		}
		if err := p.admit(d, &s); err != nil {
			return err
		}
		w.skipEntropy()
	}
}
