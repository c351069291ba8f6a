package inflate

import (
	"encoding/binary"
	"io"
)

// refill tops the bit buffer up to at least 56 bits: one 8-byte load
// while 8 bytes of the current piece remain, else byte by byte.
func (r *Reader) refill() {
	if r.pos <= len(r.in)-8 {
		r.bits |= binary.LittleEndian.Uint64(r.in[r.pos:]) << (r.nbits & 63)
		r.pos += int((63 - r.nbits) >> 3)
		r.nbits |= 56
		return
	}
	r.refillSlow()
}

// refillSlow tops the bit buffer up to at least 56 bits byte by byte,
// across pieces, with zero bytes (counted in over) past the end of the
// input. Bits above nbits may hold the next input bits after a word load
// (they are ORed again identically): here they are cleared first.
func (r *Reader) refillSlow() {
	r.bits &= 1<<(r.nbits&63) - 1
	for r.nbits < 56 {
		for r.pos == len(r.in) && len(r.rest) > 0 {
			r.in, r.rest, r.pos = r.rest[0], r.rest[1:], 0
		}
		var b byte
		if r.pos < len(r.in) {
			b = r.in[r.pos]
			r.pos++
		} else {
			r.over++
		}
		r.bits |= uint64(b) << r.nbits
		r.nbits += 8
	}
}

// take consumes n <= 32 bits.
func (r *Reader) take(n uint) (uint32, error) {
	if r.nbits < n {
		r.refill()
	}
	v := uint32(r.bits & (1<<n - 1))
	r.bits >>= n
	r.nbits -= n
	if r.nbits < 8*r.over {
		return 0, io.ErrUnexpectedEOF
	}
	return v, nil
}

// align drops the bits up to the next byte boundary.
func (r *Reader) align() {
	r.bits >>= r.nbits & 7
	r.nbits &^= 7
}

// header reads a block header and, for a dynamic block, its codes.
func (r *Reader) header() error {
	h, err := r.take(3)
	if err != nil {
		return err
	}
	r.final = h&1 != 0
	switch h >> 1 {
	case 0:
		r.align()
		n, err := r.take(16)
		if err != nil {
			return err
		}
		nn, err := r.take(16)
		if err != nil {
			return err
		}
		if n != ^nn&0xffff {
			return errStoredLen
		}
		r.storedLeft, r.state = int(n), stateStored
		return nil
	case 1:
		if !r.fixed {
			if err := r.fixedCodes(); err != nil {
				return err
			}
		}
	case 2:
		r.fixed = false
		if err := r.dynamicCodes(); err != nil {
			return err
		}
	default:
		return errBlockType
	}
	r.state = stateHuffman
	return nil
}

// fixedCodes builds the tables of the fixed codes (RFC 1951 3.2.6).
func (r *Reader) fixedCodes() error {
	l := r.lens[:288+32]
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		case i < 288:
			l[i] = 8
		default:
			l[i] = 5
		}
	}
	if err := build(r.lit[:], l[:288], litBits, litEntry); err != nil {
		return err
	}
	r.fixed = true
	return build(r.dist[:], l[288:], distBits, distEntry)
}

// clenOrder is the order of the code-length code's lengths.
var clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicCodes reads a dynamic block's code lengths and builds its
// tables, with the limits compress/flate applies.
func (r *Reader) dynamicCodes() error {
	h, err := r.take(14)
	if err != nil {
		return err
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return errLengths
	}
	var clens [19]uint8
	for i := range nclen {
		v, err := r.take(3)
		if err != nil {
			return err
		}
		clens[clenOrder[i]] = uint8(v)
	}
	// The code-length table borrows the distance table's first entries.
	if err := build(r.dist[:], clens[:], clenBits, clenEntry); err != nil {
		return err
	}
	l := r.lens[:nlit+ndist]
	if err := r.codeLengths(l); err != nil {
		return err
	}
	if r.nbits < 8*r.over {
		return io.ErrUnexpectedEOF
	}
	if err := build(r.lit[:], l[:nlit], litBits, litEntry); err != nil {
		return err
	}
	return build(r.dist[:], l[nlit:], distBits, distEntry)
}

// codeLengths reads the literal/length and distance code lengths into l
// with the code-length code in r.dist.
func (r *Reader) codeLengths(l []uint8) error {
	for i := 0; i < len(l); {
		if r.nbits < 14 {
			r.refill()
		}
		e := r.dist[r.bits&(1<<clenBits-1)]
		if e == 0 {
			return r.eofOr(errCode)
		}
		r.bits >>= e & 31
		r.nbits -= uint(e & 31)
		sym := e >> 16
		if sym < 16 {
			l[i] = uint8(sym)
			i++
			continue
		}
		rep, v := uint32(3), uint8(0)
		var x uint32
		var err error
		switch sym {
		case 16:
			if i == 0 {
				return errLengths
			}
			v = l[i-1]
			x, err = r.take(2)
		case 17:
			x, err = r.take(3)
		default:
			rep = 11
			x, err = r.take(7)
		}
		if err != nil {
			return err
		}
		rep += x
		if i+int(rep) > len(l) {
			return errLengths
		}
		for range rep {
			l[i] = v
			i++
		}
	}
	return nil
}

// eofOr is io.ErrUnexpectedEOF if the bits read ran past the input, else
// err.
func (r *Reader) eofOr(err error) error {
	if r.nbits < 8*r.over {
		return io.ErrUnexpectedEOF
	}
	return err
}

// stored copies a stored block's bytes until it ends or the output
// reaches end.
func (r *Reader) stored(end int) error {
	for r.storedLeft > 0 && r.wpos < end {
		if r.nbits >= 8 { // bytes the bit buffer read ahead
			r.buf[r.wpos] = byte(r.bits)
			r.bits >>= 8
			r.nbits -= 8
			r.wpos++
			r.storedLeft--
			if r.nbits < 8*r.over {
				return io.ErrUnexpectedEOF
			}
			continue
		}
		r.bits = 0 // drop the read-ahead copy of in[pos:]
		if r.pos == len(r.in) {
			if len(r.rest) == 0 {
				return io.ErrUnexpectedEOF
			}
			r.in, r.rest, r.pos = r.rest[0], r.rest[1:], 0
			continue
		}
		n := copy(r.buf[r.wpos:min(end, r.wpos+r.storedLeft)], r.in[r.pos:])
		r.pos += n
		r.wpos += n
		r.storedLeft -= n
	}
	if r.storedLeft == 0 {
		r.endBlock()
	}
	return nil
}

// endBlock moves on after a block.
func (r *Reader) endBlock() {
	r.state = stateHeader
	if r.final {
		r.state = stateTrailer
	}
}
