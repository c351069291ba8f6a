package vp8dec

// Block types of the coefficient probabilities (section 13.3).
const (
	typeYAfterY2 = 0
	typeY2       = 1
	typeChroma   = 2
	typeYWithDC  = 3
)

// parseResiduals reads a macroblock's coefficients (section 13), dequantised
// into m.coeffs (which must be zero), with the kind of each block in
// m.kinds, and updates the non-zero contexts. It reports whether any block
// has a residual.
func (d *Decoder) parseResiduals(br *boolDecoder, top *mbTop, m *mbState) bool {
	q := &d.quant[m.segment]
	c := m.coeffs[:]
	first, yType := 0, typeYWithDC
	if !m.is4x4 {
		y2 := c[24*16 : 25*16]
		n := d.readCoeffs(br, typeY2, boolInt(top.nzY2)+boolInt(m.leftNzY2), &q.y2, 0, y2)
		top.nzY2, m.leftNzY2 = n > 0, n > 0
		if n > 1 {
			inverseWHT(y2, c)
		} else {
			dc := (int32(y2[0]) + 3) >> 3
			for i := range 16 {
				c[16*i] = int16(dc)
			}
		}
		clear(y2)
		first, yType = 1, typeYAfterY2
	}
	any := uint8(0)
	tnz, lnz := top.nz, m.leftNz
	for y := range 4 {
		l := lnz >> y & 1
		for x := range 4 {
			b := y*4 + x
			blk := c[16*b : 16*b+16]
			n := d.readCoeffs(br, yType, int(tnz>>x&1+l), &q.y1, first, blk)
			l = uint8(boolInt(n > first))
			tnz = tnz&^(1<<x) | l<<x
			m.kinds[b] = blockKind(n, blk)
			any |= m.kinds[b]
		}
		lnz = lnz&^(1<<y) | l<<y
	}
	for p := range 2 { // U then V
		shift := 4 + 2*p
		for y := range 2 {
			l := lnz >> (shift + y) & 1
			for x := range 2 {
				b := 16 + 4*p + y*2 + x
				blk := c[16*b : 16*b+16]
				n := d.readCoeffs(br, typeChroma, int(tnz>>(shift+x)&1+l), &q.uv, 0, blk)
				l = uint8(boolInt(n > 0))
				tnz = tnz&^(1<<(shift+x)) | l<<(shift+x)
				m.kinds[b] = blockKind(n, blk)
				any |= m.kinds[b]
			}
			lnz = lnz&^(1<<(shift+y)) | l<<(shift+y)
		}
	}
	top.nz, m.leftNz = tnz, lnz
	return any != 0
}

// blockKind is 2 for a block with coefficients past the DC one (n is the
// position after the last coded one), 1 for a non-zero DC alone, 0 for
// none.
func blockKind(n int, blk []int16) uint8 {
	switch {
	case n > 1:
		return 2
	case blk[0] != 0:
		return 1
	}
	return 0
}

// readCoeffs reads the tokens of one block from position first (section
// 13.2), storing the dequantised coefficients in raster order into out. It
// returns the position after the last coded token: first if the block
// opens with an end of block, 16 if it runs to the end. It is the hot
// loop of the decoder: it holds the boolean decoder's state in local
// variables and reads with the inlined decodeBool, calling out only to
// refill and for the rare large tokens.
func (d *Decoder) readCoeffs(br *boolDecoder, typ, ctx int, dq *[2]int32, first int, out []int16) int {
	probs := &d.probs[typ]
	value, nbits, rng := br.value, br.nbits, br.rng
	var bit bool
	n := first
	p := &probs[coeffBands[n]][ctx]
	if nbits < 0 {
		value, nbits = br.refillState(value, nbits)
	}
	if value, nbits, rng, bit = decodeBool(value, nbits, rng, p[0]); !bit {
		br.value, br.nbits, br.rng = value, nbits, rng
		return n
	}
	for {
		if nbits < 0 {
			value, nbits = br.refillState(value, nbits)
		}
		if value, nbits, rng, bit = decodeBool(value, nbits, rng, p[1]); !bit { // DCT_0: no end of block may follow
			n++
			if n == 16 {
				break
			}
			p = &probs[coeffBands[n]][0]
			continue
		}
		if nbits < 0 {
			value, nbits = br.refillState(value, nbits)
		}
		var v int32
		next := 2
		if value, nbits, rng, bit = decodeBool(value, nbits, rng, p[2]); !bit {
			v, next = 1, 1
		} else {
			br.value, br.nbits, br.rng = value, nbits, rng
			v = readLarge(br, p)
			value, nbits, rng = br.value, br.nbits, br.rng
		}
		if nbits < 0 {
			value, nbits = br.refillState(value, nbits)
		}
		value, nbits, rng, v = decodeSign(value, nbits, rng, v)
		f := dq[1]
		if n == 0 {
			f = dq[0]
		}
		out[zigzag[n]&15] = int16(v * f)
		n++
		if n == 16 {
			break
		}
		p = &probs[coeffBands[n]][next]
		if nbits < 0 {
			value, nbits = br.refillState(value, nbits)
		}
		if value, nbits, rng, bit = decodeBool(value, nbits, rng, p[0]); !bit {
			br.value, br.nbits, br.rng = value, nbits, rng
			return n
		}
	}
	br.value, br.nbits, br.rng = value, nbits, rng
	return 16
}

// readLarge reads a token of value 2 or more (DCT_2 .. DCT_CAT6) and its
// extra bits.
func readLarge(br *boolDecoder, p *[11]uint8) int32 {
	if !br.readBool(p[3]) {
		if !br.readBool(p[4]) {
			return 2
		}
		return 3 + int32(boolInt(br.readBool(p[5])))
	}
	if !br.readBool(p[6]) {
		if !br.readBool(p[7]) {
			return 5 + int32(boolInt(br.readBool(159)))
		}
		v := 7 + 2*int32(boolInt(br.readBool(165)))
		return v + int32(boolInt(br.readBool(145)))
	}
	var cat []uint8
	var base int32
	if !br.readBool(p[8]) {
		if !br.readBool(p[9]) {
			cat, base = pcat3, 11
		} else {
			cat, base = pcat4, 19
		}
	} else {
		if !br.readBool(p[10]) {
			cat, base = pcat5, 35
		} else {
			cat, base = pcat6, 67
		}
	}
	v := int32(0)
	for _, pr := range cat[:len(cat)-1] {
		v = v<<1 | int32(boolInt(br.readBool(pr)))
	}
	return base + v
}
