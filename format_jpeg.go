package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"

	"github.com/imgproxy-go/imgproxy/internal/jpegdec"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

var jpegCodec = codec{
	format: FormatJPEG,
	sniff: func(b []byte) bool {
		return len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF
	},
	header: jpegHeader,
	decode: decodeJPEG,
}

// jpegHeader reads the frame header and the EXIF and ICC segments before
// the first scan.
func jpegHeader(data []byte) (header, error) {
	cfg, err := jpegdec.DecodeConfig(data)
	if err != nil {
		// Files our decoder cannot parse may still be read by image/jpeg.
		c, err2 := jpeg.DecodeConfig(bytes.NewReader(data))
		if err2 != nil {
			return header{}, err
		}
		return header{width: c.Width, height: c.Height, frames: 1, meta: picture.Meta{Orientation: 1, Format: "jpeg"}}, nil
	}
	h := header{width: cfg.Width, height: cfg.Height, frames: 1, meta: picture.Meta{Orientation: 1, Format: "jpeg"}}
	h.layout.jpeg = &cfg
	if md, err := jpegdec.Metadata(data); err == nil {
		h.meta.Orientation = orientationOf(md.EXIF)
		if md.KeepICC() { // not after CMYK/YCCK became RGB
			h.meta.ICC = md.ICC
		}
	}
	return h, nil
}

// minKernelReduction is the least reduction left to the resampling kernel
// after shrink-on-load at 1/4 or 1/8. Decoding at 1/8 straight to 1.1
// times the target size leaves the 8x8 block structure of the DCT-domain
// reduction in the thumbnail (measured: -0.85 dB against nginx's full
// decode on the 5640x3172 photo at 640x480); one scale finer, the kernel
// smooths it out. At 1/2 (8x8 blocks to 4x4) there is no such structure:
// any reduction left is enough, provided the decode is exact (see
// jpegScale).
const minKernelReduction = 1.5

// jpegScale picks the shrink-on-load factor for plan: the largest of 8 and
// 4 that leaves the kernel at least minKernelReduction on both sides, else
// 2 if the half-size image still covers the target, else 1. exact is set
// when the scale is 2 with less than minKernelReduction left: the decode
// must then not approximate (PSNR against the float reference, measured on
// the 1280x1024 progressive photo at 600x480: full decode 36.42 dB, exact
// 1/2 36.34, approximate 1/2 36.17, nginx 36.23; the exact 1/2 decode
// takes 13 ms against 29 ms for the full one: go test -bench
// 'BenchmarkCorpus/small.*/scale=[12]$' ./internal/jpegdec).
func jpegScale(plan geometry) (scale int, exact bool) {
	fits := func(s int, reduction float64) bool {
		return float64(plan.srcW) >= reduction*float64(s*plan.resizeW) &&
			float64(plan.srcH) >= reduction*float64(s*plan.resizeH)
	}
	for _, s := range []int{8, 4, 2} {
		if fits(s, minKernelReduction) {
			return s, false
		}
	}
	if fits(2, 1) {
		return 2, true
	}
	return 1, false
}

// decodeJPEG decodes with our shrink-on-load decoder at jpegScale (in
// progressive files at 1/2 and 1/4, approximately: refinement scans that
// would need skipped coefficients are skipped too, which costs a few
// hundredths of a dB after encoding and saves 60-80% of the time), and
// falls back to image/jpeg (at full size) only for files it reports as
// unsupported. The extent is the part of the decoded image that holds the
// picture: at 1/8, a 3172-row photo decodes to 397 rows of which 396.5
// are picture.
//
// ctx stops our decoder between scans and every few rows of blocks; its
// error is returned as it is (context.DeadlineExceeded is a 504), not as
// ErrUnsupported. Files breaking T.81's progression order, with more than
// 100 scans or more work than the decoder's bound (scan bombs) are
// ErrUnsupported (415). The image/jpeg fallback cannot be interrupted
// once started (ctx is only checked before it); it only runs for frames
// our decoder does not support, after the decoder has admitted their scan
// script (progression, scan limit and work bound), and in practice
// image/jpeg refuses those frames too (lossless, hierarchical, 12-bit,
// sampling factors outside the six YCbCr ratios).
func decodeJPEG(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	plan := req.plan
	scale, exact := jpegScale(plan)
	m, err := jpegdec.DecodeContext(ctx, data, scale, &jpegdec.Options{Approximate: !exact})
	var unsupported jpegdec.UnsupportedError
	if errors.As(err, &unsupported) {
		if err := ctx.Err(); err != nil {
			return nil, resample.Extent{}, err
		}
		scale = 1
		m, err = jpeg.Decode(bytes.NewReader(data))
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil, resample.Extent{}, err
	}
	if err != nil {
		return nil, resample.Extent{}, fmt.Errorf("%w: decoding jpeg: %v", ErrUnsupported, err)
	}
	ext := resample.Extent{W: float64(plan.srcW) / float64(scale), H: float64(plan.srcH) / float64(scale)}
	return &picture.Picture{Image: m, Meta: h.meta}, ext, nil
}
