package jpegenc

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inputs builds every supported input kind at w x h.
func inputs(w, h int) map[string]image.Image {
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	rgba := smoothRGBA(w, h)
	copy(nrgba.Pix, rgba.Pix)
	return map[string]image.Image{
		"ycbcr420": smoothYCbCr(w, h, image.YCbCrSubsampleRatio420),
		"ycbcr444": smoothYCbCr(w, h, image.YCbCrSubsampleRatio444),
		"ycbcr422": smoothYCbCr(w, h, image.YCbCrSubsampleRatio422),
		"gray":     smoothGray(w, h),
		"rgba":     rgba,
		"nrgba":    nrgba,
	}
}

func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{1, 1}, {2, 2}, {7, 9}, {8, 8}, {16, 16}, {17, 15}, {33, 1}, {1, 40}, {150, 94}, {151, 95}, {640, 400}}
	for _, sz := range sizes {
		for name, m := range inputs(sz[0], sz[1]) {
			for _, prog := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%d/%s/prog=%v", sz[0], sz[1], name, prog), func(t *testing.T) {
					t.Parallel()
					data := encode(t, m, 90, prog)
					assert.Equal(t, prog, hasMarker(data, 0xC2), "SOF2")
					assert.Equal(t, !prog, hasMarker(data, 0xC0), "SOF0")
					d := decode(t, data)
					require.Equal(t, m.Bounds().Size(), d.Bounds().Size())
					if name == "gray" {
						assert.IsType(t, &image.Gray{}, d)
					} else {
						assert.Equal(t, image.YCbCrSubsampleRatio420, d.(*image.YCbCr).SubsampleRatio)
					}
					// Tiny images are mostly edge blocks; PSNR is only
					// meaningful from a few blocks on.
					if sz[0] >= 16 && sz[1] >= 15 {
						p := psnr(m, d)
						assert.GreaterOrEqual(t, p, 38.0, "PSNR at q90")
					}
				})
			}
		}
	}
}

// TestPlanesPSNR measures the error of each plane (no colour conversion)
// for the 4:2:0 fast path at q90.
func TestPlanesPSNR(t *testing.T) {
	t.Parallel()
	m := smoothYCbCr(640, 400, image.YCbCrSubsampleRatio420)
	d := decode(t, encode(t, m, 90, true)).(*image.YCbCr)
	for _, p := range []struct {
		name string
		a, b []byte
	}{{"Y", m.Y, d.Y}, {"Cb", m.Cb, d.Cb}, {"Cr", m.Cr, d.Cr}} {
		var se float64
		for i := range p.a {
			e := float64(p.a[i]) - float64(p.b[i])
			se += e * e
		}
		db := 10 * math.Log10(255*255*float64(len(p.a))/se)
		t.Logf("plane %s PSNR %.1f dB", p.name, db)
		assert.GreaterOrEqual(t, db, 40.0, p.name)
	}
}

// TestProgressiveMatchesBaseline: both modes code the same coefficients,
// so the decoded pixels must agree.
func TestProgressiveMatchesBaseline(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{7, 9}, {150, 94}, {641, 401}} {
		for name, m := range inputs(sz[0], sz[1]) {
			for _, q := range []int{1, 50, 75, 100} {
				t.Run(fmt.Sprintf("%dx%d/%s/q%d", sz[0], sz[1], name, q), func(t *testing.T) {
					t.Parallel()
					base := decode(t, encode(t, m, q, false))
					prog := decode(t, encode(t, m, q, true))
					assert.LessOrEqual(t, maxDiff(base, prog), 1)
				})
			}
		}
	}
}

func TestQualityExtremes(t *testing.T) {
	t.Parallel()
	m := smoothYCbCr(150, 94, image.YCbCrSubsampleRatio420)
	for _, prog := range []bool{false, true} {
		q1 := encode(t, m, 1, prog)
		q100 := encode(t, m, 100, prog)
		p1, p100 := psnr(m, decode(t, q1)), psnr(m, decode(t, q100))
		t.Logf("prog=%v q1: %d bytes %.1f dB, q100: %d bytes %.1f dB", prog, len(q1), p1, len(q100), p100)
		assert.Less(t, len(q1), len(q100))
		assert.Greater(t, p100, 45.0)
		assert.Greater(t, p100, p1)
	}
	// Quality 0 is 75 and nil options are quality 75 baseline.
	assert.Equal(t, encode(t, m, 75, false), encode(t, m, 0, false))
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, m, nil))
	assert.Equal(t, encode(t, m, 75, false), buf.Bytes())
}

