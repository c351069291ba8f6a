package imgproxy

import (
	"bytes"
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
	return h, nil
}

// decodePNG decodes the whole image with image/png, which handles every
// colour type, bit depth, tRNS and interlacing.
func decodePNG(_ context.Context, data []byte, h *header, _ decodeRequest) (*picture.Picture, resample.Extent, error) {
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatPNG, err)
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}
