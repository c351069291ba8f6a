package pngdec

import "image"

// adam7Pass is one of the seven passes of Adam7 interlacing: the pixels
// at (x0 + i*dx, y0 + j*dy) (PNG specification, section 8.2).
type adam7Pass struct{ x0, y0, dx, dy int }

var adam7 = [7]adam7Pass{
	{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
	{0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
}

// size is the pass's size in pixels for a w x h picture; a pass may be
// empty, and then has no rows at all (not even filter bytes).
func (a adam7Pass) size(w, h int) (int, int) {
	return (w - a.x0 + a.dx - 1) / a.dx, (h - a.y0 + a.dy - 1) / a.dy
}

// adam7 decodes the seven passes, converting each row into a scratch
// row and scattering its pixels into pix; the scratch row is the only
// storage besides the two raw rows.
func (p *PNG) adam7(r *rows, conv *converter, pix []byte, stride int) error {
	bpp := p.BytesPerPixel()
	tmp := make([]byte, p.Width*bpp)
	for _, a := range adam7 {
		pw, ph := a.size(p.Width, p.Height)
		if pw <= 0 || ph <= 0 {
			continue
		}
		r.startPass(pw)
		for j := range ph {
			raw, err := r.next()
			if err != nil {
				return err
			}
			conv.row(tmp, raw, pw)
			out := pix[(a.y0+j*a.dy)*stride:]
			for i := range pw {
				o := (a.x0 + i*a.dx) * bpp
				copy(out[o:o+bpp], tmp[i*bpp:(i+1)*bpp])
			}
		}
	}
	return nil
}

// Pixels decodes the picture row by row as stored, interlaced or not:
// sink receives each stored row as a one-row image of Decode's type
// (bounds (0,0)-(n,1), valid until sink returns) whose pixel i lies at
// (x0 + i*dx, y) of the picture. Without interlacing x0 is 0, dx 1 and
// the rows come in order (see Rows); with Adam7 they come pass by pass.
// It holds two raw rows and one converted row. check and sink's errors
// are as for Rows.
func (p *PNG) Pixels(check func() error, sink func(y, x0, dx int, row image.Image) error) error {
	if !p.Interlaced {
		return p.Rows(check, func(y int, row image.Image) error { return sink(y, 0, 1, row) })
	}
	r, err := p.newRows(check)
	if err != nil {
		return err
	}
	m := p.newImage(p.Width, 1)
	if pm, ok := m.(*image.Paletted); ok {
		pm.Palette = p.palette
	}
	pix, _ := pixOf(m)
	conv := p.converter()
	for _, a := range adam7 {
		pw, ph := a.size(p.Width, p.Height)
		if pw <= 0 || ph <= 0 {
			continue
		}
		sub := m.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(0, 0, pw, 1))
		r.startPass(pw)
		for j := range ph {
			raw, err := r.next()
			if err != nil {
				return err
			}
			conv.row(pix, raw, pw)
			if err := sink(a.y0+j*a.dy, a.x0, a.dx, sub); err != nil {
				return err
			}
		}
	}
	return r.finish()
}
