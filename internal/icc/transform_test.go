package icc

import (
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bradfordSRGBD50 derives sRGB's D50 colorants from its primaries and D65
// white (IEC 61966-2-1) with the Bradford transform, independently of the
// table in transform.go.
func bradfordSRGBD50() [3][3]float64 {
	xy := [3][2]float64{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}}
	var prim [3][3]float64 // columns: XYZ of each primary with Y = 1
	for i, p := range xy {
		prim[0][i], prim[1][i], prim[2][i] = p[0]/p[1], 1, (1-p[0]-p[1])/p[1]
	}
	d65 := [3]float64{0.3127 / 0.3290, 1, (1 - 0.3127 - 0.3290) / 0.3290}
	// CIE D50 to five digits; the ICC PCS illuminant rounds it to
	// (0.9642, 1, 0.8249). The standard sRGB profiles' colorants sum to
	// the five-digit values.
	d50 := [3]float64{0.96422, 1, 0.82521}
	inv := inv3(prim)
	var scale [3]float64 // primary weights that sum to D65
	for i := range 3 {
		for k := range 3 {
			scale[i] += inv[i][k] * d65[k]
		}
	}
	var m [3][3]float64
	for r := range 3 {
		for c := range 3 {
			m[r][c] = prim[r][c] * scale[c]
		}
	}
	brad := [3][3]float64{{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}
	apply := func(a [3][3]float64, v [3]float64) (o [3]float64) {
		for i := range 3 {
			for k := range 3 {
				o[i] += a[i][k] * v[k]
			}
		}
		return o
	}
	src, dst := apply(brad, d65), apply(brad, d50)
	var diag [3][3]float64
	for i := range 3 {
		diag[i][i] = dst[i] / src[i]
	}
	adapt := mul3(inv3(brad), mul3(diag, brad))
	return mul3(adapt, m)
}

func TestSRGBColorants(t *testing.T) {
	t.Parallel()
	got := bradfordSRGBD50()
	for r := range 3 {
		for c := range 3 {
			assert.InDelta(t, srgbD50[r][c], got[r][c], 5e-5, "row %d col %d", r, c)
		}
	}
	b, err := os.ReadFile("/usr/share/color/icc/ghostscript/srgb.icc")
	if err != nil {
		t.Logf("no system sRGB profile to compare with: %v", err)
		return
	}
	p := mustParse(t, b)
	for r := range 3 {
		for c := range 3 {
			assert.InDelta(t, srgbD50[r][c], p.colorants[r][c], 2e-4, "srgb.icc row %d col %d", r, c)
		}
	}
}

func TestInv3(t *testing.T) {
	t.Parallel()
	for _, m := range [][3][3]float64{srgbD50, adobeColorants, p3Colorants} {
		id := mul3(inv3(m), m)
		for r := range 3 {
			for c := range 3 {
				want := 0.0
				if r == c {
					want = 1
				}
				assert.InDelta(t, want, id[r][c], 1e-12)
			}
		}
	}
}

func TestIsIdentity(t *testing.T) {
	t.Parallel()
	gamma22 := testProfile{colorants: srgbD50, trc: same3(curvGamma(2.2))}
	oneOff := srgbProfile()
	oneOff.colorants[0][0] += 0.01
	tests := []struct {
		name string
		tp   testProfile
		want bool
	}{
		{"sRGB para type 3", srgbProfile(), true},
		{"sRGB 1024-entry table", srgbTableProfile(), true},
		{"sRGB 4096-entry table", testProfile{colorants: srgbD50, trc: same3(curvTable(srgbDecode, 4096))}, true},
		{"sRGB colorants, gamma 2.2", gamma22, false},
		{"sRGB curves, red X off by 0.01", oneOff, false},
		{"Adobe RGB", adobeProfile(), false},
		{"Display P3", p3Profile(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := mustParse(t, tt.tp.encode()).ToSRGB()
			require.NoError(t, err)
			assert.Equal(t, tt.want, tr.IsIdentity())
		})
	}
}

// reference converts one pixel exactly, in float64: decode with the ideal
// curve (not the profile's s15Fixed16 parameters), to XYZ with the
// profile's colorants, to linear sRGB with the inverse of the standard
// sRGB profile's colorants (TestSRGBColorants checks them against a
// Bradford derivation to 5e-5; in dark colours that come from cancelling
// terms, such as Display P3 (90, 195, 138), that much difference alone
// moves the output by 0.2 of a level), clip and encode.
type reference struct {
	lin    [256]float64
	toSRGB [3][3]float64
}

func newReference(decode func(float64) float64, colorants [3][3]float64) *reference {
	r := &reference{toSRGB: mul3(inv3(srgbD50), colorants)}
	for v := range r.lin {
		r.lin[v] = decode(float64(v) / 255)
	}
	return r
}

func (r *reference) convert(in [3]uint8) (out [3]float64) {
	for i := range 3 {
		v := 0.0
		for k := range 3 {
			v += r.toSRGB[i][k] * r.lin[in[k]]
		}
		out[i] = 255 * srgbEncode(min(max(v, 0), 1))
	}
	return out
}

// accuracy compares t.pixel with the reference over every input whose
// channels are multiples of step, and over every input whose channels are
// all below 16 (the darks, where the encoding is steepest).
func accuracy(tr *Transform, ref *reference, step int) (maxErr, meanErr float64, n int, worst [3]uint8, maxLevels int) {
	var sum float64
	check := func(r, g, b int) {
		want := ref.convert([3]uint8{uint8(r), uint8(g), uint8(b)})
		R, G, B := tr.pixel(uint8(r), uint8(g), uint8(b))
		for i, got := range [3]uint8{R, G, B} {
			d := math.Abs(float64(got) - want[i])
			sum += d
			maxLevels = max(maxLevels, int(math.Abs(float64(got)-math.Round(want[i]))))
			if d > maxErr {
				maxErr, worst = d, [3]uint8{uint8(r), uint8(g), uint8(b)}
			}
		}
		n++
	}
	for r := 0; r < 256; r += step {
		for g := 0; g < 256; g += step {
			for b := 0; b < 256; b += step {
				check(r, g, b)
			}
		}
	}
	for r := range 16 {
		for g := range 16 {
			for b := range 16 {
				check(r, g, b)
			}
		}
	}
	return maxErr, sum / float64(3*n), n, worst, maxLevels
}

func TestAccuracy(t *testing.T) {
	t.Parallel()
	step := 5 // 52^3 inputs, plus the darks; ICC_EXHAUSTIVE=1 for all 2^24
	if os.Getenv("ICC_EXHAUSTIVE") != "" {
		step = 1
	}
	tests := []struct {
		name   string
		tp     testProfile
		decode func(float64) float64
	}{
		{"Adobe RGB (1998)", adobeProfile(), adobeDecode},
		{"Display P3", p3Profile(), srgbDecode},
		{"sRGB", srgbProfile(), srgbDecode},
		{"Adobe RGB, 1024-entry table", testProfile{colorants: adobeColorants, trc: same3(curvTable(adobeDecode, 1024))}, adobeDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := mustParse(t, tt.tp.encode()).ToSRGB()
			require.NoError(t, err)
			maxErr, meanErr, n, worst, levels := accuracy(tr, newReference(tt.decode, tt.tp.colorants), step)
			t.Logf("%s, %d inputs: max error %.3f levels (at %v), mean %.4f; max %d level(s) from the rounded exact value",
				tt.name, n, maxErr, worst, meanErr, levels)
			assert.LessOrEqual(t, levels, 1)
			// Against the unrounded exact value: half a level of output
			// rounding plus the fixed-point error.
			assert.Less(t, maxErr, 1.0)
		})
	}
}

