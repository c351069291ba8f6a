// Package codectest holds what the tests of the encoder subpackages (webp,
// avif) share: generated and sample pictures, a PSNR over premultiplied
// RGB, external tools that skip when missing, and the first-call cost
// measurement of a WebAssembly-backed encoder. It is imported by tests
// only.
package codectest

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

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
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(rgba, rgba.Rect, src, src.Bounds(), draw.Src, nil)
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

// FirstCallCost measures, in a fresh process, the first Encode of a
// 150x150 photo (which compiles the WebAssembly module) against the next
// ones, and the memory held afterwards. It runs only when IMGPROXY_COST is
// set, e.g. IMGPROXY_COST=1 go test -count 1 -run TestFirstCallCost -v ./webp/
func FirstCallCost(t *testing.T, e picture.Encoder) {
	if os.Getenv("IMGPROXY_COST") == "" {
		t.Skip("set IMGPROXY_COST=1 to measure (alone, in a fresh process)")
	}
	p := &picture.Picture{Image: Photo(t, 150, 150)}
	rss0, sys0 := vmRSS(t), memSys()
	for i := range 3 {
		start := time.Now()
		if err := e.Encode(&bytes.Buffer{}, p, picture.EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		t.Logf("encode %d: %v; VmRSS %+d kB, MemStats.Sys %+d kB since start",
			i+1, time.Since(start).Round(100*time.Microsecond), vmRSS(t)-rss0, (memSys()-sys0)/1024)
	}
}

func memSys() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.Sys)
}

// vmRSS is the resident set size in kB from /proc/self/status.
func vmRSS(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")) {
				kb = kb*10 + int64(c-'0')
			}
			return kb
		}
	}
	t.Skip("no VmRSS")
	return 0
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
