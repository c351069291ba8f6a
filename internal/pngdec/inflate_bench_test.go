package pngdec

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"runtime"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/corpus"
	"github.com/imgproxy-go/imgproxy/internal/inflate"
)

// BenchmarkInflate compares inflaters on the corpus PNG's image data,
// read row by row as the decoder reads it; cpu-ns/op is the thread's CPU
// time (the garbage collector's work on other threads aside).
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
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start, ok0 := codectest.ThreadCPU()
		defer func() {
			if end, ok1 := codectest.ThreadCPU(); ok0 && ok1 {
				b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
			}
		}()
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
	b.Run("inflate/chunks", func(b *testing.B) {
		run(b, func() (io.ReadCloser, error) {
			r, err := inflate.NewReader(p.idat, -1)
			return io.NopCloser(r), err
		})
	})
}

// idatReader presents the run of IDAT chunks as one stream.
type idatReader struct {
	chunks [][]byte
	cur    []byte
}

func (r *idatReader) Read(b []byte) (int, error) {
	for len(r.cur) == 0 {
		if len(r.chunks) == 0 {
			return 0, io.EOF
		}
		r.cur, r.chunks = r.chunks[0], r.chunks[1:]
	}
	n := copy(b, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}
