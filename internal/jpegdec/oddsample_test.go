package jpegdec

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOddSamplingMatchesDjpeg decodes YCbCr files that cjpeg writes with
// sampling factors outside image.YCbCr's six ratios and compares scale 1
// with libjpeg-turbo's djpeg, which replicates such components as we do
// (-nosmooth: no fancy upsampling for the ratios it interpolates).
// Skipped without cjpeg and djpeg.
func TestOddSamplingMatchesDjpeg(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"cjpeg", "djpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (libjpeg-turbo-progs)", tool)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "c.ppm")
	require.NoError(t, os.WriteFile(src, pnm(synthImage(203, 157, 44), false), 0o644))
	for _, sample := range []string{"3x1", "1x3", "2x2,1x1,2x2", "2x1,1x2,1x1", "1x1,2x2,2x2", "4x1,2x1,1x1"} {
		for _, prog := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s progressive=%v", sample, prog), func(t *testing.T) {
				t.Parallel()
				args := []string{"-quality", "90", "-sample", sample}
				if prog {
					args = append(args, "-progressive")
				}
				data, err := exec.Command("cjpeg", append(args, src)...).Output()
				require.NoError(t, err)
				cfg, err := DecodeConfig(data)
				require.NoError(t, err)
				require.True(t, cfg.Supported)
				require.True(t, cfg.RGBA)
				assert.Equal(t, ColorYCbCr, cfg.ColorSpace)

				cmd := exec.Command("djpeg", "-nosmooth", "-dct", "int", "-pnm")
				cmd.Stdin = bytes.NewReader(data)
				ppm, err := cmd.Output()
				require.NoError(t, err)
				want := ppmPlanes(t, ppm, cfg.Width, cfg.Height)
				for _, s := range []int{1, 2, 4, 8} {
					m, err := Decode(data, s, nil)
					require.NoError(t, err, "scale %d", s)
					if s != 1 {
						continue // djpeg's scaled IDCTs are not ours
					}
					got := rgbaPlanes(t, m)
					mean, maxd := cmpRGB(got, want, cfg.Width, cfg.Width, cfg.Height)
					t.Logf("vs djpeg: mean %.3f max %d", mean, maxd)
					assert.Less(t, mean, 0.1, "vs djpeg")
					// +-1 per Y, Cb and Cr sample (the IDCTs round apart)
					// is up to 1 + 1.772 in B.
					assert.LessOrEqual(t, maxd, 3, "vs djpeg")
				}
			})
		}
	}
}

// ppmPlanes splits a binary PPM (P6, maxval 255) of w x h into planes.
func ppmPlanes(t *testing.T, ppm []byte, w, h int) [3][]byte {
	t.Helper()
	header := fmt.Sprintf("P6\n%d %d\n255\n", w, h)
	require.True(t, strings.HasPrefix(string(ppm), header), "djpeg header %q", ppm[:min(len(ppm), 20)])
	px := ppm[len(header):]
	require.Len(t, px, 3*w*h)
	var out [3][]byte
	for c := range out {
		out[c] = make([]byte, w*h)
		for i := range w * h {
			out[c][i] = px[3*i+c]
		}
	}
	return out
}
