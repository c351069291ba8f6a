package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// FuzzResize runs whole transforms on mutated sources of every format
// (EXIF, ICC, CMYK, animation, alpha included): whatever the bytes, the
// pipeline returns an image or an error wrapping ErrUnsupported or
// ErrTooLarge, never panics, and an image it returns decodes. Sources
// over 1 megapixel are refused before decoding (MaxPixels), so a fuzzed
// header cannot make one run take seconds.
func FuzzResize(f *testing.F) {
	var buf bytes.Buffer
	m := quadrants(24, 16)
	seeds := [][]byte{
		withEXIF(encodeJPEG(f, storeAs(m, 6), 80), exifTIFF(6, binary.BigEndian)),
		withICC(encodeJPEG(f, m, 80), iccProfile(adobeRGB)),
	}
	png.Encode(&buf, m)
	seeds = append(seeds, bytes.Clone(buf.Bytes()))
	buf.Reset()
	pal := color.Palette{color.NRGBA{}, color.NRGBA{255, 0, 0, 255}}
	g := &gif.GIF{}
	for i := range 3 {
		p := image.NewPaletted(image.Rect(0, 0, 8, 8), pal)
		p.SetColorIndex(i, i, 1)
		g.Image, g.Delay = append(g.Image, p), append(g.Delay, 5)
	}
	gif.EncodeAll(&buf, g)
	seeds = append(seeds, buf.Bytes())
	for _, pat := range []string{"internal/jpegdec/testdata/*.jpg", "internal/webpmeta/testdata/*.webp"} {
		files, _ := filepath.Glob(pat)
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil && len(b) < 8<<10 {
				seeds = append(seeds, b)
			}
		}
	}
	opts := []string{"12x12", "8x8,crop", "-x-,png", "10x10,r90,gif", "6x6,sh50", "-x-,info", "20x-,jpeg,bg102030"}
	for i, s := range seeds {
		f.Add(s, opts[i%len(opts)])
	}
	r := &BildResizer{MaxPixels: 1 << 20, Concurrency: 1}
	f.Fuzz(func(t *testing.T, data []byte, segment string) {
		o, err := ParseOptions(segment)
		if err != nil {
			return
		}
		img, err := r.Resize(context.Background(), &Source{Data: data}, o)
		if err != nil {
			if statusCode(err) != 415 {
				t.Fatalf("error %v has status %d, want 415", err, statusCode(err))
			}
			return
		}
		if len(img.Data) == 0 {
			t.Fatal("empty image without error")
		}
		if o.Info || bytes.Equal(img.Data, data) {
			return
		}
		if _, _, err := image.Decode(bytes.NewReader(img.Data)); err != nil {
			t.Fatalf("output %s does not decode: %v", img.ContentType, err)
		}
	})
}
