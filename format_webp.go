package imgproxy

import (
	"context"
	"image"
	"image/draw"
	"math"

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
		meta:   picture.Meta{Orientation: orientationOf(info.EXIF), ICC: info.ICC, Format: "webp"},
		layout: layout{lossless: info.Lossless},
	}
	return h, nil
}

// decodeWebP decodes a WebP; of an animation, the first frame only,
// placed on its canvas.
//
// A lossy frame decodes with internal/vp8dec (see decodeVP8; its package
// doc gives its cost), which stops at ctx every macroblock row; its ALPH
// chunk, if any, is read first by decodeAlpha (raw, or a VP8L stream
// decoded by golang.org/x/image/vp8l through a ctxReader). Lossless
// frames (VP8L), and lossy ones vp8dec reports unsupported, decode with
// golang.org/x/image/webp (v0.48.0); the worst case there, lossless: 4
// bytes a pixel (NRGBA) plus its transforms' data; it reads its bit
// stream as it decodes, so the ctxReader ends a data-heavy decode within
// a 4 KiB read, but a compact one reads nothing more once begun:
// 7071x7071 solid (1972 bytes) 0.23 s and 214 MiB, a gradient (16.5 KB)
// 0.15 s and 190 MiB, 2500x2500 noise (18.7 MB) 0.24 s: the longest a
// detached decode (see decodeWebPStill) runs on after its request ended
// with its Timeout; a lossy frame's compressed alpha plane is such a
// lossless decode too, before the frame's. (Pictures made with cwebp 1.x,
// timed with a program calling webp.Decode under /usr/bin/time.) ctx is
// checked before and after: a decode that ends past the deadline is a
// 504 and goes no further.
func decodeWebP(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	if err := ctx.Err(); err != nil {
		return nil, resample.Extent{}, decodeStopped(FormatWebP, err)
	}
	if h.frames > 1 {
		return decodeWebPFirstFrame(ctx, data, h, req)
	}
	m, err := decodeWebPStill(ctx, data, req)
	if err != nil {
		return nil, resample.Extent{}, err
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}

// decodeWebPStill decodes a still WebP and brings it to full range; a
// done ctx is its error, even once decoded. A lossy frame goes through
// our decoder (decodeVP8, webp_lossy.go), which stops at ctx; one
// without alpha that the plan box-reduces is streamed into the resize
// and comes back resized (streamVP8, webp_stream.go). The rest,
// and a lossy frame's VP8L-compressed alpha, go to x/image through a
// ctxReader, on a goroutine of their own so that the request ends with
// ctx even where the decoder cannot (a compact lossless stream): the
// decode is then detached (req.detach), and the transform's CPU slot and
// memory stay taken until it ends, at most the worst case above.
func decodeWebPStill(ctx context.Context, data []byte, req decodeRequest) (image.Image, error) {
	m, ok, err := streamVP8(ctx, data, req) // resized and full range
	if ok {
		if err != nil {
			return nil, decodeError(ctx, FormatWebP, err)
		}
		return m, nil
	}
	m, ok, err = decodeVP8(ctx, data, req)
	if !ok {
		m, err = detachable(ctx, req, func() (image.Image, error) { return webp.Decode(newCtxReader(ctx, data)) })
	}
	if err != nil {
		return nil, decodeError(ctx, FormatWebP, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, decodeStopped(FormatWebP, err)
	}
	fullRange(m)
	return m, nil
}

// decodeWebPFirstFrame decodes the first frame of an animation and places
// it on a transparent canvas of the animation's size.
func decodeWebPFirstFrame(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	still, off, canvas, err := webpmeta.FirstFrame(data)
	if err != nil {
		return nil, resample.Extent{}, decodeFailed(FormatWebP, err)
	}
	req.whole = true // the frame goes on its canvas at full size
	m, err := decodeWebPStill(ctx, still, req)
	if err != nil {
		return nil, resample.Extent{}, err
	}
	if off != (image.Point{}) || m.Bounds().Size() != canvas {
		c := image.NewNRGBA(image.Rectangle{Max: canvas})
		draw.Draw(c, m.Bounds().Add(off), m, m.Bounds().Min, draw.Src)
		m = c
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}

// fullRange turns the planes of a lossy WebP, as golang.org/x/image/webp
// returns them, from VP8's video range (Y 16..235, Cb and Cr 16..240, as
// libwebp converts them) to the full range that image.YCbCr means
// (JFIF), in place. Without it white decodes as 235 and every colour
// loses contrast. Both use the BT.601 matrix, so scaling the ranges is
// the whole conversion; it costs one table lookup per sample.
func fullRange(m image.Image) {
	var y, cb, cr []byte
	switch m := m.(type) {
	case *image.YCbCr:
		y, cb, cr = m.Y, m.Cb, m.Cr
	case *image.NYCbCrA:
		y, cb, cr = m.Y, m.Cb, m.Cr
	default:
		return // lossless WebP decodes to NRGBA: already RGB
	}
	luma, chroma := &videoRange.luma, &videoRange.chroma
	for i, v := range y {
		y[i] = luma[v]
	}
	for i, v := range cb {
		cb[i] = chroma[v]
	}
	for i, v := range cr {
		cr[i] = chroma[v]
	}
}

// videoRange maps video-range samples to full range: (Y-16)*255/219 and
// (C-128)*255/224+128, rounded to nearest and clamped. Never modified.
var videoRange = func() (t struct{ luma, chroma [256]byte }) {
	for i := range 256 {
		t.luma[i] = clampRound(float64(i-16) * 255 / 219)
		t.chroma[i] = clampRound(float64(i-128)*255/224 + 128)
	}
	return t
}()

func clampRound(v float64) byte {
	return byte(min(max(math.Round(v), 0), 255))
}
