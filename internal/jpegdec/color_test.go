package jpegdec

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tolerances of converted (CMYK, YCCK, RGB) decodes, per RGB channel.
const (
	// Against image/jpeg + color.CMYKModel at scale 1: mean absolute
	// difference (both decoders' IDCTs round differently, and the K
	// product and the YCbCr equations pass that on).
	tolConvMean = 0.5
	tolConvMax  = 6
	// Against the colours computed in float64 from the encoder's input
	// planes (q=1 files; see srcRGB), at every scale.
	tolSrcMean = 1.0
	tolSrcMax  = 8
	// At scales 2 and 4 the scaled IDCT is not a box filter (see
	// corpusMean); the synthetic picture's noise and edges show it.
	tolSrcMeanScaled = 3.0
	tolSrcMaxScaled  = 32
)

// kind is how the test planes are to be interpreted.
type kind int

const (
	kCMYKAdobe kind = iota // Adobe transform 0: inverted CMYK
	kCMYKPlain             // no Adobe marker: plain CMYK
	kYCCK                  // Adobe transform 2
	kRGBAdobe              // 3 components, Adobe transform 0
	kRGBIDs                // 3 components with ids 'R', 'G', 'B'
	kYCbCr                 // JFIF YCbCr (sampled unlike image.YCbCr's ratios)
)

// convPlanes returns the stored planes for kind k of a w x h picture.
func convPlanes(k kind, w, h int) [][]byte {
	src := synthImage(w, h, 11)
	n := 4
	if k == kRGBAdobe || k == kRGBIDs || k == kYCbCr {
		n = 3
	}
	ps := make([][]byte, n)
	for i := range ps {
		ps[i] = make([]byte, w*h)
	}
	for y := range h {
		for x := range w {
			p := src.Pix[src.PixOffset(x, y):]
			r, g, b := p[0], p[1], p[2]
			a, bb, c := r, g, b
			if k == kYCCK || k == kYCbCr {
				a, bb, c = color.RGBToYCbCr(r, g, b)
			}
			ps[0][y*w+x], ps[1][y*w+x], ps[2][y*w+x] = a, bb, c
			if n == 4 {
				ps[3][y*w+x] = byte(255 - (int(r)+x*2+y)%160)
			}
		}
	}
	return ps
}

// convEncode writes planes ps as a JPEG of kind k with sampling factors
// hv (0xHV per component).
func convEncode(k kind, w, h int, ps [][]byte, hv []byte, q int, progressive, separate bool) []byte {
	s := encSpec{w: w, h: h, adobe: -1, q: q, progressive: progressive, separate: separate}
	switch k {
	case kCMYKAdobe, kRGBAdobe:
		s.adobe = 0
	case kYCCK:
		s.adobe = 2
	}
	for i, p := range ps {
		id := byte(i + 1)
		if k == kRGBIDs {
			id = "RGB"[i]
		}
		s.comps = append(s.comps, encComp{id: id, h: int(hv[i] >> 4), v: int(hv[i] & 15), pix: p})
	}
	return testEncode(s)
}

