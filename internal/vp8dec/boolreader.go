package vp8dec

import "encoding/binary"

// boolDecoder is the boolean entropy decoder of RFC 6386 section 7. It
// keeps up to 56 bits of look-ahead below the 8-bit window and refills
// them seven bytes at a time. Past the end of its data it reads zeros,
// counting them in over, so that the caller can tell padding from a
// truncated partition. The zero value is an empty decoder.
type boolDecoder struct {
	buf   []byte
	pos   int
	value uint64 // the window in bits [nbits, nbits+8), look-ahead below
	nbits int    // bits of look-ahead; negative: the window lacks as many
	rng   uint32 // range minus one, 127..254 between reads
	over  int    // zero bytes loaded past the end of buf
}

// init starts the decoder on b.
func (d *boolDecoder) init(b []byte) {
	*d = boolDecoder{buf: b, rng: 254, nbits: -8}
}

// refill tops the look-ahead up to 49..56 bits.
func (d *boolDecoder) refill() {
	if d.pos+8 <= len(d.buf) {
		n := (56 - d.nbits) >> 3
		x := binary.BigEndian.Uint64(d.buf[d.pos:])
		d.value = d.value<<(8*n) | x>>(64-8*n)
		d.pos += n
		d.nbits += 8 * n
		return
	}
	for d.nbits <= 48 {
		d.value <<= 8
		if d.pos < len(d.buf) {
			d.value |= uint64(d.buf[d.pos])
			d.pos++
		} else {
			d.over++
		}
		d.nbits += 8
	}
}

// readBool reads one bool whose probability of being false is p/256
// (section 7.3).
func (d *boolDecoder) readBool(p uint8) bool {
	if d.nbits < 0 {
		d.refill()
	}
	var bit bool
	d.value, d.nbits, d.rng, bit = decodeBool(d.value, d.nbits, d.rng, p)
	return bit
}

// readBit reads one bool of probability 1/2 as 0 or 1.
func (d *boolDecoder) readBit() int {
	if d.readBool(128) {
		return 1
	}
	return 0
}

// readLiteral reads an n-bit unsigned number, most significant bit first.
func (d *boolDecoder) readLiteral(n int) int {
	v := 0
	for range n {
		v = v<<1 | d.readBit()
	}
	return v
}

// readSigned reads an n-bit magnitude and then its sign, as the frame
// header codes its deltas.
func (d *boolDecoder) readSigned(n int) int {
	v := d.readLiteral(n)
	if d.readBool(128) {
		return -v
	}
	return v
}

// readOptionalSigned reads a flag and, if it is set, a signed n-bit value;
// 0 without the flag.
func (d *boolDecoder) readOptionalSigned(n int) int {
	if !d.readBool(128) {
		return 0
	}
	return d.readSigned(n)
}

// overrun reports whether the decoder has consumed more than two bytes of
// the zeros it reads past its data: the partition was truncated.
func (d *boolDecoder) overrun() bool {
	return d.over*8 > d.nbits+16
}

// decodeBool is readBool on the decoder's state held in the caller's
// variables, for hot loops; nbits must not be negative (see refillState).
// Small enough to be inlined. With rng kept as the range minus one, the
// section 7.3 split minus one is rng*p>>8, and the window (value>>nbits,
// below 256) is compared with it; normalisation is two table lookups on
// the new range, off the multiply's critical path.
func decodeBool(value uint64, nbits int, rng uint32, p uint8) (uint64, int, uint32, bool) {
	split := rng * uint32(p) >> 8
	sh := uint(nbits) & 63
	bit := uint32(value>>sh) > split
	if bit {
		rng -= split + 1
		value -= uint64(split+1) << sh
	} else {
		rng = split
	}
	return value, nbits - int(normShift[uint8(rng)]), uint32(normRange[uint8(rng)]), bit
}

// decodeSign is decodeBool for a coefficient's sign (probability 1/2) on
// held state, returning v negated if the bool is set. It has no branch:
// a sign is a coin toss that no predictor guesses, and at p = 128 the
// split is rng>>1.
func decodeSign(value uint64, nbits int, rng uint32, v int32) (uint64, int, uint32, int32) {
	split := rng >> 1
	sh := uint(nbits) & 63
	mask := int32(split-uint32(value>>sh)) >> 31 // -1 if the window is above the split
	m := uint32(mask)
	value -= uint64((split+1)&m) << sh
	rng = split - (^rng & 1 & m) // set: rng-split-1, which is split or split-1
	return value, nbits - int(normShift[uint8(rng)]), uint32(normRange[uint8(rng)]), (v ^ mask) - mask
}

// refillState refills d from the state a hot loop holds and returns the
// new value and nbits.
func (d *boolDecoder) refillState(value uint64, nbits int) (uint64, int) {
	d.value, d.nbits = value, nbits
	d.refill()
	return d.value, d.nbits
}
