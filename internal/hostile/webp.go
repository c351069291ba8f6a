package hostile

import "encoding/binary"

// WebP generators, written as lossless (VP8L) bitstreams by hand: there
// is no WebP encoder in the standard library or golang.org/x/image, and
// these need none. Every prefix code is a "simple code" of one or two
// symbols, so a pixel costs one bit (two colours) or none (one colour).

// WebPChecker returns a lossless WebP of w x h pixels, black and green
// squares of 8x8 pixels, opaque: one bit per pixel of coded data, so that
// cutting the file cuts pixels. w and h must be 1..16384.
func WebPChecker(w, h int) []byte {
	b := vp8lHeader(w, h)
	b.put(1, 1)       // simple code
	b.put(1, 1)       // two symbols
	b.put(0, 1)       // first symbol in 1 bit
	b.put(0, 1)       // green 0: code "0"
	b.put(255, 8)     // green 255: code "1"
	vp8lSimple(&b, 0) // red
	vp8lSimple(&b, 0) // blue
	vp8lSimple(&b, 255)
	vp8lSimple(&b, 0) // distance
	for y := range h {
		for x := range w {
			b.put(uint64((x>>3^y>>3)&1), 1)
		}
	}
	return riffVP8L(b.flush())
}

// WebPBomb returns a lossless WebP of w x h pixels of one colour (opaque
// black) in 34 bytes: its pixels cost no bits at all, so the file is the
// same size whatever w and h are (at most 16384 each, 268 megapixels).
func WebPBomb(w, h int) []byte {
	b := vp8lHeader(w, h)
	for _, s := range []uint64{0, 0, 0, 255, 0} { // green, red, blue, alpha, distance
		vp8lSimple(&b, s)
	}
	return riffVP8L(b.flush())
}

// vp8lHeader starts a VP8L bitstream: signature, size, no alpha hint,
// version 0, no transform, no colour cache and no meta prefix codes.
func vp8lHeader(w, h int) lsbWriter {
	b := lsbWriter{out: []byte{0x2F}}
	b.put(uint64(w-1), 14)
	b.put(uint64(h-1), 14)
	b.put(0, 1) // alpha_is_used
	b.put(0, 3) // version
	b.put(0, 1) // no transform
	b.put(0, 1) // no colour cache
	b.put(0, 1) // no meta prefix codes
	return b
}

// vp8lSimple writes a simple prefix code of the one symbol s (< 256),
// which then costs no bits.
func vp8lSimple(b *lsbWriter, s uint64) {
	b.put(1, 1) // simple code
	b.put(0, 1) // one symbol
	b.put(1, 1) // in 8 bits
	b.put(s, 8)
}

// riffVP8L wraps a VP8L bitstream in its RIFF container.
func riffVP8L(data []byte) []byte {
	n := len(data)
	pad := n & 1
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(4+8+n+pad))
	out = append(out, "WEBPVP8L"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	out = append(out, data...)
	if pad == 1 {
		out = append(out, 0)
	}
	return out
}
