package imgproxy

import (
	"context"
	"encoding/binary"
	"errors"
	"image"

	"github.com/imgproxy-go/imgproxy/internal/vp8dec"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// vp8FilterSkipReduction is the reduction from which a lossy WebP is
// decoded without its loop filter: the output at most 1/8 of the source
// on both sides. The filter smooths block edges, 4 to 16 pixels apart;
// resampling by 8 or more averages most of that away. Measured against
// the float reference of the filtered picture (TestLoopFilterSkipCost in
// internal/vp8dec): the corpus's 4096x4096 photo loses 0.17 dB at 1/8
// (52.75 -> 52.58 dB; 0.59 dB at 1/4), a smooth upscaled photo at cwebp
// -q 30, the worst case tried, 7 dB (54.5 -> 47.3 dB), still far above
// what the output's encoding leaves (35-45 dB). It saves 30% of the
// decode's CPU time.
const vp8FilterSkipReduction = 8

// skipsLoopFilter reports whether plan reduces enough to decode a lossy
// WebP without its loop filter.
func skipsLoopFilter(plan geometry) bool {
	return plan.resizeW*vp8FilterSkipReduction <= plan.srcW && plan.resizeH*vp8FilterSkipReduction <= plan.srcH
}

// decodeVP8 decodes a still WebP with internal/vp8dec if it is lossy:
// planes in VP8's video range, cropped to the frame, an *image.YCbCr, or
// with its ALPH chunk's plane (decodeAlpha, first) an *image.NYCbCrA. ok
// is false (and err nil) for what that decoder leaves to x/image/webp:
// lossless frames, and frames it reports unsupported. The decode checks
// ctx every macroblock row and then returns ctx's error.
func decodeVP8(ctx context.Context, data []byte, req decodeRequest) (m image.Image, ok bool, err error) {
	s, err := webpmeta.ParseStill(data)
	if err != nil || s.Lossless || len(s.Bitstream) < 8 {
		return nil, false, nil
	}
	var alpha []byte
	if s.Alpha != nil {
		if alpha, err = decodeAlpha(ctx, req, s.Alpha, s.Width, s.Height); err != nil {
			return nil, true, err
		}
	}
	y, err := vp8dec.Decode(ctx, vp8Payload(s.Bitstream), vp8dec.Options{SkipLoopFilter: skipsLoopFilter(req.plan)})
	switch {
	case errors.Is(err, vp8dec.ErrUnsupported):
		return nil, false, nil
	case err != nil:
		return nil, true, err
	case y.Rect.Dx() != s.Width || y.Rect.Dy() != s.Height:
		return nil, false, nil // x/image/webp says what is wrong
	case alpha != nil:
		return &image.NYCbCrA{YCbCr: *y, A: alpha, AStride: s.Width}, true, nil
	}
	return y, true, nil
}

// vp8Payload returns the VP8 bit stream of a VP8 chunk (at least 8
// bytes), cut to the chunk's size where it is within the data.
func vp8Payload(chunk []byte) []byte {
	n := binary.LittleEndian.Uint32(chunk[4:8])
	payload := chunk[8:]
	if uint64(n) <= uint64(len(payload)) {
		payload = payload[:n]
	}
	return payload
}
