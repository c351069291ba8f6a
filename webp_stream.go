package imgproxy

import (
	"context"
	"errors"
	"image"

	"github.com/imgproxy-go/imgproxy/internal/resample"
	"github.com/imgproxy-go/imgproxy/internal/vp8dec"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// resizedChroma is the chroma subsampling the transform resizes a YCbCr
// picture to (see resampleImage), and so a streamed VP8 frame's too.
const resizedChroma = image.YCbCrSubsampleRatio444

// streamVP8 decodes a still lossy WebP without alpha that the plan
// box-reduces (by 5x or more on an axis) straight into a
// resample.YCbCrShrinker, row by row, each row brought to full range as
// it comes (videoRange, as fullRange does the whole planes): the frame is
// never held at full size, only vp8dec's window (DecodeRows) and the
// shrinker's sums. The picture returned is already at the plan's resize
// size and full range, and equals what resizing the whole decode gives
// (TestVP8StreamMatchesFullDecode). ok is false where this does not
// apply (req.whole, lossless, alpha, a plan not of this frame, no box, a
// VP8 header whose size is not the container's) or vp8dec reports the
// frame unsupported; the caller then decodes whole. ctx is checked every
// macroblock row and once more at the end.
func streamVP8(ctx context.Context, data []byte, req decodeRequest) (image.Image, bool, error) {
	if req.whole {
		return nil, false, nil
	}
	s, err := webpmeta.ParseStill(data)
	if err != nil || s.Lossless || s.Alpha != nil || len(s.Bitstream) < 8 {
		return nil, false, nil
	}
	payload := vp8Payload(s.Bitstream)
	w := s.Width
	sh := vp8Shrinker(payload, w, s.Height, req)
	if sh == nil {
		return nil, false, nil
	}
	rows := &vp8Rows{sh: sh, y: make([]byte, w), cb: make([]byte, (w+1)/2), cr: make([]byte, (w+1)/2)}
	var d vp8dec.Decoder
	_, err = d.DecodeRows(ctx, payload, vp8dec.Options{SkipLoopFilter: skipsLoopFilter(req.plan)}, rows)
	switch {
	case errors.Is(err, vp8dec.ErrUnsupported):
		return nil, false, nil
	case err != nil:
		return nil, true, err
	}
	var m image.Image
	if req.parallel != nil {
		req.parallel(func(workers int) { m = sh.Image(workers) })
	} else {
		m = sh.Image(1)
	}
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	return m, true, nil
}

// vp8Shrinker returns the YCbCrShrinker that resizes a w x h frame to the
// plan's resize size, nil where the frame is to be decoded whole.
func vp8Shrinker(payload []byte, w, h int, req decodeRequest) *resample.YCbCrShrinker {
	s := req.plan
	if req.whole || s.resizeW <= 0 || s.resizeH <= 0 || s.srcW != w || s.srcH != h {
		return nil
	}
	if cfg, err := vp8dec.DecodeConfig(payload); err != nil || cfg.Width != w || cfg.Height != h {
		return nil
	}
	return resample.NewYCbCrShrinker(w, h, image.YCbCrSubsampleRatio420, s.resizeW, s.resizeH, resizedChroma, resample.Lanczos3)
}

// vp8Rows takes the rows vp8dec hands over, maps them from video to full
// range into its own rows and adds those to sh.
type vp8Rows struct {
	sh        *resample.YCbCrShrinker
	y, cb, cr []byte
}

func (r *vp8Rows) Luma(_ int, row []byte) {
	mapRow(r.y, row, &videoRange.luma)
	r.sh.AddY(r.y)
}

func (r *vp8Rows) Chroma(_ int, cb, cr []byte) {
	mapRow(r.cb, cb, &videoRange.chroma)
	mapRow(r.cr, cr, &videoRange.chroma)
	r.sh.AddC(r.cb, r.cr)
}

// mapRow sets dst[i] to lut[src[i]].
func mapRow(dst, src []byte, lut *[256]byte) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = lut[v]
	}
}

// vp8StreamWeight returns whether decodeVP8Streamed streams a picture with
// header h under plan s, and the bytes it then holds besides the result:
// vp8dec's window (32 bytes per pixel of width rounded up to 16, and
// about 64 per macroblock column of state), the three mapped rows and
// the shrinker's sums and planes (resample.YCbCrShrinkerPlan). A
// profile counts as whole, as it is where the resizer converts it.
func vp8StreamWeight(h *header, s geometry) (bool, int64) {
	if h.layout.lossless || h.alpha || h.frames > 1 || h.meta.ICC != nil || s.srcW != h.width || s.srcH != h.height {
		return false, 0
	}
	ok, bytes := resample.YCbCrShrinkerPlan(h.width, h.height, image.YCbCrSubsampleRatio420, s.resizeW, s.resizeH, resizedChroma)
	if !ok {
		return false, 0
	}
	w := int64(h.width+15) / 16
	return true, w*16*32 + w*64 + 2*int64(h.width) + bytes
}
