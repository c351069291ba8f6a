package gifcodec

import (
	"bytes"
	"context"
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
		if _, err := DecodeFrames(context.Background(), data, 0, func(int, *image.NRGBA, time.Duration) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorstBigFrame: the costliest frame for its bytes, a solid
// 7071x7071 (50 MP) frame of 34 KB, decoded and composited.
func BenchmarkWorstBigFrame(b *testing.B) {
	const w = 7071
	data := buildGIF(b, w, w, 0, []frameSpec{{rect: image.Rect(0, 0, w, w), pix: fill(w*w, 2)}})
	benchDecode(b, data)
}

// BenchmarkWorstManyFrames: 5000 1x1 frames on a 1000x1000 canvas, where
// the cost per frame, not per pixel, dominates.
func BenchmarkWorstManyFrames(b *testing.B) {
	specs := make([]frameSpec, 5000)
	for i := range specs {
		specs[i] = frameSpec{rect: image.Rect(0, 0, 1, 1), pix: []uint8{1}}
	}
	benchDecode(b, buildGIF(b, 1000, 1000, 0, specs))
}

func benchDecode(b *testing.B, data []byte) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFrames(context.Background(), data, 0, func(int, *image.NRGBA, time.Duration) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "input-bytes")
}
