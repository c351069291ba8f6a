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
func benchDecode(b *testing.B, data []byte, s int) { benchDecodeOpts(b, data, s, nil) }

// benchDecodeOpts benchmarks our decoder at scale s with opts.
func benchDecodeOpts(b *testing.B, data []byte, s int, opts *Options) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, s, opts); err != nil {
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

// BenchmarkApproximate compares exact and Options.Approximate decodes of
// the progressive corpus files at scales 2 and 4.
func BenchmarkApproximate(b *testing.B) {
	for _, f := range corpusFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if cfg, err := DecodeConfig(data); err != nil || !cfg.Progressive {
			continue
		}
		b.Run(filepath.Base(f), func(b *testing.B) {
			for _, s := range []int{2, 4} {
				b.Run(fmt.Sprintf("scale=%d/exact", s), func(b *testing.B) { benchDecodeOpts(b, data, s, nil) })
				b.Run(fmt.Sprintf("scale=%d/approx", s), func(b *testing.B) {
					benchDecodeOpts(b, data, s, &Options{Approximate: true})
				})
			}
		})
	}
}
