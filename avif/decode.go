package avif

import (
	"bytes"
	"fmt"
	"image"

	gavif "github.com/gen2brain/avif"
)

// Decoder reads AVIF sources with libavif and dav1d/libaom (via
// github.com/gen2brain/avif): the primary item, or the first frame of an
// image sequence, whole. 8-bit files come back as *image.RGBA, deeper
// ones (10, 12 bits) as *image.RGBA64 scaled to 16 bits; any chroma
// subsampling. The root package reads the header itself (size, alpha,
// ICC, irot/imir), so Decode only returns pixels; transformative
// properties other than irot and imir (clap) are not applied. The zero
// value is ready to use; a Decoder is safe for concurrent use.
//
// Register it with a resizer's table of decoders:
//
//	r := &imgproxy.BildResizer{
//		Decoders: map[imgproxy.Format]imgproxy.Decoder{
//			imgproxy.FormatAVIF: &avif.Decoder{},
//		},
//	}
type Decoder struct{}

// Decode decodes data. A panic inside the decoder is returned as an
// error, so that a hostile file cannot end the process.
func (Decoder) Decode(data []byte) (m image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("avif: decoder panic: %v", p)
		}
	}()
	m, err = gavif.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("avif: %w", err)
	}
	return m, nil
}
