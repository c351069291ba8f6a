package webp

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	gwebp "github.com/gen2brain/webp"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/jpegenc"
	"github.com/imgproxy-go/imgproxy/internal/picture"
)

var benchSizes = [][2]int{{150, 150}, {640, 480}}

// BenchmarkEncode is the cost of one thumbnail of samples/landscape.jpg
// at q80 for each libwebp method, with the file size as "bytes".
//
//	go test -run '^$' -bench . -benchtime 40x ./webp/
func BenchmarkEncode(b *testing.B) {
	for _, sz := range benchSizes {
		p := &picture.Picture{Image: photo(b, sz[0], sz[1])}
		for method := 0; method <= 4; method++ {
			b.Run(fmt.Sprintf("%dx%d/method%d", sz[0], sz[1], method), func(b *testing.B) {
				e := &Encoder{Method: method}
				if method == 0 {
					e.Method = -1 // gen2brain passes 0 through: libwebp's method 0
				}
				benchEncode(b, e, p)
			})
		}
	}
}

// BenchmarkEncodeJPEG is our JPEG encoder at q75 on the same thumbnails,
// for comparison.
func BenchmarkEncodeJPEG(b *testing.B) {
	for _, sz := range benchSizes {
		m := photo(b, sz[0], sz[1])
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := jpegenc.Encode(&buf, m, &jpegenc.Options{Quality: 75}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
			j, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(psnr(m, j), "dB")
		})
	}
}

func benchEncode(b *testing.B, e picture.Encoder, p *picture.Picture) {
	codectest.BenchEncode(b, e, p, decodeRGBA)
}

// decodeRGBA decodes with libwebp's animation decoder, which converts
// VP8's limited-range YCbCr to RGB itself.
func decodeRGBA(data []byte) (image.Image, error) {
	all, err := gwebp.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return all.Image[0], nil
}
