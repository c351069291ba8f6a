package imgproxy

import (
	"bytes"
	"context"
	"image"
	"image/draw"

	"golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

var webpCodec = codec{
	format: FormatWebP,
	sniff: func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	},
	header: webpHeader,
	decode: decodeWebP,
}

// webpHeader reads the RIFF container: canvas size, alpha, animation,
// ICCP and EXIF chunks.
func webpHeader(data []byte) (header, error) {
	info, err := webpmeta.Parse(data)
	if err != nil {
		return header{}, err
	}
	h := header{
		width: info.Width, height: info.Height, frames: max(info.Frames, 1), alpha: info.Alpha,
		meta: picture.Meta{Orientation: orientationOf(info.EXIF), ICC: info.ICC, Format: "webp"},
	}
	return h, nil
}

// decodeWebP decodes with golang.org/x/image/webp; of an animation, the
// first frame only, placed on its canvas.
func decodeWebP(_ context.Context, data []byte, h *header, _ decodeRequest) (*picture.Picture, resample.Extent, error) {
	if h.frames > 1 {
		return decodeWebPFirstFrame(data, h)
	}
	m, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatWebP, err)
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}

// decodeWebPFirstFrame decodes the first frame of an animation and places
// it on a transparent canvas of the animation's size.
func decodeWebPFirstFrame(data []byte, h *header) (*picture.Picture, resample.Extent, error) {
	still, off, canvas, err := webpmeta.FirstFrame(data)
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatWebP, err)
	}
	m, err := webp.Decode(bytes.NewReader(still))
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatWebP, err)
	}
	if off != (image.Point{}) || m.Bounds().Size() != canvas {
		c := image.NewNRGBA(image.Rectangle{Max: canvas})
		draw.Draw(c, m.Bounds().Add(off), m, m.Bounds().Min, draw.Src)
		m = c
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}
