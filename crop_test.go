package imgproxy

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coordImage returns a w x h picture at origin min whose pixel (x, y)
// holds R = x - min.X, G = y - min.Y: a crop's first pixel tells where it
// was cut.
func coordImage(min image.Point, w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rectangle{Min: min, Max: min.Add(image.Pt(w, h))})
	for y := range h {
		for x := range w {
			m.SetNRGBA(min.X+x, min.Y+y, color.NRGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	return m
}

// plainImage hides the SubImage method of its image, so cropCenter takes
// its copying path.
type plainImage struct{ image.Image }

// TestCropCenterWindow checks the window cropCenter cuts, across and down,
// for both of its paths: the margin left of and above the window is half
// the excess, rounded down.
func TestCropCenterWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		min          image.Point
		sw, sh, w, h int
		x0, y0       int // expected offset of the window in the source
	}{
		{image.Pt(0, 0), 200, 100, 100, 100, 50, 0}, // wide: cut across
		{image.Pt(0, 0), 100, 200, 100, 100, 0, 50}, // tall: cut down
		{image.Pt(0, 0), 120, 90, 40, 30, 40, 30},   // both
		{image.Pt(0, 0), 101, 77, 50, 20, 25, 28},   // odd excess rounds down
		{image.Pt(7, 11), 60, 90, 60, 31, 0, 29},    // origin not at 0,0
		{image.Pt(-5, -9), 33, 33, 3, 30, 15, 1},    // negative origin
		{image.Pt(0, 0), 64, 48, 64, 48, 0, 0},      // nothing to cut
		{image.Pt(0, 0), 250, 200, 1, 1, 124, 99},   // one pixel
	}
	for _, tt := range tests {
		for _, wrap := range []bool{false, true} {
			name := fmt.Sprintf("%v_%dx%d_to_%dx%d_copy=%t", tt.min, tt.sw, tt.sh, tt.w, tt.h, wrap)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var src image.Image = coordImage(tt.min, tt.sw, tt.sh)
				if wrap {
					src = plainImage{src}
				}
				out := cropCenter(src, tt.w, tt.h)
				b := out.Bounds()
				require.Equal(t, image.Pt(tt.w, tt.h), b.Size())
				for _, p := range []image.Point{{0, 0}, {tt.w - 1, 0}, {0, tt.h - 1}, {tt.w - 1, tt.h - 1}} {
					got := color.NRGBAModel.Convert(out.At(b.Min.X+p.X, b.Min.Y+p.Y)).(color.NRGBA)
					assert.Equal(t, [2]int{tt.x0 + p.X, tt.y0 + p.Y}, [2]int{int(got.R), int(got.G)},
						"pixel %v of the crop comes from the source's (x, y)", p)
				}
			})
		}
	}
}

// bands returns a w x h picture of three equal bands, red, green, blue,
// across (vertical stripes) or down (horizontal stripes).
func bands(w, h int, down bool) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	colours := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}}
	for y := range h {
		for x := range w {
			i := 3 * x / w
			if down {
				i = 3 * y / h
			}
			m.SetNRGBA(x, y, colours[i])
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TestResizeCropKeepsMiddleBothWays checks, through the whole pipeline,
// that ",crop" keeps the middle band of a picture cut in thirds, whether
// the excess is across (wide source) or down (tall source).
func TestResizeCropKeepsMiddleBothWays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		w, h int
		down bool
	}{
		{"wide", 300, 100, false},
		{"tall", 100, 300, true},
		{"tall odd", 90, 301, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := ParseOptions("50x50,crop")
			require.NoError(t, err)
			img, err := (&BildResizer{}).Resize(context.Background(), &Source{Data: bands(tt.w, tt.h, tt.down)}, o)
			require.NoError(t, err)
			out, err := png.Decode(bytes.NewReader(img.Data))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, 50, 50), out.Bounds())
			for _, p := range []image.Point{{2, 2}, {25, 25}, {47, 2}, {2, 47}, {47, 47}} {
				r, g, b, _ := out.At(p.X, p.Y).RGBA()
				assert.Greater(t, g, uint32(0xf000), "%v is green", p)
				assert.Less(t, r+b, uint32(0x1000), "%v has no red or blue", p)
			}
		})
	}
}
