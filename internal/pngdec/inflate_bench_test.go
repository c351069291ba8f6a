package pngdec

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	kzlib "github.com/klauspost/compress/zlib"

	"github.com/imgproxy-go/imgproxy/internal/corpus"
)

// BenchmarkInflate compares inflaters on the corpus PNG's image data,
// read row by row as the decoder reads it.
func BenchmarkInflate(b *testing.B) {
	files := corpus.Files(b, "*.png")
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	whole := bytes.Join(p.idat, nil)
	row := make([]byte, p.rowBytes(p.Width)+1)
	run := func(b *testing.B, open func() (io.ReadCloser, error)) {
		b.SetBytes(int64(len(row) * p.Height))
		start := cpu()
		defer func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }()
		for b.Loop() {
			zr, err := open()
			if err != nil {
				b.Fatal(err)
			}
			for range p.Height {
				if _, err := io.ReadFull(zr, row); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("stdlib/chunks", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) { return zlib.NewReader(&idatReader{chunks: p.idat}) })
	})
	b.Run("stdlib/joined", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) { return zlib.NewReader(bytes.NewReader(whole)) })
	})
	b.Run("klauspost/chunks", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) { return kzlib.NewReader(&idatReader{chunks: p.idat}) })
	})
	b.Run("klauspost/bufio", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) {
			return kzlib.NewReader(bufio.NewReaderSize(&idatReader{chunks: p.idat}, 32<<10))
		})
	})
	b.Run("klauspost/joined", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) { return kzlib.NewReader(bytes.NewReader(whole)) })
	})
}

// cpu is the process's CPU time: on the shared machine wall time mostly
// measures waiting for a core.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
