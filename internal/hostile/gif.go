package hostile

// GIF generators. A frame of one colour is a run of one pixel value; LZW
// codes a run of n equal pixels in about sqrt(2n) codes per 4096-entry
// table (each code one pixel longer than the last), so a 7000x7000 frame
// is about 33 KB. The codes are computed, not compressed: generating a
// bomb costs what its size does.

// gifMinCode is the LZW minimum code size of the generated frames: a
// four-colour palette.
const gifMinCode = 2

// gifPalette is black, white, red and transparent-keyed green.
var gifPalette = []byte{0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0}

// GIFBomb returns a GIF89a of one w x h frame whose
// pixels are all colour 0 (black). w and h must be 1..65535.
func GIFBomb(w, h int) []byte {
	out := gifHeader(w, h, false)
	out = gifFrame(out, w, h, 0, -1)
	return append(out, 0x3B)
}

// GIFFrames returns an animated GIF of frames full w x h frames, looping
// forever, each shown for 0.1 s and of one colour (black and white in
// turn), so that no frame is the same as the one before. w and h must be
// 1..65535 and frames at least 1.
func GIFFrames(w, h, frames int) []byte {
	out := gifHeader(w, h, true)
	for i := range frames {
		out = gifFrame(out, w, h, byte(i&1), 10)
	}
	return append(out, 0x3B)
}

// gifHeader appends the signature, the logical screen with the global
// palette and, for an animation, the NETSCAPE2.0 loop extension.
func gifHeader(w, h int, loop bool) []byte {
	out := []byte("GIF89a")
	out = append(out, byte(w), byte(w>>8), byte(h), byte(h>>8))
	out = append(out, 0x80|0x01, 0, 0) // global table of 2^(1+1) colours
	out = append(out, gifPalette...)
	if loop {
		out = append(out, 0x21, 0xFF, 11)
		out = append(out, "NETSCAPE2.0"...)
		out = append(out, 3, 1, 0, 0, 0) // loop count 0: forever
	}
	return out
}

// gifFrame appends one full-screen frame of colour c. delay, in 1/100 s,
// is written in a graphic control extension if not negative.
func gifFrame(out []byte, w, h int, c byte, delay int) []byte {
	if delay >= 0 {
		out = append(out, 0x21, 0xF9, 4, 0, byte(delay), byte(delay>>8), 0, 0)
	}
	out = append(out, 0x2C, 0, 0, 0, 0, byte(w), byte(w>>8), byte(h), byte(h>>8), 0)
	out = append(out, gifMinCode)
	data := lzwRun(int64(w)*int64(h), c)
	for len(data) > 0 {
		n := min(len(data), 255)
		out = append(out, byte(n))
		out = append(out, data[:n]...)
		data = data[n:]
	}
	return append(out, 0) // block terminator
}

// lzwRun returns the GIF LZW codes (minimum code size gifMinCode) of n
// pixels of value c, as an encoder that clears its table when full writes
// them: after a clear, the literal c, then each new code in turn, code k
// after the first standing for k+1 pixels; the last code is the longest
// one that fits what is left. Code widths follow the decoder, which
// widens when its next free code reaches 2^width, up to 12 bits.
func lzwRun(n int64, c byte) []byte {
	const (
		clear = 1 << gifMinCode
		eoi   = clear + 1
		first = eoi + 1 // first free code
	)
	w := lsbWriter{}
	var width uint
	var hi int // the decoder's next free code
	emit := func(code int) {
		w.put(uint64(code), width)
		hi++
		if hi == 1<<width {
			if width == 12 {
				hi-- // table full: the decoder stops adding
			} else {
				width++
			}
		}
	}
	reset := func() {
		w.put(clear, width)
		width, hi = gifMinCode+1, eoi
	}
	width = gifMinCode + 1
	for n > 0 {
		reset()
		emit(int(c))
		n--
		for k := int64(1); n > 0 && hi < 1<<12-1; k++ {
			// Code first+k-1 stands for k+1 pixels once the decoder has
			// read it (KwKwK); a shorter known code ends the data.
			run := min(k+1, n)
			switch {
			case run == k+1:
				emit(first + int(k) - 1)
			case run == 1:
				emit(int(c))
			default:
				emit(first + int(run) - 2)
			}
			n -= run
		}
	}
	w.put(eoi, width)
	return w.flush()
}
