package inflate

import (
	"encoding/binary"
)

// huffman decodes a Huffman block's symbols until its end-of-block code
// or the output reaches end (the last match may pass it, into slack).
// Its state lives in locals: a refill, then up to three literals or one
// length-distance pair (at most 48 bits) per turn.
func (r *Reader) huffman(end int) error {
	in, pos, bits, nbits := r.in, r.pos, r.bits, r.nbits
	buf, wpos := r.buf, r.wpos
	lit, dist := &r.lit, &r.dist
	var err error
	for wpos < end {
		if pos <= len(in)-8 {
			bits |= binary.LittleEndian.Uint64(in[pos:]) << (nbits & 63)
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		} else {
			r.in, r.pos, r.bits, r.nbits = in, pos, bits, nbits
			if nbits < 8*r.over {
				err = errCode // io.ErrUnexpectedEOF in fill
				break
			}
			r.refillSlow()
			in, pos, bits, nbits = r.in, r.pos, r.bits, r.nbits
		}
		e := lit[bits&(1<<litBits-1)]
		if e&flagLit != 0 {
			bits >>= e & 31
			nbits -= uint(e & 31)
			buf[wpos] = byte(e >> 16)
			wpos++
			e = lit[bits&(1<<litBits-1)]
			if e&flagLit != 0 {
				bits >>= e & 31
				nbits -= uint(e & 31)
				buf[wpos] = byte(e >> 16)
				wpos++
				e = lit[bits&(1<<litBits-1)]
				if e&flagLit != 0 {
					bits >>= e & 31
					nbits -= uint(e & 31)
					buf[wpos] = byte(e >> 16)
					wpos++
					continue
				}
			}
			// e (from the low bits) is not a literal: top up for a
			// length and distance, or go round.
			if pos > len(in)-8 {
				continue
			}
			bits |= binary.LittleEndian.Uint64(in[pos:]) << (nbits & 63)
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		}
		if e&flagSub != 0 {
			bits >>= litBits
			nbits -= litBits
			e = lit[(e>>16+uint32(bits)&(1<<(e>>12&15)-1))&(litSize-1)]
			if e&flagLit != 0 {
				bits >>= e & 31
				nbits -= uint(e & 31)
				buf[wpos] = byte(e >> 16)
				wpos++
				continue
			}
		}
		if e>>16 == 0 {
			if e&flagEOB != 0 {
				bits >>= e & 31
				nbits -= uint(e & 31)
				r.endBlock()
			} else {
				err = errCode
			}
			break
		}
		n := e & 31
		length := int(e>>16) + int(bits&(1<<(n&63)-1)>>(e>>8&15))
		bits >>= n
		nbits -= uint(n)
		e = dist[bits&(1<<distBits-1)]
		if e&flagSub != 0 {
			bits >>= distBits
			nbits -= distBits
			e = dist[(e>>16+uint32(bits)&(1<<(e>>12&15)-1))&(distSize-1)]
		}
		n = e & 31
		d := int(e>>16) + int(bits&(1<<(n&63)-1)>>(e>>8&15))
		bits >>= n
		nbits -= uint(n)
		if e>>16 == 0 {
			err = errCode
			break
		}
		if d > wpos {
			err = errDistance
			break
		}
		if d >= 8 && length <= 16 { // most matches: two words at most
			s := wpos - d
			binary.LittleEndian.PutUint64(buf[wpos:], binary.LittleEndian.Uint64(buf[s:]))
			binary.LittleEndian.PutUint64(buf[wpos+8:], binary.LittleEndian.Uint64(buf[s+8:]))
		} else {
			copyMatch(buf, wpos, d, length)
		}
		wpos += length
	}
	r.in, r.pos, r.bits, r.nbits, r.wpos = in, pos, bits, nbits, wpos
	if err == nil && nbits < 8*r.over {
		err = errCode // io.ErrUnexpectedEOF in fill
	}
	return err
}

// copyMatch copies length bytes from d back to buf[w:], 8 bytes at a
// time, writing up to 7 bytes past them (into slack). Below 8 the copy
// goes byte by byte until the pattern repeats at a distance of 8 or more.
func copyMatch(buf []byte, w, d, length int) {
	s := w - d
	if d < 8 {
		if d == 1 {
			v := uint64(buf[s]) * 0x0101010101010101
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(buf[w+i:], v)
			}
			return
		}
		dd := d * ((8 + d - 1) / d) // a multiple of d, at least 8
		n := min(length, dd-d)
		for i := range n {
			buf[w+i] = buf[s+i]
		}
		w, length, s = w+n, length-n, w+n-dd
	}
	for i := 0; i < length; i += 8 {
		binary.LittleEndian.PutUint64(buf[w+i:], binary.LittleEndian.Uint64(buf[s+i:]))
	}
}
