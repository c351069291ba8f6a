package jpegdec

import "image"

// Colour conversion of 4-component (CMYK, YCCK) and RGB frames, and of
// YCbCr frames whose sampling factors are not one of the six ratios of
// image.YCbCr (3x1, or chroma planes sampled unlike each other), into an
// opaque *image.RGBA. The component planes then hold only one MCU row
// ("band") whenever the whole image can be produced row by row: always
// for progressive files (the coefficients are kept anyway) and for
// sequential files whose first scan interleaves all components. Only a
// sequential file with non-interleaved scans keeps full planes until its
// last scan, then converts them.

// needsConvert reports whether the frame is decoded into an *image.RGBA.
func (d *decoder) needsConvert() bool {
	switch d.colorSpace() {
	case ColorCMYK, ColorYCCK, ColorRGB:
		return true
	case ColorYCbCr:
		_, err := d.subsampling()
		return err != nil
	}
	return false
}

// samplingErr checks that every component's sampling factors divide the
// largest ones, which the converted (RGBA) path requires.
func (d *decoder) samplingErr() error {
	hmax, vmax := 1, 1
	for i := range d.ncomp {
		hmax, vmax = max(hmax, d.comp[i].h), max(vmax, d.comp[i].v)
	}
	for i := range d.ncomp {
		if hmax%d.comp[i].h != 0 || vmax%d.comp[i].v != 0 {
			return UnsupportedError("sampling factors")
		}
	}
	return nil
}

// firstScanInterleaved reports whether the first scan after the frame
// header codes all components (peeking, without moving d.pos).
func (d *decoder) firstScanInterleaved() bool {
	w := walker{data: d.data, pos: d.pos}
	for {
		m, err := w.nextMarker()
		if err != nil || m == mEOI {
			return false
		}
		if m == mSOI || m == 0x01 || m >= mRST0 && m <= mRST7 {
			continue
		}
		p, err := w.segment()
		if err != nil {
			return false
		}
		if m == mSOS {
			return len(p) > 0 && int(p[0]) == d.ncomp
		}
	}
}

