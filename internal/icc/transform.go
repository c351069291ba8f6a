package icc

import (
	"math"
	"sync"
)

// Fixed-point formats of the transform.
const (
	linBits = 16 // linear light: 1.0 is 1<<linBits
	// coefBits is the precision of the matrix coefficients: 1.0 is
	// 1<<coefBits. Wide-gamut to sRGB matrices cancel large terms in
	// dark outputs (Display P3 (255, 207, 72) gives linear blue 0.0024
	// from terms near 1), so each coefficient needs an error well under
	// 1e-5: at 12 bits that blue came out 0.4 of a level off.
	coefBits = 16
	// encBits is the resolution of the linear-to-sRGB table: 1<<encBits
	// steps over [0, 1]. At 14 bits one step moves the steepest part of
	// the sRGB curve (12.92 x 255 levels per unit, near black) by 0.2 of
	// a level.
	encBits = 14
	accBits = linBits + coefBits // a matrix product: 1.0 is 1<<accBits

	// maxRowSum bounds the sum of a matrix row's absolute coefficients.
	// Products are int64, so this is not about overflow but about
	// rejecting colorants no real colour space has: ProPhoto RGB to sRGB
	// sums to 3.1.
	maxRowSum = 16
)

// srgbD50 holds the colorants of sRGB adapted to the D50 PCS with the
// Bradford transform, as in the standard sRGB profiles: columns r, g, b,
// rows X, Y, Z.
var srgbD50 = [3][3]float64{
	{0.4360747, 0.3850649, 0.1430804},
	{0.2225045, 0.7168786, 0.0606169},
	{0.0139322, 0.0971045, 0.7141733},
}

// Transform converts 8-bit pixels encoded for one profile to sRGB. It is
// immutable and safe for concurrent use.
type Transform struct {
	lin      [3][256]int64 // encoded 8-bit value -> linear, per channel
	m        [3][3]int64   // profile linear RGB -> sRGB linear RGB
	enc      *[1<<encBits + 1]uint8
	identity bool
}

// ToSRGB builds the transform from the profile's colour space to sRGB. It
// returns an UnsupportedError unless p.MatrixTRC(). Colours outside the
// sRGB gamut are clipped channel by channel (relative colorimetric
// intent, no black-point compensation, as browsers do).
//
// Building costs 768 curve evaluations and one 3x3 product, a few
// microseconds; the sRGB encoding table is built once per process.
func (p *Profile) ToSRGB() (*Transform, error) {
	if p.unsupported != "" {
		return nil, UnsupportedError(p.unsupported)
	}
	m := mul3(inv3(srgbD50), p.colorants)
	t := &Transform{enc: srgbEncodeTable()}
	for row := range 3 {
		sum := 0.0
		for col := range 3 {
			sum += math.Abs(m[row][col])
			t.m[row][col] = int64(math.Round(m[row][col] * (1 << coefBits)))
		}
		if !(sum <= maxRowSum) { // also catches NaN
			return nil, UnsupportedError("colorants too far from any real colour space")
		}
	}
	for ch := range 3 {
		for v := range 256 {
			t.lin[ch][v] = int64(math.Round(p.curves[ch].eval(float64(v)/255) * (1 << linBits)))
		}
	}
	t.identity = nearIdentity(m) && p.curvesNearSRGB()
	return t, nil
}

// IsIdentity reports whether the profile is sRGB within rounding: every
// matrix row differs from the identity by at most 0.004 in total (under
// half a level at white), and every curve, re-encoded with the sRGB curve,
// returns each of the 256 inputs within one level. The caller may then
// skip Apply.
func (t *Transform) IsIdentity() bool { return t.identity }

func nearIdentity(m [3][3]float64) bool {
	for row := range 3 {
		sum := 0.0
		for col := range 3 {
			want := 0.0
			if row == col {
				want = 1
			}
			sum += math.Abs(m[row][col] - want)
		}
		if sum > 0.004 {
			return false
		}
	}
	return true
}

func (p *Profile) curvesNearSRGB() bool {
	for ch := range 3 {
		for v := range 256 {
			got := 255 * srgbEncode(p.curves[ch].eval(float64(v)/255))
			if math.Abs(got-float64(v)) > 1 {
				return false
			}
		}
	}
	return true
}

// srgbEncode is the sRGB transfer function (IEC 61966-2-1), linear to
// encoded, on [0, 1].
func srgbEncode(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// srgbEncodeTable maps linear light, 1<<encBits steps over [0, 1], to
// 8-bit sRGB. Entry i holds the value at the middle of step i, so a
// truncated index errs by at most half a step. Built on first use and
// never written afterwards.
var srgbEncodeTable = sync.OnceValue(func() *[1<<encBits + 1]uint8 {
	var t [1<<encBits + 1]uint8
	for i := range 1 << encBits {
		t[i] = uint8(math.Round(255 * srgbEncode((float64(i)+0.5)/(1<<encBits))))
	}
	t[1<<encBits] = 255
	return &t
})

func mul3(a, b [3][3]float64) [3][3]float64 {
	var c [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

// inv3 inverts a 3x3 matrix by cofactors. The only matrix inverted is the
// constant srgbD50, which is well conditioned.
func inv3(a [3][3]float64) [3][3]float64 {
	var c [3][3]float64
	for i := range 3 {
		for j := range 3 {
			// cofactor of a[j][i], transposed
			r0, r1 := (j+1)%3, (j+2)%3
			c0, c1 := (i+1)%3, (i+2)%3
			c[i][j] = a[r0][c0]*a[r1][c1] - a[r0][c1]*a[r1][c0]
		}
	}
	det := a[0][0]*c[0][0] + a[0][1]*c[1][0] + a[0][2]*c[2][0]
	for i := range 3 {
		for j := range 3 {
			c[i][j] /= det
		}
	}
	return c
}
