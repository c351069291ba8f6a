package jpegdec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanScript writes scans in the syntax of cjpeg/jpegtran -scans.
func scanScript(scans []hostile.Scan) string {
	var b strings.Builder
	for _, s := range scans {
		comps := make([]string, len(s.Comps))
		for i, c := range s.Comps {
			comps[i] = fmt.Sprint(c)
		}
		fmt.Fprintf(&b, "%s: %d %d %d %d;\n", strings.Join(comps, ","), s.Ss, s.Se, s.Ah, s.Al)
	}
	return b.String()
}

// grayOnly keeps the scans of component 0 (scripts for grey files).
func grayOnly(scans []hostile.Scan) []hostile.Scan {
	var out []hostile.Scan
	for _, s := range scans {
		if s.Comps[0] == 0 {
			out = append(out, hostile.Scan{Comps: []int{0}, Ss: s.Ss, Se: s.Se, Ah: s.Ah, Al: s.Al})
		}
	}
	return out
}

// TestRealEncoders checks that the admission lets through what real
// encoders write: libjpeg-turbo's cjpeg (-progressive in colour, 4:4:4,
// grey and with restart markers; -scans with the mozjpeg-like script and
// the heavy successive-approximation script of the test data), jpegtran
// -progressive (with -optimize), ImageMagick -interlace Plane (YCbCr and
// CMYK). Each file decodes at every scale, exact and approximate, and the
// sequential ones (no conversion) match image/jpeg at full size; the log
// shows how much of the work bound each used. Skipped without the tools.
func TestRealEncoders(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"cjpeg", "jpegtran", "convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	color, grey := filepath.Join(dir, "c.ppm"), filepath.Join(dir, "g.pgm")
	require.NoError(t, os.WriteFile(color, pnm(synthImage(203, 157, 42), false), 0o644))
	require.NoError(t, os.WriteFile(grey, pnm(synthImage(203, 157, 43), true), 0o644))
	scripts := map[string]string{
		"moz.txt":      scanScript(mozLike),
		"mozgray.txt":  scanScript(grayOnly(mozLike)),
		"success.txt":  scanScripts["successive"],
		"deep3.txt":    scanScript(allFromAl3()),
		"spectral.txt": scanScripts["spectral"],
		"dcsep.txt": "0: 0 0 0 1;\n1: 0 0 0 2;\n2: 0 0 0 1;\n0: 1 63 0 0;\n1: 1 63 0 0;\n2: 1 63 0 0;\n" +
			"2: 0 0 1 0;\n1: 0 0 2 1;\n0: 0 0 1 0;\n1: 0 0 1 0;\n",
	}
	for name, s := range scripts {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	base := filepath.Join(dir, "base.jpg")
	run(t, base, "cjpeg", "-quality", "90", color)
	in := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		argv []string
	}{
		{"cjpeg -progressive", []string{"cjpeg", "-progressive", color}},
		{"cjpeg -progressive 444", []string{"cjpeg", "-progressive", "-sample", "1x1", color}},
		{"cjpeg -progressive grey", []string{"cjpeg", "-progressive", grey}},
		{"cjpeg -progressive restart", []string{"cjpeg", "-progressive", "-restart", "1", color}},
		{"cjpeg -progressive restart blocks", []string{"cjpeg", "-progressive", "-restart", "7B", "-sample", "1x1", color}},
		{"cjpeg -progressive restart grey", []string{"cjpeg", "-progressive", "-restart", "3B", grey}},
		{"cjpeg -scans mozjpeg-like", []string{"cjpeg", "-scans", in("moz.txt"), color}},
		{"cjpeg -scans mozjpeg-like grey", []string{"cjpeg", "-scans", in("mozgray.txt"), grey}},
		{"cjpeg -scans successive", []string{"cjpeg", "-scans", in("success.txt"), color}},
		{"cjpeg -scans al 3", []string{"cjpeg", "-scans", in("deep3.txt"), "-sample", "1x1", color}},
		{"cjpeg -scans dc per component", []string{"cjpeg", "-scans", in("dcsep.txt"), color}},
		{"jpegtran -progressive", []string{"jpegtran", "-progressive", base}},
		{"jpegtran -optimize -progressive", []string{"jpegtran", "-optimize", "-progressive", base}},
		{"jpegtran -scans spectral", []string{"jpegtran", "-scans", in("spectral.txt"), base}},
		{"convert -interlace Plane", []string{"convert", color, "-quality", "85", "-interlace", "Plane", "jpeg:-"}},
		{"convert -interlace Plane cmyk", []string{"convert", color, "-colorspace", "CMYK", "-interlace", "Plane", "jpeg:-"}},
	}
	for _, tt := range tests {
		out := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".jpg")
		run(t, out, tt.argv[0], tt.argv[1:]...)
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := DecodeConfig(data)
			require.NoError(t, err)
			require.True(t, cfg.Progressive)
			for _, s := range []int{1, 2, 4, 8, -2, -4} {
				d, _, err := decodeCoefficients(context.Background(), data, max(s, -s), &Options{Approximate: s < 0})
				require.NoError(t, err, "scale %d", s)
				if s == 1 {
					t.Logf("%d scans, work %.0f%% of the bound, DC %.0f%%", d.prog.scans,
						100*float64(d.prog.work)/float64(d.prog.budget), 100*float64(d.prog.dc)/float64(d.prog.dcBudget))
					assert.Equal(t, d.prog.work, d.work, "every scan walked at full size")
				}
			}
			switch {
			case strings.Contains(tt.name, "restart"):
				// image/jpeg fails on some of these ("missing 0xff00
				// sequence"): compare with the same coefficients
				// coded without restart markers.
				args := append([]string{}, tt.argv...)
				args = append(args[:2], args[4:]...) // drop -restart N
				sameAsPlain(t, data, filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+"-plain.jpg"), args)
			case cfg.ColorSpace == ColorGray || cfg.ColorSpace == ColorYCbCr:
				checkAllScales(t, data, data)
			}
		})
	}
}

// allFromAl3 codes every coefficient of three components in four scans,
// from Al = 3 down: DC interleaved, AC 1..63 per component.
func allFromAl3() []hostile.Scan {
	ss := []hostile.Scan{dcAll(3, 0, 3)}
	for al := 2; al >= 0; al-- {
		ss = append(ss, dcAll(3, al+1, al))
	}
	for c := range 3 {
		ss = append(ss, sc(c, 1, 63, 0, 3))
		for al := 2; al >= 0; al-- {
			ss = append(ss, sc(c, 1, 63, al+1, al))
		}
	}
	return ss
}

// sameAsPlain checks that data decodes at every scale exactly as the file
// that argv writes to plain.
func sameAsPlain(t *testing.T, data []byte, plain string, argv []string) {
	t.Helper()
	run(t, plain, argv[0], argv[1:]...)
	want, err := os.ReadFile(plain)
	require.NoError(t, err)
	for _, s := range []int{1, 2, 4, 8} {
		a, err := Decode(data, s, nil)
		require.NoError(t, err)
		b, err := Decode(want, s, nil)
		require.NoError(t, err)
		assert.Equal(t, b, a, "scale %d", s)
	}
}
