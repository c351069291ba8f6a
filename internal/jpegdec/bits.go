package jpegdec

import (
	"bytes"
	"encoding/binary"
)

// bitReader reads entropy-coded data MSB first. acc holds n valid bits
// left-aligned; bits below them are either zero or copies of the stream
// bits that follow (which a later refill ORs in again unchanged). Byte
// stuffing (0xFF 0x00) is removed; at a marker or the end of data the
// reader supplies zero bits without advancing, so decoding always ends.
type bitReader struct {
	data []byte
	pos  int // next byte not yet represented in acc
	acc  uint64
	n    uint
	// zeros counts zero bits supplied past a marker or the end of data
	// since the last restart. Once n < zeros the decoder has consumed
	// bits that do not exist: the data is exhausted.
	zeros uint
}

const ones8 = 0x0101010101010101

// refill makes n >= 57 (fast path: 8 bytes without 0xFF at once). It
// works on caller-held copies of acc, n and pos so hot loops keep them in
// registers.
func (b *bitReader) refill(acc uint64, n uint, pos int) (uint64, uint, int) {
	data := b.data
	if pos+8 <= len(data) {
		x := binary.BigEndian.Uint64(data[pos:])
		if (^x-ones8)&x&(ones8*0x80) == 0 {
			acc |= x >> n
			pos += int((63 - n) >> 3)
			n |= 56
			return acc, n, pos
		}
	}
	return b.refillSlow(acc, n, pos)
}

// refillSlow adds one byte at a time, handling stuffing and markers.
func (b *bitReader) refillSlow(acc uint64, n uint, pos int) (uint64, uint, int) {
	data := b.data
	for n <= 56 {
		if pos < len(data) {
			c := data[pos]
			if c != 0xFF {
				acc |= uint64(c) << (56 - n)
				pos++
				n += 8
			} else if pos+1 < len(data) && data[pos+1] == 0 {
				acc |= 0xFF << (56 - n)
				pos += 2
				n += 8
			} else {
				// Marker (or 0xFF at end): keep zeros, do not advance.
				acc &^= (1<<(64-n) - 1) // clear any stale look-ahead bits
				b.zeros += 64 - n
				n = 64
				break
			}
		} else {
			acc &^= (1<<(64-n) - 1)
			b.zeros += 64 - n
			n = 64
			break
		}
	}
	return acc, n, pos
}

// fill ensures at least 32 bits are available.
func (b *bitReader) fill() {
	if b.n < 32 {
		b.acc, b.n, b.pos = b.refill(b.acc, b.n, b.pos)
	}
}

// bit reads one bit.
func (b *bitReader) bit() bool {
	b.fill()
	v := b.acc>>63 != 0
	b.acc <<= 1
	b.n--
	return v
}

// bits reads s <= 16 bits as an unsigned value.
func (b *bitReader) bits(s uint) int32 {
	b.fill()
	v := int32(b.acc >> (64 - s) & (1<<s - 1))
	b.acc <<= s
	b.n -= s
	return v
}

// decode reads one Huffman symbol; ok is false for an invalid code.
func (b *bitReader) decode(t *huffTable) (sym byte, ok bool) {
	b.fill()
	e := t.lut[b.acc>>(64-lutBits)]
	l := uint(e & 0xFF)
	sym = byte(e >> 8)
	if l == 0 {
		sym, l = t.slowDecode(b.acc)
		if l == 0 {
			return 0, false
		}
	}
	b.acc <<= l
	b.n -= l
	return sym, true
}

// receiveExtend reads s magnitude bits and sign-extends them.
func (b *bitReader) receiveExtend(s uint) int32 {
	if s == 0 {
		return 0
	}
	return extend(b.bits(s), s)
}

// exhausted reports whether decoding has consumed zero bits supplied past
// the real data.
func (b *bitReader) exhausted() bool { return b.n < b.zeros }

// restart discards buffered bits and consumes the RSTn marker expected at
// the current position (searching forward for it if needed). Any other
// marker is left in place, so subsequent reads yield zero bits.
func (b *bitReader) restart() {
	b.acc, b.n, b.zeros = 0, 0, 0
	p := b.pos
	for p+1 < len(b.data) {
		i := bytes.IndexByte(b.data[p:len(b.data)-1], 0xFF)
		if i < 0 {
			break
		}
		p += i
		m := b.data[p+1]
		switch {
		case m >= mRST0 && m <= mRST7:
			b.pos = p + 2
			return
		case m == 0 || m == 0xFF:
			p++
		default:
			b.pos = p
			return
		}
	}
	b.pos = len(b.data)
}
