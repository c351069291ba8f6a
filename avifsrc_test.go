package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/avif"
)

var _ Decoder = avif.Decoder{}

// avifFile writes m as a PNG and turns it into an AVIF with avifenc
// (libavif-bin) and args; the test skips without avifenc.
func avifFile(t *testing.T, dir, name string, args []string, frames ...image.Image) {
	t.Helper()
	bin, err := exec.LookPath("avifenc")
	if err != nil {
		t.Skip("avifenc (Debian's libavif-bin) is not installed")
	}
	cmd := append([]string{"-s", "8", "--min", "4", "--max", "12"}, args...)
	for i, m := range frames {
		p := filepath.Join(dir, fmt.Sprintf("%s.%d.png", name, i))
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, m))
		require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
		cmd = append(cmd, p)
	}
	out, err := exec.Command(bin, append(cmd, filepath.Join(dir, name))...).CombinedOutput()
	require.NoError(t, err, "avifenc %v: %s", cmd, out)
}

// avifHandler serves dir with an AVIF decoder (or without).
func avifHandler(dir string, decoder bool) *Handler {
	r := &BildResizer{}
	if decoder {
		r.Decoders = map[Format]Decoder{FormatAVIF: avif.Decoder{}}
	}
	return &Handler{Fetcher: &DirFetcher{Dir: dir}, Resizer: r, Cache: NoCache{}}
}

func serve(t *testing.T, h http.Handler, url string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
	return w
}

// decodeBody decodes a JPEG or PNG response.
func decodeBody(t *testing.T, w *httptest.ResponseRecorder) image.Image {
	t.Helper()
	require.Equal(t, http.StatusOK, w.Code)
	m, _, err := image.Decode(bytes.NewReader(w.Body.Bytes()))
	require.NoError(t, err)
	return m
}

// halfAlpha is the quadrants picture with its left half at alpha 0 and
// a band of alpha 128.
func halfAlpha(u *image.RGBA) *image.NRGBA {
	b := u.Rect
	m := image.NewNRGBA(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := u.RGBAAt(x, y)
			a := uint8(255)
			switch {
			case x < b.Dx()/2:
				a = 0
			case x < b.Dx()*3/4:
				a = 128
			}
			m.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, a})
		}
	}
	return m
}

// TestAVIFSource: AVIF files made by avifenc go through a real Handler:
// 200, the right size, colours within a tolerance of the source's.
func TestAVIFSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	upright := quadrants(192, 128)
	want := boxDown(upright, 4) // 48x32
	p3 := convert(upright, nil, &displayP3)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p3.icc"), iccProfile(displayP3), 0o644))
	second := quadrants(192, 128)
	for i := range second.Pix {
		second.Pix[i] = 255 - second.Pix[i]
	}
	files := []struct {
		name   string
		args   []string
		frames []image.Image
	}{
		{"opaque.avif", []string{"-d", "8", "-y", "420"}, []image.Image{upright}},
		{"444.avif", []string{"-d", "8", "-y", "444"}, []image.Image{upright}},
		{"10bit.avif", []string{"-d", "10", "-y", "420"}, []image.Image{upright}},
		{"12bit.avif", []string{"-d", "12", "-y", "444"}, []image.Image{upright}},
		{"icc.avif", []string{"-d", "8", "-y", "444", "--icc", filepath.Join(dir, "p3.icc")}, []image.Image{p3}},
		{"icc10.avif", []string{"-d", "10", "-y", "420", "--icc", filepath.Join(dir, "p3.icc")}, []image.Image{p3}},
		{"anim.avif", []string{"-d", "8", "-y", "420"}, []image.Image{upright, second}},
	}
	for _, f := range files {
		avifFile(t, dir, f.name, f.args, f.frames...)
	}
	h := avifHandler(dir, true)
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			w := serve(t, h, "/image/48x48/"+f.name)
			assert.Equal(t, "image/jpeg", w.Header().Get("Content-Type"), "AVIF kept as AVIF without an encoder is JPEG")
			got := decodeBody(t, w)
			require.Equal(t, want.Bounds().Size(), got.Bounds().Size())
			assert.Less(t, meanAbsDiff(t, got, want), 6.0)
			if f.name == "anim.avif" {
				assert.Equal(t, "first-frame", w.Header().Get("X-Imgproxy-Animation"))
			}
		})
	}
	t.Run("info", func(t *testing.T) {
		t.Parallel()
		w := serve(t, h, "/image/-x-,info/10bit.avif")
		assert.Contains(t, w.Body.String(), `"width": 192, "height": 128, "type": "avif"`)
	})
	t.Run("original", func(t *testing.T) {
		t.Parallel()
		w := serve(t, h, "/image/-x-/opaque.avif")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "image/avif", w.Header().Get("Content-Type"), "served as it is")
	})
}

