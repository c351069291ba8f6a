package resample

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ratios = []image.YCbCrSubsampleRatio{
	image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
	image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
}

// srcPoint returns the source pixel that output pixel (x, y) of Orient
// shows, for a w x h source: the EXIF definitions written out.
func srcPoint(o, x, y, w, h int) (int, int) {
	switch o {
	case 2:
		return w - 1 - x, y
	case 3:
		return w - 1 - x, h - 1 - y
	case 4:
		return x, h - 1 - y
	case 5:
		return y, x
	case 6:
		return y, h - 1 - x
	case 7:
		return w - 1 - y, h - 1 - x
	case 8:
		return w - 1 - y, x
	}
	return x, y
}

// srcPointF is srcPoint for continuous coordinates (pixel centres at +0.5).
func srcPointF(o int, u, v, w, h float64) (float64, float64) {
	switch o {
	case 2:
		return w - u, v
	case 3:
		return w - u, h - v
	case 4:
		return u, h - v
	case 5:
		return v, u
	case 6:
		return v, h - u
	case 7:
		return w - v, h - u
	case 8:
		return w - v, u
	}
	return u, v
}

// randomImage returns an image of the named kind covering r, with random
// (so asymmetric) content in every plane.
func randomImage(kind string, r image.Rectangle, seed uint64) image.Image {
	rng := rand.New(rand.NewPCG(seed, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
	}
	switch kind {
	case "gray":
		m := image.NewGray(r)
		fill(m.Pix)
		return m
	case "rgba":
		m := image.NewRGBA(r)
		fill(m.Pix)
		for i := 0; i < len(m.Pix); i += 4 {
			a := m.Pix[i+3]
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = min(m.Pix[i], a), min(m.Pix[i+1], a), min(m.Pix[i+2], a)
		}
		return m
	case "nrgba":
		m := image.NewNRGBA(r)
		fill(m.Pix)
		return m
	case "paletted":
		m := image.NewPaletted(r, palette.Plan9)
		fill(m.Pix)
		return m
	case "cmyk":
		m := image.NewCMYK(r)
		fill(m.Pix)
		return m
	case "nycbcra":
		m := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		fill(m.A)
		return m
	}
	for _, ratio := range ratios {
		if kind == "ycbcr"+ratio.String() {
			m := image.NewYCbCr(r, ratio)
			fill(m.Y)
			fill(m.Cb)
			fill(m.Cr)
			return m
		}
	}
	panic(kind)
}

// reference returns m oriented through At, as *image.NRGBA64 colours.
func reference(m image.Image, o int) *image.RGBA64 {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if o >= 5 {
		w, h = h, w
	}
	d := image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			sx, sy := srcPoint(o, x, y, b.Dx(), b.Dy())
			d.Set(x, y, m.At(b.Min.X+sx, b.Min.Y+sy))
		}
	}
	return d
}

// exactChroma reports whether orientation o carries s's chroma grid over
// without interpolation.
func exactChroma(s *image.YCbCr, o int) bool {
	sx, sy, _ := subFactors(s.SubsampleRatio)
	t := turns[o]
	if t.transpose && (sx == 4) {
		return false // 4:1:1 and 4:1:0 change their vertical factor
	}
	fx, fy := t.flipX, t.flipY
	if t.transpose {
		fx, fy = t.flipY, t.flipX // the flips of the source's x and y axes
	}
	r := s.Rect
	ok := func(lo, n, s int, flip bool) bool {
		if flip {
			return (lo%s+n)%s == 0
		}
		return lo%s == 0
	}
	return ok(r.Min.X, r.Dx(), sx, fx) && ok(r.Min.Y, r.Dy(), sy, fy)
}

func TestOrient(t *testing.T) {
	t.Parallel()
	kinds := []string{"gray", "rgba", "nrgba", "paletted", "cmyk", "nycbcra"}
	for _, r := range ratios {
		kinds = append(kinds, "ycbcr"+r.String())
	}
	rects := []image.Rectangle{
		image.Rect(0, 0, 8, 4), image.Rect(0, 0, 7, 5), image.Rect(0, 0, 1, 3), image.Rect(0, 0, 9, 1),
		image.Rect(4, 2, 12, 10), image.Rect(3, 1, 10, 6), image.Rect(0, 0, 16, 9),
	}
	for _, kind := range kinds {
		for _, r := range rects {
			t.Run(fmt.Sprintf("%s/%v", kind, r), func(t *testing.T) {
				t.Parallel()
				// A sub-image of a bigger picture, so strides and
				// offsets matter.
				full := randomImage(kind, r.Inset(-3), 1)
				m := full.(interface {
					SubImage(image.Rectangle) image.Image
				}).SubImage(r)
				for o := 1; o <= 8; o++ {
					got := Orient(m, o)
					want := reference(m, o)
					if o == 1 {
						assert.Same(t, m, got)
						continue
					}
					assert.Equal(t, image.Point{}, got.Bounds().Min)
					require.Equal(t, want.Bounds(), got.Bounds(), "orientation %d", o)
					checkOriented(t, m, got, want, o)
				}
			})
		}
	}
}

