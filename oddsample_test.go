package imgproxy

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// TestOddYCbCrSampling: JPEGs that libjpeg-turbo's cjpeg writes with
// sampling factors outside image.YCbCr's six ratios (-sample 3x1, chroma
// planes sampled unlike each other), which image/jpeg refuses and nginx
// and browsers show, are served by the Handler at every reduction (each
// scale of the decoder) with the colours of the picture: within 1.5
// levels of the mean error an ordinary 4:2:0 JPEG of the same picture
// gets against the float reference. Skipped without cjpeg.
func TestOddYCbCrSampling(t *testing.T) {
	t.Parallel()
	cjpeg, err := exec.LookPath("cjpeg")
	if err != nil {
		t.Skip("cjpeg (libjpeg-turbo-progs) not installed: skipping the odd-sampling files")
	}
	dir := t.TempDir()
	pic := photo(480, 320)
	var ppm bytes.Buffer
	fmt.Fprintf(&ppm, "P6\n480 320\n255\n")
	for i := 0; i < len(pic.Pix); i += 4 {
		ppm.Write(pic.Pix[i : i+3])
	}
	src := filepath.Join(dir, "src.ppm")
	require.NoError(t, os.WriteFile(src, ppm.Bytes(), 0o644))
	cases := map[string][]string{
		"s311.jpg":       {"-sample", "3x1"},
		"s131-prog.jpg":  {"-sample", "1x3", "-progressive"},
		"mixed.jpg":      {"-sample", "2x2,1x1,2x2"},
		"mixed-prog.jpg": {"-sample", "2x1,1x2,1x1", "-progressive"},
		"plain420.jpg":   {"-sample", "2x2"}, // the bar
	}
	for name, args := range cases {
		out, err := exec.Command(cjpeg, append(append([]string{"-quality", "92"}, args...), src)...).Output()
		require.NoError(t, err, "cjpeg %v", args)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), out, 0o644))
	}
	h := &Handler{Fetcher: &DirFetcher{Dir: dir}, Cache: NoCache{}}
	get := func(path string) image.Image {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body)
		m, err := png.Decode(rec.Body)
		require.NoError(t, err, path)
		return m
	}
	for _, size := range []image.Point{{480, 320}, {240, 160}, {120, 80}, {60, 40}, {30, 20}} {
		ref := resample.Reference(pic, size.X, size.Y)
		path := func(name string) string { return fmt.Sprintf("/image/%dx%d,png/%s", size.X, size.Y, name) }
		base := meanAbsDiff(t, get(path("plain420.jpg")), ref)
		for name := range cases {
			t.Run(fmt.Sprintf("%s at %v", name, size), func(t *testing.T) {
				t.Parallel()
				m := get(path(name))
				require.Equal(t, size, m.Bounds().Size())
				d := meanAbsDiff(t, m, ref)
				t.Logf("mean error %.2f (4:2:0: %.2f)", d, base)
				assert.Less(t, d, base+1.5)
			})
		}
	}
}