// srcRGB computes in float64 the colours a browser shows for the planes
// ps (full size w x h) decoded at 1/s: every component sample is the
// mean of the input over its block (sampling factor times s, aligned to
// the component's grid), replicated over the output pixels it covers,
// then converted by kind k. It returns the output planes and the output
// size over which all blocks lie inside the image.
func srcRGB(k kind, w, h int, ps [][]byte, hv []byte, s int) (out [3][]byte, iw, ih int) {
	hmax, vmax := 1, 1
	for _, f := range hv {
		hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&15))
	}
	ow, oh := ceilDiv(w, s), ceilDiv(h, s)
	iw, ih = w/(s*hmax)*hmax, h/(s*vmax)*vmax
	sub := make([][]float64, len(ps))
	for i, p := range ps {
		fh, fv := hmax/int(hv[i]>>4), vmax/int(hv[i]&15)
		sub[i] = make([]float64, ow*oh)
		for y := range oh {
			for x := range ow {
				x0, y0 := x/fh*fh*s, y/fv*fv*s
				sum, n := 0.0, 0.0
				for yy := y0; yy < min(y0+fv*s, h); yy++ {
					for xx := x0; xx < min(x0+fh*s, w); xx++ {
						sum += float64(p[yy*w+xx])
						n++
					}
				}
				sub[i][y*ow+x] = sum / n
			}
		}
	}
	for c := range out {
		out[c] = make([]byte, ow*oh)
	}
	clamp := func(v float64) float64 { return math.Max(0, math.Min(255, v)) }
	for i := range ow * oh {
		var rgb [3]float64
		switch k {
		case kRGBAdobe, kRGBIDs:
			rgb = [3]float64{sub[0][i], sub[1][i], sub[2][i]}
		case kCMYKAdobe:
			for c := range 3 {
				rgb[c] = sub[c][i] * sub[3][i] / 255
			}
		case kCMYKPlain:
			for c := range 3 {
				rgb[c] = (255 - sub[c][i]) * (255 - sub[3][i]) / 255
			}
		case kYCbCr:
			yy, cb, cr := sub[0][i], sub[1][i]-128, sub[2][i]-128
			rgb = [3]float64{yy + 1.402*cr, yy - 0.344136*cb - 0.714136*cr, yy + 1.772*cb}
		case kYCCK:
			yy, cb, cr := sub[0][i], sub[1][i]-128, sub[2][i]-128
			rgb = [3]float64{clamp(yy + 1.402*cr), clamp(yy - 0.344136*cb - 0.714136*cr), clamp(yy + 1.772*cb)}
			for c := range 3 { // YCbCr of 255 - stored CMY, see ycckRow
				rgb[c] = (255 - rgb[c]) * sub[3][i] / 255
			}
		}
		for c := range 3 {
			out[c][i] = byte(math.Round(clamp(rgb[c])))
		}
	}
	return out, iw, ih
}

// cmpRGB returns the largest per-channel mean and max differences of
// got and want (both ow pixels wide) over the top-left iw x ih pixels.
func cmpRGB(got, want [3][]byte, ow, iw, ih int) (float64, int) {
	mean, maxd := 0.0, 0
	for c := range 3 {
		sum := 0
		for y := range ih {
			for x := range iw {
				d := int(got[c][y*ow+x]) - int(want[c][y*ow+x])
				d = max(d, -d)
				sum += d
				maxd = max(maxd, d)
			}
		}
		mean = max(mean, float64(sum)/float64(max(iw*ih, 1)))
	}
	return mean, maxd
}

// goRGB decodes data with image/jpeg (which returns *image.CMYK for
// Adobe 4-component files) and converts it to RGB planes with
// color.CMYKModel's conversion; ok is false if image/jpeg fails.
func goRGB(data []byte) ([3][]byte, bool) {
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return [3][]byte{}, false
	}
	b := m.Bounds()
	var out [3][]byte
	for c := range out {
		out[c] = make([]byte, b.Dx()*b.Dy())
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			i := y*b.Dx() + x
			px := m.At(x, y)
			r, g, bb, _ := px.RGBA()
			out[0][i], out[1][i], out[2][i] = byte(r>>8), byte(g>>8), byte(bb>>8)
		}
	}
	return out, true
}

// rgbaPlanes splits an opaque *image.RGBA into R, G, B planes, checking
// that alpha is 255 everywhere.
func rgbaPlanes(t *testing.T, m image.Image) [3][]byte {
	t.Helper()
	rgba, ok := m.(*image.RGBA)
	require.True(t, ok, "got %T, want *image.RGBA", m)
	w, h := rgba.Rect.Dx(), rgba.Rect.Dy()
	var out [3][]byte
	for c := range out {
		out[c] = make([]byte, w*h)
	}
	for y := range h {
		for x := range w {
			p := rgba.Pix[y*rgba.Stride+4*x:]
			out[0][y*w+x], out[1][y*w+x], out[2][y*w+x] = p[0], p[1], p[2]
			if p[3] != 255 {
				require.Equal(t, uint8(255), p[3], "alpha at %d,%d", x, y)
			}
		}
	}
	return out
}

