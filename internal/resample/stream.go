package resample

import "image"

// A Shrinker resizes a picture handed over row by row, holding only its
// box pre-reduction: each source row is added into column sums as it
// comes, and every fy rows make one reduced row. The result is exactly
// [ResizeExtent]'s for the whole picture (integer sums do not depend on
// their order), without the picture ever being held at full size.
type Shrinker struct {
	kind       int // how ResizeExtent treats the row type: shrink* below
	srcW, srcH int
	w, h       int
	k          Kernel
	ax, ay     axis // before the pre-reduction
	fx, fy     int
	ch         int
	premul     bool // premultiply as rows are added (NRGBA)
	cols, acc  []int32
	tmp        []byte        // a converted row (other types)
	lut        *[256][4]byte // a Paletted row's colours, from the first row
	grid       []int32       // block sums of pixels added by AddAt
	// Without a box pre-reduction (direct), each row goes at once
	// through the horizontal kernel pass into mid (or, when the vertical
	// pass is the identity, into the result), as twoPass would run it
	// first on the whole picture.
	direct  bool
	tx, ty  *table
	row     []byte // a row as the box would have made it
	mid     plane
	midBuf  *[]byte
	out     plane
	result  image.Image
	small   plane
	buf     *[]byte // small's pooled storage
	y, rows int     // next source row; rows summed in cols
}

const (
	shrinkGray = iota
	shrinkRGBA
	shrinkNRGBA
	shrinkOther
)

// NewShrinker returns a Shrinker of a srcW x srcH picture whose rows are
// images of model's type, to w x h with kernel k (the zero Kernel means
// Lanczos3); nil when ResizeExtent would not box-reduce it (a reduction
// under 5x on both axes), or for YCbCr types, whose planes go to a
// YCbCrShrinker instead.
func NewShrinker(model image.Image, srcW, srcH, w, h int, k Kernel) *Shrinker {
	s := planShrinker(model, srcW, srcH, w, h, k)
	if s == nil {
		return nil
	}
	if s.kind == shrinkOther {
		s.tmp = make([]byte, 4*srcW)
	}
	s.cols, s.acc = make([]int32, srcW*s.ch), make([]int32, (srcW+s.fx-1)/s.fx*s.ch)
	if !s.direct {
		s.small, s.buf = newPlane((srcW+s.fx-1)/s.fx, (srcH+s.fy-1)/s.fy, s.ch)
		return s
	}
	s.row = make([]byte, srcW*s.ch)
	s.result, s.out = newResult(s.kind, w, h)
	if !s.ty.ident {
		s.mid, s.midBuf = newPlane(w, srcH, s.ch)
	}
	return s
}

// planShrinker returns a Shrinker's plan (its type, factors and, without
// box, its kernel tables) without its buffers; nil as for NewShrinker.
func planShrinker(model image.Image, srcW, srcH, w, h int, k Kernel) *Shrinker {
	if w <= 0 || h <= 0 || srcW <= 0 || srcH <= 0 {
		return nil
	}
	ax, ay := axes(image.Rect(0, 0, srcW, srcH), w, h, Extent{})
	s := &Shrinker{srcW: srcW, srcH: srcH, w: w, h: h, k: k.orDefault(), ax: ax, ay: ay, ch: 4}
	s.fx, s.fy = shrinkFactor(ax.scale), shrinkFactor(ay.scale)
	switch model.(type) {
	case *image.YCbCr, *image.NYCbCrA:
		return nil
	case *image.Gray:
		s.kind, s.ch = shrinkGray, 1
	case *image.RGBA:
		s.kind = shrinkRGBA
	case *image.NRGBA:
		s.kind, s.premul = shrinkNRGBA, true
	default:
		s.kind = shrinkOther
	}
	s.direct = s.fx == 1 && s.fy == 1
	if s.direct && !s.horizontalFirst() {
		return nil
	}
	return s
}

// horizontalFirst computes the kernel tables of a Shrinker without box
// and reports whether twoPass would run the horizontal pass first (or
// alone) on the whole picture: then rows can go through it as they come.
func (s *Shrinker) horizontalFirst() bool {
	align := 1
	if s.ch == 1 {
		align = 4
	}
	s.tx, s.ty = newTable(s.k, s.ax, align), newTable(s.k, s.ay, 1)
	switch {
	case s.tx.ident:
		return false
	case s.ty.ident:
		return true
	}
	hFirst := s.srcH*s.w*s.tx.taps + s.w*s.h*s.ty.taps
	vFirst := s.srcW*s.h*s.ty.taps + s.w*s.h*s.tx.taps
	return hFirst <= vFirst
}

// Boxed reports whether the Shrinker box-reduces (by 5x or more on an
// axis); AddAt is only for a boxed Shrinker.
func (s *Shrinker) Boxed() bool { return !s.direct }

