package jpegdec

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// benchDecode benchmarks our decoder at scale s.
func benchDecode(b *testing.B, data []byte, s int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStd benchmarks image/jpeg's full decode, the baseline.
func benchStd(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data := encodeJPEG(b, synthImage(1024, 768, 9), 85)
	b.Run("imagejpeg", func(b *testing.B) { benchStd(b, data) })
	for _, s := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("scale=%d", s), func(b *testing.B) { benchDecode(b, data, s) })
	}
}

func BenchmarkCorpus(b *testing.B) {
	for _, f := range corpusFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) {
			b.Run("imagejpeg", func(b *testing.B) { benchStd(b, data) })
			for _, s := range []int{1, 2, 4, 8} {
				b.Run(fmt.Sprintf("scale=%d", s), func(b *testing.B) { benchDecode(b, data, s) })
			}
		})
	}
}