func TestDecodeConverted(t *testing.T) {
	t.Parallel()
	const w, h = 61, 45 // not multiples of any MCU size
	tests := []struct {
		kind           kind
		hv             []byte
		prog, separate bool
		wantCS         ColorSpace
		goDecodes      bool // image/jpeg supports the sampling
		name           string
	}{
		{kCMYKAdobe, []byte{0x11, 0x11, 0x11, 0x11}, false, false, ColorCMYK, true, "cmyk444"},
		{kCMYKAdobe, []byte{0x22, 0x11, 0x11, 0x22}, false, false, ColorCMYK, true, "cmyk420"},
		{kCMYKAdobe, []byte{0x22, 0x11, 0x11, 0x22}, true, false, ColorCMYK, true, "cmyk420 progressive"},
		{kCMYKAdobe, []byte{0x11, 0x11, 0x11, 0x11}, false, true, ColorCMYK, true, "cmyk444 non-interleaved"},
		{kCMYKAdobe, []byte{0x22, 0x11, 0x11, 0x22}, false, true, ColorCMYK, true, "cmyk420 non-interleaved"},
		// image/jpeg rejects 4 components without an Adobe marker.
		{kCMYKPlain, []byte{0x11, 0x11, 0x11, 0x11}, false, false, ColorCMYK, false, "plain cmyk444"},
		{kCMYKPlain, []byte{0x11, 0x11, 0x11, 0x11}, true, false, ColorCMYK, false, "plain cmyk444 progressive"},
		{kYCCK, []byte{0x11, 0x11, 0x11, 0x11}, false, false, ColorYCCK, true, "ycck444"},
		{kYCCK, []byte{0x22, 0x11, 0x11, 0x22}, false, false, ColorYCCK, true, "ycck420"},
		{kYCCK, []byte{0x22, 0x11, 0x11, 0x22}, true, false, ColorYCCK, true, "ycck420 progressive"},
		{kYCCK, []byte{0x11, 0x11, 0x11, 0x11}, true, false, ColorYCCK, true, "ycck444 progressive"},
		{kRGBAdobe, []byte{0x11, 0x11, 0x11}, false, false, ColorRGB, true, "rgb adobe"},
		{kRGBIDs, []byte{0x11, 0x11, 0x11}, true, false, ColorRGB, true, "rgb ids progressive"},
		// Sampling image/jpeg rejects: checked against the input only.
		{kCMYKAdobe, []byte{0x12, 0x21, 0x11, 0x22}, false, false, ColorCMYK, false, "cmyk mixed"},
		{kYCCK, []byte{0x21, 0x11, 0x11, 0x21}, true, false, ColorYCCK, false, "ycck422 progressive"},
		{kCMYKPlain, []byte{0x22, 0x11, 0x11, 0x11}, false, true, ColorCMYK, false, "plain cmyk k subsampled non-interleaved"},
		{kRGBIDs, []byte{0x22, 0x12, 0x21}, false, false, ColorRGB, false, "rgb mixed"},
		// YCbCr sampled unlike image.YCbCr's six ratios (cjpeg -sample
		// 3x1, 2x2,1x1,2x2 ...): converted, where image/jpeg refuses them.
		{kYCbCr, []byte{0x31, 0x11, 0x11}, false, false, ColorYCbCr, false, "ycbcr 3x1"},
		{kYCbCr, []byte{0x31, 0x11, 0x11}, true, false, ColorYCbCr, false, "ycbcr 3x1 progressive"},
		{kYCbCr, []byte{0x13, 0x11, 0x11}, false, true, ColorYCbCr, false, "ycbcr 1x3 non-interleaved"},
		{kYCbCr, []byte{0x22, 0x11, 0x22}, false, false, ColorYCbCr, false, "ycbcr chroma unlike"},
		{kYCbCr, []byte{0x22, 0x21, 0x12}, true, false, ColorYCbCr, false, "ycbcr chroma unlike progressive"},
		{kYCbCr, []byte{0x11, 0x22, 0x22}, false, false, ColorYCbCr, false, "ycbcr luma subsampled"},
		{kYCbCr, []byte{0x41, 0x21, 0x11}, false, false, ColorYCbCr, false, "ycbcr 4x1 with 2x1 and 1x1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := convPlanes(tt.kind, w, h)
			data := convEncode(tt.kind, w, h, ps, tt.hv, 1, tt.prog, tt.separate)
			cfg, err := DecodeConfig(data)
			require.NoError(t, err)
			assert.Equal(t, tt.wantCS, cfg.ColorSpace)
			assert.True(t, cfg.Supported)
			assert.True(t, cfg.RGBA)
			assert.Equal(t, tt.prog, cfg.Progressive)

			ref, goOK := goRGB(data)
			require.Equal(t, tt.goDecodes, goOK, "image/jpeg support")
			for _, s := range []int{1, 2, 4, 8} {
				m, err := Decode(data, s, nil)
				require.NoError(t, err)
				ow := ceilDiv(w, s)
				require.Equal(t, image.Rect(0, 0, ow, ceilDiv(h, s)), m.Bounds())
				got := rgbaPlanes(t, m)
				want, iw, ih := srcRGB(tt.kind, w, h, ps, tt.hv, s)
				mean, maxd := cmpRGB(got, want, ow, iw, ih)
				t.Logf("scale %d vs input: mean %.3f max %d", s, mean, maxd)
				if s == 2 || s == 4 {
					assert.Less(t, mean, tolSrcMeanScaled, "scale %d vs input", s)
					assert.LessOrEqual(t, maxd, tolSrcMaxScaled, "scale %d vs input", s)
				} else {
					assert.Less(t, mean, tolSrcMean, "scale %d vs input", s)
					assert.LessOrEqual(t, maxd, tolSrcMax, "scale %d vs input", s)
				}
				if s == 1 && goOK {
					mean, maxd = cmpRGB(got, ref, w, w, h)
					t.Logf("vs image/jpeg: mean %.3f max %d", mean, maxd)
					assert.Less(t, mean, tolConvMean, "vs image/jpeg")
					assert.LessOrEqual(t, maxd, tolConvMax, "vs image/jpeg")
				}
			}
		})
	}
}

