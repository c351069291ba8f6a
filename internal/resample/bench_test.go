package resample

import (
	"fmt"
	"image"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/draw"
)

var benchCases = []struct {
	kind         string
	sw, sh, w, h int
}{
	{"ycbcr420", 705, 400, 150, 85},
	{"ycbcr420", 1280, 800, 150, 94},
	{"ycbcr420", 1280, 800, 640, 400},
	{"ycbcr420", 2560, 1600, 150, 94},
	{"nrgba", 1920, 1280, 150, 100},
	{"nrgba", 1920, 1280, 640, 427},
}

var (
	benchMu   sync.Mutex
	benchImgs = map[string]image.Image{}
)

// benchSource returns a cached photo-like source image.
func benchSource(kind string, w, h int) image.Image {
	benchMu.Lock()
	defer benchMu.Unlock()
	key := fmt.Sprintf("%s/%dx%d", kind, w, h)
	if img, ok := benchImgs[key]; ok {
		return img
	}
	img := convertTo(photo(w, h, 1), kind)
	benchImgs[key] = img
	return img
}

// cpuTime returns the CPU time used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs fn in a b.Loop and also reports process CPU time per op
// (cpu-ns/op): on the shared benchmark machine wall time mostly measures
// waiting for a core, CPU time is much more stable.
func loop(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkResize(b *testing.B) {
	for _, c := range benchCases {
		src := benchSource(c.kind, c.sw, c.sh)
		name := fmt.Sprintf("%s_%dx%d_to_%dx%d", c.kind, c.sw, c.sh, c.w, c.h)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/lanczos3/w%d", name, workers), func(b *testing.B) {
				loop(b, func() { Resize(src, c.w, c.h, Lanczos3, workers) })
			})
		}
		b.Run(name+"/catmullrom/w1", func(b *testing.B) {
			loop(b, func() { Resize(src, c.w, c.h, CatmullRom, 1) })
		})
		for _, s := range []struct {
			name string
			s    draw.Scaler
		}{{"xdraw_catmullrom", draw.CatmullRom}, {"xdraw_approxbilinear", draw.ApproxBiLinear}} {
			b.Run(name+"/"+s.name, func(b *testing.B) {
				dst := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
				loop(b, func() { s.s.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil) })
			})
		}
	}
}

// BenchmarkHRow1 is the horizontal pass on one plane row: the shapes of a
// 1/2 decode brought to 600 (ratio 1.07), to 640 (2.0) and 150 (4.3).
func BenchmarkHRow1(b *testing.B) {
	for _, c := range []struct{ in, out int }{{640, 600}, {1280, 640}, {640, 150}} {
		t := newTable(Lanczos3, axis{in: c.in, out: c.out, scale: float64(c.in) / float64(c.out)}, 4)
		in, out := make([]byte, c.in), make([]byte, c.out)
		for i := range in {
			in[i] = byte(i * 7)
		}
		b.Run(fmt.Sprintf("%d_to_%d_taps%d", c.in, c.out, t.taps), func(b *testing.B) {
			for b.Loop() {
				hrow1(in, out, t)
			}
		})
	}
}