func TestScaleQuality(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ q, pct int }{{0, 50}, {1, 5000}, {10, 500}, {49, 102}, {50, 100}, {75, 50}, {90, 20}, {100, 0}, {150, 0}, {-3, 5000}} {
		assert.Equal(t, c.pct, scaleQuality(c.q), "q=%d", c.q)
	}
	q100 := newQuantTable(&baseLuma, 0)
	q1 := newQuantTable(&baseChroma, 5000)
	for k := range 64 {
		assert.Equal(t, uint8(1), q100.dqt[k])
		assert.Equal(t, uint8(255), q1.dqt[k])
	}
	q50 := newQuantTable(&baseLuma, 100)
	assert.Equal(t, []uint8{16, 11, 12, 14, 12, 10}, q50.dqt[:6], "zig-zag order")
}

func TestZigzag(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []uint8{0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5}, zigzag[:16])
	assert.Equal(t, []uint8{61, 54, 47, 55, 62, 63}, zigzag[58:])
	seen := map[uint8]bool{}
	for _, z := range zigzag {
		seen[z] = true
	}
	assert.Len(t, seen, 64)
}

// TestFDCT compares the AAN transform against the T.81 A.3.3 definition
// computed in float64, with all quantisers 1.
func TestFDCT(t *testing.T) {
	t.Parallel()
	q := newQuantTable(&baseLuma, 0)
	for seed := range 200 {
		var in, b [64]float32
		for i := range in {
			switch seed % 3 {
			case 0: // noise
				in[i] = float32((i*7919+seed*104729)%256) - 128
			case 1: // extremes
				in[i] = float32(255*((i+seed)%2)) - 128
			default: // gradient
				in[i] = float32((i%8)*seed%32+(i/8)*4) - 128
			}
		}
		b = in
		out := make([]int16, 64)
		fdctQuantize(&b, q, out)
		for k := range 64 {
			n := int(zigzag[k])
			u, v := n/8, n%8
			var s float64
			for y := range 8 {
				for x := range 8 {
					s += float64(in[y*8+x]) * math.Cos(float64(2*y+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*x+1)*float64(v)*math.Pi/16)
				}
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = math.Sqrt2 / 2
			}
			if v == 0 {
				cv = math.Sqrt2 / 2
			}
			want := s * cu * cv / 4
			assert.InDelta(t, want, float64(out[k]), 0.5+1e-3, "seed %d coef %d", seed, n)
		}
	}
}

// TestSizeVsStd compares file sizes at q75 with image/jpeg (which uses the
// Annex K Huffman tables; ours are optimised per image).
func TestSizeVsStd(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		m    func(testing.TB) image.Image
	}{
		{"photo150x94", func(tb testing.TB) image.Image { return photo(tb, 150, 94) }},
		{"photo640x400", func(tb testing.TB) image.Image { return photo(tb, 640, 400) }},
		{"smooth640x400", func(testing.TB) image.Image { return smoothYCbCr(640, 400, image.YCbCrSubsampleRatio420) }},
		{"rgba640x400", func(testing.TB) image.Image { return smoothRGBA(640, 400) }},
		{"gray640x400", func(testing.TB) image.Image { return smoothGray(640, 400) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := c.m(t)
			std := stdSize(t, m, 75)
			base, prog := len(encode(t, m, 75, false)), len(encode(t, m, 75, true))
			t.Logf("q75 %s: image/jpeg %d, ours baseline %d (%+.1f%%), progressive %d (%+.1f%%)", c.name,
				std, base, 100*float64(base-std)/float64(std), prog, 100*float64(prog-std)/float64(std))
			// Same quantisation, so within 15%; optimised Huffman tables
			// save most on small images, hence a looser lower bound.
			for _, n := range []int{base, prog} {
				assert.LessOrEqual(t, float64(n), 1.15*float64(std))
				assert.GreaterOrEqual(t, float64(n), 0.70*float64(std))
			}
			// The savings are not bought with quality.
			var buf bytes.Buffer
			require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 75}))
			ps, po := psnr(m, decode(t, buf.Bytes())), psnr(m, decode(t, encode(t, m, 75, false)))
			t.Logf("q75 %s: PSNR image/jpeg %.2f dB, ours %.2f dB", c.name, ps, po)
			assert.InDelta(t, ps, po, 0.3)
		})
	}
}

// TestAlpha: colours are composited over black, as image/jpeg does.
func TestAlpha(t *testing.T) {
	t.Parallel()
	m := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for i := 0; i < len(m.Pix); i += 4 {
		copy(m.Pix[i:], []byte{200, 100, 50, 128})
	}
	d := decode(t, encode(t, m, 95, false))
	std := decode(t, func() []byte {
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}))
		return buf.Bytes()
	}())
	assert.LessOrEqual(t, maxDiff(d, std), 3)
	r, g, b, _ := d.At(16, 16).RGBA()
	assert.InDelta(t, 100, r>>8, 3)
	assert.InDelta(t, 50, g>>8, 3)
	assert.InDelta(t, 25, b>>8, 3)
}