// checkOriented compares got with the At-based reference want: exactly,
// or, for YCbCr whose chroma had to be interpolated, the luma (and alpha)
// exactly.
func checkOriented(t *testing.T, m, got image.Image, want *image.RGBA64, o int) {
	t.Helper()
	var ycc *image.YCbCr
	switch s := m.(type) {
	case *image.YCbCr:
		ycc = s
		require.IsType(t, s, got)
		wantRatio := s.SubsampleRatio
		if o >= 5 {
			wantRatio = transposedRatio(wantRatio)
		}
		assert.Equal(t, wantRatio, got.(*image.YCbCr).SubsampleRatio)
	case *image.NYCbCrA:
		ycc = &s.YCbCr
		require.IsType(t, s, got)
	case *image.Gray, *image.RGBA, *image.NRGBA:
		assert.IsType(t, m, got)
	default:
		assert.IsType(t, &image.NRGBA{}, got)
	}
	b := got.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			sx, sy := srcPoint(o, x, y, m.Bounds().Dx(), m.Bounds().Dy())
			sx, sy = sx+m.Bounds().Min.X, sy+m.Bounds().Min.Y
			if ycc != nil && !exactChroma(ycc, o) {
				gy := lumaOf(got, x, y)
				require.Equal(t, ycc.Y[ycc.YOffset(sx, sy)], gy, "o=%d (%d,%d) luma", o, x, y)
				if a, ok := m.(*image.NYCbCrA); ok {
					ga := got.(*image.NYCbCrA)
					require.Equal(t, a.A[a.AOffset(sx, sy)], ga.A[ga.AOffset(x, y)], "o=%d (%d,%d) alpha", o, x, y)
				}
				continue
			}
			if _, conv := m.(*image.NRGBA); !conv {
				if _, nrgba := got.(*image.NRGBA); nrgba {
					// Converted to NRGBA: compare in 8-bit NRGBA.
					wn := color.NRGBAModel.Convert(m.At(sx, sy)).(color.NRGBA)
					require.Equal(t, wn, got.At(x, y), "o=%d (%d,%d)", o, x, y)
					continue
				}
			}
			wr, wg, wb, wa := want.At(x, y).RGBA()
			gr, gg, gb, ga := got.At(x, y).RGBA()
			require.Equal(t, [4]uint32{wr, wg, wb, wa}, [4]uint32{gr, gg, gb, ga}, "o=%d (%d,%d)", o, x, y)
		}
	}
}

func lumaOf(m image.Image, x, y int) uint8 {
	switch s := m.(type) {
	case *image.YCbCr:
		return s.Y[s.YOffset(x, y)]
	case *image.NYCbCrA:
		return s.Y[s.YOffset(x, y)]
	}
	panic("not YCbCr")
}

// linearChroma returns a YCbCr covering r whose chroma is a linear function
// of the chroma samples' centres (in absolute luma coordinates).
func linearChroma(r image.Rectangle, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	m := randomImage("ycbcr"+ratio.String(), r, 3).(*image.YCbCr)
	sx, sy, _ := subFactors(ratio)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cx, cy := float64(sx*(x/sx))+float64(sx)/2, float64(sy*(y/sy))+float64(sy)/2
			i := m.COffset(x, y)
			m.Cb[i], m.Cr[i] = cbLinear(cx, cy), crLinear(cx, cy)
		}
	}
	return m
}

func cbLinear(x, y float64) uint8 { return uint8(math.Round(60 + 3*x + 2*y)) }
func crLinear(x, y float64) uint8 { return uint8(math.Round(200 - 2*x - 3*y)) }

// TestOrientChromaSiting checks that chroma which cannot be carried over
// exactly (odd sizes, odd sub-image origins) lands where it belongs: each
// output chroma sample holds the source's linear chroma at its centre.
func TestOrientChromaSiting(t *testing.T) {
	t.Parallel()
	for _, ratio := range ratios {
		for _, r := range []image.Rectangle{image.Rect(0, 0, 7, 5), image.Rect(1, 3, 10, 10), image.Rect(2, 1, 13, 4), image.Rect(0, 0, 8, 8)} {
			t.Run(fmt.Sprintf("%v/%v", ratio, r), func(t *testing.T) {
				t.Parallel()
				m := linearChroma(r, ratio)
				isx, isy, _ := subFactors(ratio)
				for o := 2; o <= 8; o++ {
					d := Orient(m, o).(*image.YCbCr)
					sx, sy, _ := subFactors(d.SubsampleRatio)
					b := d.Rect
					for y := range b.Dy() {
						for x := range b.Dx() {
							// Centre of the output chroma sample covering (x, y).
							u, v := float64(sx*(x/sx))+float64(sx)/2, float64(sy*(y/sy))+float64(sy)/2
							px, py := srcPointF(o, u, v, float64(r.Dx()), float64(r.Dy()))
							px, py = px+float64(r.Min.X), py+float64(r.Min.Y)
							// Outside the source chroma centres chroma is
							// clamped, not extrapolated: skip those.
							if !inCentres(px, r.Min.X, r.Max.X, isx) || !inCentres(py, r.Min.Y, r.Max.Y, isy) {
								continue
							}
							i := d.COffset(x, y)
							assert.InDelta(t, cbLinear(px, py), d.Cb[i], 1, "o=%d (%d,%d) Cb", o, x, y)
							assert.InDelta(t, crLinear(px, py), d.Cr[i], 1, "o=%d (%d,%d) Cr", o, x, y)
						}
					}
				}
			})
		}
	}
}

