package jpegdec

import (
	"image"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that no input makes Decode or DecodeConfig panic or
// hang, at every scale, and that successful decodes have the promised
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
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := DecodeConfig(data)
		for _, s := range []int{1, 2, 4, 8} {
			img, err := Decode(data, s, opts)
			if err != nil {
				continue
			}
			if cfgErr != nil {
				t.Fatalf("Decode ok but DecodeConfig failed: %v", cfgErr)
			}
			want := image.Rect(0, 0, ceilDiv(cfg.Width, s), ceilDiv(cfg.Height, s))
			if img.Bounds() != want {
				t.Fatalf("scale %d: bounds %v, want %v", s, img.Bounds(), want)
			}
		}
	})
}
