package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerAVIFSource: the server reads AVIF originals (avifenc output
// from a directory upstream): kept as AVIF, or written as JPEG when
// asked, upright.
func TestServerAVIFSource(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("avifenc")
	if err != nil {
		t.Skip("avifenc (Debian's libavif-bin) is not installed")
	}
	dir := t.TempDir()
	m := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := range 80 {
		for x := range 120 {
			m.SetRGBA(x, y, color.RGBA{uint8(2 * x), uint8(3 * y), 90, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.png"), buf.Bytes(), 0o644))
	out, err := exec.Command(bin, "-s", "10", "-d", "8", "--irot", "1", filepath.Join(dir, "a.png"), filepath.Join(dir, "a.avif")).CombinedOutput()
	require.NoError(t, err, "%s", out)

	s := startServer(t, "-upstream", dir)
	for _, tt := range []struct{ url, contentType string }{
		{"/image/60x60/a.avif", "image/avif"},
		{"/image/60x60,jpeg/a.avif", "image/jpeg"},
	} {
		resp, body := s.do(t, "GET", tt.url)
		require.Equal(t, 200, resp.StatusCode, tt.url)
		assert.Equal(t, tt.contentType, resp.Header.Get("Content-Type"), tt.url)
		w, h := dims(t, body)
		assert.Equal(t, [2]int{40, 60}, [2]int{w, h}, "irot turns it upright")
	}
}
