package avif

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"testing"

	gavif "github.com/gen2brain/avif"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

var benchSizes = [][2]int{{150, 150}, {640, 480}}

// BenchmarkEncode is the cost of one thumbnail of samples/landscape.jpg
// at q60 for libaom speeds 6, 8, 9 and 10, with the file size as "bytes".
//
//	go test -run '^$' -bench . -benchtime 10x ./avif/
func BenchmarkEncode(b *testing.B) {
	for _, sz := range benchSizes {
		p := &picture.Picture{Image: photo(b, sz[0], sz[1])}
		for _, speed := range []int{6, 8, 9, 10} {
			b.Run(fmt.Sprintf("%dx%d/speed%d", sz[0], sz[1], speed), func(b *testing.B) {
				benchEncode(b, &Encoder{Speed: speed}, p)
			})
		}
	}
}

func benchEncode(b *testing.B, e picture.Encoder, p *picture.Picture) {
	var buf bytes.Buffer
	if err := e.Encode(io.Discard, p, picture.EncodeOptions{}); err != nil { // first-call cost out of the loop
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := e.Encode(&buf, p, picture.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
	b.ReportMetric(psnr(p.Image, decodeRGBA(b, buf.Bytes())), "dB")
}

func decodeRGBA(tb testing.TB, data []byte) image.Image {
	m, err := gavif.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
