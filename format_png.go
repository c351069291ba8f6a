package imgproxy

import (
	"context"
	"image/png"

	"github.com/imgproxy-go/imgproxy/internal/picture"
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

// decodePNG decodes the whole image with image/png, which handles every
// colour type, bit depth, tRNS and interlacing.
//
// Worst case (image/png, Go 1.26): time linear in the decompressed data,
// height x (1 + width x bytes per pixel) bytes inflated and unfiltered
// (8 bytes a pixel for 16-bit RGBA), whatever the file's size: deflate
// expands up to about 1000:1. Memory: the decoded image at its own depth
// (up to 8 bytes a pixel: 16-bit pictures are not reduced to 8) plus two
// rows; interlaced, about twice that, as each of the seven passes is
// decoded into an image of its own before being merged. Measured (one
// core of a shared 2-core Xeon, a program calling png.Decode under
// /usr/bin/time): a 7000x7000 16-bit RGBA PNG of zeros, 394 KB, decodes
// in 0.73 s with 374 MiB allocated (peak RSS 387 MB); interlaced, 381 KB,
// 0.94 s, 748 MiB (770 MB). image/png has no hook inside the decode, but
// it pulls its input as it inflates rows, so reading through a ctxReader
// ends the decode within one 4 KiB read (at most about 4 MiB of rows) of
// ctx's end; its error is then ctx's (a 504).
func decodePNG(ctx context.Context, data []byte, h *header, _ decodeRequest) (*picture.Picture, resample.Extent, error) {
	if err := ctx.Err(); err != nil {
		return nil, resample.Extent{}, decodeStopped(FormatPNG, err)
	}
	m, err := png.Decode(newCtxReader(ctx, data))
	if err != nil {
		return nil, resample.Extent{}, decodeError(ctx, FormatPNG, err)
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}