// newResult returns the w x h image of the type ResizeExtent returns for
// kind, and its plane.
func newResult(kind, w, h int) (image.Image, plane) {
	r := image.Rect(0, 0, w, h)
	switch kind {
	case shrinkGray:
		d := image.NewGray(r)
		return d, plane{d.Pix, d.Stride, w, h, 1}
	case shrinkRGBA:
		d := image.NewRGBA(r)
		return d, plane{d.Pix, d.Stride, w, h, 4}
	}
	d := image.NewNRGBA(r)
	return d, plane{d.Pix, d.Stride, w, h, 4}
}

// Add adds the next source row: an image one row high and srcW wide of
// the model's type. Rows of a type other than Gray, RGBA and NRGBA are
// converted as the first one was (a Paletted row's palette is read once,
// from the first row). Rows past srcH are ignored.
func (s *Shrinker) Add(row image.Image) {
	if s.y >= s.srcH {
		return
	}
	px := s.pixels(row, s.srcW)
	switch {
	case s.direct && !s.premul:
		s.kernelRow(px) // a box of one pixel, unpremultiplied, is the row itself
		return
	case s.premul:
		addPremul(s.cols, px)
	default:
		addRow(s.cols, px)
	}
	s.next()
}

// kernelRow ends source row px of a Shrinker without box: through the
// horizontal pass into mid, or into the result when the vertical pass is
// the identity.
func (s *Shrinker) kernelRow(px []byte) {
	dst := s.out
	if !s.ty.ident {
		dst = s.mid
	}
	if s.ch == 4 {
		hrow4(px, dst.row(s.y), s.tx)
	} else {
		hrow1(px, dst.row(s.y), s.tx)
	}
	s.y++
}

// next ends a source row: every fy rows (and after the last) make one
// reduced row.
func (s *Shrinker) next() {
	s.y++
	s.rows++
	if s.direct {
		// A premultiplying box of one pixel: the same sums and divisions
		// as with a box make the row.
		copy(s.acc, s.cols)
		finishRow(s.acc, s.row, s.ch, 1, 1, s.srcW, s.premul)
		clear(s.cols)
		s.rows = 0
		s.y--
		s.kernelRow(s.row)
		return
	}
	if s.rows == s.fy || s.y == s.srcH {
		sumBlocks(s.acc, s.cols, s.fx, s.ch)
		finishRow(s.acc, s.small.row((s.y-1)/s.fy), s.ch, s.rows, s.fx, s.srcW, s.premul)
		clear(s.cols)
		s.rows = 0
	}
}

// AddRGB adds the next source row given as 8-bit RGB samples (3 bytes a
// pixel, srcW pixels), as Add would add it as opaque RGBA; only for a
// Shrinker whose model is *image.RGBA.
func (s *Shrinker) AddRGB(px []byte) {
	if s.kind != shrinkRGBA {
		panic("resample: AddRGB to a Shrinker of another type than RGBA")
	}
	if s.y >= s.srcH {
		return
	}
	if s.direct {
		for i := 0; i+3 < len(s.row) && 3*(i/4)+2 < len(px); i += 4 {
			o, p := s.row[i:i+4:i+4], px[3*(i/4):3*(i/4)+3:3*(i/4)+3]
			o[0], o[1], o[2], o[3] = p[0], p[1], p[2], 0xff
		}
		s.kernelRow(s.row)
		return
	}
	addRGB(s.cols, px)
	s.next()
}

// addRGB adds RGB samples into RGBA column sums, alpha 255.
func addRGB(cols []int32, px []byte) {
	for len(cols) >= 4 && len(px) >= 3 {
		c := cols[:4:4]
		c[0] += int32(px[0])
		c[1] += int32(px[1])
		c[2] += int32(px[2])
		c[3] += 255
		cols, px = cols[4:], px[3:]
	}
}

// AddAt adds the pixels of row, an image one row high, whose pixel i
// lies at (x0 + i*dx, y) of the source: a row of an Adam7 pass, in any
// order. Pixels are summed straight into their block of the reduced
// grid (integer sums, so the order does not matter): a Shrinker fed with
// every source pixel once by AddAt gives what Add gives. A Shrinker is
// fed by Add or by AddAt, never both.
func (s *Shrinker) AddAt(y, x0, dx int, row image.Image) {
	n := row.Bounds().Dx()
	if s.direct {
		panic("resample: AddAt to a Shrinker without box")
	}
	if y < 0 || y >= s.srcH || x0 < 0 || dx < 1 || n == 0 || x0+(n-1)*dx >= s.srcW {
		return
	}
	if s.grid == nil {
		s.grid = make([]int32, s.small.w*s.small.h*s.ch)
	}
	px := s.pixels(row, n)
	g := s.grid[y/s.fy*s.small.w*s.ch:][:s.small.w*s.ch]
	for i := range n {
		b := (x0 + i*dx) / s.fx * s.ch
		if s.ch == 1 {
			g[b] += int32(px[i])
			continue
		}
		p, o := px[4*i:4*i+4:4*i+4], g[b:b+4:b+4]
		if s.premul {
			a := int32(p[3])
			o[0], o[1], o[2], o[3] = o[0]+int32(p[0])*a, o[1]+int32(p[1])*a, o[2]+int32(p[2])*a, o[3]+a
		} else {
			o[0], o[1], o[2], o[3] = o[0]+int32(p[0]), o[1]+int32(p[1]), o[2]+int32(p[2]), o[3]+int32(p[3])
		}
	}
}

