package resample

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step returns a w x h Gray image, lo left of column w/2 and hi from it.
func step(w, h int, lo, hi uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*m.Stride+x] = lo
			if x >= w/2 {
				m.Pix[y*m.Stride+x] = hi
			}
		}
	}
	return m
}

func TestSharpenStepOvershoot(t *testing.T) {
	t.Parallel()
	for _, pct := range []int{10, 25, 50, 100, 200, 400} {
		t.Run(fmt.Sprint(pct), func(t *testing.T) {
			t.Parallel()
			d := Sharpen(step(10, 6, 100, 150), pct, 1).(*image.Gray)
			// The 1-D filter across the edge moves each side by
			// pct/400 of the step (50), away from the other side.
			want := 50 * float64(pct) / 400
			for y := range 6 {
				row := d.Pix[y*d.Stride : y*d.Stride+10]
				assert.InDelta(t, 150+want, float64(row[5]), 0.5+1e-9, "bright side, row %d", y)
				assert.InDelta(t, 100-want, float64(row[4]), 0.5+1e-9, "dark side, row %d", y)
				// Away from the edge (and at the image border) the
				// flat areas are untouched.
				assert.Equal(t, []byte{100, 100, 100, 100}, row[:4])
				assert.Equal(t, []byte{150, 150, 150, 150}, row[6:])
			}
		})
	}
}

func TestSharpenClamps(t *testing.T) {
	t.Parallel()
	d := Sharpen(step(6, 3, 10, 250), 1000, 2).(*image.Gray)
	assert.Equal(t, []byte{10, 10, 0, 255, 250, 250}, d.Pix[:6])
	// Huge percentages saturate instead of overflowing.
	d = Sharpen(step(6, 3, 10, 250), 1<<40, 2).(*image.Gray)
	assert.Equal(t, []byte{10, 10, 0, 255, 250, 250}, d.Pix[:6])
}

func TestSharpenFlatUnchanged(t *testing.T) {
	t.Parallel()
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			src := convertTo(flat(9, 7, color.NRGBA{200, 90, 40, 255}), kind)
			d := Sharpen(src, 150, 2)
			require.Equal(t, src.Bounds(), d.Bounds())
			for y := range 7 {
				for x := range 9 {
					wr, wg, wb, wa := src.At(x, y).RGBA()
					gr, gg, gb, ga := d.At(x, y).RGBA()
					assert.InDelta(t, wr>>8, gr>>8, 1, "(%d,%d)", x, y)
					assert.InDelta(t, wg>>8, gg>>8, 1, "(%d,%d)", x, y)
					assert.InDelta(t, wb>>8, gb>>8, 1, "(%d,%d)", x, y)
					assert.Equal(t, wa, ga)
				}
			}
		})
	}
}

func TestSharpenZeroReturnsInput(t *testing.T) {
	t.Parallel()
	m := photo(8, 8, 1)
	assert.Same(t, image.Image(m), Sharpen(m, 0, 1))
	assert.Same(t, image.Image(m), Sharpen(m, -5, 1))
}

func TestSharpenYCbCrLumaOnly(t *testing.T) {
	t.Parallel()
	for _, ratio := range ratios {
		t.Run(ratio.String(), func(t *testing.T) {
			t.Parallel()
			full := toYCbCr(photo(33, 21, 2), ratio)
			for _, r := range []image.Rectangle{full.Rect, image.Rect(3, 1, 30, 20)} {
				s := full.SubImage(r).(*image.YCbCr)
				d := Sharpen(s, 80, 3).(*image.YCbCr)
				require.Equal(t, r, d.Rect)
				require.Equal(t, ratio, d.SubsampleRatio)
				// The luma is the Gray sharpen of the Y plane.
				g := &image.Gray{Pix: s.Y[s.YOffset(r.Min.X, r.Min.Y):], Stride: s.YStride, Rect: image.Rect(0, 0, r.Dx(), r.Dy())}
				wantY := Sharpen(g, 80, 1).(*image.Gray)
				changed := 0
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						gy := d.Y[d.YOffset(x, y)]
						require.Equal(t, wantY.GrayAt(x-r.Min.X, y-r.Min.Y).Y, gy)
						if gy != s.Y[s.YOffset(x, y)] {
							changed++
						}
						require.Equal(t, s.Cb[s.COffset(x, y)], d.Cb[d.COffset(x, y)])
						require.Equal(t, s.Cr[s.COffset(x, y)], d.Cr[d.COffset(x, y)])
					}
				}
				assert.Positive(t, changed)
			}
		})
	}
}