// TestAVIFAlpha: an AVIF with an alpha plane keeps it as PNG and is
// flattened onto white as JPEG.
func TestAVIFAlpha(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := halfAlpha(quadrants(192, 128))
	avifFile(t, dir, "alpha.avif", []string{"-d", "8", "-y", "444"}, src)
	h := avifHandler(dir, true)
	got := decodeBody(t, serve(t, h, "/image/48x48,png/alpha.avif"))
	require.Equal(t, image.Pt(48, 32), got.Bounds().Size())
	assert.Equal(t, uint8(0), nrgba(got, 4, 16).A, "transparent half")
	assert.InDelta(t, 128, float64(nrgba(got, 29, 16).A), 8, "half-transparent band")
	assert.Equal(t, uint8(255), nrgba(got, 44, 16).A, "opaque quarter")
	wantRight := boxDown(quadrants(192, 128), 4).SubImage(image.Rect(38, 4, 46, 28))
	assert.Less(t, meanAbsDiff(t, got.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(38, 4, 46, 28)), wantRight), 6.0, "opaque colours")
	flat := decodeBody(t, serve(t, h, "/image/48x48,jpeg/alpha.avif"))
	assert.True(t, near(nrgba(flat, 4, 16), color.NRGBA{255, 255, 255, 255}, 6), "flattened onto white: %v", nrgba(flat, 4, 16))
}

func nrgba(m image.Image, x, y int) color.NRGBA {
	b := m.Bounds()
	return color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
}

func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// TestAVIFOrientation: irot and imir, written by avifenc for each of
// the 8 EXIF orientations (irot turns anti-clockwise, imir 0 exchanges
// top and bottom, 1 left and right, applied irot first: what Chromium
// shows), come out as upright as the EXIF-oriented JPEG of the same
// stored pixels.
func TestAVIFOrientation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	upright := quadrants(192, 128)
	want := boxDown(upright, 4)
	transforms := [9][]string{
		1: nil,
		2: {"--imir", "1"},
		3: {"--irot", "2"},
		4: {"--imir", "0"},
		5: {"--irot", "1", "--imir", "0"},
		6: {"--irot", "3"},
		7: {"--irot", "1", "--imir", "1"},
		8: {"--irot", "1"},
	}
	for o := 1; o <= 8; o++ {
		stored := storeAs(upright, o)
		avifFile(t, dir, fmt.Sprintf("o%d.avif", o), append([]string{"-d", "8", "-y", "444"}, transforms[o]...), stored)
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 95}))
		jpg := withEXIF(buf.Bytes(), exifTIFF(o, binary.BigEndian))
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("o%d.jpg", o)), jpg, 0o644))
	}
	h := avifHandler(dir, true)
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			t.Parallel()
			for _, size := range []string{"48x48", "32x32,crop"} {
				fromJPEG := decodeBody(t, serve(t, h, fmt.Sprintf("/image/%s/o%d.jpg", size, o)))
				fromAVIF := decodeBody(t, serve(t, h, fmt.Sprintf("/image/%s/o%d.avif", size, o)))
				require.Equal(t, fromJPEG.Bounds().Size(), fromAVIF.Bounds().Size(), size)
				assert.Less(t, meanAbsDiff(t, fromAVIF, fromJPEG), 6.0, size)
				if size == "48x48" {
					assert.Less(t, meanAbsDiff(t, fromAVIF, want), 6.0, "upright")
				}
			}
		})
	}
}

// TestAVIFRefused: without a decoder an AVIF is a 415 as before; a
// truncated or corrupt one is a 415 with one, never a panic.
func TestAVIFRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	avifFile(t, dir, "good.avif", []string{"-d", "8"}, quadrants(64, 48))
	good, err := os.ReadFile(filepath.Join(dir, "good.avif"))
	require.NoError(t, err)
	corrupt := bytes.Clone(good)
	for i := len(corrupt) - 200; i < len(corrupt); i++ {
		corrupt[i] ^= 0x5a // the coded picture, at the end of mdat
	}
	bad := map[string][]byte{
		"truncated.avif": good[:len(good)*2/3],
		"header.avif":    good[:40],
		"corrupt.avif":   corrupt,
		"nometa.avif":    good[:32],
	}
	for name, data := range bad {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	with, without := avifHandler(dir, true), avifHandler(dir, false)
	tests := []struct {
		name string
		h    *Handler
		file string
		code int
	}{
		{"no decoder", without, "good.avif", http.StatusUnsupportedMediaType},
		{"decoder", with, "good.avif", http.StatusOK},
		{"truncated", with, "truncated.avif", http.StatusUnsupportedMediaType},
		{"header only", with, "header.avif", http.StatusUnsupportedMediaType},
		{"corrupt", with, "corrupt.avif", http.StatusUnsupportedMediaType},
		{"no meta", with, "nometa.avif", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := serve(t, tt.h, "/image/32x32/"+tt.file)
			assert.Equal(t, tt.code, w.Code)
			assert.NotContains(t, w.Body.String(), "avif")
		})
	}
	t.Run("direct", func(t *testing.T) {
		t.Parallel()
		r := &BildResizer{}
		_, err := r.Resize(context.Background(), &Source{Data: good}, Options{Width: 32, Height: 32})
		assert.ErrorIs(t, err, ErrUnsupported)
	})
}

