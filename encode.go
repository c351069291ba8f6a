package imgproxy

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"time"

	"crypto/sha256"
	"encoding/hex"

	"golang.org/x/image/draw"
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

// encode writes m in format f.
func encode(m image.Image, f Format, quality int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch f {
	case FormatJPEG:
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality})
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

// resample scales m to exactly w x h.
func resample(m image.Image, w, h, workers int) image.Image {
	_ = workers
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), m, m.Bounds(), draw.Src, nil)
	return dst
}