// allocateRGBA sets up the planes (full or one MCU row) and the output
// of a converted frame of w x h output pixels.
func (d *decoder) allocateRGBA(w, h int) *image.RGBA {
	d.band = d.progressive || d.firstScanInterleaved()
	k := d.k
	for i := range d.ncomp {
		c := &d.comp[i]
		rows := c.bh * k
		if d.band {
			rows = c.v * k
		}
		c.plane = make([]byte, c.stride*rows)
		if d.hmax > c.h {
			d.upRow[i] = make([]byte, w) // see convertRows
		}
	}
	d.out = &image.RGBA{Pix: make([]byte, 4*w*h), Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	return d.out
}

// convertBand converts the output rows of MCU row my from the band planes.
func (d *decoder) convertBand(my int) {
	y0 := my * d.vmax * d.k
	d.convertRows(y0, min(y0+d.vmax*d.k, d.out.Rect.Max.Y), y0)
}

// convertRows converts output rows y0..y1-1; base is the output row that
// the first row of every plane corresponds to. Subsampled components are
// replicated (nearest neighbour), like image/jpeg does for CMYK.
func (d *decoder) convertRows(y0, y1, base int) {
	out := d.out
	w := out.Rect.Dx()
	var fh, fv [4]int
	for i := range d.ncomp {
		c := &d.comp[i]
		fh[i], fv[i] = d.hmax/c.h, d.vmax/c.v
	}
	cs := d.colorSpace()
	var rows [4][]byte
	for y := y0; y < y1; y++ {
		for i := range d.ncomp {
			c := &d.comp[i]
			src := c.plane[((y-base)/fv[i])*c.stride:]
			if fh[i] == 1 {
				rows[i] = src[:w]
				continue
			}
			rows[i] = d.upRow[i]
			upsampleRow(d.upRow[i], src, fh[i])
		}
		dst := out.Pix[y*out.Stride:][:4*w]
		switch {
		case cs == ColorRGB:
			rgbRow(dst, rows[0], rows[1], rows[2])
		case cs == ColorYCCK:
			ycckRow(dst, rows[0], rows[1], rows[2], rows[3])
		case cs == ColorYCbCr:
			ycbcrRow(dst, rows[0], rows[1], rows[2])
		case d.adobe:
			cmykInvertedRow(dst, rows[0], rows[1], rows[2], rows[3])
		default:
			cmykRow(dst, rows[0], rows[1], rows[2], rows[3])
		}
	}
}

// upsampleRow fills dst with every sample of src repeated f times.
func upsampleRow(dst, src []byte, f int) {
	for x := 0; x < len(dst); x += f {
		v := src[x/f]
		for j := x; j < min(x+f, len(dst)); j++ {
			dst[j] = v
		}
	}
}

// mul255 returns a*b/255 rounded to the nearest integer (a, b <= 255).
func mul255(a, b uint32) uint8 {
	t := a*b + 128
	return uint8((t + t>>8) >> 8)
}

// rgbRow interleaves stored R, G, B samples.
func rgbRow(dst, r, g, b []byte) {
	for x := range r {
		p := dst[4*x : 4*x+4 : 4*x+4]
		p[0], p[1], p[2], p[3] = r[x], g[x], b[x], 0xFF
	}
}

// cmykInvertedRow converts Adobe (inverted) CMYK: stored samples s are
// 255 minus the ink amount, so R = sC·sK/255 and so on.
func cmykInvertedRow(dst, c, m, y, k []byte) {
	for x := range c {
		p := dst[4*x : 4*x+4 : 4*x+4]
		kk := uint32(k[x])
		p[0], p[1], p[2], p[3] = mul255(uint32(c[x]), kk), mul255(uint32(m[x]), kk), mul255(uint32(y[x]), kk), 0xFF
	}
}

// cmykRow converts plain CMYK (ink amounts): R = (255-C)·(255-K)/255.
func cmykRow(dst, c, m, y, k []byte) {
	for x := range c {
		p := dst[4*x : 4*x+4 : 4*x+4]
		kk := 255 - uint32(k[x])
		p[0], p[1], p[2], p[3] = mul255(255-uint32(c[x]), kk), mul255(255-uint32(m[x]), kk), mul255(255-uint32(y[x]), kk), 0xFF
	}
}

// YCbCr to RGB coefficients of the JFIF equations in 16.16 fixed point:
// R = Y + 1.402 Cr', G = Y - 0.344136 Cb' - 0.714136 Cr', B = Y + 1.772 Cb'
// with Cb' = Cb-128, Cr' = Cr-128.
const (
	fixCrR = 91881  // 1.402
	fixCbG = 22554  // 0.344136
	fixCrG = 46802  // 0.714136
	fixCbB = 116130 // 1.772
)

// ycbcrRow converts JFIF YCbCr samples with the equations above.
func ycbcrRow(dst, yy, cb, cr []byte) {
	for x := range yy {
		p := dst[4*x : 4*x+4 : 4*x+4]
		y1 := int32(yy[x])<<16 + 1<<15
		b1, r1 := int32(cb[x])-128, int32(cr[x])-128
		p[0] = uint8(clampU8(y1 + fixCrR*r1))
		p[1] = uint8(clampU8(y1 - fixCbG*b1 - fixCrG*r1))
		p[2] = uint8(clampU8(y1 + fixCbB*b1))
		p[3] = 0xFF
	}
}

// ycckRow converts Adobe YCCK. The encoder (libjpeg, Photoshop) codes
// the inverted-sense samples sC, sM, sY as the YCbCr of R = 255-sC,
// G = 255-sM, B = 255-sY; so the JFIF equations give R, G, B, and
// sC = 255-R etc.; K is stored inverted as in Adobe CMYK. The result is
// cmykInvertedRow of those: out R = (255-R)·sK/255, and so on.
func ycckRow(dst, yy, cb, cr, k []byte) {
	for x := range yy {
		p := dst[4*x : 4*x+4 : 4*x+4]
		y1 := int32(yy[x])<<16 + 1<<15
		b1, r1 := int32(cb[x])-128, int32(cr[x])-128
		kk := uint32(k[x])
		p[0] = mul255(255-clampU8(y1+fixCrR*r1), kk)
		p[1] = mul255(255-clampU8(y1-fixCbG*b1-fixCrG*r1), kk)
		p[2] = mul255(255-clampU8(y1+fixCbB*b1), kk)
		p[3] = 0xFF
	}
}

// clampU8 returns v>>16 clamped to 0..255.
func clampU8(v int32) uint32 {
	v >>= 16
	if uint32(v) > 255 {
		return uint32(^v>>31) & 255
	}
	return uint32(v)
}
