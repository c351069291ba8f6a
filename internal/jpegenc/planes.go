package jpegenc

import "image"

// plane is one 8-bit sample plane of size w x h.
type plane struct {
	pix    []byte
	stride int
	w, h   int
}

// component is one colour component of the frame and its quantised
// coefficients.
type component struct {
	id     byte // component identifier written in SOF/SOS (1, 2, 3)
	hs, vs int  // sampling factors
	tq     int  // quantisation table slot (0 luma, 1 chroma)
	p      plane
	// bw x bh blocks are stored: the component's share of the MCU grid,
	// which interleaved scans code. Non-interleaved scans code only the
	// nbw x nbh blocks that cover the component (T.81 A.2.2).
	bw, bh   int
	nbw, nbh int
	coef     []int16  // bw*bh blocks of 64 coefficients in zig-zag order
	nonzero  []uint64 // per block: bit k set when coefficient k is not 0
}

// block returns the coefficients of block (bx, by) and their non-zero mask.
func (c *component) block(bx, by int) (*[64]int16, uint64) {
	i := by*c.bw + bx
	return (*[64]int16)(c.coef[i*64 : i*64+64]), c.nonzero[i]
}

// transform runs the FDCT and quantisation over every stored block. Samples
// outside the plane repeat the last column and row.
func (c *component) transform(q *quantTable) {
	c.coef = make([]int16, c.bw*c.bh*64)
	c.nonzero = make([]uint64, c.bw*c.bh)
	p := &c.p
	var b [64]float32
	for by := range c.bh {
		y0 := by * 8
		for bx := range c.bw {
			x0 := bx * 8
			if x0+8 <= p.w && y0+8 <= p.h {
				for r := range 8 {
					row := p.pix[(y0+r)*p.stride+x0:]
					row = row[:8]
					d := b[r*8 : r*8+8]
					for i, v := range row {
						d[i] = float32(v) - 128
					}
				}
			} else {
				for r := range 8 {
					row := p.pix[min(y0+r, p.h-1)*p.stride:]
					for i := range 8 {
						b[r*8+i] = float32(row[min(x0+i, p.w-1)]) - 128
					}
				}
			}
			i := by*c.bw + bx
			c.nonzero[i] = fdctQuantize(&b, q, c.coef[i*64:])
		}
	}
}

// newPlane allocates a w x h plane.
func newPlane(w, h int) plane {
	return plane{pix: make([]byte, w*h), stride: w, w: w, h: h}
}

// planes returns the sample planes to code for m (1 for gray, 3 for
// YCbCr 4:2:0), reading m's own planes where possible.
func planes(m image.Image) []plane {
	r := m.Bounds()
	w, h := r.Dx(), r.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	switch m := m.(type) {
	case *image.Gray:
		return []plane{{m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, w, h}}
	case *image.YCbCr:
		y := plane{m.Y[m.YOffset(r.Min.X, r.Min.Y):], m.YStride, w, h}
		if m.SubsampleRatio == image.YCbCrSubsampleRatio420 && r.Min.X%2 == 0 && r.Min.Y%2 == 0 {
			o := m.COffset(r.Min.X, r.Min.Y)
			return []plane{y, {m.Cb[o:], m.CStride, cw, ch}, {m.Cr[o:], m.CStride, cw, ch}}
		}
		// Any other ratio or alignment: box-average chroma to 4:2:0.
		cb, cr := newPlane(cw, ch), newPlane(cw, ch)
		for j := range ch {
			y0, y1 := r.Min.Y+2*j, r.Min.Y+min(2*j+1, h-1)
			for i := range cw {
				x0, x1 := r.Min.X+2*i, r.Min.X+min(2*i+1, w-1)
				o00, o01 := m.COffset(x0, y0), m.COffset(x1, y0)
				o10, o11 := m.COffset(x0, y1), m.COffset(x1, y1)
				cb.pix[j*cw+i] = uint8((int(m.Cb[o00]) + int(m.Cb[o01]) + int(m.Cb[o10]) + int(m.Cb[o11]) + 2) >> 2)
				cr.pix[j*cw+i] = uint8((int(m.Cr[o00]) + int(m.Cr[o01]) + int(m.Cr[o10]) + int(m.Cr[o11]) + 2) >> 2)
			}
		}
		return []plane{y, cb, cr}
	}
	return rgbPlanes(m)
}

