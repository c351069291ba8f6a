package imgproxy

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"time"

	"crypto/sha256"
	"encoding/hex"

	"github.com/imgproxy-go/imgproxy/internal/jpegenc"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// NewImage wraps encoded data as an Image with a strong ETag derived from
// the bytes.
func NewImage(data []byte, contentType string, lastModified time.Time) *Image {
	sum := sha256.Sum256(data)
	return &Image{
		Data:         data,
		ContentType:  contentType,
		LastModified: lastModified,
		ETag:         `"` + hex.EncodeToString(sum[:16]) + `"`,
		Created:      time.Now(),
	}
}

// encode writes m in format f. JPEG is written by our own encoder,
// straight from YCbCr planes, progressive unless baseline is set.
func encode(m image.Image, f Format, quality int, baseline bool) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch f {
	case FormatJPEG:
		err = jpegenc.Encode(&buf, m, &jpegenc.Options{Quality: quality, Progressive: !baseline})
	case FormatPNG:
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		err = enc.Encode(&buf, m)
	case FormatGIF:
		err = gif.Encode(&buf, m, nil)
	default:
		return nil, fmt.Errorf("%w: cannot encode %v", ErrUnsupported, f)
	}
	if err != nil {
		return nil, fmt.Errorf("imgproxy: encoding %v: %w", f, err)
	}
	return buf.Bytes(), nil
}

// webpFallback picks the output format for a WebP source, since no
// pure-Go WebP encoder is used: PNG where the image has transparency,
// JPEG otherwise.
func webpFallback(m image.Image) Format {
	if o, ok := m.(interface{ Opaque() bool }); ok && !o.Opaque() {
		return FormatPNG
	}
	return FormatJPEG
}

// resampleImage scales ext of m to exactly w x h with Lanczos3, on its own
// planes, without a whole-image RGBA copy. YCbCr stays YCbCr with chroma
// resampled to full resolution (4:4:4); the JPEG encoder then averages it
// 2x2 into 4:2:0. Measured against a float reference of the corpus, that
// is 0.01-0.04 dB better than resampling chroma straight to 4:2:0.
func resampleImage(m image.Image, w, h int, ext resample.Extent, workers int) image.Image {
	if y, ok := m.(*image.YCbCr); ok {
		return resample.ResizeYCbCrExtent(y, w, h, ext, image.YCbCrSubsampleRatio444, resample.Lanczos3, workers)
	}
	return resample.ResizeExtent(m, w, h, ext, resample.Lanczos3, workers)
}
