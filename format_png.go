package imgproxy

import (
	"context"
	"image"

	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/pngdec"
	"github.com/imgproxy-go/imgproxy/internal/pngmeta"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

var pngCodec = codec{
	format: FormatPNG,
	sniff: func(b []byte) bool {
		return len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n"
	},
	header: pngHeader,
	decode: decodePNG,
}

// pngHeader reads IHDR and the metadata chunks (iCCP, eXIf) before the
// image data.
func pngHeader(data []byte) (header, error) {
	md, err := pngmeta.Read(data)
	if err != nil {
		return header{}, err
	}
	h := header{width: md.Width, height: md.Height, frames: 1, meta: picture.Meta{Orientation: 1, Format: "png"}}
	h.alpha = md.ColorType == 4 || md.ColorType == 6 || md.HasTRNS
	h.meta.ICC = md.ICC
	h.meta.Orientation = orientationOf(md.EXIF)
	h.layout = layout{pngDepth: md.BitDepth, pngColor: md.ColorType, pngLaced: md.Interlaced}
	return h, nil
}

// decodePNG decodes with internal/pngdec. A picture that the plan
// box-reduces (by 5x or more on an axis) is never held at full size: its
// rows go, as they are inflated and unfiltered, into the box
// pre-reduction of a resample.Shrinker (an Adam7 pass's pixels straight
// into the sums of their blocks), which then finishes the resize,
// so the picture returned is already at the plan's resize size (the
// transform then only orients, crops, rotates and sharpens it). The
// result is exactly the one resizing the full-size image would give
// (TestPNGStreamMatchesFullDecode). Otherwise (a reduction under 5x, or
// a profile converted to sRGB before resizing) the whole
// picture is decoded, in the type and with the pixels image/png gives.
//
// Worst case: time linear in the inflated data, height x (1 + width x
// bytes per pixel) bytes, whatever the file's size (deflate expands up to
// about 1000:1). Memory streaming: two raw rows, one converted row,
// column sums and the reduced plane (see pngWeight); whole: the picture
// at its own depth (up to 8 bytes a pixel) plus two rows, interlaced or
// not (passes are scattered straight into the result). The context is
// checked every 16 KiB of inflated data; its error is then the decode's
// (a 504).
func decodePNG(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	if err := ctx.Err(); err != nil {
		return nil, resample.Extent{}, decodeStopped(FormatPNG, err)
	}
	p, err := pngdec.Parse(data)
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatPNG, err)
	}
	var m image.Image
	if sh := pngShrinker(p, req); sh != nil {
		if p.Interlaced {
			err = p.Pixels(ctx.Err, func(y, x0, dx int, row image.Image) error {
				sh.AddAt(y, x0, dx, row)
				return nil
			})
		} else if p.RGB8() {
			err = p.RawRows(ctx.Err, func(_ int, rgb []byte) error {
				sh.AddRGB(rgb) // no RGBA row in between
				return nil
			})
		} else {
			err = p.Rows(ctx.Err, func(_ int, row image.Image) error {
				sh.Add(row)
				return nil
			})
		}
		if err == nil {
			if req.parallel != nil {
				req.parallel(func(w int) { m = sh.Image(w) })
			} else {
				m = sh.Image(1)
			}
		}
	} else {
		m, err = p.Decode(ctx.Err, 0)
	}
	if err != nil {
		return nil, resample.Extent{}, decodeError(ctx, FormatPNG, err)
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}

// pngShrinker returns the Shrinker that resizes p row by row to the
// plan's resize size, nil where the whole picture is needed: a profile
// converted before resizing, or no box pre-reduction where the vertical
// kernel pass would go first (or the picture is interlaced).
func pngShrinker(p *pngdec.PNG, req decodeRequest) *resample.Shrinker {
	s := req.plan
	if req.whole || s.resizeW <= 0 || s.resizeH <= 0 || s.srcW != p.Width || s.srcH != p.Height {
		return nil
	}
	if p.Interlaced && !resample.Boxes(p.Width, p.Height, s.resizeW, s.resizeH) {
		return nil // Adam7 rows can only be scattered into a box's sums
	}
	return resample.NewShrinker(p.Kind(), p.Width, p.Height, s.resizeW, s.resizeH, resample.Lanczos3)
}

// convertsBeforeResize reports whether a still picture with profile icc
// is converted to sRGB before it is resized (see decodePicture), so that
// its decoder must hand it over whole.
func (r *BildResizer) convertsBeforeResize(icc []byte) bool {
	t, _ := r.srgbTransform(icc)
	return t != nil
}
