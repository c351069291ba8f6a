package icc

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// imageMagick returns an ImageMagick convert built with the LCMS delegate,
// or skips the test.
func imageMagick(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"convert-im6.q16", "magick", "convert"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-version").Output()
		if err == nil && bytes.Contains(out, []byte("lcms")) {
			return path
		}
	}
	t.Skip("no ImageMagick with the lcms delegate: install imagemagick to cross-check against LittleCMS")
	return ""
}

// TestCrossCheckLCMS converts the same pixels with ImageMagick (LittleCMS)
// from our test Adobe RGB and Display P3 profiles to the system sRGB
// profile and compares.
func TestCrossCheckLCMS(t *testing.T) {
	t.Parallel()
	im := imageMagick(t)
	const srgbPath = "/usr/share/color/icc/ghostscript/srgb.icc"
	if _, err := os.Stat(srgbPath); err != nil {
		t.Skipf("no sRGB profile file to convert to: %v", err)
	}
	tests := []struct {
		name   string
		tp     testProfile
		decode func(float64) float64
	}{
		{"Adobe RGB (1998)", adobeProfile(), adobeDecode},
		{"Display P3", p3Profile(), srgbDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			src := noise(image.Rect(0, 0, 64, 64), 5, 255)
			var buf bytes.Buffer
			require.NoError(t, png.Encode(&buf, src))
			in, prof, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "in.icc"), filepath.Join(dir, "out.png")
			require.NoError(t, os.WriteFile(in, buf.Bytes(), 0o600))
			data := tt.tp.encode()
			require.NoError(t, os.WriteFile(prof, data, 0o600))
			// The first -profile assigns (the PNG has none), the second
			// converts.
			cmd := exec.Command(im, in, "-profile", prof, "-profile", srgbPath, "-depth", "8", "-strip", out)
			msg, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", msg)
			f, err := os.Open(out)
			require.NoError(t, err)
			defer f.Close()
			want, err := png.Decode(f)
			require.NoError(t, err)

			tr, err := mustParse(t, data).ToSRGB()
			require.NoError(t, err)
			got := toRGBA(tr.Apply(src))
			wantRGBA := toRGBA(want)
			ref := newReference(tt.decode, tt.tp.colorants)
			var sum, worst, lcmsExact float64
			for i := 0; i < len(got.Pix); i += 4 {
				exact := ref.convert([3]uint8{src.Pix[i], src.Pix[i+1], src.Pix[i+2]})
				for k := range 3 {
					d := math.Abs(float64(got.Pix[i+k]) - float64(wantRGBA.Pix[i+k]))
					sum += d
					worst = max(worst, d)
					lcmsExact += math.Abs(float64(wantRGBA.Pix[i+k]) - exact[k])
				}
			}
			n := float64(len(got.Pix) * 3 / 4)
			mean := sum / n
			t.Logf("%s vs LittleCMS via %s: mean |diff| %.3f levels, max %.0f; LittleCMS vs exact float64: mean %.3f",
				tt.name, filepath.Base(im), mean, worst, lcmsExact/n)
			assert.Less(t, mean, 0.5)
			assert.LessOrEqual(t, worst, 3.0)
		})
	}
}
