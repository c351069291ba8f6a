package vp8dec

// The inverse transforms of RFC 6386 section 14.3 and 14.4, in its exact
// integer arithmetic.

// inverseWHT turns the 16 dequantised Y2 coefficients into the DC
// coefficient of each of the 16 luma blocks of out (16 coefficients
// apart).
func inverseWHT(in []int16, out []int16) {
	var t [16]int32
	for i := range 4 {
		a := int32(in[i]) + int32(in[12+i])
		b := int32(in[4+i]) + int32(in[8+i])
		c := int32(in[4+i]) - int32(in[8+i])
		dd := int32(in[i]) - int32(in[12+i])
		t[i] = a + b
		t[4+i] = c + dd
		t[8+i] = a - b
		t[12+i] = dd - c
	}
	for i := range 4 {
		r := t[4*i : 4*i+4]
		a := r[0] + r[3]
		b := r[1] + r[2]
		c := r[1] - r[2]
		dd := r[0] - r[3]
		out[16*(4*i)] = int16((a + b + 3) >> 3)
		out[16*(4*i+1)] = int16((c + dd + 3) >> 3)
		out[16*(4*i+2)] = int16((a - b + 3) >> 3)
		out[16*(4*i+3)] = int16((dd - c + 3) >> 3)
	}
}

const (
	cospi8sqrt2minus1 = 20091
	sinpi8sqrt2       = 35468
)

// idctAdd adds the inverse DCT of the 16 coefficients in (raster order) to
// the 4x4 pixels at dst[off:] (rows stride apart), clamping.
func idctAdd(in []int16, dst []byte, off, stride int) {
	in = in[:16]
	var t [16]int32
	for i := range 4 {
		i0, i4, i8, i12 := int32(in[i]), int32(in[4+i]), int32(in[8+i]), int32(in[12+i])
		a := i0 + i8
		b := i0 - i8
		c := (i4 * sinpi8sqrt2 >> 16) - (i12 + (i12 * cospi8sqrt2minus1 >> 16))
		dd := (i4 + (i4 * cospi8sqrt2minus1 >> 16)) + (i12 * sinpi8sqrt2 >> 16)
		t[i] = a + dd
		t[12+i] = a - dd
		t[4+i] = b + c
		t[8+i] = b - c
	}
	for i := range 4 {
		r := t[4*i : 4*i+4]
		a := r[0] + r[2]
		b := r[0] - r[2]
		c := (r[1] * sinpi8sqrt2 >> 16) - (r[3] + (r[3] * cospi8sqrt2minus1 >> 16))
		dd := (r[1] + (r[1] * cospi8sqrt2minus1 >> 16)) + (r[3] * sinpi8sqrt2 >> 16)
		p := dst[off+i*stride : off+i*stride+4]
		p[0] = clamp255(int32(p[0]) + (a+dd+4)>>3)
		p[3] = clamp255(int32(p[3]) + (a-dd+4)>>3)
		p[1] = clamp255(int32(p[1]) + (b+c+4)>>3)
		p[2] = clamp255(int32(p[2]) + (b-c+4)>>3)
	}
}

// dcAdd adds the inverse DCT of a block whose only coefficient is its DC
// one: the same value on all 16 pixels.
func dcAdd(dc int16, dst []byte, off, stride int) {
	v := (int32(dc) + 4) >> 3
	for i := range 4 {
		p := dst[off+i*stride : off+i*stride+4]
		p[0] = clamp255(int32(p[0]) + v)
		p[1] = clamp255(int32(p[1]) + v)
		p[2] = clamp255(int32(p[2]) + v)
		p[3] = clamp255(int32(p[3]) + v)
	}
}

func clamp255(v int32) byte {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}
