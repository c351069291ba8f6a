package pngdec

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
