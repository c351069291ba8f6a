package resample

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// translucent returns a 3 x 2 image of the given kind: column 0 opaque
// blue, column 1 half-transparent red (alpha 128), column 2 fully
// transparent (holding green where the type can store it).
func translucent(kind string) image.Image {
	r := image.Rect(5, 5, 8, 7)
	cols := [3]color.NRGBA{{0, 0, 255, 255}, {255, 0, 0, 128}, {0, 255, 0, 0}}
	switch kind {
	case "paletted":
		m := image.NewPaletted(r, color.Palette{cols[0], cols[1], cols[2]})
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := range 3 {
				m.SetColorIndex(r.Min.X+x, y, uint8(x))
			}
		}
		return m
	case "nycbcra":
		m := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio444)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := range 3 {
				c := cols[x]
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				m.Y[m.YOffset(r.Min.X+x, y)], m.Cb[m.COffset(r.Min.X+x, y)], m.Cr[m.COffset(r.Min.X+x, y)] = yy, cb, cr
				m.A[m.AOffset(r.Min.X+x, y)] = c.A
			}
		}
		return m
	}
	var m interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	switch kind {
	case "nrgba":
		m = image.NewNRGBA(r)
	case "rgba":
		m = image.NewRGBA(r)
	case "nrgba64":
		m = image.NewNRGBA64(r)
	case "rgba64":
		m = image.NewRGBA64(r)
	default:
		panic(kind)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := range 3 {
			m.Set(r.Min.X+x, y, cols[x])
		}
	}
	return m
}

func TestFlatten(t *testing.T) {
	t.Parallel()
	white := color.NRGBA{255, 255, 255, 255}
	for _, kind := range []string{"nrgba", "rgba", "nrgba64", "rgba64", "paletted", "nycbcra"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			src := translucent(kind)
			d, ok := Flatten(src, white).(*image.RGBA)
			require.True(t, ok, "result type")
			require.Equal(t, src.Bounds(), d.Rect)
			assert.True(t, d.Opaque())
			for y := d.Rect.Min.Y; y < d.Rect.Max.Y; y++ {
				x := d.Rect.Min.X
				tol := 1.0
				if kind == "nycbcra" {
					tol = 2 // YCbCr round trip of pure colours
				}
				near(t, color.RGBA{0, 0, 255, 255}, d.RGBAAt(x, y), tol, "opaque pixel kept")
				near(t, color.RGBA{255, 128, 128, 255}, d.RGBAAt(x+1, y), tol, "half-transparent red over white")
				assert.Equal(t, color.RGBA{255, 255, 255, 255}, d.RGBAAt(x+2, y), "transparent shows the background")
			}
			// Another background.
			d = Flatten(src, color.NRGBA{10, 20, 30, 0}).(*image.RGBA)
			assert.Equal(t, color.RGBA{10, 20, 30, 255}, d.RGBAAt(d.Rect.Min.X+2, d.Rect.Min.Y), "bg alpha ignored")
			near(t, color.RGBA{133, 10, 15, 255}, d.RGBAAt(d.Rect.Min.X+1, d.Rect.Min.Y), 1, "red over dark")
		})
	}
}

func near(t *testing.T, want, got color.RGBA, tol float64, msg string) {
	t.Helper()
	assert.InDelta(t, want.R, got.R, tol, "%s: R of %v", msg, got)
	assert.InDelta(t, want.G, got.G, tol, "%s: G of %v", msg, got)
	assert.InDelta(t, want.B, got.B, tol, "%s: B of %v", msg, got)
	assert.Equal(t, uint8(255), got.A, msg)
}

func TestFlattenOpaqueUnchanged(t *testing.T) {
	t.Parallel()
	for _, kind := range allKinds {
		src := convertTo(photo(5, 4, 1), kind)
		assert.Same(t, src, Flatten(src, color.NRGBA{1, 2, 3, 255}), kind)
	}
}

func TestFlattenEmpty(t *testing.T) {
	t.Parallel()
	d := Flatten(image.NewNRGBA(image.Rect(3, 3, 3, 9)), color.NRGBA{})
	assert.True(t, d.Bounds().Empty())
}

func BenchmarkFlatten(b *testing.B) {
	src := photo(640, 427, 1)
	for i := 3; i < len(src.Pix); i += 8 {
		src.Pix[i] = 100
	}
	loop(b, func() { Flatten(src, color.NRGBA{255, 255, 255, 255}) })
}
