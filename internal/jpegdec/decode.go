package jpegdec

import (
	"errors"
	"image"
)

// zigzag maps zig-zag index to natural (row-major) index; entries 64..79
// absorb out-of-range indices from corrupt data without bounds panics.
var zigzag = [80]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}

// maxScans bounds the number of progressive scans decoded.
const maxScans = 1000

// scan is a parsed SOS header.
type scan struct {
	n              int
	comp           [4]int // frame component indices
	dc, ac         [4]*huffTable
	ss, se, ah, al int
}

// Decode decodes a JPEG at 1/scale of its size (scale 1, 2, 4 or 8). The
// result is ceil(W/scale) x ceil(H/scale):
//
//   - ColorGray: an *image.Gray;
//   - ColorYCbCr: an *image.YCbCr (444, 422, 420, 440, 411 or 410, as
//     stored);
//   - ColorCMYK, ColorYCCK, ColorRGB: an opaque *image.RGBA (alpha 255,
//     so it is also valid as NRGBA data) holding the colours a browser
//     shows, converted as described in the package documentation.
//
// Arithmetic-coded, lossless, hierarchical and 12-bit files return an
// UnsupportedError, as do sampling factors the output cannot represent.
// opts may be nil.
func Decode(data []byte, scale int, opts *Options) (image.Image, error) {
	d, img, err := decodeCoefficients(data, scale, opts)
	if err != nil {
		return nil, err
	}
	if d.progressive {
		d.reconstruct()
	}
	return img, nil
}

// decodeCoefficients does all of Decode but the final reconstruction of
// progressive files: it returns the decoder (whose components hold the
// coefficients of a progressive file) and the output image, which is
// complete for sequential files.
func decodeCoefficients(data []byte, scale int, opts *Options) (*decoder, image.Image, error) {
	if scale != 1 && scale != 2 && scale != 4 && scale != 8 {
		return nil, nil, errors.New("jpegdec: scale must be 1, 2, 4 or 8")
	}
	d := &decoder{walker: walker{data: data}, scale: scale, k: 8 / scale}
	if opts != nil {
		d.approx = opts.Approximate
	}
	if err := d.readHeaders(false); err != nil {
		return nil, nil, err
	}
	if err := d.supportErr(); err != nil {
		return nil, nil, err
	}
	px := int64(d.width) * int64(d.height)
	if px > maxFramePixels || opts != nil && opts.MaxPixels > 0 && px > opts.MaxPixels {
		return nil, nil, ErrTooLarge
	}
	img := d.allocate()
	if d.progressive {
		if err := d.planProgressive(); err != nil {
			return nil, nil, err
		}
	}
	if err := d.decodeScans(); err != nil {
		return nil, nil, err
	}
	if d.out != nil && !d.band && !d.progressive {
		d.convertRows(0, d.out.Rect.Max.Y, 0)
	}
	return d, img, nil
}

// decodeScans processes the markers after the frame header until EOI or
// the end of data, decoding (or skipping) every scan.
func (d *decoder) decodeScans() error {
	nscan := 0
	for {
		m, err := d.nextMarker()
		if err == errEOF || m == mEOI {
			break
		}
		if m != mSOS {
			if m >= 0xC0 && m <= 0xCF && m != mDHT && m != 0xC8 && m != 0xCC {
				return FormatError("multiple frame headers")
			}
			if err := d.handleMarker(m, false); err != nil {
				return err
			}
			continue
		}
		p, err := d.segment()
		if err != nil {
			return err
		}
		s, err := d.parseSOS(p)
		if err != nil {
			return err
		}
		if nscan >= maxScans || !d.progressive && (nscan >= d.ncomp || d.band && nscan > 0) {
			// Bound the work per input byte: a sequential file codes
			// each component once; real progressive files use far
			// fewer scans than maxScans. A sequential band decode
			// (color.go) has converted its only scan already.
			d.skipEntropy()
			continue
		}
		if err := d.decodeScan(&s, nscan); err != nil {
			return err
		}
		nscan++
	}
	if nscan == 0 {
		return FormatError("no image data")
	}
	return nil
}

