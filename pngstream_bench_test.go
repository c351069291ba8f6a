package imgproxy

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	corpusdir "github.com/imgproxy-go/imgproxy/internal/corpus"
	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

// noisyPhoto draws gradients, a disc and stripes with mild noise, so that
// it compresses about as a photo does (2-3 bytes a pixel as RGB PNG).
func noisyPhoto(w, h int, deep bool) image.Image {
	rng := rand.New(rand.NewPCG(7, 7))
	m := image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r, g, b := 255*fx, 255*fy, 128+100*math.Sin(fx*9+fy*4)
			if math.Hypot(fx-0.6, fy-0.4) < 0.2 {
				r, g, b = 240, 200, 40
			}
			n := func(v float64) uint16 {
				return uint16(max(0, min(65535, (v+rng.Float64()*8-4)*257)))
			}
			m.SetRGBA64(x, y, color.RGBA64{n(r), n(g), n(b), 0xffff})
		}
	}
	if deep {
		return m
	}
	m8 := image.NewRGBA(m.Rect)
	for i := range m8.Pix {
		m8.Pix[i] = m.Pix[2*i]
	}
	return m8
}

func encodePNG(m image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// benchPNGs are the generated benchmark files, each made when first
// asked for.
var benchPNGs = map[string]func() []byte{
	"rgb-4000x3000":   sync.OnceValue(func() []byte { return encodePNG(noisyPhoto(4000, 3000, false)) }),
	"rgb16-2000x1500": sync.OnceValue(func() []byte { return encodePNG(noisyPhoto(2000, 1500, true)) }),
	"corpus-1920x1280": sync.OnceValue(func() []byte {
		files, _ := filepath.Glob(filepath.Join(corpusdir.Dir(), "*.png"))
		if len(files) == 0 {
			return nil
		}
		data, err := os.ReadFile(files[0])
		if err != nil {
			return nil
		}
		return data
	}),
}

// BenchmarkPNGDecode measures decode and resize (the pipeline's decode
// stage, transform included, no encode) of the corpus PNG and generated
// ones, through image/png as before (imagepng) and internal/pngdec
// (pngdec), side by side in one binary.
func BenchmarkPNGDecode(b *testing.B) {
	for _, name := range []string{"corpus-1920x1280", "rgb-4000x3000", "rgb16-2000x1500", "laced-noise-2000x1500"} {
		for _, size := range []string{"150x150", "640x480"} {
			for _, c := range []struct {
				name string
				c    *codec
			}{{"imagepng", &imagePNGCodec}, {"pngdec", &pngCodec}} {
				b.Run(name+"/"+size+"/"+c.name, func(b *testing.B) {
					var data []byte
					if name == "laced-noise-2000x1500" { // noise: Encode cannot write a photo
						data = pngtest.Encode(b, pngtest.Kind{CT: 2, Depth: 8, W: 2000, H: 1500, Laced: true}, 1, 0)
					} else {
						data = benchPNGs[name]()
					}
					if data == nil {
						b.Skip("no corpus")
					}
					benchDecode(b, c.c, data, size)
				})
			}
		}
	}
}

func benchDecode(b *testing.B, c *codec, data []byte, size string) {
	r := &BildResizer{Concurrency: 1}
	r.once.Do(r.init)
	o, err := ParseOptions(size)
	if err != nil {
		b.Fatal(err)
	}
	h, err := r.readHeader(c, data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		j := r.plan(c, &h, o)
		if _, err := r.decodePicture(context.Background(), c, data, &h, &j); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// processCPU is the CPU time the process has used: on the shared machine
// wall time mostly measures waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
