// Package codectest holds what the tests of the encoder subpackages (webp,
// avif) share: generated and sample pictures, a PSNR over premultiplied
// RGB, external tools that skip when missing, encode and benchmark
// helpers, and the thread CPU clock the decoders' benchmarks time with
// (ThreadCPU). It is imported by tests and bench/codeccost only.
package codectest

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/image/draw"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// Gradient is a smooth generated picture with some detail; with alpha,
// transparency grows from left to right.
func Gradient(w, h int, alpha bool) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha {
				a = uint8(x * 255 / max(w-1, 1))
			}
			m.SetNRGBA(x, y, color.NRGBA{
				uint8(x * 255 / max(w-1, 1)),
				uint8(y * 255 / max(h-1, 1)),
				uint8(128 + 100*math.Sin(float64(x+y)/7)),
				a,
			})
		}
	}
	return m
}

// Photo returns the repository's samples/landscape.jpg (found from a
// package directory one level below the root) scaled to w x h with
// CatmullRom, or a Gradient if the sample is missing.
func Photo(tb testing.TB, w, h int) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "samples", "landscape.jpg"))
	if err != nil {
		return Gradient(w, h, false)
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		return Gradient(w, h, false)
	}
	return Scale(src, w, h)
}

// Scale resizes m to w x h with x/image/draw's CatmullRom.
func Scale(m image.Image, w, h int) *image.RGBA {
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(rgba, rgba.Rect, m, m.Bounds(), draw.Src, nil)
	return rgba
}

// PSNR is the PSNR in dB of b against a over their premultiplied RGB
// channels (so colours under full transparency do not count).
func PSNR(a, b image.Image) float64 {
	r := a.Bounds()
	d := b.Bounds().Min.Sub(r.Min)
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x+d.X, y+d.Y).RGBA()
			for _, v := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}} {
				e := float64(v[0]>>8) - float64(v[1]>>8)
				sum += e * e
			}
		}
	}
	mse := sum / float64(3*r.Dx()*r.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// Tool returns the path of a command-line tool, skipping the test (naming
// the Debian package that has it) if it is not installed.
func Tool(tb testing.TB, name, debianPackage string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s not installed (Debian package %s): %v", name, debianPackage, err)
	}
	return p
}

// CWebP encodes m with libwebp's cwebp and args (-quiet is added),
// skipping the test where cwebp is not installed.
func CWebP(tb testing.TB, m image.Image, args ...string) []byte {
	tb.Helper()
	tool := Tool(tb, "cwebp", "webp")
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.webp")
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	if msg, err := exec.Command(tool, append(append([]string{"-quiet"}, args...), in, "-o", out)...).CombinedOutput(); err != nil {
		tb.Fatalf("cwebp %v: %v: %s", args, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Encode encodes p with e and the default options, failing the test on
// an error.
func Encode(t testing.TB, e picture.Encoder, p *picture.Picture) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Encode(&buf, p, picture.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BenchEncode measures Encode of p (the first call, which compiles the
// WebAssembly module, kept out of the loop) and reports the file size as
// "bytes" and its PSNR against p as "dB", decoded by decode.
func BenchEncode(b *testing.B, e picture.Encoder, p *picture.Picture, decode func([]byte) (image.Image, error)) {
	var buf bytes.Buffer
	if err := e.Encode(&buf, p, picture.EncodeOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := e.Encode(&buf, p, picture.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	m, err := decode(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
	b.ReportMetric(PSNR(p.Image, m), "dB")
}

// ConcurrentEncode runs n encodes of p at once with fresh encoders made
// by newEncoder and fails on any error (run it under -race: the
// WebAssembly runtime behind the encoders is shared by the process).
func ConcurrentEncode(t *testing.T, newEncoder func() picture.Encoder, p *picture.Picture, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() {
			errs[i] = newEncoder().Encode(&bytes.Buffer{}, p, picture.EncodeOptions{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("encode %d: %v", i, err)
		}
	}
}