// inCentres reports whether p lies between the first and last centre of the
// chroma samples (factor s) covering luma [lo, hi).
func inCentres(p float64, lo, hi, s int) bool {
	first := float64(s*(lo/s)) + float64(s)/2
	last := float64(s*((hi-1)/s)) + float64(s)/2
	return p >= first-1e-9 && p <= last+1e-9
}

// inverse is the orientation that undoes each orientation.
var inverse = [9]int{0, 1, 2, 3, 4, 5, 8, 7, 6}

func TestOrientComposition(t *testing.T) {
	t.Parallel()
	kinds := []string{"gray", "rgba", "nrgba", "nycbcra"}
	for _, r := range ratios {
		kinds = append(kinds, "ycbcr"+r.String())
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m := randomImage(kind, image.Rect(0, 0, 16, 8), 4)
			if y, ok := m.(*image.YCbCr); ok && (y.SubsampleRatio == image.YCbCrSubsampleRatio411 || y.SubsampleRatio == image.YCbCrSubsampleRatio410) {
				// Transposes change the ratio (see Orient): only the
				// others are exactly invertible.
				for _, o := range []int{2, 3, 4} {
					assert.Equal(t, m, Orient(Orient(m, o), o), "orientation %d", o)
				}
				return
			}
			for o := 1; o <= 8; o++ {
				assert.Equal(t, m, Orient(Orient(m, o), inverse[o]), "orientation %d", o)
			}
			// 6 is 90° clockwise: four of them, or two 3s, are the identity.
			assert.Equal(t, m, Orient(Orient(Orient(Orient(m, 6), 6), 6), 6))
			assert.Equal(t, Orient(m, 3), Orient(Orient(m, 6), 6))
			assert.Equal(t, Orient(m, 8), Orient(Orient(m, 6), 3))
			// 5 (transpose) = 6 (rotate CW) then 2 (mirror); 7 = 8 then 2.
			assert.Equal(t, Orient(m, 5), Orient(Orient(m, 6), 2))
			assert.Equal(t, Orient(m, 7), Orient(Orient(m, 8), 2))
		})
	}
}

func TestOrientRotate90Visual(t *testing.T) {
	t.Parallel()
	// A 3x2 picture stored sideways: orientation 6 must put the stored
	// bottom-left pixel at the top-left, and the stored top-left at the
	// top-right.
	m := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(m.Pix, []byte{1, 2, 3, 4, 5, 6})
	d := Orient(m, 6).(*image.Gray)
	assert.Equal(t, image.Rect(0, 0, 2, 3), d.Rect)
	assert.Equal(t, []byte{4, 1, 5, 2, 6, 3}, d.Pix)
	assert.Equal(t, []byte{3, 6, 2, 5, 1, 4}, Rotate(m, 90).(*image.Gray).Pix)
}

func TestRotate(t *testing.T) {
	t.Parallel()
	m := randomImage("ycbcr"+image.YCbCrSubsampleRatio422.String(), image.Rect(0, 0, 6, 4), 5)
	cases := []struct{ deg, orientation int }{{90, 8}, {180, 3}, {270, 6}, {-90, 6}, {450, 8}, {-180, 3}}
	for _, c := range cases {
		assert.Equal(t, Orient(m, c.orientation), Rotate(m, c.deg), "%d°", c.deg)
	}
	assert.Same(t, m, Rotate(m, 0))
	assert.Same(t, m, Rotate(m, 360))
	assert.Panics(t, func() { Rotate(m, 45) })
}

func TestOrientEmptyAndOutOfRange(t *testing.T) {
	t.Parallel()
	m := image.NewYCbCr(image.Rect(0, 0, 0, 5), image.YCbCrSubsampleRatio420)
	for o := 2; o <= 8; o++ {
		assert.True(t, Orient(m, o).Bounds().Empty())
		assert.True(t, Orient(image.NewNRGBA(image.Rect(2, 2, 2, 2)), o).Bounds().Empty())
	}
	assert.Same(t, image.Image(m), Orient(m, 0))
	assert.Same(t, image.Image(m), Orient(m, 9))
}

func BenchmarkOrient(b *testing.B) {
	src := map[string]image.Image{
		"ycbcr420": convertTo(photo(640, 480, 1), "ycbcr420"),
		"nrgba":    photo(640, 480, 1),
	}
	for _, kind := range []string{"ycbcr420", "nrgba"} {
		for _, o := range []int{2, 3, 6, 8} {
			b.Run(fmt.Sprintf("%s/640x480/o%d", kind, o), func(b *testing.B) {
				loop(b, func() { Orient(src[kind], o) })
			})
		}
	}
}