// TestSubImages covers non-zero origins, odd ones included (these leave
// the 4:2:0 fast path), and the generic image.Image path.
func TestSubImages(t *testing.T) {
	t.Parallel()
	big := smoothYCbCr(100, 80, image.YCbCrSubsampleRatio420)
	gray := smoothGray(100, 80)
	rgba := smoothRGBA(100, 80)
	pal := image.NewPaletted(image.Rect(0, 0, 40, 30), []color.Color{color.Black, color.White, color.RGBA{255, 0, 0, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 40 / 14) // vertical bands
	}
	for _, r := range []image.Rectangle{image.Rect(10, 20, 60, 50), image.Rect(11, 21, 60, 50), image.Rect(3, 4, 99, 79)} {
		for name, m := range map[string]image.Image{
			"ycbcr": big.SubImage(r), "gray": gray.SubImage(r), "rgba": rgba.SubImage(r), "paletted": pal,
		} {
			for _, prog := range []bool{false, true} {
				d := decode(t, encode(t, m, 95, prog))
				require.Equal(t, m.Bounds().Size(), d.Bounds().Size())
				p := psnr(m, d)
				assert.Greater(t, p, 30.0, "%s %v prog=%v", name, r, prog)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	assert.Error(t, Encode(&buf, image.NewGray(image.Rect(0, 0, 0, 5)), nil))
	assert.Error(t, Encode(&buf, image.NewGray(image.Rect(0, 0, 70000, 1)), nil))
	assert.Error(t, Encode(errWriter{}, image.NewGray(image.Rect(0, 0, 5, 5)), nil))
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("write failed") }

// detailed444 is a 4:4:4 image whose chroma changes from pixel to pixel
// (what 4:2:0 loses), over smooth luma, kept inside the RGB gamut.
func detailed444(w, h int) *image.YCbCr {
	m := smoothYCbCr(w, h, image.YCbCrSubsampleRatio444)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.Cb {
		m.Y[i] = 64 + m.Y[i]/2
		m.Cb[i] = uint8(108 + rng.IntN(40))
		m.Cr[i] = uint8(108 + rng.IntN(40))
	}
	return m
}

// TestLumaShift: moving the chroma averaging error into luma gives decoded
// colours closer to the source than plain 4:2:0 averaging does. The
// baseline is the same picture with each 2x2 block's chroma averaged
// beforehand, where there is nothing to shift.
func TestLumaShift(t *testing.T) {
	t.Parallel()
	m := detailed444(96, 64)
	flat := image.NewYCbCr(m.Rect, image.YCbCrSubsampleRatio444)
	copy(flat.Y, m.Y)
	for y := 0; y < 64; y += 2 {
		for x := 0; x < 96; x += 2 {
			var cb, cr int
			for k := range 4 {
				o := m.COffset(x+k&1, y+k>>1)
				cb += int(m.Cb[o])
				cr += int(m.Cr[o])
			}
			for k := range 4 {
				o := flat.COffset(x+k&1, y+k>>1)
				flat.Cb[o], flat.Cr[o] = uint8((cb+2)/4), uint8((cr+2)/4)
			}
		}
	}
	shifted := psnr(m, decode(t, encode(t, m, 100, false)))
	plain := psnr(m, decode(t, encode(t, flat, 100, false)))
	t.Logf("4:4:4 source coded as 4:2:0 at q100: %.2f dB with the luma shift, %.2f dB without", shifted, plain)
	assert.Greater(t, shifted, plain+0.3)

	// The RGB path: planes against plain luma with the same chroma.
	rgba := image.NewRGBA(m.Rect)
	draw.Draw(rgba, m.Rect, m, image.Point{}, draw.Src)
	ps := planes(rgba)
	plainY := newPlane(96, 64)
	for y := range 64 {
		lumaRow(plainY.pix[y*96:(y+1)*96], rgba.Pix[y*rgba.Stride:])
	}
	withShift := toYCbCr420(ps[0], ps[1], ps[2])
	without := toYCbCr420(plainY, ps[1], ps[2])
	assert.Greater(t, psnr(rgba, withShift), psnr(rgba, without)+0.3)
}

// toYCbCr420 wraps coded planes as an image for comparing colours.
func toYCbCr420(y, cb, cr plane) *image.YCbCr {
	return &image.YCbCr{Y: y.pix, Cb: cb.pix, Cr: cr.pix, YStride: y.stride, CStride: cb.stride,
		SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, y.w, y.h)}
}
