package jpegenc

import (
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"testing"
)

// BenchmarkEncode compares image/jpeg (baseline only) with our baseline
// and progressive output for 4:2:0 thumbnails of the landscape sample.
//
//	go test -run XXX -bench Encode -benchmem ./internal/jpegenc/
func BenchmarkEncode(b *testing.B) {
	for _, sz := range [][2]int{{150, 94}, {640, 400}} {
		m := photo(b, sz[0], sz[1])
		name := fmt.Sprintf("%dx%d", sz[0], sz[1])
		b.Run(name+"/imagejpeg", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := jpeg.Encode(io.Discard, m, &jpeg.Options{Quality: 75}); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, prog := range []bool{false, true} {
			mode := map[bool]string{false: "baseline", true: "progressive"}[prog]
			b.Run(name+"/"+mode, func(b *testing.B) {
				b.ReportAllocs()
				o := &Options{Quality: 75, Progressive: prog}
				for b.Loop() {
					if err := Encode(io.Discard, m, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkEncode444 covers what the resampler hands over: 4:4:4 planes,
// averaged to 4:2:0 by the encoder.
func BenchmarkEncode444(b *testing.B) {
	for _, sz := range [][2]int{{150, 94}, {640, 400}} {
		m := detailed444(sz[0], sz[1])
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			b.ReportAllocs()
			o := &Options{Quality: 75, Progressive: true}
			for b.Loop() {
				if err := Encode(io.Discard, m, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeRGBA covers the conversion path.
func BenchmarkEncodeRGBA(b *testing.B) {
	m := smoothRGBA(640, 400)
	b.Run("imagejpeg", func(b *testing.B) {
		for b.Loop() {
			_ = jpeg.Encode(io.Discard, m, &jpeg.Options{Quality: 75})
		}
	})
	b.Run("progressive", func(b *testing.B) {
		for b.Loop() {
			_ = Encode(io.Discard, m, &Options{Quality: 75, Progressive: true})
		}
	})
}

// BenchmarkEncodeGray covers the one-component path.
func BenchmarkEncodeGray(b *testing.B) {
	m := image.Image(smoothGray(640, 400))
	b.Run("imagejpeg", func(b *testing.B) {
		for b.Loop() {
			_ = jpeg.Encode(io.Discard, m, &jpeg.Options{Quality: 75})
		}
	})
	b.Run("progressive", func(b *testing.B) {
		for b.Loop() {
			_ = Encode(io.Discard, m, &Options{Quality: 75, Progressive: true})
		}
	})
}
