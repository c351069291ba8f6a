package imgproxy

import (
	"image"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// pngDecodeWeight returns the size decodePNG returns at the plan's
// scale and the bytes it holds at its peak. Streamed (see pngShrinker):
// three rows at full width (two raw ones, up to 8 bytes a pixel and a
// filter byte, and one converted), what the Shrinker holds
// (resample.ShrinkerPlan) and the result at the resize size; the picture
// comes back resized, so weight adds no resampler planes. Whole: the
// result type at full size (Gray 1 byte a pixel, RGBA and NRGBA 4,
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
	if ok, bytes := pngStreams(h, s); ok {
		rows := 3 * (int64(h.width)*8 + 1)
		out := int64(s.resizeW) * int64(s.resizeH) * int64(ch)
		return s.resizeW, s.resizeH, rows + out + bytes
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
// into a Shrinker (see pngShrinker), and what the Shrinker holds; a
// picture with a profile counts as whole, as it is where the profile is
// converted.
func pngStreams(h *header, s geometry) (bool, int64) {
	if h.meta.ICC != nil || s.srcW != h.width || s.srcH != h.height {
		return false, 0
	}
	ok, boxed, bytes := resample.ShrinkerPlan(pngModel(h), h.width, h.height, s.resizeW, s.resizeH, h.layout.pngLaced)
	if !ok || (h.layout.pngLaced && !boxed) {
		return false, 0
	}
	return true, bytes
}

// pngModel is an empty image of the type pngdec decodes h's picture to,
// as far as the resampler tells types apart.
func pngModel(h *header) image.Image {
	l := &h.layout
	switch {
	case l.pngDepth == 16 || l.pngColor == 3:
		return &image.Paletted{} // converted to premultiplied RGBA, as the 16-bit types
	case l.pngColor == 0 && !h.alpha:
		return &image.Gray{}
	case l.pngColor == 2 && !h.alpha:
		return &image.RGBA{}
	}
	return &image.NRGBA{}
}
