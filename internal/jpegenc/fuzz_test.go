package jpegenc

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// FuzzEncode encodes small images of every input kind built from the fuzz
// data; encoding must not fail or panic and the output must decode to an
// image of the same size.
func FuzzEncode(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(75), uint8(0), false, []byte{0})
	f.Add(uint8(17), uint8(9), uint8(1), uint8(1), true, []byte{255, 0, 255, 0, 7})
	f.Add(uint8(40), uint8(33), uint8(100), uint8(2), true, []byte{1, 2, 3})
	f.Add(uint8(3), uint8(70), uint8(50), uint8(5), false, []byte{0xFF})
	f.Fuzz(func(t *testing.T, w, h, q, kind uint8, prog bool, pix []byte) {
		wi, hi := int(w%80)+1, int(h%80)+1
		fill := func(b []byte) {
			if len(pix) == 0 {
				return
			}
			for i := range b {
				b[i] = pix[i%len(pix)] ^ byte(i*31)
			}
		}
		var m image.Image
		switch kind % 6 {
		case 0, 1, 2: // 4:2:0, 4:4:4, 4:2:2
			ratios := []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422}
			o := int(h / 128) // odd origin: leaves the 4:2:0 fast path
			y := image.NewYCbCr(image.Rect(-o, -o, wi, hi), ratios[kind%3])
			fill(y.Y)
			fill(y.Cb)
			fill(y.Cr)
			m = y.SubImage(image.Rect(0, 0, wi, hi))
		case 3:
			g := image.NewGray(image.Rect(0, 0, wi, hi))
			fill(g.Pix)
			m = g
		case 4:
			c := image.NewRGBA(image.Rect(0, 0, wi, hi))
			fill(c.Pix)
			m = c
		default:
			c := image.NewNRGBA(image.Rect(0, 0, wi, hi))
			fill(c.Pix)
			m = c
		}
		var buf bytes.Buffer
		if err := Encode(&buf, m, &Options{Quality: int(q % 101), Progressive: prog}); err != nil {
			t.Fatal(err)
		}
		d, err := jpeg.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if d.Bounds().Size() != m.Bounds().Size() {
			t.Fatalf("decoded %v, want %v", d.Bounds(), m.Bounds())
		}
	})
}
