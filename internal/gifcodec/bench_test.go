package gifcodec

import (
	"bytes"
	"image"
	"io"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// BenchmarkQuantize measures quantising one 300x300 photo-like frame
// (histogram, median cut, refinement, mapping).
func BenchmarkQuantize(b *testing.B) {
	src := photo(300, 300)
	for _, bc := range []struct {
		name   string
		dither bool
	}{{"nearest", false}, {"dither", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var q quantizer
			for b.Loop() {
				q.quantize(src, bc.dither)
			}
		})
	}
}

// BenchmarkEncode measures Encoder.Encode of a 300x300 still (quantising
// plus image/gif's LZW).
func BenchmarkEncode(b *testing.B) {
	p := &picture.Picture{Image: photo(300, 300)}
	b.ReportAllocs()
	for b.Loop() {
		if err := (Encoder{}).Encode(io.Discard, p, picture.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFrames measures decoding and compositing a 10-frame
// 300x300 animation.
func BenchmarkDecodeFrames(b *testing.B) {
	var frames []picture.Frame
	for i := range 10 {
		m := photo(300, 300)
		for j := range m.Pix {
			if j%4 != 3 {
				m.Pix[j] += uint8(9 * i)
			}
		}
		frames = append(frames, picture.Frame{Image: m, Delay: 50 * time.Millisecond})
	}
	var buf bytes.Buffer
	if err := (Encoder{}).Encode(&buf, &picture.Picture{Image: frames[0].Image, Frames: frames}, picture.EncodeOptions{}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFrames(data, 0, func(int, *image.NRGBA, time.Duration) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
