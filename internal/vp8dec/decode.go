package vp8dec

import (
	"context"
	"fmt"
	"image"
)

// Options tunes a decode. The zero value decodes exactly, with no limit
// but the format's 16383x16383.
type Options struct {
	// MaxPixels, if positive, refuses (ErrTooLarge) a frame of more
	// pixels before anything is allocated.
	MaxPixels int
	// SkipLoopFilter leaves out the loop filter: faster, and not the
	// frame the encoder meant (its block edges stay), which a large
	// enough reduction hides.
	SkipLoopFilter bool
}

// Decoder decodes VP8 key frames into YCbCr 4:2:0 planes. Its buffers are
// reused from one Decode to the next, so an image it returned is valid
// only until the next Decode. The zero value is ready to use; a Decoder
// must not be used by two goroutines at once.
type Decoder struct {
	mbw, mbh int
	seg      segmentHeader
	filter   filterHeader
	quant    [4]quant
	probs    [4][8][3][11]uint8
	useSkip  bool
	skipProb uint8

	modes boolDecoder    // the first partition, after the header
	parts [8]boolDecoder // token partitions
	npart int

	y, cb, cr []byte // planes of mbw*16 x mbh*16 (chroma half), or a window (stream.go)
	yStride   int
	cStride   int
	yOff      int // offset in y of the macroblock row being decoded
	cOff      int // the same in cb and cr
	nextY     int // the next luma row DecodeRows hands over
	nextC     int // the next chroma row

	top    []mbTop      // per macroblock column: contexts and unfiltered bottom rows
	finfo  []filterInfo // per macroblock of the current row
	levels [4][2]filterInfo
	mb     mbState
}

// Decode decodes one key frame (the payload of a WebP VP8 chunk) with a
// zero Decoder; see Decoder.Decode.
func Decode(ctx context.Context, data []byte, opt Options) (*image.YCbCr, error) {
	var d Decoder
	return d.Decode(ctx, data, opt)
}

// Decode decodes one key frame. The image holds the video-range samples
// as VP8 codes them (Y 16..235), cropped to the frame's size; its planes
// belong to d. ctx is checked before every macroblock row: once done,
// Decode returns its error.
func (d *Decoder) Decode(ctx context.Context, data []byte, opt Options) (*image.YCbCr, error) {
	cfg, err := d.decode(ctx, data, opt, nil)
	if err != nil {
		return nil, err
	}
	return &image.YCbCr{
		Y: d.y, Cb: d.cb, Cr: d.cr, YStride: d.yStride, CStride: d.cStride,
		SubsampleRatio: image.YCbCrSubsampleRatio420,
		Rect:           image.Rect(0, 0, cfg.Width, cfg.Height),
	}, nil
}

// decode decodes one key frame into whole-frame planes when rows is nil,
// else into a window of them whose final rows go to rows (DecodeRows).
func (d *Decoder) decode(ctx context.Context, data []byte, opt Options, rows Rows) (Config, error) {
	cfg, err := d.parseHeader(data, opt)
	if err != nil {
		return Config{}, err
	}
	d.allocate(rows != nil)
	filter := d.filter.level > 0 && !opt.SkipLoopFilter
	for mby := range d.mbh {
		if err := ctx.Err(); err != nil {
			return Config{}, err
		}
		d.yOff, d.cOff = mby*16*d.yStride, mby*8*d.cStride
		if rows != nil {
			d.yOff, d.cOff = windowTop*d.yStride, windowTop*d.cStride
		}
		br := &d.parts[mby&(d.npart-1)]
		d.decodeRow(mby, br)
		if d.modes.overrun() || br.overrun() {
			return Config{}, fmt.Errorf("%w: truncated partition at macroblock row %d", ErrFormat, mby)
		}
		if filter {
			d.filterRow(mby)
		}
		if rows != nil {
			d.emitRows(mby, filter, cfg, rows)
		}
	}
	return cfg, nil
}

// parseHeader reads the frame header (RFC 6386 section 9 and 19.2) and
// sets up the partitions.
func (d *Decoder) parseHeader(data []byte, opt Options) (Config, error) {
	cfg, firstSize, err := parseTag(data)
	if err != nil {
		return Config{}, err
	}
	if opt.MaxPixels > 0 && cfg.Width*cfg.Height > opt.MaxPixels {
		return Config{}, fmt.Errorf("%w: %dx%d", ErrTooLarge, cfg.Width, cfg.Height)
	}
	data = data[10:]
	if firstSize > len(data) {
		return Config{}, fmt.Errorf("%w: first partition of %d bytes in %d", ErrFormat, firstSize, len(data))
	}
	d.mbw, d.mbh = (cfg.Width+15)/16, (cfg.Height+15)/16
	br := &d.modes
	br.init(data[:firstSize])
	br.readLiteral(2) // color_space, clamping_type: samples are always clamped
	d.seg = segmentHeader{}
	d.seg.parse(br)
	d.filter = filterHeader{}
	d.filter.parse(br)
	if err := d.splitPartitions(data[firstSize:], br.readLiteral(2)); err != nil {
		return Config{}, err
	}
	d.parseQuant(br)
	br.readBool(128) // refresh_entropy_probs: a still has no next frame
	d.parseProbs(br)
	d.useSkip = br.readBool(128)
	if d.useSkip {
		d.skipProb = uint8(br.readLiteral(8))
	}
	if br.overrun() {
		return Config{}, fmt.Errorf("%w: truncated frame header", ErrFormat)
	}
	d.computeFilterLevels()
	return cfg, nil
}

// splitPartitions reads the partition sizes (section 9.5) and starts one
// boolean decoder on each token partition; the last one takes the rest.
func (d *Decoder) splitPartitions(data []byte, log2 int) error {
	d.npart = 1 << log2
	sizes := 3 * (d.npart - 1)
	if len(data) < sizes {
		return fmt.Errorf("%w: partition sizes truncated", ErrFormat)
	}
	rest := data[sizes:]
	for i := range d.npart - 1 {
		n := int(data[3*i]) | int(data[3*i+1])<<8 | int(data[3*i+2])<<16
		if n > len(rest) {
			return fmt.Errorf("%w: token partition %d of %d bytes in %d", ErrFormat, i, n, len(rest))
		}
		d.parts[i].init(rest[:n])
		rest = rest[n:]
	}
	d.parts[d.npart-1].init(rest)
	return nil
}

// allocate sizes the planes (or, for a window, windowTop rows above one
// macroblock row) and per-column state for the frame, reusing what a
// previous decode left where it is large enough.
func (d *Decoder) allocate(window bool) {
	d.yStride, d.cStride = 16*d.mbw, 8*d.mbw
	ny, nc := d.yStride*16*d.mbh, d.cStride*8*d.mbh
	if window {
		ny, nc = d.yStride*(windowTop+16), d.cStride*(windowTop+8)
		d.nextY, d.nextC = 0, 0
	}
	d.y = grow(d.y, ny)
	d.cb = grow(d.cb, nc)
	d.cr = grow(d.cr, nc)
	if cap(d.top) < d.mbw {
		d.top = make([]mbTop, d.mbw)
	}
	d.top = d.top[:d.mbw]
	clear(d.top)
	if cap(d.finfo) < d.mbw {
		d.finfo = make([]filterInfo, d.mbw)
	}
	d.finfo = d.finfo[:d.mbw]
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
