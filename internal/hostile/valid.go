package hostile

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"

	"github.com/imgproxy-go/imgproxy/internal/jpegenc"
)

// Valid pictures, the raw material of the damaged ones (see Cases) and
// the normal requests served between hostile ones. They are drawn, not
// read from disk, so that every test and the soak have them.

// Picture returns a w x h drawing with detail at every scale: colour
// gradients across and down, a diagonal stripe pattern and a grid.
func Picture(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 128, 255}
			if (x+y)/7%3 == 0 {
				c.B = 220
			}
			if x%50 == 0 || y%50 == 0 {
				c = color.NRGBA{20, 20, 20, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// ValidJPEG returns Picture(w, h) as a quality 85 JPEG, progressive
// (SOF2, spectral selection) if progressive is true, else baseline.
func ValidJPEG(w, h int, progressive bool) []byte {
	var buf bytes.Buffer
	if err := jpegenc.Encode(&buf, Picture(w, h), &jpegenc.Options{Quality: 85, Progressive: progressive}); err != nil {
		panic("hostile: " + err.Error()) // only for sizes jpegenc refuses (empty)
	}
	return buf.Bytes()
}

// ValidPNG returns Picture(w, h) as an 8-bit RGBA PNG.
func ValidPNG(w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		panic("hostile: " + err.Error())
	}
	return buf.Bytes()
}

// ValidGIF returns an animation of frames w x h frames, Picture(w, h)
// in a 256-colour palette, each shifted 4 pixels from the one before.
func ValidGIF(w, h, frames int) []byte {
	src := Picture(w+4*frames, h)
	g := &gif.GIF{}
	pal := color.Palette(cubePalette())
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for y := range h {
			for x := range w {
				c := src.NRGBAAt(x+4*i, y)
				q := func(v uint8) uint8 { return uint8((int(v)*5 + 127) / 255) }
				m.Pix[y*m.Stride+x] = q(c.R)*36 + q(c.G)*6 + q(c.B) // the cube's index
			}
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		panic("hostile: " + err.Error())
	}
	return buf.Bytes()
}

// cubePalette is a 6x6x6 colour cube and 40 greys: a palette good enough
// for a drawing, made here so as not to pull in image/color/palette's
// global tables.
func cubePalette() []color.Color {
	p := make([]color.Color, 0, 256)
	for r := range 6 {
		for g := range 6 {
			for b := range 6 {
				p = append(p, color.RGBA{uint8(r * 51), uint8(g * 51), uint8(b * 51), 255})
			}
		}
	}
	for i := range 40 {
		v := uint8(i * 255 / 39)
		p = append(p, color.RGBA{v, v, v, 255})
	}
	return p
}
