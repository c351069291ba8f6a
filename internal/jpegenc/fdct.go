package jpegenc

// AAN rotation constants.
const (
	c4    = 0.707106781 // cos(4*pi/16)
	c6    = 0.382683433 // cos(6*pi/16)
	c2mc6 = 0.541196100 // cos(2*pi/16) - cos(6*pi/16)
	c2pc6 = 1.306562965 // cos(2*pi/16) + cos(6*pi/16)
)

// fdctQuantize computes the forward DCT of the level-shifted samples in b
// (natural order) with the Arai-Agui-Nakajima factorisation, then
// quantises with q and stores the result in zig-zag order in out. The
// AAN output scaling is part of q.recip. b is overwritten. It returns the
// set of non-zero coefficients: bit k for zig-zag index k.
//
// The 8-point transform is written out twice (rows, then columns) rather
// than called, because the compiler does not inline it.
func fdctQuantize(b *[64]float32, q *quantTable, out []int16) (nonzero uint64) {
	for i := 0; i < 64; i += 8 {
		r := (*[8]float32)(b[i : i+8])
		s07, d07 := r[0]+r[7], r[0]-r[7]
		s16, d16 := r[1]+r[6], r[1]-r[6]
		s25, d25 := r[2]+r[5], r[2]-r[5]
		s34, d34 := r[3]+r[4], r[3]-r[4]

		// Even half: a 4-point DCT of the sums.
		e0, e3 := s07+s34, s07-s34
		e1, e2 := s16+s25, s16-s25
		r[0], r[4] = e0+e1, e0-e1
		z1 := (e2 + e3) * c4
		r[2], r[6] = e3+z1, e3-z1

		// Odd half: rotations of the differences.
		p0, p1, p2 := d34+d25, d25+d16, d16+d07
		z5 := (p0 - p2) * c6
		z2 := c2mc6*p0 + z5
		z4 := c2pc6*p2 + z5
		z3 := p1 * c4
		z11, z13 := d07+z3, d07-z3
		r[5], r[3] = z13+z2, z13-z2
		r[1], r[7] = z11+z4, z11-z4
	}
	for c := range 8 {
		s07, d07 := b[c]+b[c+56], b[c]-b[c+56]
		s16, d16 := b[c+8]+b[c+48], b[c+8]-b[c+48]
		s25, d25 := b[c+16]+b[c+40], b[c+16]-b[c+40]
		s34, d34 := b[c+24]+b[c+32], b[c+24]-b[c+32]

		e0, e3 := s07+s34, s07-s34
		e1, e2 := s16+s25, s16-s25
		b[c], b[c+32] = e0+e1, e0-e1
		z1 := (e2 + e3) * c4
		b[c+16], b[c+48] = e3+z1, e3-z1

		p0, p1, p2 := d34+d25, d25+d16, d16+d07
		z5 := (p0 - p2) * c6
		z2 := c2mc6*p0 + z5
		z4 := c2pc6*p2 + z5
		z3 := p1 * c4
		z11, z13 := d07+z3, d07-z3
		b[c+40], b[c+24] = z13+z2, z13-z2
		b[c+8], b[c+56] = z11+z4, z11-z4
	}
	o := (*[64]int16)(out[:64])
	for k := range 64 {
		// Round half away from zero without a branch: the offset keeps
		// the sum positive, so truncation is floor. |v| <= ~2100.
		v := b[zigzag[k]&63] * q.recip[k]
		x := int32(v+16384.5) - 16384
		o[k] = int16(x)
		nonzero |= uint64(uint32(x|-x)>>31) << k
	}
	return nonzero
}
