package pngdec

import (
	"errors"
	"image"
	"io"

	"github.com/imgproxy-go/imgproxy/internal/inflate"
)

// checkEvery is how many inflated bytes pass between two calls of the
// check function.
const checkEvery = 16 << 10

// rows inflates and unfilters the image data row by row, keeping two
// raw rows.
type rows struct {
	p         *PNG
	zr        *inflate.Reader
	check     func() error
	since     int // bytes inflated since the last check
	cur, prev []byte
	bpp       int // bytes per complete pixel, at least 1
}

func (p *PNG) newRows(check func() error) (*rows, error) {
	if check == nil {
		check = func() error { return nil }
	}
	r := &rows{p: p, check: check, bpp: max(1, p.bitsPerPixel()/8)}
	if err := check(); err != nil {
		return nil, err
	}
	zr, err := inflate.NewReader(p.idat, p.inflatedSize())
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, formatError("not enough pixel data")
		}
		return nil, formatError("image data: %v", err)
	}
	r.zr = zr
	n := p.rowBytes(p.Width) + 1
	r.cur, r.prev = make([]byte, n), make([]byte, n)
	return r, nil
}

// bitsPerPixel is the bits of one pixel as stored.
func (p *PNG) bitsPerPixel() int {
	return p.Depth * [...]int{1, 0, 3, 1, 2, 0, 4}[p.ColorType]
}

// inflatedSize is the size of the image data inflated: every row of
// every pass (or of the picture) with its filter byte.
func (p *PNG) inflatedSize() int64 {
	if !p.Interlaced {
		return int64(p.Height) * int64(p.rowBytes(p.Width)+1)
	}
	var n int64
	for _, a := range adam7 {
		if pw, ph := a.size(p.Width, p.Height); pw > 0 && ph > 0 {
			n += int64(ph) * int64(p.rowBytes(pw)+1)
		}
	}
	return n
}

// rowBytes is the bytes of a stored row of w pixels, filter byte aside.
func (p *PNG) rowBytes(w int) int {
	return (p.bitsPerPixel()*w + 7) / 8
}

// startPass readies the decoder for a pass (or the whole image) of rows
// of w pixels: the row above the first is zeros.
func (r *rows) startPass(w int) {
	n := r.p.rowBytes(w) + 1
	r.cur, r.prev = r.cur[:n], r.prev[:n]
	clear(r.prev)
	clear(r.cur) // next swaps them
}

// next inflates and unfilters the next row, returning its bytes after
// the filter type.
func (r *rows) next() ([]byte, error) {
	r.cur, r.prev = r.prev, r.cur
	for got := 0; got < len(r.cur); {
		if r.since >= checkEvery {
			if err := r.check(); err != nil {
				return nil, err
			}
			r.since = 0
		}
		n, err := r.zr.Read(r.cur[got:min(len(r.cur), got+checkEvery)])
		got += n
		r.since += n
		if err != nil && got < len(r.cur) {
			switch {
			case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
				return nil, formatError("not enough pixel data")
			case errors.Is(err, inflate.ErrTooLong):
				return nil, formatError("too much pixel data")
			}
			return nil, formatError("image data: %v", err)
		}
	}
	if err := unfilter(r.cur, r.prev, r.bpp); err != nil {
		return nil, err
	}
	return r.cur[1:], nil
}

// finish checks that the zlib stream ends (and its checksum holds) right
// after the last row, and the image data right after it. (image/png
// ignores whole IDAT chunks after the one where the stream ends; this
// package refuses them.)
func (r *rows) finish() error {
	var one [1]byte
	n, err := io.ReadFull(r.zr, one[:])
	switch {
	case n != 0 || errors.Is(err, inflate.ErrTooLong):
		return formatError("too much pixel data")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatError("not enough pixel data")
	case err != io.EOF:
		return formatError("image data: %v", err)
	case r.zr.Left() != 0:
		return formatError("too much pixel data")
	}
	return r.check()
}

