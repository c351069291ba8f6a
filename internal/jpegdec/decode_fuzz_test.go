package jpegdec

import (
	"image"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that no input makes Decode or DecodeConfig panic or
// hang, at every scale and with and without Options.Approximate, and that successful decodes have the promised
// bounds. Seeds: testdata files and small generated JPEGs.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jpg")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, sz := range [][2]int{{1, 1}, {9, 7}, {33, 17}} {
		f.Add(encodeJPEG(f, synthImage(sz[0], sz[1], 5), 75))
		g := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
		f.Add(encodeJPEG(f, g, 90))
	}
	opts := &Options{MaxPixels: 1 << 20}
	approx := &Options{MaxPixels: 1 << 20, Approximate: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := DecodeConfig(data)
		for _, s := range []int{1, 2, 4, 8, -2, -4} {
			// -2 and -4: scale 2 and 4 with Options.Approximate (it has
			// no effect at 1 and 8).
			o := opts
			if s < 0 {
				s, o = -s, approx
			}
			img, err := Decode(data, s, o)
			if err != nil {
				continue
			}
			if cfgErr != nil {
				t.Fatalf("Decode ok but DecodeConfig failed: %v", cfgErr)
			}
			want := image.Rect(0, 0, ceilDiv(cfg.Width, s), ceilDiv(cfg.Height, s))
			if img.Bounds() != want {
				t.Fatalf("scale %d (approximate %v): bounds %v, want %v", s, o.Approximate, img.Bounds(), want)
			}
		}
	})
}
