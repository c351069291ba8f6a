package jpegdec

import (
	"bytes"
	"context"
	"image"
)

// Marker codes (ITU T.81 table B.1).
const (
	mSOF0 = 0xC0
	mSOF1 = 0xC1
	mSOF2 = 0xC2
	mSOF9 = 0xC9 // arithmetic-coded sequential
	mSOFA = 0xCA // arithmetic-coded progressive
	mDAC  = 0xCC
	mDHT  = 0xC4
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPP1 = 0xE1
	mAPP2 = 0xE2
	mAPPE = 0xEE
)

// component is one frame component and its output plane.
type component struct {
	id       uint8
	h, v     int // sampling factors
	tq       uint8
	bw, bh   int // blocks covering the MCU-padded component
	nbw, nbh int // blocks of a non-interleaved scan
	plane    []byte
	stride   int
	q        [64]int32 // quantisation table in zig-zag order, set at first scan
	qSet     bool
	// coefs holds the progressive coefficients, cstride = crow² per
	// block: the top-left crow×crow (k×k) corner of the block in natural
	// (row-major) order; see setStorage. zz maps a zig-zag index to its
	// position in a block's storage (noCoef if not stored) and stored is
	// the set of zig-zag indices stored. nz (full storage, and zone
	// storage, k = 2 or 4, with outHist) has one mask per block of the
	// zig-zag indices whose coefficient is non-zero, in the zone and
	// outside it: the history refinement scans need outside the zone, and
	// what lets an end-of-band run of a refinement skip a block with
	// nothing to refine in one test. Nil otherwise (see zoneNonZero).
	// outHist reports that the history outside the zone is complete
	// (exact refinement outside the zone is planned).
	coefs   []int16
	cstride int
	crow    int
	zz      [64]uint8
	stored  uint64
	nz      []uint64
	outHist bool
	need    uint64 // progressive: zig-zag indices whose values are needed
	// approxAl (Options.Approximate, natural order) is, for coefficients
	// whose refinement scans were skipped, the Al of the last decoded scan
	// covering them; 0 for exactly decoded coefficients.
	approxAl [64]uint8
	pred     int32 // DC predictor
}

// decoder holds the parsing and decoding state of one Decode call.
type decoder struct {
	walker
	ctx         context.Context
	prog        progression // progressive: scan admission
	work        int64       // work units walked by scans (see scanCost), for tests
	width       int
	height      int
	ncomp       int
	comp        [4]component
	hmax, vmax  int
	mcusX       int
	mcusY       int
	progressive bool
	sofSeen     bool
	jfif        bool
	adobe       bool
	transform   uint8
	qt          [4][64]int32 // zig-zag order
	qtSet       [4]bool
	huff        [2][4]huffTable // [class][id], class 0 = DC, 1 = AC
	ri          int
	scale, k    int
	approx      bool        // Options.Approximate
	out         *image.RGBA // converted output (CMYK, YCCK, RGB), see color.go
	band        bool        // with out: planes hold one MCU row
	upRow       [4][]byte   // with out: horizontally upsampled rows
	meta        *metaState  // Metadata: collects APP1/APP2 payloads
	eobrun      int
	needed      []bool // progressive: per scan index, whether to decode it (nil: decide by band)
	br          bitReader
	blk         [64]int32
	nzScratch   uint64 // the mask of the block being decoded, for components without nz
	// arith: SOF9/SOF10 and the DAC conditioning (arith_scan.go)
	arith arithConf
}

// readHeaders checks SOI and processes markers up to and including the
// frame header. Tables before the frame are kept for decoding.
func (d *decoder) readHeaders(configOnly bool) error {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != mSOI {
		return FormatError("missing SOI marker")
	}
	d.pos = 2
	for !d.sofSeen {
		m, err := d.nextMarker()
		if err != nil {
			return err
		}
		if err := d.handleMarker(m, configOnly); err != nil {
			return err
		}
	}
	return nil
}

