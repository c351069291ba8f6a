package gifcodec

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// photo is a deterministic photo-like test image: smooth colour gradients,
// low-frequency waves and a little pixel noise.
func photo(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(12345)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			noise := float64(seed>>24)/255*6 - 3
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 255*fx*0.8 + 30*math.Sin(fy*7) + 20 + noise
			g := 200*fy + 40*math.Cos(fx*5+fy*3) + noise
			b := 120 + 100*math.Sin((fx+fy)*4) + noise
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = clamp8(r), clamp8(g), clamp8(b), 0xff
		}
	}
	return m
}

func clamp8(v float64) uint8 { return uint8(math.Round(min(max(v, 0), 255))) }

// psnr is the PSNR in dB over the RGB channels of a and b (same bounds).
func psnr(a, b image.Image) float64 {
	var se float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c1 := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			c2 := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			for _, d := range []float64{float64(c1.R) - float64(c2.R), float64(c1.G) - float64(c2.G), float64(c1.B) - float64(c2.B)} {
				se += d * d
			}
		}
	}
	mse := se / float64(3*r.Dx()*r.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// frameSpec is one frame of a test GIF built with image/gif.
type frameSpec struct {
	rect     image.Rectangle
	pix      []uint8 // indexes, row by row
	delay    int
	disposal byte
}

// testPalette: index 0 is transparent (image/gif's writer makes the first
// alpha-0 entry the transparent index).
var testPalette = color.Palette{
	color.RGBA{}, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255},
	color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 255, 255},
}

var (
	clear0 = color.NRGBA{}
	red    = color.NRGBA{255, 0, 0, 255}
	green  = color.NRGBA{0, 255, 0, 255}
	blue   = color.NRGBA{0, 0, 255, 255}
	white  = color.NRGBA{255, 255, 255, 255}
)

func buildGIF(t testing.TB, w, h, loop int, frames []frameSpec) []byte {
	t.Helper()
	g := &gif.GIF{LoopCount: loop, Config: image.Config{ColorModel: testPalette, Width: w, Height: h}}
	for _, f := range frames {
		m := image.NewPaletted(f.rect, testPalette)
		copy(m.Pix, f.pix)
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, f.delay)
		g.Disposal = append(g.Disposal, f.disposal)
	}
	var b bytes.Buffer
	require.NoError(t, gif.EncodeAll(&b, g))
	return b.Bytes()
}

func fill(n int, v uint8) []uint8 { return bytes.Repeat([]byte{v}, n) }

// decoded is what DecodeFrames delivered, copied.
type decoded struct {
	frames []*image.NRGBA
	delays []time.Duration
}

func decodeAll(t testing.TB, data []byte, maxFrames int) (decoded, Info, error) {
	t.Helper()
	var d decoded
	info, err := DecodeFrames(context.Background(), data, maxFrames, func(i int, m *image.NRGBA, delay time.Duration) error {
		require.Equal(t, len(d.frames), i)
		cp := image.NewNRGBA(m.Rect)
		copy(cp.Pix, m.Pix)
		d.frames = append(d.frames, cp)
		d.delays = append(d.delays, delay)
		return nil
	})
	return d, info, err
}

// requirePixels checks m against rows of colours.
func requirePixels(t testing.TB, want [][]color.NRGBA, m *image.NRGBA, msg string) {
	t.Helper()
	require.Equal(t, image.Rect(0, 0, len(want[0]), len(want)), m.Rect, msg)
	for y, row := range want {
		for x, c := range row {
			require.Equal(t, c, m.NRGBAAt(x, y), "%s: pixel %d,%d", msg, x, y)
		}
	}
}
