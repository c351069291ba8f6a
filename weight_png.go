package imgproxy

import "github.com/imgproxy-go/imgproxy/internal/resample"

// pngDecodeWeight returns the size decodePNG returns at the plan's
// scale and the bytes it holds at its peak. Streamed (a picture the
// plan box-reduces, without a profile to convert): three rows at full
// width (two raw ones, up to 8 bytes a pixel and a filter byte, and one
// converted), the Shrinker's column sums, reduced plane (and block sums
// for Adam7) and kernel intermediate, and the result at the resize size;
// the picture comes back resized, so weight adds no resampler planes.
// Whole: the result type at full size (Gray 1 byte a pixel, RGBA and NRGBA 4,
// Gray16 2, Paletted 1, RGBA64 and NRGBA64 8), plus the 8-bit RGBA copy
// the resampler makes of types it has no plane for, or of NRGBA to
// premultiply it; Adam7 passes are scattered straight into the result.
func pngDecodeWeight(h *header, s geometry) (int, int, int64) {
	l := &h.layout
	gray := l.pngColor == 0 && !h.alpha && l.pngDepth <= 8
	ch := 4
	if gray {
		ch = 1
	}
	if pngStreams(h, s) {
		rows := 3 * (int64(h.width)*8 + 1)
		out := int64(s.resizeW) * int64(s.resizeH) * int64(ch)
		return s.resizeW, s.resizeH, rows + out + resample.ShrinkerBytes(h.width, h.height, s.resizeW, s.resizeH, ch, l.pngLaced)
	}
	var per int64
	switch {
	case gray, l.pngColor == 3:
		per = 1
	case l.pngDepth == 16 && l.pngColor == 0 && !h.alpha:
		per = 2
	case l.pngDepth == 16:
		per = 8
	default:
		per = 4
	}
	if !gray {
		per += 4 // the resampler's 8-bit RGBA copy
	}
	return h.width, h.height, int64(h.width) * int64(h.height) * per
}

// pngStreams reports whether decodePNG streams a picture with header h
// into the plan's box pre-reduction (see pngShrinker); a picture with a
// profile counts as whole, as it is where the profile is converted.
func pngStreams(h *header, s geometry) bool {
	if h.meta.ICC != nil || s.resizeW <= 0 || s.resizeH <= 0 || s.srcW != h.width || s.srcH != h.height {
		return false
	}
	return resample.Boxes(h.width, h.height, s.resizeW, s.resizeH)
}
