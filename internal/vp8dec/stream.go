package vp8dec

import "context"

// windowTop is how many rows of the macroblock row above a streaming
// window keeps over the row being decoded: the normal loop filter reads
// four rows above a macroblock's top edge (p3 to p0) and changes three
// (section 15.3), luma and chroma alike; the simple filter reads two and
// changes one, of luma only (section 15.2).
const windowTop = 4

// Rows receives the rows of a frame from DecodeRows as they become
// final, each plane's in order from its top, cropped to the frame: Y
// rows of Width samples, Cb and Cr rows of (Width+1)/2, (Height+1)/2 of
// them. A row is the decoder's: valid only during the call, and not to
// be modified.
type Rows interface {
	// Luma receives row y of the Y plane.
	Luma(y int, row []byte)
	// Chroma receives row y of the Cb and Cr planes.
	Chroma(y int, cb, cr []byte)
}

// DecodeRows decodes one key frame as Decode does, to the same samples,
// but never holds the whole frame: its planes are a window of one
// macroblock row and the windowTop rows above it (20 luma and 2 x 12
// chroma rows of the frame's width rounded up to 16), and each row goes
// to rows as soon as nothing can change it: with the loop filter, once
// the macroblock row below is filtered, but for the rows that filter
// changes, held back (three, or one of luma with the simple filter);
// without, as soon as its macroblock row is reconstructed; the last ones
// at the end. ctx is checked before every macroblock row; on an error
// the rows already handed over are of no use. The frame's size is
// returned, and known before any row from DecodeConfig.
func (d *Decoder) DecodeRows(ctx context.Context, data []byte, opt Options, rows Rows) (Config, error) {
	if rows == nil {
		panic("vp8dec: DecodeRows without Rows")
	}
	return d.decode(ctx, data, opt, rows)
}

// emitRows hands over the rows that macroblock row mby, decoded (and
// filtered) in the window, made final, and moves the window's last
// windowTop rows to its top, where the next row's filter reads and
// changes them.
func (d *Decoder) emitRows(mby int, filter bool, cfg Config, rows Rows) {
	ys, cs := d.yStride, d.cStride
	more := filter && mby+1 < d.mbh
	holdY, holdC := 0, 0
	switch {
	case more && d.filter.simple:
		holdY = 1
	case more:
		holdY, holdC = 3, 3
	}
	w, cw := cfg.Width, (cfg.Width+1)/2
	top := 16*mby - windowTop // the frame row of the window's first
	for end := min(16*mby+16-holdY, cfg.Height); d.nextY < end; d.nextY++ {
		o := (d.nextY - top) * ys
		rows.Luma(d.nextY, d.y[o:o+w:o+w])
	}
	top = 8*mby - windowTop
	for end := min(8*mby+8-holdC, (cfg.Height+1)/2); d.nextC < end; d.nextC++ {
		o := (d.nextC - top) * cs
		rows.Chroma(d.nextC, d.cb[o:o+cw:o+cw], d.cr[o:o+cw:o+cw])
	}
	if more {
		copy(d.y[:windowTop*ys], d.y[16*ys:])
		copy(d.cb[:windowTop*cs], d.cb[8*cs:])
		copy(d.cr[:windowTop*cs], d.cr[8*cs:])
	}
}