// walker moves through the marker structure of a JPEG stream.
type walker struct {
	data []byte
	pos  int
}

// nextMarker finds the next marker at or after d.pos, skipping fill
// bytes and tolerating junk, and positions d.pos after the marker code.
func (d *walker) nextMarker() (byte, error) {
	p := d.pos
	for {
		i := bytes.IndexByte(d.data[p:], 0xFF)
		if i < 0 || p+i+1 >= len(d.data) {
			d.pos = len(d.data)
			return 0, errEOF
		}
		p += i + 1
		m := d.data[p]
		if m != 0 && m != 0xFF {
			d.pos = p + 1
			return m, nil
		}
	}
}

// errEOF signals the end of the marker stream.
var errEOF = FormatError("unexpected end of data")

// segment returns the payload of the length-prefixed segment at d.pos
// and advances past it.
func (d *walker) segment() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, FormatError("truncated segment length")
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 || d.pos+n > len(d.data) {
		return nil, FormatError("bad segment length")
	}
	p := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return p, nil
}

// handleMarker processes one non-SOS marker segment.
func (d *decoder) handleMarker(m byte, configOnly bool) error {
	switch {
	case m == mSOI, m == 0x01, m >= mRST0 && m <= mRST7:
		return nil // no payload
	case m == mEOI:
		return FormatError("EOI before frame")
	case m == mSOS:
		return FormatError("SOS before frame")
	}
	p, err := d.segment()
	if err != nil {
		return err
	}
	switch {
	case m == mSOF0 || m == mSOF1 || m == mSOF2 || m == mSOF9 || m == mSOFA:
		if !d.sofSeen {
			d.arith.on = m == mSOF9 || m == mSOFA
		}
		return d.parseSOF(p, m == mSOF2 || m == mSOFA)
	case m == mDAC:
		if configOnly {
			return nil
		}
		return d.arith.parseDAC(p)
	case m == mDHT:
		if configOnly {
			return nil
		}
		return d.parseDHT(p)
	case m == mDQT:
		if configOnly {
			return nil
		}
		return d.parseDQT(p)
	case m == mDRI:
		return d.parseDRI(p)
	case (m == mAPP1 || m == mAPP2) && d.meta != nil:
		d.meta.app(m, p)
	case m == mAPP0:
		d.jfif = d.jfif || bytes.HasPrefix(p, []byte("JFIF\x00"))
	case m == mAPPE:
		if len(p) >= 12 && bytes.HasPrefix(p, []byte("Adobe")) {
			d.adobe, d.transform = true, p[11]
		}
	case m == 0xC3 || m == 0xCB:
		return UnsupportedError("lossless JPEG")
	case m >= 0xC5 && m <= 0xC7 || m >= 0xCD && m <= 0xCF || m == 0xDE || m == 0xDF:
		return UnsupportedError("hierarchical JPEG")
	}
	return nil // APPn, COM, DNL and unknown segments are skipped
}

// parseDRI reads a restart interval definition.
func (d *decoder) parseDRI(p []byte) error {
	if len(p) != 2 {
		return FormatError("bad DRI length")
	}
	d.ri = int(p[0])<<8 | int(p[1])
	return nil
}

// parseDQT reads one or more quantisation tables (stored in zig-zag order).
func (d *decoder) parseDQT(p []byte) error {
	for len(p) > 0 {
		pq, tq := p[0]>>4, p[0]&15
		if tq > 3 || pq > 1 {
			return FormatError("bad DQT table")
		}
		n := 64 << pq
		if len(p) < 1+n {
			return FormatError("short DQT")
		}
		t := &d.qt[tq]
		for i := range 64 {
			if pq == 0 {
				t[i] = int32(p[1+i])
			} else {
				t[i] = int32(p[1+2*i])<<8 | int32(p[2+2*i])
			}
		}
		d.qtSet[tq] = true
		p = p[1+n:]
	}
	return nil
}