// TestConvertFormulas checks the per-pixel conversions on their corners.
func TestConvertFormulas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(dst, a, b, c, k []byte)
		in   [4]byte
		want [3]byte
	}{
		{"inverted white", cmykInvertedRow, [4]byte{255, 255, 255, 255}, [3]byte{255, 255, 255}},
		{"inverted black", cmykInvertedRow, [4]byte{255, 255, 255, 0}, [3]byte{0, 0, 0}},
		{"inverted cyan", cmykInvertedRow, [4]byte{0, 255, 255, 255}, [3]byte{0, 255, 255}},
		{"inverted half", cmykInvertedRow, [4]byte{128, 64, 255, 128}, [3]byte{64, 32, 128}},
		{"plain white", cmykRow, [4]byte{0, 0, 0, 0}, [3]byte{255, 255, 255}},
		{"plain black", cmykRow, [4]byte{0, 0, 0, 255}, [3]byte{0, 0, 0}},
		{"plain magenta", cmykRow, [4]byte{0, 255, 0, 0}, [3]byte{255, 0, 255}},
		{"ycck grey", ycckRow, [4]byte{200, 128, 128, 255}, [3]byte{55, 55, 55}},
		{"ycck white", ycckRow, [4]byte{0, 128, 128, 255}, [3]byte{255, 255, 255}},
		{"ycck grey, half K", ycckRow, [4]byte{128, 128, 128, 128}, [3]byte{64, 64, 64}},
		{"ycck black K", ycckRow, [4]byte{0, 128, 128, 0}, [3]byte{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := make([]byte, 4)
			tt.fn(dst, tt.in[:1], tt.in[1:2], tt.in[2:3], tt.in[3:])
			assert.Equal(t, tt.want[:], dst[:3])
			assert.Equal(t, byte(255), dst[3])
		})
	}
	for a := range 256 {
		for b := range 256 {
			require.Equal(t, uint8(math.Round(float64(a*b)/255)), mul255(uint32(a), uint32(b)), "%d*%d", a, b)
		}
	}
}

// checkConverted decodes a CMYK, YCCK or RGB file at every scale and, if
// image/jpeg can decode it, compares scale 1 with it.
func checkConverted(t *testing.T, data []byte) {
	t.Helper()
	cfg, err := DecodeConfig(data)
	require.NoError(t, err)
	require.True(t, cfg.Supported)
	ref, goOK := goRGB(data)
	for _, s := range []int{1, 2, 4, 8} {
		m, err := Decode(data, s, nil)
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, ceilDiv(cfg.Width, s), ceilDiv(cfg.Height, s)), m.Bounds())
		got := rgbaPlanes(t, m)
		if s == 1 && goOK {
			mean, maxd := cmpRGB(got, ref, cfg.Width, cfg.Width, cfg.Height)
			t.Logf("vs image/jpeg: mean %.3f max %d", mean, maxd)
			assert.Less(t, mean, tolConvMean, "vs image/jpeg")
			assert.LessOrEqual(t, maxd, tolConvMax, "vs image/jpeg")
		}
	}
}
