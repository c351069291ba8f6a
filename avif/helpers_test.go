package avif

import (
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

// gradient is a smooth generated picture with some detail.
func gradient(w, h int, alpha bool) *image.NRGBA {
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

var (
	photoOnce sync.Once
	photoSrc  image.Image
)

// photo returns samples/landscape.jpg scaled to w x h (CatmullRom), or a
// generated gradient if the sample is missing.
func photo(tb testing.TB, w, h int) image.Image {
	tb.Helper()
	photoOnce.Do(func() {
		f, err := os.Open(filepath.Join("..", "samples", "landscape.jpg"))
		if err != nil {
			return
		}
		defer f.Close()
		photoSrc, _ = jpeg.Decode(f)
	})
	if photoSrc == nil {
		return gradient(w, h, false)
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(rgba, rgba.Rect, photoSrc, photoSrc.Bounds(), draw.Src, nil)
	return rgba
}

// psnr is the PSNR in dB of b against a over their premultiplied RGB
// channels (so colours under full transparency do not count).
func psnr(a, b image.Image) float64 {
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

// tool returns the path of a command-line tool, skipping the test if it
// is not installed.
func tool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s not installed (Debian package libavif-bin or exiftool): %v", name, err)
	}
	return p
}
