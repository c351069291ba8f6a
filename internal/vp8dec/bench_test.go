package vp8dec

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/corpus"
)

// BenchmarkDecode decodes the corpus's WebP files and a generated photo
// with this package (with and without the loop filter) and with
// golang.org/x/image/webp.
func BenchmarkDecode(b *testing.B) {
	type file struct {
		name string
		data []byte
	}
	files := []file{{"photo-1024x768-q75", cwebp(b, picture(b, "photo", 1024, 768), "-q", "75")}}
	if dir := corpus.Dir(); dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.webp"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, file{filepath.Base(p), data})
		}
	}
	for _, f := range files {
		vp8 := payload(b, f.data)
		for _, skip := range []bool{false, true} {
			name := map[bool]string{false: "/vp8dec", true: "/vp8dec-nofilter"}[skip]
			b.Run(f.name+name, func(b *testing.B) {
				var d Decoder
				b.ReportAllocs()
				b.SetBytes(int64(len(vp8)))
				cpuLoop(b, func() {
					if _, err := d.Decode(context.Background(), vp8, Options{SkipLoopFilter: skip}); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		b.Run(f.name+"/ximage", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(vp8)))
			cpuLoop(b, func() {
				if _, err := webp.Decode(bytes.NewReader(f.data)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// cpuLoop runs op b.N times on one locked OS thread and reports its
// thread CPU time per op (cpu-ns/op), which the other processes of a
// shared machine inflate less than the wall time.
func cpuLoop(b *testing.B, op func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, ok0 := codectest.ThreadCPU()
	for b.Loop() {
		op()
	}
	if t1, ok1 := codectest.ThreadCPU(); ok0 && ok1 {
		b.ReportMetric(float64(t1-t0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkDecodeRows streams the corpus's WebP files (and the generated
// photo) through DecodeRows into Rows that only count, to compare with
// BenchmarkDecode: the same decode without the whole planes.
func BenchmarkDecodeRows(b *testing.B) {
	files := map[string][]byte{"photo-1024x768-q75": cwebp(b, picture(b, "photo", 1024, 768), "-q", "75")}
	if dir := corpus.Dir(); dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.webp"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files[filepath.Base(p)] = data
		}
	}
	for name, data := range files {
		vp8 := payload(b, data)
		b.Run(name, func(b *testing.B) {
			var d Decoder
			var rows countRows
			b.ReportAllocs()
			b.SetBytes(int64(len(vp8)))
			cpuLoop(b, func() {
				if _, err := d.DecodeRows(context.Background(), vp8, Options{}, &rows); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// countRows counts the rows it is given.
type countRows struct{ n int }

func (c *countRows) Luma(int, []byte)           { c.n++ }
func (c *countRows) Chroma(int, []byte, []byte) { c.n++ }
