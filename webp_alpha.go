package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"io"

	"golang.org/x/image/vp8l"
)

// The ALPH chunk of a lossy WebP (WebP container specification,
// "Alpha"): one header byte, then the alpha plane of the frame, width x
// height samples, raw or as a WebP lossless image stream whose green
// channel holds them, and filtered (predicted) or not.
//
// Header byte, most significant bits first: 2 reserved, 2 pre-processing
// (a hint for decoders that dither; nothing to undo), 2 filtering
// method, 2 compression method.
const (
	alphaRaw      = 0 // compression: width x height bytes
	alphaLossless = 1 // compression: a VP8L image stream without its header

	alphaFilterNone       = 0
	alphaFilterHorizontal = 1 // predicted from the left
	alphaFilterVertical   = 2 // predicted from above
	alphaFilterGradient   = 3 // clip(left + above - above-left)
)

var errAlpha = errors.New("webp: bad ALPH chunk")

// decodeAlpha returns the w x h alpha plane of chunk, the raw ALPH chunk
// (its 8-byte chunk header, payload, padding). The lossless stream is
// decoded by golang.org/x/image/vp8l through a ctxReader on a goroutine
// of its own (detachable: a compact stream reads nothing more once its
// decode has begun), so the request ends with ctx. It holds the plane
// plus, for a lossless stream, vp8l's NRGBA picture (4 bytes a pixel)
// while decoding.
func decodeAlpha(ctx context.Context, req decodeRequest, chunk []byte, w, h int) ([]byte, error) {
	if len(chunk) < 9 {
		return nil, errAlpha
	}
	payload := chunk[8:]
	if n := binary.LittleEndian.Uint32(chunk[4:8]); uint64(n) < uint64(len(payload)) {
		payload = payload[:n] // the padding byte is not the stream's
	}
	hdr, data := payload[0], payload[1:]
	if hdr>>6 != 0 {
		return nil, errAlpha // reserved bits must be 0
	}
	var plane []byte
	switch hdr & 3 {
	case alphaRaw:
		if len(data) < w*h {
			return nil, errAlpha
		}
		plane = bytes.Clone(data[:w*h])
	case alphaLossless:
		m, err := detachable(ctx, req, func() (image.Image, error) {
			return vp8l.Decode(io.MultiReader(bytes.NewReader(vp8lHeader(w, h)), newCtxReader(ctx, data)))
		})
		if err != nil {
			return nil, err
		}
		nrgba, ok := m.(*image.NRGBA)
		if !ok || nrgba.Rect.Dx() != w || nrgba.Rect.Dy() != h {
			return nil, errAlpha
		}
		plane = make([]byte, w*h)
		for y := range h {
			row := nrgba.Pix[y*nrgba.Stride:]
			out := plane[y*w : (y+1)*w]
			for x := range out {
				out[x] = row[4*x+1] // green
			}
		}
	default:
		return nil, errAlpha
	}
	unfilterAlpha(plane, w, h, (hdr>>2)&3)
	return plane, nil
}

// vp8lHeader is the 5-byte header of a WebP lossless stream of w x h
// (1..16384 each, which a VP8 frame's 14-bit sizes guarantee): the
// signature 0x2f, then w-1 and h-1 in 14 bits each, the alpha hint (0)
// and the version (0), least significant bits first.
func vp8lHeader(w, h int) []byte {
	v := uint32(w-1) | uint32(h-1)<<14
	return []byte{0x2f, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

// unfilterAlpha undoes the prediction filter f on the w x h plane p in
// place: each sample is its stored difference plus its predictor, modulo
// 256. The first sample's predictor is 0; the rest of the first row is
// predicted from the left and the rest of the first column from above,
// whatever the method; inside, by the method's own predictor.
func unfilterAlpha(p []byte, w, h int, f byte) {
	if f == alphaFilterNone || w == 0 || h == 0 {
		return
	}
	for x := 1; x < w; x++ {
		p[x] += p[x-1]
	}
	for y := 1; y < h; y++ {
		row, up := p[y*w:(y+1)*w], p[(y-1)*w:y*w]
		row[0] += up[0]
		switch f {
		case alphaFilterHorizontal:
			for x := 1; x < w; x++ {
				row[x] += row[x-1]
			}
		case alphaFilterVertical:
			for x := 1; x < w; x++ {
				row[x] += up[x]
			}
		case alphaFilterGradient:
			for x := 1; x < w; x++ {
				g := int(row[x-1]) + int(up[x]) - int(up[x-1])
				row[x] += byte(min(max(g, 0), 255))
			}
		}
	}
}