// pixels returns the first n pixels of row as the Shrinker sums them:
// as stored for Gray, RGBA and NRGBA, else converted to premultiplied
// RGBA.
func (s *Shrinker) pixels(row image.Image, n int) []byte {
	if s.kind != shrinkOther {
		p, _ := rowPix(row)
		return p[:n*s.ch]
	}
	if p, ok := row.(*image.Paletted); ok {
		if s.lut == nil {
			s.lut = paletteLUT(p.Palette, true)
		}
		lutRow(s.tmp[:4*n], p.Pix, s.lut)
	} else {
		rgbaRows(row, true)(0, s.tmp[:4*n])
	}
	return s.tmp[:4*n]
}

func rowPix(m image.Image) ([]byte, int) {
	switch m := m.(type) {
	case *image.Gray:
		return m.Pix, m.Stride
	case *image.RGBA:
		return m.Pix, m.Stride
	case *image.NRGBA:
		return m.Pix, m.Stride
	}
	panic("resample: Shrinker row of another type than its model")
}

// Image finishes the resize with the kernel, on at most workers
// goroutines, and returns the w x h result, of the type ResizeExtent
// returns for the model's (Gray, RGBA or NRGBA). Rows never added count
// as zeros. The Shrinker is then spent.
func (s *Shrinker) Image(workers int) image.Image {
	workers = max(workers, 1)
	if s.direct {
		if !s.ty.ident {
			parallel(s.out.h, workers, func(y0, y1 int) { vpass(s.mid, s.out, s.ty, y0, y1) })
			bytePool.Put(s.midBuf)
		}
		s.finish(s.out, workers)
		return s.result
	}
	defer bytePool.Put(s.buf)
	align := 1
	if s.ch == 1 {
		align = 4
	}
	m, out := newResult(s.kind, s.w, s.h)
	if s.grid != nil {
		rowLen := s.small.w * s.ch
		for by := range s.small.h {
			rows := min(s.fy, s.srcH-by*s.fy)
			finishRow(s.grid[by*rowLen:(by+1)*rowLen], s.small.row(by), s.ch, rows, s.fx, s.srcW, s.premul)
		}
	}
	tx := newTable(s.k, s.ax.shrunk(s.fx), align)
	ty := newTable(s.k, s.ay.shrunk(s.fy), 1)
	twoPass(s.small, out, tx, ty, workers)
	s.finish(out, workers)
	return m
}

// finish post-processes the result as ResizeExtent does for the type:
// premultiplied RGBA clamped, NRGBA un-premultiplied. (An opaque NRGBA
// picture, which ResizeExtent resamples without premultiplying when it
// has no box, gives the same bytes: opaque pixels premultiply to
// themselves and the kernel keeps alpha at 255.)
func (s *Shrinker) finish(out plane, workers int) {
	switch s.kind {
	case shrinkRGBA:
		eachRow(out, workers, clampPremulRow)
	case shrinkNRGBA, shrinkOther:
		eachRow(out, workers, unpremulRow)
	}
}

// ShrinkerPlan reports whether NewShrinker would return a Shrinker for
// rows of model's type, whether it would box, and the bytes it would
// hold at its peak besides its rows and result, for an admission
// estimate: column sums, a converted row, and with a box the reduced
// plane (and, scattered by AddAt, its block sums) and the kernel pass's
// intermediate plane (at most w x the reduced height or the reduced
// width x h); without, the horizontal pass's rows (w x srcH).
func ShrinkerPlan(model image.Image, srcW, srcH, w, h int, scattered bool) (ok, boxed bool, bytes int64) {
	s := planShrinker(model, srcW, srcH, w, h, Kernel{})
	if s == nil {
		return false, false, 0
	}
	ch := int64(s.ch)
	n := int64(srcW) * (4*ch + 4 + ch)
	if s.direct {
		return true, false, n + int64(w)*int64(srcH)*ch
	}
	sw, sh := int64((srcW+s.fx-1)/s.fx), int64((srcH+s.fy-1)/s.fy)
	small := sw * sh * ch
	n += small + max(int64(w)*sh, sw*int64(h))*ch
	if scattered {
		n += 4 * small
	}
	return true, true, n
}

// Boxes reports whether ResizeExtent box-reduces a srcW x srcH picture
// (whole) to w x h before the kernel: by 5x or more on an axis.
func Boxes(srcW, srcH, w, h int) bool {
	if w <= 0 || h <= 0 || srcW <= 0 || srcH <= 0 {
		return false
	}
	ax, ay := axes(image.Rect(0, 0, srcW, srcH), w, h, Extent{})
	return shrinkFactor(ax.scale) > 1 || shrinkFactor(ay.scale) > 1
}
