package imgproxy

import (
	"image"

	"github.com/imgproxy-go/imgproxy/internal/jpegdec"
)

// weightOverhead is what any transform holds besides its pictures:
// tables, row buffers, goroutine stacks, the encoder's state.
const weightOverhead = 4 << 20

// weight estimates, from the header alone, the bytes a transform holds
// at its peak: the decoded picture at the plan's scale with the
// decoder's own working storage, a converted copy where the resampler or
// the colour conversion needs one, the resampler's intermediate and
// output planes, the prepared frame and the encoder's output. Each term
// is an upper bound for the types the decoders return (see the README's
// "Hardening"); the sum is what admission charges against MemoryBudget.
func (r *BildResizer) weight(c *codec, h *header, j *job) int64 {
	s := j.stored
	decodedW, decodedH, decoded := decodeWeight(c, h, s)
	w := decoded
	if h.meta.ICC != nil && !r.KeepICC {
		w += int64(decodedW) * int64(decodedH) * 4 // RGB copy for the sRGB conversion
	}
	out := int64(s.resizeW) * int64(s.resizeH) * 4 // one frame, 4 channels at most
	if decodedW != s.resizeW || decodedH != s.resizeH {
		// The horizontal pass (resizeW x decoded rows) and the result.
		w += int64(s.resizeW)*int64(decodedH)*4 + out
	}
	w += out * int64(j.frames-1) // the other frames of an animation
	if j.out != FormatJPEG || h.alpha {
		w += out // prepared: RGB from YCbCr, or flattened
	}
	// The encoded bytes, in a buffer that grows by doubling up to the
	// output limit, and the encoder's own planes.
	w += 2*min(out, r.maxOutputBytes()) + out
	// The WebAssembly encoders copy the frame into their memory and keep
	// their own planes and analysis buffers beside it; their linear
	// memory is what the process holds. Measured (peak RSS of the server
	// making -x-,webp and -x-,avif of the 5640x3172 photo, less its RSS
	// for the plain -x-): WebP 35 bytes per pixel, AVIF 110; out counts 4.
	switch j.out {
	case FormatWebP:
		w += 9*out + 8<<20
	case FormatAVIF:
		w += 28*out + 8<<20
	}
	return w + weightOverhead
}

// decodeWeight returns the size a decoder returns at the plan's scale
// and the bytes it holds at its peak.
func decodeWeight(c *codec, h *header, s geometry) (w, ht int, bytes int64) {
	w, ht = h.width, h.height
	px := int64(w) * int64(ht)
	switch c.format {
	case FormatJPEG:
		return jpegDecodeWeight(h.layout.jpeg, s)
	case FormatPNG:
		return pngDecodeWeight(h, s)
	case FormatGIF:
		// The composited canvas (NRGBA), the frame's indices, the saved
		// canvas disposal method 3 restores, and the copy of the canvas
		// a still keeps.
		return w, ht, px * 13
	case FormatWebP:
		if h.layout.lossless {
			// VP8L decodes to ARGB words, then to NRGBA.
			return w, ht, px * 8
		}
		if ok, bytes := vp8StreamWeight(h, s); ok {
			// Streamed into the resize (see vp8StreamWeight): the
			// result, 4:4:4 at the resize size, comes back resized.
			return s.resizeW, s.resizeH, int64(s.resizeW)*int64(s.resizeH)*3 + bytes
		}
		// VP8 whole: 4:2:0 planes and alpha, plus the canvas of an
		// animation's first frame, at full size. An
		// ALPH chunk compressed as VP8L decodes, before the frame, as a
		// lossless picture does (see decodeAlpha).
		w8 := px*3 + px*4*int64(min(h.frames-1, 1))
		if h.alpha {
			w8 += px * 8
		}
		return w, ht, w8
	case FormatAVIF:
		return w, ht, avifDecodeWeight(h)
	}
	return w, ht, px * 8
}

// jpegDecodeWeight is the output of jpegdec at jpegScale (3 planes, or
// RGBA for converted colour spaces) plus the coefficient storage of a
// progressive file (see jpegdec.Options.MaxPixels): 2 bytes per sample
// of each component at scale 1, at most 4/scale² at the smaller scales,
// plus a non-zero mask of 1/8 byte per sample at scale 1 and in the exact
// decodes at scale 2 (approximate decodes keep none).
func jpegDecodeWeight(cfg *jpegdec.Config, s geometry) (int, int, int64) {
	scale, exact := jpegScale(s)
	if cfg == nil || !cfg.Supported {
		// image/jpeg's full decode: planes (or CMYK) at full size plus
		// its progressive coefficients, 2 bytes per sample.
		px := int64(s.srcW) * int64(s.srcH)
		return s.srcW, s.srcH, px * (4 + 2*4)
	}
	w, h := ceilDiv(cfg.Width, scale), ceilDiv(cfg.Height, scale)
	px := int64(w) * int64(h)
	// Samples per pixel, in quarters: chroma planes are subsampled.
	quarters := int64(4 * max(cfg.Components, 1))
	if cfg.Components == 3 && cfg.ColorSpace == jpegdec.ColorYCbCr && !cfg.RGBA {
		quarters = 4 + 2*chromaQuarters(cfg.Subsample)
	}
	out := px * quarters / 4
	if cfg.RGBA {
		out += px * 4 // RGBA output beside the component planes
	}
	if !cfg.Progressive {
		return w, h, out
	}
	src := int64(cfg.Width) * int64(cfg.Height) * quarters / 4
	coef := src * 2
	if scale > 1 {
		coef = src * 4 / int64(scale*scale)
	}
	if scale == 1 || exact {
		coef += src / 8 // the non-zero mask refinement scans keep per block
	}
	return w, h, out + coef
}

// chromaQuarters is a chroma plane's samples per pixel, in quarters.
func chromaQuarters(r image.YCbCrSubsampleRatio) int64 {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 4
	case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio440:
		return 2
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio411:
		return 1
	}
	return 1 // 4:1:0 is half a quarter: round up
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