// TestAVIFWeight: an AVIF decode is charged the decoder's memory (about
// 56 bytes a pixel and 8 MiB for an 8-bit file, twice that deeper), so
// that a budget the JPEG of the same size fits in refuses it.
func TestAVIFWeight(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	upright := quadrants(192, 128)
	avifFile(t, dir, "8.avif", []string{"-d", "8"}, upright)
	avifFile(t, dir, "10.avif", []string{"-d", "10"}, upright)
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, upright, nil))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "same.jpg"), buf.Bytes(), 0o644))
	tests := []struct {
		budget int64
		file   string
		code   int
	}{
		{16 << 20, "same.jpg", http.StatusOK},
		{16 << 20, "8.avif", http.StatusUnsupportedMediaType},
		{16 << 20, "10.avif", http.StatusUnsupportedMediaType},
		{32 << 20, "8.avif", http.StatusOK},
		{32 << 20, "10.avif", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.budget>>20, "MiB/", tt.file), func(t *testing.T) {
			t.Parallel()
			r := &BildResizer{MemoryBudget: tt.budget, Decoders: map[Format]Decoder{FormatAVIF: avif.Decoder{}}}
			h := &Handler{Fetcher: &DirFetcher{Dir: dir}, Resizer: r, Cache: NoCache{}}
			assert.Equal(t, tt.code, serve(t, h, "/image/48x48/"+tt.file).Code)
		})
	}
}

// TestAVIFDecoderIdentity: a decoder changes no variant a Resizer
// without it makes (it only turns a 415 into a picture), so it is not
// part of the Resizer's identity: both can share a namespace.
func TestAVIFDecoderIdentity(t *testing.T) {
	t.Parallel()
	with := &BildResizer{Decoders: map[Format]Decoder{FormatAVIF: avif.Decoder{}}}
	assert.Equal(t, (&BildResizer{}).Identity(), with.Identity())
}

// TestAVIFShareable: an AVIF original may travel to a cluster peer (its
// Resizer decides), garbage may not.
func TestAVIFShareable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	avifFile(t, dir, "a.avif", []string{"-d", "8"}, quadrants(32, 16))
	data, err := os.ReadFile(filepath.Join(dir, "a.avif"))
	require.NoError(t, err)
	h := &Handler{Fetcher: &DirFetcher{Dir: dir}}
	h.init()
	assert.NoError(t, h.shareable(&Source{Path: "a.avif", Data: data}))
	assert.ErrorIs(t, h.shareable(&Source{Path: "x", Data: []byte("not a picture")}), ErrUnsupported)
}

// blockingDecoder decodes to a grey picture of its size once released,
// counting its calls.
type blockingDecoder struct {
	started chan struct{}
	release chan struct{}
	calls   atomic.Int32
	w, h    int
}

func (d *blockingDecoder) Decode([]byte) (image.Image, error) {
	d.calls.Add(1)
	d.started <- struct{}{}
	<-d.release
	return image.NewGray(image.Rect(0, 0, d.w, d.h)), nil
}

// TestAVIFDetachedDecode: a request whose context ends during the decode
// (which cannot be stopped) returns at once with the context's error;
// its transform slot stays taken until the decode ends.
func TestAVIFDetachedDecode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	avifFile(t, dir, "a.avif", []string{"-d", "8"}, quadrants(32, 16))
	data, err := os.ReadFile(filepath.Join(dir, "a.avif"))
	require.NoError(t, err)
	d := &blockingDecoder{started: make(chan struct{}, 2), release: make(chan struct{}), w: 32, h: 16}
	r := &BildResizer{Concurrency: 1, MaxQueue: -1, Decoders: map[Format]Decoder{FormatAVIF: d}}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := r.Resize(ctx, &Source{Data: data}, Options{Width: 16, Height: 16})
		errc <- err
	}()
	<-d.started
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	_, err = r.Resize(context.Background(), &Source{Data: data}, Options{Width: 16, Height: 16})
	assert.ErrorIs(t, err, ErrOverloaded, "the detached decode still holds the only slot")
	close(d.release)
	require.Eventually(t, func() bool {
		_, err := r.Resize(context.Background(), &Source{Data: data}, Options{Width: 16, Height: 16})
		return err == nil
	}, 10*time.Second, time.Millisecond)
	assert.Equal(t, int32(2), d.calls.Load())
}

// TestRootLinksNoWebAssembly: AVIF sources do not make the root package
// link gen2brain's codecs or the WebAssembly runtime; only programs that
// import the avif subpackage do.
func TestRootLinksNoWebAssembly(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.NotContains(t, string(out), "github.com/gen2brain/")
	assert.NotContains(t, string(out), "github.com/tetratelabs/wazero")
	assert.Contains(t, string(out), "github.com/imgproxy-go/imgproxy/internal/isobmff")
}
