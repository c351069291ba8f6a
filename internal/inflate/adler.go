package inflate

import "encoding/binary"

const adlerMod = 65521

// adler is an Adler-32 (RFC 1950 8.2) summed 8 bytes at a time: a
// word's byte sum and its bytes weighted 8 down to 1 come from 16-bit
// lanes and multiplications.
type adler struct{ s1, s2 uint64 }

func (a *adler) reset() { a.s1, a.s2 = 1, 0 }

func (a *adler) sum() uint32 { return uint32(a.s2<<16 | a.s1) }

const (
	lanes   = 0x00ff00ff00ff00ff
	ones    = 0x0001000100010001
	evenMul = 0x0008000600040002 // byte 0 weighs 8, 2 weighs 6, ...
	oddMul  = 0x0007000500030001 // byte 1 weighs 7, 3 weighs 5, ...
)

func (a *adler) update(p []byte) {
	s1, s2 := a.s1, a.s2
	for len(p) > 0 {
		// 64 KiB keeps s2 far below 2^64 between reductions.
		q := p[:min(len(p), 64<<10)]
		p = p[len(q):]
		for ; len(q) >= 8; q = q[8:] {
			w := binary.LittleEndian.Uint64(q)
			even, odd := w&lanes, w>>8&lanes
			s2 += s1<<3 + (even*evenMul)>>48 + (odd*oddMul)>>48
			s1 += ((even + odd) * ones) >> 48
		}
		for _, b := range q {
			s1 += uint64(b)
			s2 += s1
		}
		s1 %= adlerMod
		s2 %= adlerMod
	}
	a.s1, a.s2 = s1, s2
}
