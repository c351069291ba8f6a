package jpegdec

import "encoding/binary"

// baselineScan decodes a sequential scan, reconstructing every block
// straight into its output plane.
func (d *decoder) baselineScan(s *scan) error {
	if err := checkTables(s, true, true); err != nil {
		return err
	}
	k, band := d.k, d.band
	gray := func(j, bx, by int) error { // missing data: mid-grey block
		c := &d.comp[s.comp[j]]
		if band {
			by %= c.v // the planes hold one MCU row
		}
		for y := range k {
			row := c.plane[(by*k+y)*c.stride+bx*k:][:k]
			for x := range row {
				row[x] = 128
			}
		}
		return nil
	}
	return d.walkScan(s, func(j, bx, by int) error {
		c := &d.comp[s.comp[j]]
		if band {
			by %= c.v
		}
		if k == 1 {
			if err := d.br.decodeDCSkipAC(s.dc[j], s.ac[j], &c.pred); err != nil {
				return err
			}
			c.plane[by*c.stride+bx] = dcSample(c.pred * c.q[0])
			return nil
		}
		blk := &d.blk
		if err := d.br.decodeBlock(blk, s.dc[j], s.ac[j], &c.q, &c.pred); err != nil {
			return err
		}
		idctScaled(k, blk, c.plane[(by*c.stride+bx)*k:], c.stride)
		*blk = [64]int32{}
		return nil
	}, gray, nil)
}

var errHuffman = FormatError("bad Huffman code")

// decodeDC decodes a DC difference with locals acc/n already refilled.
func decodeDC(t *huffTable, acc uint64, n uint) (int32, uint64, uint, error) {
	e := t.fast[acc>>(64-lutBits)]
	if e != 0 {
		l := uint(e & 0xFF)
		return e >> 16, acc << l, n - l, nil
	}
	e16 := t.lut[acc>>(64-lutBits)]
	sym, l := byte(e16>>8), uint(e16&0xFF)
	if l == 0 {
		if sym, l = t.slowDecode(acc); l == 0 {
			return 0, acc, n, errHuffman
		}
	}
	if sym > 15 {
		return 0, acc, n, FormatError("bad DC magnitude")
	}
	acc <<= l
	s := uint(sym)
	v := extend(int32(acc>>(64-s)&(1<<s-1)), s)
	return v, acc << s, n - l - s, nil
}

// decodeBlock entropy-decodes one sequential block into blk (natural
// order, dequantised with q in zig-zag order), updating the DC predictor.
// blk must be zero on entry.
func (b *bitReader) decodeBlock(blk *[64]int32, dcT, acT *huffTable, q *[64]int32, pred *int32) error {
	data, acc, n, pos := b.data, b.acc, b.n, b.pos
	if n < 32 {
		acc, n, pos = b.refill(acc, n, pos)
	}
	diff, acc, n, err := decodeDC(dcT, acc, n)
	if err != nil {
		return err
	}
	*pred += diff
	blk[0] = *pred * q[0]
	for k := 1; k < 64; {
		if n < 32 {
			if pos+8 <= len(data) {
				if x := binary.BigEndian.Uint64(data[pos:]); (^x-ones8)&x&(ones8*0x80) == 0 {
					acc |= x >> n
					pos += int((63 - n) >> 3)
					n |= 56
				}
			}
			if n < 32 {
				acc, n, pos = b.refillSlow(acc, n, pos)
			}
		}
		e := acT.fast[acc>>(64-lutBits)]
		if e != 0 {
			k += int(e>>8) & 0xFF
			l := uint(e & 0xFF)
			acc <<= l
			n -= l
			blk[zigzag[k&63]&63] = (e >> 16) * q[k&63]
			k++
			continue
		}
		e16 := acT.lut[acc>>(64-lutBits)]
		sym, l := byte(e16>>8), uint(e16&0xFF)
		if l == 0 {
			if sym, l = acT.slowDecode(acc); l == 0 {
				return errHuffman
			}
		}
		acc <<= l
		n -= l
		r, s := int(sym>>4), uint(sym&15)
		if s == 0 {
			if r != 15 {
				break
			}
			k += 16
			continue
		}
		k += r
		v := extend(int32(acc>>(64-s)&(1<<s-1)), s)
		acc <<= s
		n -= s
		blk[zigzag[k&63]&63] = v * q[k&63]
		k++
	}
	b.acc, b.n, b.pos = acc, n, pos
	return nil
}

// decodeDCSkipAC decodes the DC difference of a sequential block and
// skips its AC coefficients without computing their values. Its 8-byte
// refill is written into the loop as in decodeBlock on purpose: as a call
// it is not inlined; writing it out (with the faster marker search) took
// the large-q85 photo at 1/8 from 78 to 35 ms.
func (b *bitReader) decodeDCSkipAC(dcT, acT *huffTable, pred *int32) error {
	data, acc, n, pos := b.data, b.acc, b.n, b.pos
	if n < 32 {
		acc, n, pos = b.refill(acc, n, pos)
	}
	diff, acc, n, err := decodeDC(dcT, acc, n)
	if err != nil {
		return err
	}
	*pred += diff
	for k := 1; k < 64; {
		if n < 32 {
			if pos+8 <= len(data) {
				if x := binary.BigEndian.Uint64(data[pos:]); (^x-ones8)&x&(ones8*0x80) == 0 {
					acc |= x >> n
					pos += int((63 - n) >> 3)
					n |= 56
				}
			}
			if n < 32 {
				acc, n, pos = b.refillSlow(acc, n, pos)
			}
		}
		e := acT.skip[acc>>(64-lutBits)]
		if e != 0 {
			l := uint(e & 0xFF)
			acc <<= l
			n -= l
			k += int(e >> 8)
			continue
		}
		sym, l := acT.slowDecode(acc)
		if l == 0 {
			return errHuffman
		}
		r, s := int(sym>>4), uint(sym&15)
		acc <<= l + s
		n -= l + s
		if s == 0 {
			if r != 15 {
				break
			}
			k += 16
			continue
		}
		k += r + 1
	}
	b.acc, b.n, b.pos = acc, n, pos
	return nil
}
