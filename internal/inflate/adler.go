package inflate

import "encoding/binary"

const adlerMod = 65521

// adler is an Adler-32 (RFC 1950 8.2) summed 32 bytes at a time: the
// words' byte sums and their bytes weighted by position come from 16-bit
// lanes and four multiplications (hash/adler32 goes byte by byte, at
// about a third of the speed).
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
		for ; len(q) >= 32; q = q[32:] {
			// Four words: lanes stay below 2^16 in every product.
			a := binary.LittleEndian.Uint64(q)
			b := binary.LittleEndian.Uint64(q[8:])
			c := binary.LittleEndian.Uint64(q[16:])
			d := binary.LittleEndian.Uint64(q[24:])
			ea, eb, ec, ed := a&lanes, b&lanes, c&lanes, d&lanes
			oa, ob, oc, od := a>>8&lanes, b>>8&lanes, c>>8&lanes, d>>8&lanes
			va, vb, vc, vd := ea+oa, eb+ob, ec+oc, ed+od
			s2 += s1<<5 + ((3*va+2*vb+vc)*ones)>>48<<3 +
				((ea+eb+ec+ed)*evenMul+(oa+ob+oc+od)*oddMul)>>48
			s1 += ((va + vb + vc + vd) * ones) >> 48
		}
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
