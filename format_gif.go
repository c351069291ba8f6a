package imgproxy

import (
	"context"
	"image"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/gifcodec"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

var gifCodec = codec{
	format: FormatGIF,
	sniff: func(b []byte) bool {
		return len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a")
	},
	header: gifHeader,
	decode: decodeGIF,
}

// gifHeader walks the block structure, counting frames without decoding
// them.
func gifHeader(data []byte) (header, error) {
	info, err := gifcodec.Config(data)
	if err != nil {
		return header{}, err
	}
	return header{
		width: info.Width, height: info.Height, frames: max(info.Frames, 1), alpha: true,
		meta: picture.Meta{Orientation: 1, Format: "gif"},
	}, nil
}

// decodeGIF composites the frames as a browser shows them and, for an
// animation, transforms each as soon as it is composited: only the
// canvas and the transformed frames are held. gifcodec checks ctx before
// each frame and every 255 bytes of LZW data; once ctx is done the
// decode ends with ctx's error (a 504), whatever it has delivered. Worst
// cases: see package gifcodec; req.frame's transform of each frame comes
// on top.
func decodeGIF(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	p := &picture.Picture{Meta: h.meta}
	animate := req.maxFrames > 1 && h.frames > 1
	info, err := gifcodec.DecodeFrames(ctx, data, req.maxFrames, func(i int, canvas *image.NRGBA, delay time.Duration) error {
		var m image.Image = canvas
		if animate {
			m = req.frame(canvas)
		}
		if m == image.Image(canvas) {
			m = cloneNRGBA(canvas)
		}
		if i == 0 {
			p.Image = m
		}
		if animate {
			p.Frames = append(p.Frames, picture.Frame{Image: m, Delay: delay})
		}
		return nil
	})
	if cerr := ctx.Err(); cerr != nil {
		return nil, resample.Extent{}, decodeStopped(FormatGIF, cerr)
	}
	if err != nil && p.Image == nil {
		return nil, resample.Extent{}, decodeFailed(FormatGIF, err)
	}
	if p.Image == nil {
		return nil, resample.Extent{}, decodeFailed(FormatGIF, errNoFrames)
	}
	p.LoopCount = info.LoopCount
	return p, resample.Extent{}, nil
}

// cloneNRGBA copies m into a new image with the same bounds.
func cloneNRGBA(m *image.NRGBA) *image.NRGBA {
	c := image.NewNRGBA(m.Rect)
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		copy(c.Pix[c.PixOffset(c.Rect.Min.X, y):c.PixOffset(c.Rect.Max.X, y)], m.Pix[m.PixOffset(m.Rect.Min.X, y):m.PixOffset(m.Rect.Max.X, y)])
	}
	return c
}
