package jpegdec

import "math"

// Inverse DCT (T.81 A.3.3) on dequantised coefficients in natural order,
// blk[v*8+u] with v the vertical and u the horizontal frequency:
//
//	f(y,x) = sum_v sum_u C(v)/2 C(u)/2 F(v,u) cos((2y+1)vπ/16) cos((2x+1)uπ/16)
//
// The reduced versions produce N = 4, 2 or 1 samples per side: sample x is
// the exact mean of the 8/N full-resolution samples it covers, computed
// from the N×N lowest-frequency coefficients only (the others contribute
// little to a box-filtered block and are ignored). All variants add the
// level shift of 128 and clamp to 0..255. Arithmetic is fixed point with
// constants scaled by 2^constBits.

const (
	constBits = 13
	pass1Bits = 3 // fractional bits kept between the passes
)

var (
	c0  = fix(1 / (2 * math.Sqrt2)) // C(0)/2
	c1h = fix(math.Cos(math.Pi/8) / 2)
	c3h = fix(math.Cos(3*math.Pi/8) / 2)
	// odd[x][j] = cos((2x+1)(2j+1)π/16)/2 for the odd 8-point part.
	odd  = table4(func(x, j int) float64 { return math.Cos(float64((2*x+1)*(2*j+1))*math.Pi/16) / 2 })
	box4 = table4(func(x, u int) float64 { return boxWeight(x, u, 2) }) // [x][u] box-mean weights for 4 outputs
	box2 = [2][2]int64{                                                 // [x][u] box-mean weights for 2 outputs
		{fix(boxWeight(0, 0, 4)), fix(boxWeight(0, 1, 4))},
		{fix(boxWeight(1, 0, 4)), fix(boxWeight(1, 1, 4))},
	}
)

// table4 returns the fixed-point values of f over 4x4 indices.
func table4(f func(i, j int) float64) (t [4][4]int64) {
	for i := range 4 {
		for j := range 4 {
			t[i][j] = fix(f(i, j))
		}
	}
	return t
}

func fix(f float64) int64 { return int64(math.Round(f * (1 << constBits))) }

// boxWeight is the mean of the 8-point basis function u over samples
// x*s .. x*s+s-1.
func boxWeight(x, u, s int) float64 {
	cu := 1.0
	if u == 0 {
		cu = 1 / math.Sqrt2
	}
	sum := 0.0
	for j := range s {
		sum += math.Cos(float64(2*(x*s+j)+1) * float64(u) * math.Pi / 16)
	}
	return cu / 2 * sum / float64(s)
}

