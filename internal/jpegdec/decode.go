package jpegdec

import (
	"context"
	"errors"
	"fmt"
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

// scan is a parsed SOS header with its Huffman tables.
type scan struct {
	scanHdr
	dc, ac [4]*huffTable
	tbl    [4]byte // table selectors Td<<4 | Ta (arithmetic: conditioning tables)
}

// Decode decodes a JPEG at 1/scale of its size (scale 1, 2, 4 or 8). The
// result is ceil(W/scale) x ceil(H/scale):
//
//   - ColorGray: an *image.Gray;
//   - ColorYCbCr: an *image.YCbCr (444, 422, 420, 440, 411 or 410, as
//     stored);
//   - ColorCMYK, ColorYCCK, ColorRGB, and ColorYCbCr with other sampling
//     factors (Config.RGBA): an opaque *image.RGBA (alpha 255, so it is
//     also valid as NRGBA data) holding the colours a browser shows,
//     converted as described in the package documentation.
//
// Lossless, hierarchical (also arithmetic-coded) and 12-bit files return
// an UnsupportedError, as do sampling factors that do not divide the
// largest ones.
// Progressive files that break the progression rules of T.81, have more
// than 100 scans or exceed the work bound (see the package documentation)
// return a FormatError. opts may be nil.
func Decode(data []byte, scale int, opts *Options) (image.Image, error) {
	return DecodeContext(context.Background(), data, scale, opts)
}

// DecodeContext is Decode, stopped when ctx is done: it checks ctx
// before decoding, between scans and, inside scans and the final
// reconstruction, every ctxRows rows of blocks (or MCUs) or ctxBlocks
// blocks, whichever comes first, and then returns an error wrapping
// ctx.Err() (errors.Is(err, context.DeadlineExceeded) holds after a
// deadline).
func DecodeContext(ctx context.Context, data []byte, scale int, opts *Options) (image.Image, error) {
	d, img, err := decodeCoefficients(ctx, data, scale, opts)
	if err != nil {
		return nil, err
	}
	if d.progressive {
		if err := d.reconstruct(); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// A scan or reconstruct loop checks the context after ctxRows rows of
// blocks (or MCUs) or ctxBlocks blocks, whichever comes first, at the
// end of a row: at most one row of the widest frame (8192 MCUs of up to
// 10 blocks) or 16384 blocks plus a row, tens of milliseconds at worst.
const (
	ctxRows   = 16
	ctxBlocks = 1 << 14
)

// ctxTicker counts the rows and blocks a loop did since its last check.
type ctxTicker struct{ rows, blocks int }

// tick records a finished row of n blocks and checks the context when
// ctxRows rows or ctxBlocks blocks have passed.
func (d *decoder) tick(t *ctxTicker, n int) error {
	t.rows++
	t.blocks += n
	if t.rows < ctxRows && t.blocks < ctxBlocks {
		return nil
	}
	*t = ctxTicker{}
	return d.interrupted()
}

// interrupted returns the wrapped context error, or nil.
func (d *decoder) interrupted() error {
	if err := d.ctx.Err(); err != nil {
		return fmt.Errorf("jpegdec: decoding interrupted: %w", err)
	}
	return nil
}

// decodeCoefficients does all of DecodeContext but the final
// reconstruction of progressive files: it returns the decoder (whose
// components hold the coefficients of a progressive file) and the output
// image, which is complete for sequential files.
func decodeCoefficients(ctx context.Context, data []byte, scale int, opts *Options) (*decoder, image.Image, error) {
	if scale != 1 && scale != 2 && scale != 4 && scale != 8 {
		return nil, nil, errors.New("jpegdec: scale must be 1, 2, 4 or 8")
	}
	d := &decoder{walker: walker{data: data}, ctx: ctx, scale: scale, k: 8 / scale}
	if err := d.interrupted(); err != nil {
		return nil, nil, err
	}
	if opts != nil {
		d.approx = opts.Approximate
	}
	if err := d.readHeaders(false); err != nil {
		return nil, nil, err
	}
	px := int64(d.width) * int64(d.height)
	if px > maxFramePixels || opts != nil && opts.MaxPixels > 0 && px > opts.MaxPixels {
		return nil, nil, ErrTooLarge
	}
	d.geometry()
	if d.progressive {
		// Before any allocation, and before supportErr so that callers
		// falling back to another decoder on UnsupportedError only do
		// so for admitted scripts: a refused file costs a marker walk.
		if err := d.checkScript(); err != nil {
			return nil, nil, err
		}
	}
	if err := d.supportErr(); err != nil {
		return nil, nil, err
	}
	img := d.allocate()
	if d.progressive {
		d.prog = newProgression(d)
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
		if err := d.interrupted(); err != nil {
			return err
		}
		if !d.progressive && (nscan >= d.ncomp || d.band && nscan > 0) {
			// Bound the work per input byte: a sequential file codes
			// each component once. A sequential band decode
			// (color.go) has converted its only scan already.
			// Progressive scans are bounded by their admission.
			d.skipEntropy()
			continue
		}
		if d.progressive {
			if err := d.prog.admit(d, &s.scanHdr); err != nil {
				return err
			}
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

// parseSOS reads and validates a scan header and selects its Huffman
// tables.
func (d *decoder) parseSOS(p []byte) (scan, error) {
	var s scan
	h, tdta, err := d.parseScanHdr(p)
	if err != nil {
		return s, err
	}
	s.scanHdr, s.tbl = h, tdta
	for j := range s.n * b2i(!d.arith.on) { // arithmetic scans use no Huffman tables
		td, ta := tdta[j]>>4&3, tdta[j]&3
		d.defaultTable(0, td) // Annex K tables for files without DHT
		d.defaultTable(1, ta)
		s.dc[j], s.ac[j] = &d.huff[0][td], &d.huff[1][ta]
	}
	if !d.progressive {
		s.ss, s.se, s.ah, s.al = 0, 63, 0, 0
		return s, nil
	}
	return s, checkScanParams(&s.scanHdr)
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
	if d.progressive && !d.scanNeeded(s, index) {
		d.skipEntropy()
		return nil
	}
	if d.arith.on {
		return d.arithScan(s)
	}
	for j := range s.n { // build the tables of decoded scans only (see huffTable.pending)
		s.dc[j].ready()
		s.ac[j].ready()
	}
	if d.progressive {
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

// blockFunc handles the block at bx, by of the component in scan slot j.
type blockFunc func(j, bx, by int) error

// walkScan calls fn for every block of the scan in coding order,
// handling restart intervals. fn receives the scan slot j and the block
// coordinates within component s.comp[j]. Once the entropy data is
// exhausted (truncated or corrupt input), blocks up to the next restart
// marker are passed to gap instead, or the scan ends if gap is nil and
// there are no restart markers.
//
// run, if not nil (progressive AC scans, which are non-interleaved),
// takes over the rest of an end-of-band run: when fn leaves d.eobrun > 0,
// the next n blocks of the run in the same block row and restart interval
// are passed to run(bx, by, n) at once and d.eobrun is reduced by n. A
// hostile file made of EOB runs then costs little per block.
func (d *decoder) walkScan(s *scan, fn, gap blockFunc, run func(bx, by, n int)) error {
	d.br = bitReader{data: d.data, pos: d.pos}
	d.resetPredictors()
	w := scanWalk{d: d, fn: fn, gap: gap, unit: int64(blockCost + s.se - s.ss + 1)}
	var err error
	if s.n == 1 {
		var ended bool
		if ended, err = w.blocks(&d.comp[s.comp[0]], run); ended {
			return nil
		}
	} else {
		err = w.mcus(s)
	}
	d.pos = d.br.pos
	return err
}

// scanWalk is the state of one walkScan.
type scanWalk struct {
	d       *decoder
	fn, gap blockFunc
	mcu     int   // MCUs (blocks, if non-interleaved) begun
	unit    int64 // work per block (see scanCost)
	tk      ctxTicker
}

// next handles a restart boundary before an MCU and picks its callback.
func (w *scanWalk) next() blockFunc {
	d := w.d
	if d.ri > 0 && w.mcu > 0 && w.mcu%d.ri == 0 {
		d.br.restart()
		d.resetPredictors()
	}
	w.mcu++
	if d.br.exhausted() {
		return w.gap
	}
	return w.fn
}

// blocks walks the blocks of a non-interleaved scan of c (see walkScan
// for run). ended reports that the data ran out with no restart marker
// to resume at.
func (w *scanWalk) blocks(c *component, run func(bx, by, n int)) (ended bool, err error) {
	d := w.d
	for by := 0; by < c.nbh && err == nil; by++ {
		if by > 0 {
			if err = d.tick(&w.tk, c.nbw); err != nil {
				break
			}
		}
		d.work += int64(c.nbw) * w.unit
		for bx := 0; bx < c.nbw && err == nil; bx++ {
			f := w.next()
			if f == nil {
				if d.ri == 0 {
					return true, nil
				}
				continue
			}
			if err = f(0, bx, by); err != nil || run == nil || d.eobrun == 0 {
				continue
			}
			n := min(d.eobrun, c.nbw-1-bx)
			if d.ri > 0 {
				n = min(n, (d.ri-w.mcu%d.ri)%d.ri) // blocks before the next restart
			}
			if n > 0 {
				run(bx+1, by, n)
				d.eobrun -= n
				w.mcu += n
				bx += n
			}
		}
	}
	return false, err
}

// mcus walks the MCUs of an interleaved scan.
func (w *scanWalk) mcus(s *scan) error {
	d := w.d
	perMCU := 0
	for j := range s.n {
		perMCU += d.comp[s.comp[j]].h * d.comp[s.comp[j]].v
	}
	var err error
	for my := 0; my < d.mcusY && err == nil; my++ {
		if my > 0 {
			if err = d.tick(&w.tk, d.mcusX*perMCU); err != nil {
				break
			}
		}
		d.work += int64(d.mcusX*perMCU) * w.unit
		for mx := 0; mx < d.mcusX && err == nil; mx++ {
			err = d.mcu(s, w.next(), mx, my)
		}
		if d.band && !d.progressive && err == nil {
			d.convertBand(my)
		}
	}
	return err
}

// mcu calls f for each block of one interleaved MCU.
func (d *decoder) mcu(s *scan, f blockFunc, mx, my int) error {
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
