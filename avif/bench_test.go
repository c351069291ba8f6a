package avif

import (
	"bytes"
	"fmt"
	"image"
	"testing"

	gavif "github.com/gen2brain/avif"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
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
	codectest.BenchEncode(b, e, p, decodeRGBA)
}

func decodeRGBA(data []byte) (image.Image, error) {
	return gavif.Decode(bytes.NewReader(data))
}