// clamp8 converts a descaled sample to a byte.
func clamp8(v int64) byte {
	if uint64(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// idct1D8 computes the 8-point 1-D IDCT of f0..f7 (even/odd split),
// scaled by 2^constBits.
func idct1D8(f0, f1, f2, f3, f4, f5, f6, f7 int64) (o [8]int64) {
	a := (f0 + f4) * c0
	b := (f0 - f4) * c0
	p := f2*c1h + f6*c3h
	q := f2*c3h - f6*c1h
	e0, e3, e1, e2 := a+p, a-p, b+q, b-q
	o0 := f1*odd[0][0] + f3*odd[0][1] + f5*odd[0][2] + f7*odd[0][3]
	o1 := f1*odd[1][0] + f3*odd[1][1] + f5*odd[1][2] + f7*odd[1][3]
	o2 := f1*odd[2][0] + f3*odd[2][1] + f5*odd[2][2] + f7*odd[2][3]
	o3 := f1*odd[3][0] + f3*odd[3][1] + f5*odd[3][2] + f7*odd[3][3]
	return [8]int64{e0 + o0, e1 + o1, e2 + o2, e3 + o3, e3 - o3, e2 - o2, e1 - o1, e0 - o0}
}

// idct8 writes the full 8x8 IDCT of blk to dst (row stride stride).
func idct8(blk *[64]int32, dst []byte, stride int) {
	var tmp [64]int64
	const r1 = 1 << (constBits - pass1Bits - 1)
	for u := range 8 {
		if blk[8+u]|blk[16+u]|blk[24+u]|blk[32+u]|blk[40+u]|blk[48+u]|blk[56+u] == 0 {
			v := (int64(blk[u])*c0 + r1) >> (constBits - pass1Bits)
			for y := range 8 {
				tmp[y*8+u] = v
			}
			continue
		}
		o := idct1D8(int64(blk[u]), int64(blk[8+u]), int64(blk[16+u]), int64(blk[24+u]),
			int64(blk[32+u]), int64(blk[40+u]), int64(blk[48+u]), int64(blk[56+u]))
		for y := range 8 {
			tmp[y*8+u] = (o[y] + r1) >> (constBits - pass1Bits)
		}
	}
	const shift = constBits + pass1Bits
	const bias = 128<<shift + 1<<(shift-1)
	for y := range 8 {
		row := dst[y*stride : y*stride+8]
		t := tmp[y*8 : y*8+8]
		o := idct1D8(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7])
		for x := range 8 {
			row[x] = clamp8((o[x] + bias) >> shift)
		}
	}
}

// idct4 writes a 4x4 box-filtered reduction of blk to dst. The box
// weights are symmetric, box4[3-x][u] = (-1)^u box4[x][u], with a constant
// DC weight, so each 4-point pass is an even and an odd half (8
// multiplications instead of 16), and a column or row with only its DC
// term is a constant: the same integers as the plain matrix product.
func idct4(blk *[64]int32, dst []byte, stride int) {
	var tmp [4][4]int64 // [y][u]
	const s1 = constBits - pass1Bits
	const r1 = 1 << (s1 - 1)
	for u := range 4 {
		f0, f1, f2, f3 := int64(blk[u]), int64(blk[8+u]), int64(blk[16+u]), int64(blk[24+u])
		if f1|f2|f3 == 0 {
			v := (f0*box4[0][0] + r1) >> s1
			tmp[0][u], tmp[1][u], tmp[2][u], tmp[3][u] = v, v, v, v
			continue
		}
		e0, e1 := f0*box4[0][0]+f2*box4[0][2], f0*box4[1][0]+f2*box4[1][2]
		o0, o1 := f1*box4[0][1]+f3*box4[0][3], f1*box4[1][1]+f3*box4[1][3]
		tmp[0][u], tmp[3][u] = (e0+o0+r1)>>s1, (e0-o0+r1)>>s1
		tmp[1][u], tmp[2][u] = (e1+o1+r1)>>s1, (e1-o1+r1)>>s1
	}
	const shift = constBits + pass1Bits
	const bias = 128<<shift + 1<<(shift-1)
	for y := range 4 {
		row := dst[y*stride : y*stride+4]
		t := &tmp[y]
		if t[1]|t[2]|t[3] == 0 {
			v := clamp8((t[0]*box4[0][0] + bias) >> shift)
			row[0], row[1], row[2], row[3] = v, v, v, v
			continue
		}
		e0, e1 := t[0]*box4[0][0]+t[2]*box4[0][2], t[0]*box4[1][0]+t[2]*box4[1][2]
		o0, o1 := t[1]*box4[0][1]+t[3]*box4[0][3], t[1]*box4[1][1]+t[3]*box4[1][3]
		row[0], row[3] = clamp8((e0+o0+bias)>>shift), clamp8((e0-o0+bias)>>shift)
		row[1], row[2] = clamp8((e1+o1+bias)>>shift), clamp8((e1-o1+bias)>>shift)
	}
}

// idct2 writes a 2x2 box-filtered reduction of blk to dst.
func idct2(blk *[64]int32, dst []byte, stride int) {
	f00, f01, f10, f11 := int64(blk[0]), int64(blk[1]), int64(blk[8]), int64(blk[9])
	// Rows first (over u), then columns (over v); all in one step.
	a0 := f00*box2[0][0] + f01*box2[0][1] // v=0, x=0
	a1 := f00*box2[1][0] + f01*box2[1][1] // v=0, x=1
	b0 := f10*box2[0][0] + f11*box2[0][1] // v=1, x=0
	b1 := f10*box2[1][0] + f11*box2[1][1] // v=1, x=1
	const shift = 2 * constBits
	const bias = 128<<shift + 1<<(shift-1)
	r0 := dst[0:2]
	r1 := dst[stride : stride+2]
	r0[0] = clamp8((a0*box2[0][0] + b0*box2[0][1] + bias) >> shift)
	r0[1] = clamp8((a1*box2[0][0] + b1*box2[0][1] + bias) >> shift)
	r1[0] = clamp8((a0*box2[1][0] + b0*box2[1][1] + bias) >> shift)
	r1[1] = clamp8((a1*box2[1][0] + b1*box2[1][1] + bias) >> shift)
}

// dcSample returns the 1x1 reduction (block mean) of a dequantised DC.
func dcSample(dc int32) byte {
	return clamp8((int64(dc) + 128*8 + 4) >> 3)
}

// idctScaled writes the k x k samples (k = 8, 4 or 2) of blk to dst with
// the matching scaled IDCT. Scale 1/8 (k = 1) never comes here: its one
// sample per block is the DC value, written directly.
func idctScaled(k int, blk *[64]int32, dst []byte, stride int) {
	switch k {
	case 8:
		idct8(blk, dst, stride)
	case 4:
		idct4(blk, dst, stride)
	default:
		idct2(blk, dst, stride)
	}
}
