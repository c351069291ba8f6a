package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quadrants draws an upright w x h picture whose orientation cannot be
// mistaken: four differently coloured quadrants, a gradient across.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	cols := [4]color.RGBA{{220, 40, 40, 255}, {40, 200, 40, 255}, {40, 60, 220, 255}, {230, 220, 40, 255}}
	for y := range h {
		for x := range w {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			c := cols[q]
			c.R = uint8(int(c.R) * (w + x) / (2 * w))
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// storeAs returns how a camera stores the upright picture u under EXIF
// orientation o, written from the TIFF/EXIF definition of each value
// ("the 0th row is the visual ..., the 0th column is the visual ..."),
// independently of the code under test.
func storeAs(u *image.RGBA, o int) *image.RGBA {
	W, H := u.Rect.Dx(), u.Rect.Dy()
	sw, sh := W, H
	if o >= 5 {
		sw, sh = H, W
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for r := range sh { // stored row
		for c := range sw { // stored column
			var x, y int
			switch o {
			case 1: // row 0 top, column 0 left
				x, y = c, r
			case 2: // row 0 top, column 0 right
				x, y = W-1-c, r
			case 3: // row 0 bottom, column 0 right
				x, y = W-1-c, H-1-r
			case 4: // row 0 bottom, column 0 left
				x, y = c, H-1-r
			case 5: // row 0 left, column 0 top
				x, y = r, c
			case 6: // row 0 right, column 0 top
				x, y = W-1-r, c
			case 7: // row 0 right, column 0 bottom
				x, y = W-1-r, H-1-c
			case 8: // row 0 left, column 0 bottom
				x, y = r, H-1-c
			}
			s.SetRGBA(c, r, u.RGBAAt(x, y))
		}
	}
	return s
}

// exifTIFF is a minimal EXIF block: a TIFF header and IFD0 with the
// orientation tag, in either byte order.
func exifTIFF(o int, bo binary.ByteOrder) []byte {
	b := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(b, "II")
	} else {
		copy(b, "MM")
	}
	bo.PutUint16(b[2:], 42)
	bo.PutUint32(b[4:], 8)
	bo.PutUint16(b[8:], 1)
	bo.PutUint16(b[10:], 0x0112)
	bo.PutUint16(b[12:], 3) // SHORT
	bo.PutUint32(b[14:], 1)
	bo.PutUint16(b[18:], uint16(o))
	return b
}

// withEXIF inserts an APP1 Exif segment after the SOI of a JPEG.
func withEXIF(jpg, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// meanAbsDiff is the mean absolute difference per channel of two
// same-sized pictures.
func meanAbsDiff(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	require.Equal(t, a.Bounds().Size(), b.Bounds().Size())
	var sum, n float64
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			c1 := color.NRGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.NRGBA)
			c2 := color.NRGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.NRGBA)
			for _, d := range [3]int{int(c1.R) - int(c2.R), int(c1.G) - int(c2.G), int(c1.B) - int(c2.B)} {
				sum += float64(max(d, -d))
			}
			n += 3
		}
	}
	return sum / n
}

// boxDown averages f x f blocks of m.
func boxDown(m *image.RGBA, f int) *image.RGBA {
	w, h := m.Rect.Dx()/f, m.Rect.Dy()/f
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var s [3]int
			for dy := range f {
				for dx := range f {
					c := m.RGBAAt(x*f+dx, y*f+dy)
					s[0] += int(c.R)
					s[1] += int(c.G)
					s[2] += int(c.B)
				}
			}
			n := f * f
			out.SetRGBA(x, y, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
		}
	}
	return out
}

// TestEXIFOrientation: a picture stored under each EXIF orientation 1..8
// gives the upright thumbnail, at the upright aspect ratio, for a plain
// resize and for a crop (which must crop the picture as seen). The bound
// (mean error 6 of 255) sits well above JPEG and resampling noise
// (measured under 2) and far below any wrong orientation (the quadrants
// swap colours: over 50).
func TestEXIFOrientation(t *testing.T) {
	t.Parallel()
	upright := quadrants(192, 128)
	want := boxDown(upright, 4) // 48x32
	wantCrop := want.SubImage(image.Rect(8, 0, 40, 32)).(*image.RGBA)
	r := &BildResizer{}
	for o := 1; o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(fmt.Sprintf("%d/%v", o, bo), func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				require.NoError(t, jpeg.Encode(&buf, storeAs(upright, o), &jpeg.Options{Quality: 95}))
				src := &Source{Data: withEXIF(buf.Bytes(), exifTIFF(o, bo))}
				for _, tt := range []struct {
					opts string
					want image.Image
				}{
					{"48x48", want},
					{"32x32,crop", wantCrop},
					{"48x48,png", want},
				} {
					opts, err := ParseOptions(tt.opts)
					require.NoError(t, err)
					img, err := r.Resize(context.Background(), src, opts)
					require.NoError(t, err)
					got, _, err := image.Decode(bytes.NewReader(img.Data))
					require.NoError(t, err)
					assert.Equal(t, tt.want.Bounds().Size(), got.Bounds().Size(), tt.opts)
					if got.Bounds().Size() == tt.want.Bounds().Size() {
						assert.Less(t, meanAbsDiff(t, got, tt.want), 6.0, tt.opts)
					}
					assert.NotContains(t, string(img.Data), "Exif\x00\x00", "orientation must not be carried into the output")
				}
			})
		}
	}
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, storeAs(upright, 6), &jpeg.Options{Quality: 95}))
		src := &Source{Data: withEXIF(buf.Bytes(), exifTIFF(6, binary.BigEndian))}
		img, err := (&BildResizer{NoAutoOrient: true}).Resize(context.Background(), src, Options{Width: 48, Height: 48})
		require.NoError(t, err)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
		require.NoError(t, err)
		assert.Equal(t, [2]int{32, 48}, [2]int{cfg.Width, cfg.Height}, "stored orientation kept")
	})
}