func TestKnownColours(t *testing.T) {
	t.Parallel()
	adobe, err := mustParse(t, adobeProfile().encode()).ToSRGB()
	require.NoError(t, err)
	p3, err := mustParse(t, p3Profile().encode()).ToSRGB()
	require.NoError(t, err)
	tests := []struct {
		name string
		tr   *Transform
		in   [3]uint8
		want [3]uint8
		tol  int
	}{
		{"Adobe white", adobe, [3]uint8{255, 255, 255}, [3]uint8{255, 255, 255}, 0},
		{"Adobe black", adobe, [3]uint8{0, 0, 0}, [3]uint8{0, 0, 0}, 0},
		// (128/255)^2.19921875 = 0.2197 linear, 129.0 in sRGB.
		{"Adobe grey 128 is neutral", adobe, [3]uint8{128, 128, 128}, [3]uint8{129, 129, 129}, 1},
		// Linear sRGB (-0.40, 1, -0.04): red and blue clip to 0.
		{"Adobe green clips", adobe, [3]uint8{0, 255, 0}, [3]uint8{0, 255, 0}, 0},
		{"Adobe red", adobe, [3]uint8{255, 0, 0}, [3]uint8{255, 0, 0}, 0},
		{"P3 white", p3, [3]uint8{255, 255, 255}, [3]uint8{255, 255, 255}, 0},
		{"P3 grey 128 unchanged", p3, [3]uint8{128, 128, 128}, [3]uint8{128, 128, 128}, 1},
		// Linear sRGB (1.22, -0.04, -0.02).
		{"P3 red clips", p3, [3]uint8{255, 0, 0}, [3]uint8{255, 0, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, g, b := tt.tr.pixel(tt.in[0], tt.in[1], tt.in[2])
			for i, got := range [3]uint8{r, g, b} {
				assert.InDelta(t, int(tt.want[i]), int(got), float64(tt.tol), "channel %d: got %v", i, [3]uint8{r, g, b})
			}
			if tt.in[0] == tt.in[1] && tt.in[1] == tt.in[2] {
				assert.InDelta(t, int(r), int(g), 1, "neutral in, neutral out")
				assert.InDelta(t, int(g), int(b), 1, "neutral in, neutral out")
			}
		})
	}
}

func TestAdobeGreenIsOutOfGamut(t *testing.T) {
	t.Parallel()
	ref := newReference(adobeDecode, adobeColorants)
	m := ref.toSRGB
	assert.Less(t, m[0][1], -0.3, "linear sRGB red of Adobe green")
	assert.Less(t, m[2][1], 0.0, "linear sRGB blue of Adobe green")
}

func TestToSRGBRejectsAbsurdColorants(t *testing.T) {
	t.Parallel()
	tp := testProfile{colorants: [3][3]float64{{30000, 0, 0}, {0, 1, 0}, {0, 0, 1}}, trc: same3(curvGamma(2.2))}
	_, err := mustParse(t, tp.encode()).ToSRGB()
	var ue UnsupportedError
	require.ErrorAs(t, err, &ue)
}