// parseSOF reads the frame header and validates sizes and sampling.
func (d *decoder) parseSOF(p []byte, progressive bool) error {
	if d.sofSeen {
		return FormatError("multiple frame headers")
	}
	if len(p) < 6 {
		return FormatError("short SOF")
	}
	if p[0] != 8 {
		return UnsupportedError("sample precision other than 8 bits")
	}
	d.height = int(p[1])<<8 | int(p[2])
	d.width = int(p[3])<<8 | int(p[4])
	d.ncomp = int(p[5])
	d.progressive = progressive
	if d.height == 0 {
		return UnsupportedError("DNL-defined image height")
	}
	if d.width == 0 {
		return FormatError("zero width")
	}
	if d.ncomp != 1 && d.ncomp != 3 && d.ncomp != 4 {
		return UnsupportedError("component count other than 1, 3 or 4")
	}
	if len(p) != 6+3*d.ncomp {
		return FormatError("bad SOF length")
	}
	for i := range d.ncomp {
		c := &d.comp[i]
		c.id, c.h, c.v, c.tq = p[6+3*i], int(p[7+3*i]>>4), int(p[7+3*i]&15), p[8+3*i]
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return FormatError("bad component sampling or table")
		}
		for j := range i {
			if d.comp[j].id == c.id {
				return FormatError("duplicate component id")
			}
		}
	}
	d.sofSeen = true
	return nil
}

// colorSpace derives the colour interpretation from markers and ids.
func (d *decoder) colorSpace() ColorSpace {
	switch d.ncomp {
	case 1:
		return ColorGray
	case 3:
		if d.adobe && d.transform == 0 && !d.jfif {
			return ColorRGB
		}
		if d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B' {
			return ColorRGB
		}
		return ColorYCbCr
	}
	if d.adobe && d.transform != 0 {
		// Transform 2 is YCCK; libjpeg (and so browsers) also treats
		// any other non-zero transform of a 4-component file as YCCK.
		return ColorYCCK
	}
	return ColorCMYK
}

// subsampling validates sampling factors and returns the chroma ratio.
func (d *decoder) subsampling() (image.YCbCrSubsampleRatio, error) {
	c := &d.comp
	if d.ncomp != 3 {
		return image.YCbCrSubsampleRatio444, nil
	}
	hmax, vmax := max(c[0].h, c[1].h, c[2].h), max(c[0].v, c[1].v, c[2].v)
	if c[0].h != hmax || c[0].v != vmax || c[1].h != c[2].h || c[1].v != c[2].v ||
		hmax%c[1].h != 0 || vmax%c[1].v != 0 {
		return 0, UnsupportedError("sampling factors")
	}
	type hv struct{ h, v int }
	switch (hv{hmax / c[1].h, vmax / c[1].v}) {
	case hv{1, 1}:
		return image.YCbCrSubsampleRatio444, nil
	case hv{2, 1}:
		return image.YCbCrSubsampleRatio422, nil
	case hv{2, 2}:
		return image.YCbCrSubsampleRatio420, nil
	case hv{1, 2}:
		return image.YCbCrSubsampleRatio440, nil
	case hv{4, 1}:
		return image.YCbCrSubsampleRatio411, nil
	case hv{4, 2}:
		return image.YCbCrSubsampleRatio410, nil
	}
	return 0, UnsupportedError("sampling factors")
}

// supportErr reports why the frame cannot be decoded, or nil.
func (d *decoder) supportErr() error {
	if d.needsConvert() {
		return d.samplingErr()
	}
	return nil
}

// config builds the public Config from the parsed frame header.
func (d *decoder) config() Config {
	ss, _ := d.subsampling()
	return Config{
		Width: d.width, Height: d.height, Components: d.ncomp,
		Progressive: d.progressive, ColorSpace: d.colorSpace(),
		Subsample: ss, Supported: d.supportErr() == nil, RGBA: d.needsConvert(),
	}
}
