package browser_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/avif"
)

// TestBrowserEdgeFiles: files at the edges of what the JPEG and PNG
// specifications allow, which image/jpeg or image/png refuse but
// Chromium shows (arithmetic coding, sequential and progressive; YCbCr
// sampled 3x1 or with chroma planes sampled unlike each other; a PNG
// whose text chunk has a bad CRC), and an AVIF (avifenc, where
// installed) are each shown by Chromium as the original and served by the
// Handler as a thumbnail Chromium shows at the size it must have. Skipped
// without cjpeg and jpegtran (libjpeg-turbo-progs).
func TestBrowserEdgeFiles(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"cjpeg", "jpegtran"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (libjpeg-turbo-progs; .ci/run installs it)", tool)
		}
	}
	dir := t.TempDir()
	files := edgeFiles(t, dir)
	h := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: dir}, Cache: imgproxy.NoCache{},
		Resizer: &imgproxy.BildResizer{
			Decoders: map[imgproxy.Format]imgproxy.Decoder{imgproxy.FormatAVIF: avif.Decoder{}},
			Encoders: map[imgproxy.Format]imgproxy.Encoder{imgproxy.FormatAVIF: &avif.Encoder{}},
		}}
	mux := http.NewServeMux()
	mux.Handle(imgproxy.DefaultPrefix, h)
	mux.Handle("/orig/", http.StripPrefix("/orig/", http.FileServer(http.Dir(dir))))
	var page strings.Builder
	page.WriteString("<!doctype html><title>edge files</title>\n")
	for _, name := range files {
		fmt.Fprintf(&page, "<img src=\"/orig/%s\"><img src=\"%s120x120/%s\">\n", name, imgproxy.DefaultPrefix, name)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page.String()))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	imgs := load(t, browser(t), srv.URL+"/", "edge-files.png")
	require.Len(t, imgs, 2*len(files))
	for i, name := range files {
		orig, thumb := imgs[2*i], imgs[2*i+1]
		assert.Equal(t, [2]int{240, 160}, [2]int{orig.W, orig.H}, "Chromium shows the original %s", name)
		assert.Equal(t, [2]int{120, 80}, [2]int{thumb.W, thumb.H}, "Chromium shows our thumbnail of %s", name)
		resp, err := http.Get(srv.URL + thumb.Src)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, thumb.Src)
	}
}

// edgeFiles writes the test's 240x160 files into dir and returns their
// names.
func edgeFiles(t *testing.T, dir string) []string {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 240, 160))
	for y := range 160 {
		for x := range 240 {
			m.Set(x, y, color.RGBA{uint8(x), uint8(y + 60), uint8((x * y) >> 6), 255})
		}
	}
	var ppm bytes.Buffer
	fmt.Fprintf(&ppm, "P6\n240 160\n255\n")
	for i := 0; i < len(m.Pix); i += 4 {
		ppm.Write(m.Pix[i : i+3])
	}
	src := filepath.Join(dir, "src.ppm")
	require.NoError(t, os.WriteFile(src, ppm.Bytes(), 0o644))
	run := func(name string, in []byte, args ...string) []byte {
		cmd := exec.Command(name, args...)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		require.NoError(t, err, "%s %v", name, args)
		return out
	}
	base := run("cjpeg", ppm.Bytes(), "-quality", "85")
	jpegs := map[string][]byte{
		"arith.jpg":      run("jpegtran", base, "-arithmetic"),
		"arith-prog.jpg": run("jpegtran", base, "-arithmetic", "-progressive"),
		"s311.jpg":       run("cjpeg", ppm.Bytes(), "-sample", "3x1"),
		"unlike.jpg":     run("cjpeg", ppm.Bytes(), "-sample", "2x2,1x1,2x2", "-progressive"),
	}
	var pngBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, m))
	p := pngBuf.Bytes()
	text := []byte("tEXt" + "Comment\x00damaged")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)-4))
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(text)^1) // the bad CRC
	jpegs["text-crc.png"] = append(append(append([]byte(nil), p[:33]...), chunk...), p[33:]...)
	if _, err := exec.LookPath("avifenc"); err == nil {
		pngPath := filepath.Join(dir, "src.png")
		require.NoError(t, os.WriteFile(pngPath, p, 0o644))
		out, err := exec.Command("avifenc", "-s", "10", pngPath, filepath.Join(dir, "a.avif")).CombinedOutput()
		require.NoError(t, err, "avifenc: %s", out)
		jpegs["a.avif"], err = os.ReadFile(filepath.Join(dir, "a.avif"))
		require.NoError(t, err)
	} else {
		t.Log("avifenc (libavif-bin) not installed: no AVIF file")
	}
	var names []string
	for name, data := range jpegs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		names = append(names, name)
	}
	return names
}
