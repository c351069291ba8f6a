package imgproxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"io"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/gifcodec"
	"github.com/imgproxy-go/imgproxy/internal/jpegenc"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/pngmeta"
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

// The built-in encoders. Each writes p.Image (GIF: every frame) with the
// ICC profile where the format has a place for it.

// jpegEncoder writes JPEG with our own encoder, straight from YCbCr
// planes, progressive unless baseline is set, the profile in APP2.
type jpegEncoder struct{ baseline bool }

func (e *jpegEncoder) Encode(w io.Writer, p *picture.Picture, o picture.EncodeOptions) error {
	q := o.Quality
	if q == 0 {
		q = DefaultJPEGQuality
	}
	return jpegenc.Encode(w, p.Image, &jpegenc.Options{Quality: q, Progressive: !e.baseline, ICC: p.ICC})
}

// pngEncoder writes PNG at zlib's fastest level (thumbnails are small, and
// the time matters more than the bytes), the profile in iCCP.
type pngEncoder struct{}

func (pngEncoder) Encode(w io.Writer, p *picture.Picture, _ picture.EncodeOptions) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if p.ICC == nil {
		return enc.Encode(w, p.Image)
	}
	var buf bytes.Buffer
	if err := enc.Encode(&buf, p.Image); err != nil {
		return err
	}
	b, err := pngmeta.InsertICC(buf.Bytes(), p.ICC)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// gifEncoder writes GIF, animated when p has frames, keeping transparency
// as a transparent index (nginx's image_filter_transparency).
type gifEncoder struct{}

func (gifEncoder) Encode(w io.Writer, p *picture.Picture, o picture.EncodeOptions) error {
	return (&gifcodec.Encoder{}).Encode(w, p, o)
}