// Decode decodes the whole picture into the type image/png returns for
// it, with the same pixels: *image.Gray, *image.Gray16, *image.RGBA,
// *image.RGBA64, *image.NRGBA, *image.NRGBA64 or *image.Paletted. check
// (nil: never) is called every 16 KiB of inflated data; its error ends
// the decode and is returned as it is. Pictures over maxPixels pixels
// (0: no limit) are refused before anything is allocated.
func (p *PNG) Decode(check func() error, maxPixels int64) (image.Image, error) {
	if maxPixels > 0 && int64(p.Width)*int64(p.Height) > maxPixels {
		return nil, formatError("%dx%d is over %d pixels", p.Width, p.Height, maxPixels)
	}
	r, err := p.newRows(check)
	if err != nil {
		return nil, err
	}
	m := p.newImage(p.Width, p.Height)
	pix, stride := pixOf(m)
	conv := p.converter()
	if !p.Interlaced {
		r.startPass(p.Width)
		for y := range p.Height {
			raw, err := r.next()
			if err != nil {
				return nil, err
			}
			conv.row(pix[y*stride:(y+1)*stride], raw, p.Width)
		}
	} else if err := p.adam7(r, conv, pix, stride); err != nil {
		return nil, err
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	if pm, ok := m.(*image.Paletted); ok {
		pm.Palette = p.palette[:max(p.palLen, conv.maxIndex+1)]
	}
	return m, nil
}

// Rows decodes a non-interlaced picture row by row, holding two raw
// rows and at most one converted row: sink receives each row y as a
// one-row image (bounds (0,0)-(Width,1)) of the type Decode returns with
// row y's pixels, valid until sink returns. A Paletted row carries all
// 256 palette entries (those past the file's are what image/png would
// use for such indices). check is as for Decode; an error of sink ends
// the decode and is returned.
func (p *PNG) Rows(check func() error, sink func(y int, row image.Image) error) error {
	m := p.newImage(p.Width, 1)
	if pm, ok := m.(*image.Paletted); ok {
		pm.Palette = p.palette
	}
	pix, _ := pixOf(m)
	conv := p.converter()
	same := p.storedAsPix()
	return p.RawRows(check, func(y int, raw []byte) error {
		if same {
			setPix(m, raw[:len(pix)])
		} else {
			conv.row(pix, raw, p.Width)
		}
		return sink(y, m)
	})
}

// RawRows is Rows without the conversion: sink receives each row's
// unfiltered bytes as stored (samples big-endian, packed below 8 bits),
// valid until it returns.
func (p *PNG) RawRows(check func() error, sink func(y int, raw []byte) error) error {
	if p.Interlaced {
		return formatError("Rows of an interlaced picture")
	}
	r, err := p.newRows(check)
	if err != nil {
		return err
	}
	r.startPass(p.Width)
	for y := range p.Height {
		raw, err := r.next()
		if err != nil {
			return err
		}
		if err := sink(y, raw); err != nil {
			return err
		}
	}
	return r.finish()
}

// RGB8 reports whether the rows are 8-bit RGB without tRNS: 3 bytes a
// pixel as stored, *image.RGBA (opaque) as decoded.
func (p *PNG) RGB8() bool { return p.ColorType == 2 && p.Depth == 8 && !p.trns }

// storedAsPix reports whether a stored row is byte for byte the row of
// Decode's result (8-bit grey, grey and RGB with alpha at 8 and 16 bits,
// 16-bit grey, 8-bit palette indices).
func (p *PNG) storedAsPix() bool {
	switch {
	case p.trns && p.ColorType != 3:
		return false
	case p.ColorType == 3 || p.ColorType == 0:
		return p.Depth >= 8
	}
	return p.ColorType == 6
}

func setPix(m image.Image, pix []byte) {
	switch m := m.(type) {
	case *image.Paletted:
		m.Pix = pix
	case *image.Gray:
		m.Pix = pix
	case *image.Gray16:
		m.Pix = pix
	case *image.NRGBA:
		m.Pix = pix
	case *image.NRGBA64:
		m.Pix = pix
	}
}

// Kind returns an empty image of the type Decode returns.
func (p *PNG) Kind() image.Image { return p.newImage(0, 0) }

// BytesPerPixel is what a pixel of Decode's result takes.
func (p *PNG) BytesPerPixel() int {
	_, stride := pixOf(p.newImage(1, 1))
	return stride
}

func (p *PNG) newImage(w, h int) image.Image {
	r := image.Rect(0, 0, w, h)
	switch {
	case p.ColorType == 3:
		return image.NewPaletted(r, nil)
	case p.Depth == 16 && p.ColorType == 0 && !p.trns:
		return image.NewGray16(r)
	case p.Depth == 16 && p.ColorType == 2 && !p.trns:
		return image.NewRGBA64(r)
	case p.Depth == 16:
		return image.NewNRGBA64(r)
	case p.ColorType == 0 && !p.trns:
		return image.NewGray(r)
	case p.ColorType == 2 && !p.trns:
		return image.NewRGBA(r)
	}
	return image.NewNRGBA(r)
}

func pixOf(m image.Image) ([]byte, int) {
	switch m := m.(type) {
	case *image.Paletted:
		return m.Pix, m.Stride
	case *image.Gray:
		return m.Pix, m.Stride
	case *image.Gray16:
		return m.Pix, m.Stride
	case *image.RGBA:
		return m.Pix, m.Stride
	case *image.RGBA64:
		return m.Pix, m.Stride
	case *image.NRGBA:
		return m.Pix, m.Stride
	case *image.NRGBA64:
		return m.Pix, m.Stride
	}
	panic("pngdec: unexpected image type")
}