// parseSOS reads and validates a scan header.
func (d *decoder) parseSOS(p []byte) (scan, error) {
	var s scan
	if len(p) < 1 {
		return s, FormatError("short SOS")
	}
	s.n = int(p[0])
	if s.n < 1 || s.n > 4 || s.n > d.ncomp || len(p) != 4+2*s.n {
		return s, FormatError("bad SOS length")
	}
	blocks := 0
	for j := range s.n {
		id, tdta := p[1+2*j], p[2+2*j]
		ci := -1
		for i := range d.ncomp {
			if d.comp[i].id == id {
				ci = i
			}
		}
		if ci < 0 {
			return s, FormatError("unknown scan component")
		}
		for i := range j {
			if s.comp[i] == ci {
				return s, FormatError("repeated scan component")
			}
		}
		s.comp[j] = ci
		td, ta := tdta>>4&3, tdta&3
		d.defaultTable(0, td) // Annex K tables for files without DHT
		d.defaultTable(1, ta)
		s.dc[j], s.ac[j] = &d.huff[0][td], &d.huff[1][ta]
		blocks += d.comp[ci].h * d.comp[ci].v
	}
	if s.n > 1 && blocks > 10 {
		return s, FormatError("too many blocks per MCU")
	}
	q := p[1+2*s.n:]
	s.ss, s.se, s.ah, s.al = int(q[0]), int(q[1]), int(q[2]>>4), int(q[2]&15)
	if !d.progressive {
		s.ss, s.se, s.ah, s.al = 0, 63, 0, 0
		return s, nil
	}
	if s.ss > s.se || s.se > 63 || (s.ss == 0) != (s.se == 0) || s.ss > 0 && s.n != 1 || s.al > 13 || s.ah > 13 {
		return s, FormatError("bad progressive scan parameters")
	}
	return s, nil
}

// decodeScan sets up quantisation and decodes or skips one scan.
func (d *decoder) decodeScan(s *scan, index int) error {
	for j := range s.n {
		c := &d.comp[s.comp[j]]
		if !c.qSet || !d.progressive {
			if !d.qtSet[c.tq] {
				return FormatError("missing quantisation table")
			}
			c.q, c.qSet = d.qt[c.tq], true
		}
	}
	if d.progressive {
		if !d.scanNeeded(s, index) {
			d.skipEntropy()
			return nil
		}
		return d.progressiveScan(s)
	}
	return d.baselineScan(s)
}

// skipEntropy advances d.pos to the next marker that is not RSTn,
// without decoding anything.
func (d *walker) skipEntropy() {
	br := bitReader{data: d.data, pos: d.pos}
	for {
		br.restart()
		if br.pos >= len(d.data) || br.pos+1 < len(d.data) && d.data[br.pos] == 0xFF &&
			(d.data[br.pos+1] < mRST0 || d.data[br.pos+1] > mRST7) {
			break
		}
	}
	d.pos = br.pos
}

// walkScan calls fn for every block of the scan in coding order,
// handling restart intervals. fn receives the scan slot j and the block
// coordinates within component s.comp[j]. Once the entropy data is
// exhausted (truncated or corrupt input), blocks up to the next restart
// marker are passed to gap instead, or the scan ends if gap is nil and
// there are no restart markers.
func (d *decoder) walkScan(s *scan, fn, gap func(j, bx, by int) error) error {
	d.br = bitReader{data: d.data, pos: d.pos}
	d.resetPredictors()
	mcu := 0
	// next handles a restart boundary before an MCU and picks its callback.
	next := func() func(j, bx, by int) error {
		if d.ri > 0 && mcu > 0 && mcu%d.ri == 0 {
			d.br.restart()
			d.resetPredictors()
		}
		mcu++
		if d.br.exhausted() {
			return gap
		}
		return fn
	}
	var err error
	if s.n == 1 {
		c := &d.comp[s.comp[0]]
		for by := 0; by < c.nbh && err == nil; by++ {
			for bx := 0; bx < c.nbw && err == nil; bx++ {
				if f := next(); f != nil {
					err = f(0, bx, by)
				} else if d.ri == 0 {
					return nil
				}
			}
		}
	} else {
		for my := 0; my < d.mcusY && err == nil; my++ {
			for mx := 0; mx < d.mcusX && err == nil; mx++ {
				err = d.mcu(s, next(), mx, my)
			}
			if d.band && !d.progressive && err == nil {
				d.convertBand(my)
			}
		}
	}
	d.pos = d.br.pos
	return err
}

// mcu calls f for each block of one interleaved MCU.
func (d *decoder) mcu(s *scan, f func(j, bx, by int) error, mx, my int) error {
	if f == nil {
		return nil
	}
	for j := range s.n {
		c := &d.comp[s.comp[j]]
		for y := range c.v {
			for x := range c.h {
				if err := f(j, mx*c.h+x, my*c.v+y); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// resetPredictors clears DC predictions and the EOB run (restart or scan start).
func (d *decoder) resetPredictors() {
	for i := range d.comp {
		d.comp[i].pred = 0
	}
	d.eobrun = 0
}

// checkTables reports a missing Huffman table used by the scan.
func checkTables(s *scan, dc, ac bool) error {
	for j := range s.n {
		if dc && !s.dc[j].defined || ac && !s.ac[j].defined {
			return FormatError("missing Huffman table")
		}
	}
	return nil
}