func TestSharpenNRGBAIgnoresHiddenColour(t *testing.T) {
	t.Parallel()
	// Left half transparent, right half opaque red with a soft edge.
	mk := func(hidden color.NRGBA) *image.NRGBA {
		m := image.NewNRGBA(image.Rect(0, 0, 8, 4))
		for y := range 4 {
			for x := range 8 {
				c := hidden
				switch {
				case x == 4:
					c = color.NRGBA{200, 30, 30, 128}
				case x > 4:
					c = color.NRGBA{200, 30, 30, 255}
				}
				m.SetNRGBA(x, y, c)
			}
		}
		return m
	}
	a := Sharpen(mk(color.NRGBA{255, 255, 255, 0}), 100, 1).(*image.NRGBA)
	b := Sharpen(mk(color.NRGBA{0, 255, 0, 0}), 100, 1).(*image.NRGBA)
	assert.Equal(t, a.Pix, b.Pix, "the colour of transparent pixels must not matter")
	for y := range 4 {
		for x := range 8 {
			got, src := a.NRGBAAt(x, y), mk(color.NRGBA{}).NRGBAAt(x, y)
			assert.Equal(t, src.A, got.A, "alpha is not sharpened")
			if got.A == 0 {
				assert.Equal(t, color.NRGBA{}, got, "no colour in transparent pixels")
			}
			if got.A > 0 {
				// Only one hue is visible: sharpening may change its
				// lightness, not its colour.
				assert.InDelta(t, 30.0/200, float64(got.G)/float64(got.R), 0.01, "hue at (%d,%d) %v", x, y, got)
				assert.Equal(t, got.G, got.B)
			}
		}
	}
}

func TestSharpenRGBAStaysPremultiplied(t *testing.T) {
	t.Parallel()
	src := randomImage("rgba", image.Rect(0, 0, 17, 9), 6).(*image.RGBA)
	d := Sharpen(src, 300, 2).(*image.RGBA)
	for i := 0; i < len(d.Pix); i += 4 {
		assert.Equal(t, src.Pix[i+3], d.Pix[i+3])
		for c := range 3 {
			require.LessOrEqual(t, d.Pix[i+c], d.Pix[i+3])
		}
	}
}

func TestSharpenWorkersIdentical(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"ycbcr420", "nrgba", "rgba", "gray", "paletted"} {
		src := convertTo(photo(61, 47, 4), kind)
		want := Sharpen(src, 70, 1)
		for _, w := range []int{2, 5, 100} {
			assert.Equal(t, want, Sharpen(src, 70, w), kind)
		}
	}
}

func TestSharpenTiny(t *testing.T) {
	t.Parallel()
	for _, r := range []image.Rectangle{image.Rect(0, 0, 1, 1), image.Rect(0, 0, 1, 5), image.Rect(0, 0, 5, 1), image.Rect(0, 0, 0, 3)} {
		for _, kind := range []string{"ycbcr420", "nrgba", "gray"} {
			src := convertTo(photo(max(r.Dx(), 1), max(r.Dy(), 1), 1), kind)
			if r.Empty() {
				src = image.NewNRGBA(r)
			}
			assert.Equal(t, src.Bounds(), Sharpen(src, 100, 2).Bounds())
		}
	}
}

func BenchmarkSharpen(b *testing.B) {
	for _, kind := range []string{"ycbcr420", "nrgba", "gray"} {
		src := convertTo(photo(640, 427, 1), kind)
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/640x427/w%d", kind, w), func(b *testing.B) {
				loop(b, func() { Sharpen(src, 100, w) })
			})
		}
	}
}