// rgbPlanes converts any image to YCbCr 4:2:0 (JFIF equations, 16-bit
// fixed point). Chroma is computed from the 2x2 average of the colours.
// Colours are composited over black, as image/jpeg does.
func rgbPlanes(m image.Image) []plane {
	r := m.Bounds()
	w, h := r.Dx(), r.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	yp, cb, cr := newPlane(w, h), newPlane(cw, ch), newPlane(cw, ch)

	// row returns row y (0-based) as 4 bytes per pixel: R, G, B, unused.
	var row func(y int, buf []byte) []byte
	switch m := m.(type) {
	case *image.RGBA: // premultiplied: use the samples as stored
		row = func(y int, _ []byte) []byte {
			o := m.PixOffset(r.Min.X, r.Min.Y+y)
			return m.Pix[o : o+4*w]
		}
	case *image.NRGBA:
		row = func(y int, buf []byte) []byte {
			o := m.PixOffset(r.Min.X, r.Min.Y+y)
			s := m.Pix[o : o+4*w]
			for i := 0; i < len(s); i += 4 {
				a := uint32(s[i+3])
				buf[i] = uint8((uint32(s[i])*a + 127) / 255)
				buf[i+1] = uint8((uint32(s[i+1])*a + 127) / 255)
				buf[i+2] = uint8((uint32(s[i+2])*a + 127) / 255)
			}
			return buf
		}
	default:
		row = func(y int, buf []byte) []byte {
			for x := range w {
				cr, cg, cb, _ := m.At(r.Min.X+x, r.Min.Y+y).RGBA()
				buf[4*x], buf[4*x+1], buf[4*x+2] = uint8(cr>>8), uint8(cg>>8), uint8(cb>>8)
			}
			return buf
		}
	}
	buf0, buf1 := make([]byte, 4*w), make([]byte, 4*w)
	for j := range ch {
		r0 := row(2*j, buf0)
		r1 := r0
		if 2*j+1 < h {
			r1 = row(2*j+1, buf1)
			lumaRow(yp.pix[(2*j+1)*w:(2*j+2)*w], r1)
		}
		lumaRow(yp.pix[2*j*w:(2*j+1)*w], r0)
		cbRow, crRow := cb.pix[j*cw:(j+1)*cw], cr.pix[j*cw:(j+1)*cw]
		for i := range cw {
			a, b := 8*i, 4*min(2*i+1, w-1) // columns 2i and 2i+1 (clamped)
			R := int32(r0[a]) + int32(r0[b]) + int32(r1[a]) + int32(r1[b])
			G := int32(r0[a+1]) + int32(r0[b+1]) + int32(r1[a+1]) + int32(r1[b+1])
			B := int32(r0[a+2]) + int32(r0[b+2]) + int32(r1[a+2]) + int32(r1[b+2])
			// Sums of 4 samples: shift by 18 instead of 16.
			vb := (-11058*R - 21710*G + 32768*B + 128<<18 + 1<<17) >> 18
			vr := (32768*R - 27439*G - 5329*B + 128<<18 + 1<<17) >> 18
			cbRow[i], crRow[i] = clamp8(vb), clamp8(vr)
		}
	}
	return []plane{yp, cb, cr}
}

// lumaRow computes Y for one row of 4-byte RGBx pixels.
func lumaRow(dst, src []byte) {
	src = src[:4*len(dst)]
	for x := range dst {
		s := src[4*x : 4*x+3]
		dst[x] = uint8((19595*uint32(s[0]) + 38470*uint32(s[1]) + 7471*uint32(s[2]) + 1<<15) >> 16)
	}
}

func clamp8(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}
