// Command gensamples draws the sample images bundled in samples/, so that
// the server can be tried offline on pictures that are our own. Run it
// from the repository root:
//
//	go run ./internal/gensamples -out samples
//
// The drawings are deterministic: the same program writes the same files.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "samples", "directory to write the samples to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gensamples:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name string
		img  image.Image
	}{
		{"landscape.jpg", landscape(2400, 1600, 1)},
		{"portrait.jpg", landscape(1200, 1800, 2)},
		{"badge.png", badge(800)},
		{"stripes.gif", stripes(600, 400)},
	}
	for _, f := range files {
		if err := save(filepath.Join(dir, f.name), f.img); err != nil {
			return err
		}
	}
	// The upright landscape stored sideways with an EXIF orientation, and
	// an animation with transparency.
	if err := saveSideways(filepath.Join(dir, "sideways.jpg"), landscape(1600, 1200, 3)); err != nil {
		return err
	}
	if err := saveGIF(filepath.Join(dir, "spinner.gif"), spinner(240, 12)); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "not-an-image.txt"), []byte("this is not an image\n"), 0o644)
}

func save(path string, m image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	switch filepath.Ext(path) {
	case ".jpg":
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 85})
	case ".png":
		err = png.Encode(f, m)
	case ".gif":
		p := image.NewPaletted(m.Bounds(), palette.Plan9)
		draw.FloydSteinberg.Draw(p, p.Bounds(), m, image.Point{})
		err = gif.Encode(f, p, nil)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// landscape paints a sky gradient, a sun, rolling hills and some grain:
// smooth areas, hard edges and noise, like a photo.
func landscape(w, h int, seed uint64) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 42))
	sunX, sunY, sunR := float64(w)*0.7, float64(h)*0.3, float64(min(w, h))*0.08
	for y := range h {
		fy := float64(y) / float64(h)
		for x := range w {
			fx := float64(x) / float64(w)
			r, g, b := 40+150*fy, 90+120*fy, 200-40*fy // sky
			if d := math.Hypot(float64(x)-sunX, float64(y)-sunY); d < sunR {
				r, g, b = 255, 220, 120
			} else if d < sunR*3 {
				glow := 1 - (d-sunR)/(sunR*2)
				r, g = r+80*glow, g+50*glow
			}
			hill1 := 0.62 + 0.06*math.Sin(fx*9+float64(seed)) + 0.03*math.Sin(fx*31)
			hill2 := 0.78 + 0.05*math.Sin(fx*5+2) + 0.02*math.Sin(fx*53)
			switch {
			case fy > hill2:
				r, g, b = 50+60*fy, 110+40*math.Sin(fx*200), 40
			case fy > hill1:
				r, g, b = 70, 130+30*fy, 70+20*math.Sin(fx*120+fy*80)
			}
			n := rng.NormFloat64() * 6
			m.SetRGBA(x, y, color.RGBA{clamp(r + n), clamp(g + n), clamp(b + n), 255})
		}
	}
	return m
}

// badge is a translucent ring on a transparent background.
func badge(size int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, size, size))
	c := float64(size) / 2
	for y := range size {
		for x := range size {
			d := math.Hypot(float64(x)-c+0.5, float64(y)-c+0.5) / c
			var a float64
			switch {
			case d < 0.6:
				a = 255
			case d < 0.9:
				a = 255 * (0.9 - d) / 0.3
			}
			hue := math.Atan2(float64(y)-c, float64(x)-c)
			m.SetNRGBA(x, y, color.NRGBA{clamp(128 + 127*math.Cos(hue)), clamp(128 + 127*math.Sin(hue)), 200, clamp(a)})
		}
	}
	return m
}

// stripes is a few diagonal bands of colour.
func stripes(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	cols := []color.RGBA{{230, 57, 70, 255}, {241, 250, 238, 255}, {69, 123, 157, 255}, {29, 53, 87, 255}}
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, cols[((x+y)/40)%len(cols)])
		}
	}
	return m
}

func clamp(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}
