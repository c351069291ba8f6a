package icc

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                       string
		tp                         testProfile
		version, class, space, pcs string
		matrixTRC                  bool
	}{
		{"srgb v2", srgbProfile(), "2.1", "mntr", "RGB ", "XYZ ", true},
		{"p3 v4", p3Profile(), "4.1", "mntr", "RGB ", "XYZ ", true},
		{"input class", testProfile{class: "scnr", colorants: adobeColorants, trc: same3(curvGamma(2.2))}, "2.1", "scnr", "RGB ", "XYZ ", true},
		{"display with A2B0 keeps matrix/TRC", testProfile{colorants: adobeColorants, trc: same3(curvGamma(2.2)),
			extra: []testTag{{"A2B0", []byte("mft2\x00\x00\x00\x00")}}}, "2.1", "mntr", "RGB ", "XYZ ", true},
		{"input with A2B0", testProfile{class: "scnr", colorants: adobeColorants, trc: same3(curvGamma(2.2)),
			extra: []testTag{{"A2B0", []byte("mft2\x00\x00\x00\x00")}}}, "2.1", "scnr", "RGB ", "XYZ ", false},
		{"printer", testProfile{class: "prtr", colorants: adobeColorants, trc: same3(curvGamma(2.2))}, "2.1", "prtr", "RGB ", "XYZ ", false},
		{"cmyk", testProfile{space: "CMYK", noMatrix: true}, "2.1", "mntr", "CMYK", "XYZ ", false},
		{"gray", testProfile{space: "GRAY", noMatrix: true, trc: [3][]byte{curvGamma(2.2)}}, "2.1", "mntr", "GRAY", "XYZ ", false},
		{"lab pcs", testProfile{pcs: "Lab ", colorants: adobeColorants, trc: same3(curvGamma(2.2))}, "2.1", "mntr", "RGB ", "Lab ", false},
		{"no colorants", testProfile{noMatrix: true, trc: same3(curvGamma(2.2))}, "2.1", "mntr", "RGB ", "XYZ ", false},
		{"no bTRC", testProfile{colorants: adobeColorants, trc: [3][]byte{curvGamma(2.2), curvGamma(2.2)}}, "2.1", "mntr", "RGB ", "XYZ ", false},
		{"sf32 curve", testProfile{colorants: adobeColorants, trc: same3([]byte("sf32\x00\x00\x00\x00\x00\x00\x00\x00"))}, "2.1", "mntr", "RGB ", "XYZ ", false},
		{"version 5", testProfile{major: 5, colorants: adobeColorants, trc: same3(curvGamma(2.2))}, "5.1", "mntr", "RGB ", "XYZ ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tt.tp.encode())
			require.NoError(t, err)
			assert.Equal(t, tt.version, p.Version)
			assert.Equal(t, tt.class, p.Class)
			assert.Equal(t, tt.space, p.ColorSpace)
			assert.Equal(t, tt.pcs, p.PCS)
			assert.Equal(t, tt.matrixTRC, p.MatrixTRC())
			tr, err := p.ToSRGB()
			if tt.matrixTRC {
				require.NoError(t, err)
				assert.NotNil(t, tr)
				return
			}
			var ue UnsupportedError
			assert.True(t, errors.As(err, &ue), "want UnsupportedError, got %v", err)
			assert.Nil(t, tr)
		})
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	good := adobeProfile().encode()
	be := binary.BigEndian
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	// The first tag after desc and wtpt is rXYZ: entry 2.
	entry := func(i int) int { return 132 + 12*i }
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", good[:128]},
		{"truncated", good[:len(good)-1]},
		{"size too small", edit(func(b []byte) []byte { be.PutUint32(b, 100); return b })},
		{"size too big", edit(func(b []byte) []byte { be.PutUint32(b, 1<<31); return b })},
		{"no acsp", edit(func(b []byte) []byte { copy(b[36:], "ACSP"); return b })},
		{"binary signature", edit(func(b []byte) []byte { b[16] = 0; return b })},
		{"huge tag count", edit(func(b []byte) []byte { be.PutUint32(b[128:], 0xffffffff); return b })},
		{"tag count past end", edit(func(b []byte) []byte { be.PutUint32(b[128:], MaxTags); return b })},
		{"offset past end", edit(func(b []byte) []byte { be.PutUint32(b[entry(2)+4:], uint32(len(b))); return b })},
		{"offset overflow", edit(func(b []byte) []byte { be.PutUint32(b[entry(2)+4:], 0xfffffff0); return b })},
		{"size overflow", edit(func(b []byte) []byte { be.PutUint32(b[entry(2)+8:], 0xfffffff0); return b })},
		{"xyz cut short", edit(func(b []byte) []byte { be.PutUint32(b[entry(2)+8:], 19); return b })},
		{"xyz wrong type", edit(func(b []byte) []byte { copy(b[be.Uint32(b[entry(2)+4:]):], "XYZZ"); return b })},
		{"curv count huge", testProfile{colorants: adobeColorants,
			trc: same3([]byte("curv\x00\x00\x00\x00\xff\xff\xff\xff\x00\x01"))}.encode()},
		{"curv cut short", testProfile{colorants: adobeColorants, trc: same3([]byte("curv\x00\x00\x00\x00"))}.encode()},
		{"para type 5", testProfile{colorants: adobeColorants, trc: same3(paraTag(5, 1, 1, 1, 1, 1, 1, 1))}.encode()},
		{"para cut short", testProfile{colorants: adobeColorants, trc: same3(paraTag(4, 2.4, 1, 0, 1))}.encode()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tt.data)
			var fe FormatError
			require.True(t, errors.As(err, &fe), "want FormatError, got %v", err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), "icc: invalid profile: ")
		})
	}
}

func TestCurveEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tag  []byte
		want func(x float64) float64
		tol  float64
	}{
		{"identity", curvTag(), func(x float64) float64 { return x }, 0},
		{"gamma 2.2", curvGamma(2.2), func(x float64) float64 { return math.Pow(x, 563.0/256) }, 1e-12},
		{"two-entry table", curvTag(0, 65535), func(x float64) float64 { return x }, 1e-12},
		{"decreasing table", curvTag(65535, 0), func(x float64) float64 { return 1 - x }, 1e-12},
		{"1024 table", curvTable(srgbDecode, 1024), srgbDecode, 2e-5},
		{"para 0", paraTag(0, 1.8), func(x float64) float64 { return math.Pow(x, 1.8) }, 1e-6},
		{"para 1", paraTag(1, 2, 2, -0.5), func(x float64) float64 { return min(math.Pow(max(2*x-0.5, 0), 2), 1) }, 1e-12},
		{"para 2", paraTag(2, 2, 1, -0.5, 0.25), func(x float64) float64 {
			if x < 0.5 {
				return 0.25
			}
			return math.Pow(x-0.5, 2) + 0.25
		}, 1e-12},
		{"para 3 (sRGB)", srgbPara(), srgbDecode, 2e-5},
		{"para 4", paraTag(4, 2, 0.5, 0.5, 0.5, 0.2, -0.25, 0.01), func(x float64) float64 {
			if x < 0.2 {
				return 0.5*x + 0.01
			}
			return math.Pow(0.5*x+0.5, 2) - 0.25
		}, 1e-5},
		{"para 3 negative base clamps", paraTag(3, 2.4, 1, -2, 0, 0), func(float64) float64 { return 0 }, 0},
		{"para 0 negative gamma clamps", paraTag(0, -1), func(x float64) float64 { return 1 }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := readCurve("rTRC", tt.tag)
			require.NoError(t, err)
			worst, at := 0.0, 0.0
			for i := 0; i <= 1000; i++ {
				x := float64(i) / 1000
				if d := math.Abs(tt.want(x) - c.eval(x)); d > worst {
					worst, at = d, x
				}
			}
			assert.LessOrEqual(t, worst, tt.tol, "worst at x=%v", at)
			assert.Equal(t, c.eval(0), c.eval(-1))
			assert.Equal(t, c.eval(1), c.eval(2))
		})
	}
}

// TestSystemProfiles parses the profiles Ghostscript installs, when they
// are there.
func TestSystemProfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		space     string
		matrixTRC bool
		identity  bool
	}{
		{"srgb.icc", "RGB ", true, true},
		{"default_rgb.icc", "RGB ", true, true},
		{"a98.icc", "RGB ", true, false},
		{"default_cmyk.icc", "CMYK", false, false},
		{"default_gray.icc", "GRAY", false, false},
		{"lab.icc", "Lab ", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile("/usr/share/color/icc/ghostscript/" + tt.file)
			if err != nil {
				t.Skipf("no system profile: %v", err)
			}
			p, err := Parse(b)
			require.NoError(t, err)
			assert.Equal(t, tt.space, p.ColorSpace)
			require.Equal(t, tt.matrixTRC, p.MatrixTRC())
			if !tt.matrixTRC {
				return
			}
			tr, err := p.ToSRGB()
			require.NoError(t, err)
			assert.Equal(t, tt.identity, tr.IsIdentity())
		})
	}
}
