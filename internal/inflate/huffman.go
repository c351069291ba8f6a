package inflate

import (
	"errors"
	"math/bits"
)

// A decode table maps the next rootBits bits of input (first bit lowest)
// to an entry; a code longer than rootBits leads to a subtable indexed by
// the bits after the root's. An entry (uint32) is laid out as:
//
//	bits 0-4   bits to consume: codeword length plus extra bits (a
//	           subtable pointer: rootBits)
//	bit 5      flagEOB: end of block
//	bit 6      flagSub: a pointer to a subtable
//	bit 7      flagLit: a literal (or, in the code-length table, any symbol)
//	bits 8-11  codeword length at this level (extra bits start above it)
//	bits 12-15 a subtable's index bits
//	bits 16-31 the literal, the base length or distance, or the subtable's
//	           start
//
// The zero entry is an invalid code: length and distance bases are never
// zero, and the literal and end-of-block entries carry a flag.
const (
	flagEOB = 1 << 5
	flagSub = 1 << 6
	flagLit = 1 << 7

	litBits  = 11 // root bits of the literal/length table
	distBits = 8  // root bits of the distance table
	clenBits = 7  // root bits of the code-length table: no subtables

	// Table sizes: powers of two above the largest a complete code needs
	// (2342 entries for 288 literal/length symbols at 11 root bits, 402
	// for 32 distance symbols at 8), so that masking an index costs no
	// bounds check.
	litSize  = 4096
	distSize = 512
)

var (
	errOversubscribed = errors.New("inflate: oversubscribed huffman code")
	errIncomplete     = errors.New("inflate: incomplete huffman code")
)

// Base and extra bits of the length symbols 257-285 and the distance
// symbols 0-29 (RFC 1951 3.2.5).
var (
	lengthBase = [29]uint32{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint32{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

func litEntry(sym int, cl uint32) uint32 {
	switch {
	case sym < 256:
		return flagLit | cl | cl<<8 | uint32(sym)<<16
	case sym == 256:
		return flagEOB | cl | cl<<8
	case sym < 286:
		i := sym - 257
		return (cl + lengthExtra[i]) | cl<<8 | lengthBase[i]<<16
	}
	return 0 // 286 and 287: invalid
}

func distEntry(sym int, cl uint32) uint32 {
	if sym >= 30 {
		return 0
	}
	return (cl + distExtra[sym]) | cl<<8 | distBase[sym]<<16
}

func clenEntry(sym int, cl uint32) uint32 {
	return flagLit | cl | cl<<8 | uint32(sym)<<16
}

// build fills t with the decode table of the canonical code with the
// given code lengths (0: symbol unused). As compress/flate, it accepts
// complete codes, one code of one bit, and the empty code (every entry
// invalid); an oversubscribed or otherwise incomplete code is an error.
func build(t []uint32, lengths []uint8, root uint, entry func(sym int, cl uint32) uint32) error {
	var count [16]int
	maxLen := 0
	for _, l := range lengths {
		count[l]++
		maxLen = max(maxLen, int(l))
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return errOversubscribed
		}
	}
	size := 1 << root
	clear(t[:size])
	if left != 0 && maxLen != 0 && (maxLen != 1 || count[1] != 1) {
		return errIncomplete
	}
	var sorted [320]uint16
	canonicalOrder(&sorted, lengths, &count)
	remaining := count
	code, next, prefix, i := 0, size, -1, 0
	var start, sub int
	for l := 1; l <= maxLen; l++ {
		for range count[l] {
			s := int(sorted[i])
			i++
			rev := int(bits.Reverse16(uint16(code)) >> (16 - l))
			if l <= int(root) {
				e := entry(s, uint32(l))
				for j := rev; j < size; j += 1 << l {
					t[j] = e
				}
			} else {
				if p := rev & (size - 1); p != prefix {
					prefix, start = p, next
					sub = subBits(&remaining, l, int(root), maxLen)
					next += 1 << sub
					if next > len(t) {
						return errOversubscribed // cannot happen for a complete code
					}
					t[p] = flagSub | uint32(root) | uint32(sub)<<12 | uint32(start)<<16
				}
				e := entry(s, uint32(l)-uint32(root))
				for j := rev >> root; j < 1<<sub; j += 1 << (l - int(root)) {
					t[start+j] = e
				}
			}
			remaining[l]--
			code++
		}
		code <<= 1
	}
	return nil
}

// canonicalOrder lists the used symbols by code length, then symbol: the
// order of their codewords.
func canonicalOrder(sorted *[320]uint16, lengths []uint8, count *[16]int) {
	var offs [16]int
	for l := 1; l < 16; l++ {
		offs[l] = offs[l-1] + count[l-1]
	}
	for s, l := range lengths {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
}

// subBits is the index bits of the subtable that starts with the next
// code, of length l: the codes left of each length fill it in canonical
// order, so it ends at the length where they cover its space.
func subBits(remaining *[16]int, l, root, maxLen int) int {
	left := 1 << (l - root)
	for {
		left -= remaining[l]
		if left <= 0 || l == maxLen {
			return l - root
		}
		l++
		left <<= 1
	}
}
