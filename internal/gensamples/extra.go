package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"math"
	"os"
)

// saveSideways writes the upright picture u as a camera held on its side
// stores it: the pixels turned a quarter counter-clockwise, with EXIF
// orientation 6 ("row 0 is the visual right, column 0 the visual top")
// telling viewers to turn it back. A viewer that ignores EXIF shows it
// lying on its side.
func saveSideways(path string, u *image.RGBA) error {
	W, H := u.Rect.Dx(), u.Rect.Dy()
	s := image.NewRGBA(image.Rect(0, 0, H, W))
	for r := range W { // stored row: visual column from the right
		for c := range H { // stored column: visual row from the top
			s.SetRGBA(c, r, u.RGBAAt(W-1-r, c))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, s, &jpeg.Options{Quality: 85}); err != nil {
		return err
	}
	jpg := buf.Bytes()
	seg := append([]byte("Exif\x00\x00"), orientationTIFF(6)...)
	out := append([]byte{}, jpg[:2]...) // SOI
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	out = append(out, jpg[2:]...)
	return os.WriteFile(path, out, 0o644)
}

// orientationTIFF is a big-endian TIFF header and an IFD0 holding only the
// orientation tag (0x0112, one SHORT).
func orientationTIFF(o uint16) []byte {
	b := make([]byte, 8+2+12+4)
	copy(b, "MM")
	be := binary.BigEndian
	be.PutUint16(b[2:], 42)
	be.PutUint32(b[4:], 8) // IFD0 offset
	be.PutUint16(b[8:], 1) // one entry
	be.PutUint16(b[10:], 0x0112)
	be.PutUint16(b[12:], 3) // SHORT
	be.PutUint32(b[14:], 1) // count
	be.PutUint16(b[18:], o)
	return b // the next-IFD offset is left 0: no IFD1
}

// spinner is an animated GIF: a dot going round a ring on a transparent
// background, frames frames of size x size, looping forever.
func spinner(size, frames int) *gif.GIF {
	pal := color.Palette{
		color.NRGBA{0, 0, 0, 0},
		color.NRGBA{200, 200, 210, 255},
		color.NRGBA{230, 57, 70, 255},
	}
	g := &gif.GIF{LoopCount: 0}
	c := float64(size) / 2
	ring, dot := c*0.7, c*0.18
	for f := range frames {
		m := image.NewPaletted(image.Rect(0, 0, size, size), pal)
		a := 2 * math.Pi * float64(f) / float64(frames)
		dx, dy := c+ring*math.Cos(a), c+ring*math.Sin(a)
		for y := range size {
			for x := range size {
				px, py := float64(x)+0.5, float64(y)+0.5
				switch d := math.Hypot(px-c, py-c); {
				case math.Hypot(px-dx, py-dy) < dot:
					m.SetColorIndex(x, y, 2)
				case math.Abs(d-ring) < c*0.04:
					m.SetColorIndex(x, y, 1)
				}
			}
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 8)
		g.Disposal = append(g.Disposal, gif.DisposalBackground)
	}
	return g
}

// saveGIF writes an animated GIF.
func saveGIF(path string, g *gif.GIF) error {
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
