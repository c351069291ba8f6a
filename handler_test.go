package imgproxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// jpegBytes encodes a w x h gradient as JPEG.
func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// fakeFetcher serves fixed files by path and counts calls. If gate is not
// nil, each fetch waits for it to close first.
type fakeFetcher struct {
	files map[string][]byte
	err   error
	gate  chan struct{}
	calls atomic.Int32
}

func (f *fakeFetcher) Fetch(ctx context.Context, path string) (*imgproxy.Source, error) {
	f.calls.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	data, ok := f.files[path]
	if !ok {
		return nil, fmt.Errorf("%w: %s", imgproxy.ErrNotFound, path)
	}
	return &imgproxy.Source{Path: path, Data: data, LastModified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
}

// Identity names f as an origin of its own (see imgproxy.Identifier), so
// that Handlers of one fakeFetcher share their tiers, as Handlers of one
// upstream do.
func (f *fakeFetcher) Identity() string { return fmt.Sprintf("fake %p", f) }

// countingCache wraps a MemoryCache and counts Get calls.
type countingCache struct {
	imgproxy.MemoryCache
	gets atomic.Int32
}

func (c *countingCache) Get(ctx context.Context, key string) (*imgproxy.Image, bool) {
	c.gets.Add(1)
	return c.MemoryCache.Get(ctx, key)
}

func get(t testing.TB, h http.Handler, method, url string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decodeSize(t testing.TB, body []byte) (string, int, int) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
	require.NoError(t, err)
	return format, cfg.Width, cfg.Height
}

func TestHandlerSizes(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"a/photo.jpg": jpegBytes(t, 2560, 1600)}}
	h := &imgproxy.Handler{Fetcher: f}
	tests := []struct {
		opts string
		w, h int
	}{
		{"150x150", 150, 94},
		{"150x-", 150, 94},
		{"-x100", 160, 100},
		{"150x150,crop", 150, 150},
		{"150x150,r90", 94, 150},
		{"150x150,r180", 150, 94},
		{"300x100,crop,r270", 100, 300},
		{"640x480,q30", 640, 400},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			t.Parallel()
			w := get(t, h, "GET", "/image/"+tt.opts+"/a/photo.jpg")
			require.Equal(t, 200, w.Code, w.Body.String())
			assert.Equal(t, "image/jpeg", w.Header().Get("Content-Type"))
			format, gw, gh := decodeSize(t, w.Body.Bytes())
			assert.Equal(t, "jpeg", format)
			assert.Equal(t, [2]int{tt.w, tt.h}, [2]int{gw, gh})
		})
	}
}

func TestHandlerOriginalWhenItFits(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 300, 200)
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": src}}}
	w := get(t, h, "GET", "/image/5000x5000/x.jpg")
	require.Equal(t, 200, w.Code)
	assert.Equal(t, src, w.Body.Bytes())
	// Asking for something else re-encodes.
	w = get(t, h, "GET", "/image/5000x5000,png/x.jpg")
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "image/png", w.Header().Get("Content-Type"))
	format, gw, gh := decodeSize(t, w.Body.Bytes())
	assert.Equal(t, []any{"png", 300, 200}, []any{format, gw, gh})
}

func TestHandlerRotationIsCounterClockwise(t *testing.T) {
	t.Parallel()
	// A 40x20 image, red on its left half and blue on its right half.
	m := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 20 {
				c = color.RGBA{0, 0, 255, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"p.png": buf.Bytes()}}}
	w := get(t, h, "GET", "/image/-x-,r90/p.png")
	require.Equal(t, 200, w.Code)
	out, err := png.Decode(w.Body)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 20, 40), out.Bounds())
	// Counter-clockwise: the right (blue) half goes to the top.
	r, _, b, _ := out.At(10, 5).RGBA()
	assert.Greater(t, b, r, "top should be blue")
	r, _, b, _ = out.At(10, 35).RGBA()
	assert.Greater(t, r, b, "bottom should be red")
	for y := range 40 {
		for x := range 20 {
			_, _, _, a := out.At(x, y).RGBA()
			require.Equal(t, uint32(0xffff), a, "no transparent pixels at %d,%d", x, y)
		}
	}
}

func TestHandlerCacheAndValidators(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
	h := &imgproxy.Handler{Fetcher: f}
	w := get(t, h, "GET", "/image/100x100/x.jpg")
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
	etag := w.Header().Get("ETag")
	assert.Regexp(t, `^"[0-9a-f]{32}"$`, etag)
	assert.Equal(t, "public, max-age=2592000", w.Header().Get("Cache-Control"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	assert.Equal(t, "Tue, 02 Jan 2024 03:04:05 GMT", w.Header().Get("Last-Modified"))
	body := w.Body.Bytes()

	w = get(t, h, "GET", "/image/100x100/x.jpg")
	assert.Equal(t, "HIT", w.Header().Get("X-Cache-Status"))
	assert.Equal(t, etag, w.Header().Get("ETag"))
	assert.Equal(t, body, w.Body.Bytes())
	assert.EqualValues(t, 1, f.calls.Load())

	w = get(t, h, "GET", "/image/100x100/x.jpg", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, w.Code)
	assert.Empty(t, w.Body.Bytes())
	w = get(t, h, "GET", "/image/100x100/x.jpg", "If-Modified-Since", "Wed, 03 Jan 2024 00:00:00 GMT")
	assert.Equal(t, http.StatusNotModified, w.Code)
	w = get(t, h, "GET", "/image/100x100/x.jpg", "If-None-Match", `"other"`)
	assert.Equal(t, http.StatusOK, w.Code)

	w = get(t, h, "GET", "/image/100x100/x.jpg", "Range", "bytes=0-9")
	assert.Equal(t, http.StatusPartialContent, w.Code)
	assert.Equal(t, body[:10], w.Body.Bytes())

	w = get(t, h, "HEAD", "/image/100x100/x.jpg")
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, fmt.Sprint(len(body)), w.Header().Get("Content-Length"))
	assert.Empty(t, w.Body.Bytes())

	// Different options are a different variant.
	w = get(t, h, "GET", "/image/50x50/x.jpg")
	assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
	assert.NotEqual(t, etag, w.Header().Get("ETag"))
	// The canonical form shares the cache entry.
	get(t, h, "GET", "/image/60x60,r90,q50/x.jpg")
	w = get(t, h, "GET", "/image/60x60,q50,r90/x.jpg")
	assert.Equal(t, "HIT", w.Header().Get("X-Cache-Status"))
}

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	secretErr := errors.New("db password is hunter2")
	bomb := pngHeader(100000, 100000)
	files := map[string][]byte{"ok.jpg": jpegBytes(t, 64, 64), "text.txt": []byte("hello, not an image"), "bomb.png": bomb}
	tests := []struct {
		name, method, url string
		fetchErr          error
		code              int
	}{
		{"bad size", "GET", "/image/axb/ok.jpg", nil, 400},
		{"bad option", "GET", "/image/10x10,blur/ok.jpg", nil, 400},
		{"no path", "GET", "/image/10x10", nil, 400},
		{"empty path", "GET", "/image/10x10/", nil, 400},
		{"escape", "GET", "/image/10x10/a/%2e%2e/%2e%2e/etc/passwd", nil, 400},
		{"outside prefix", "GET", "/other/10x10/ok.jpg", nil, 404},
		{"post", "POST", "/image/10x10/ok.jpg", nil, 405},
		{"missing", "GET", "/image/10x10/nope.jpg", nil, 404},
		{"not an image", "GET", "/image/10x10/text.txt", nil, 415},
		{"pixel bomb", "GET", "/image/10x10/bomb.png", nil, 415},
		{"upstream", "GET", "/image/10x10/ok.jpg", fmt.Errorf("%w: %w", imgproxy.ErrUpstream, secretErr), 502},
		{"timeout", "GET", "/image/10x10/ok.jpg", fmt.Errorf("%w: %w", imgproxy.ErrTimeout, secretErr), 504},
		{"deadline", "GET", "/image/10x10/ok.jpg", context.DeadlineExceeded, 504},
		{"too large", "GET", "/image/10x10/ok.jpg", fmt.Errorf("%w: %w", imgproxy.ErrTooLarge, secretErr), 415},
		{"overloaded", "GET", "/image/10x10/ok.jpg", imgproxy.ErrOverloaded, 503},
		{"unknown", "GET", "/image/10x10/ok.jpg", secretErr, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files, err: tt.fetchErr}}
			w := get(t, h, tt.method, tt.url)
			assert.Equal(t, tt.code, w.Code)
			assert.Equal(t, http.StatusText(tt.code)+"\n", w.Body.String())
			assert.NotContains(t, w.Body.String(), "hunter2")
			assert.Empty(t, w.Header().Get("X-Cache-Status"))
			if tt.code == 405 {
				assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
			}
			if tt.code == 503 {
				assert.NotEmpty(t, w.Header().Get("Retry-After"))
			}
		})
	}
}

// pngHeader returns the first bytes of a PNG that claims w x h pixels.
func pngHeader(w, h int) []byte {
	var buf bytes.Buffer
	small := image.NewGray(image.Rect(0, 0, 1, 1))
	_ = png.Encode(&buf, small)
	b := buf.Bytes()
	// IHDR data starts at byte 16: width, height as big-endian uint32.
	b[16], b[17], b[18], b[19] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	b[20], b[21], b[22], b[23] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	return b // the CRC is now wrong; DecodeConfig does not get that far
}

func TestHandlerSigner(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"ok.jpg": jpegBytes(t, 64, 64)}}
	h := &imgproxy.Handler{Fetcher: f, Signer: imgproxy.SignerFunc(func(r *http.Request) error {
		switch r.URL.Query().Get("auth") {
		case "good":
			return nil
		case "old":
			return imgproxy.ErrExpired
		}
		return imgproxy.ErrForbidden
	})}
	assert.Equal(t, 200, get(t, h, "GET", "/image/10x10/ok.jpg?auth=good").Code)
	assert.Equal(t, 403, get(t, h, "GET", "/image/10x10/ok.jpg?auth=bad").Code)
	assert.Equal(t, 403, get(t, h, "GET", "/image/10x10/ok.jpg").Code)
	assert.Equal(t, 410, get(t, h, "GET", "/image/10x10/ok.jpg?auth=old").Code)
	// Signatures are checked before anything else: no fetch for bad ones.
	assert.Equal(t, 403, get(t, h, "GET", "/image/axb/ok.jpg").Code)
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestHandlerCollapsesConcurrentMisses(t *testing.T) {
	t.Parallel()
	const n = 20
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 400, 300)}, gate: make(chan struct{})}
	c := &countingCache{}
	h := &imgproxy.Handler{Fetcher: f, Cache: c}
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { codes <- get(t, h, "GET", "/image/100x100/x.jpg").Code })
	}
	// Every request has looked in the cache, plus the one shared worker.
	require.Eventually(t, func() bool { return c.gets.Load() >= n+1 }, 10*time.Second, time.Millisecond)
	close(f.gate)
	wg.Wait()
	close(codes)
	for code := range codes {
		assert.Equal(t, 200, code)
	}
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestHandlerSharedWorkSurvivesFirstClient(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 400, 300)}, gate: make(chan struct{})}
	c := &countingCache{}
	h := &imgproxy.Handler{Fetcher: f, Cache: c}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int)
	go func() {
		r := httptest.NewRequest("GET", "/image/100x100/x.jpg", nil).WithContext(ctx)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		first <- w.Code
	}()
	require.Eventually(t, func() bool { return f.calls.Load() == 1 }, 10*time.Second, time.Millisecond)
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- get(t, h, "GET", "/image/100x100/x.jpg") }()
	require.Eventually(t, func() bool { return c.gets.Load() >= 3 }, 10*time.Second, time.Millisecond)
	cancel() // the first client hangs up
	<-first
	close(f.gate)
	w := <-second
	assert.Equal(t, 200, w.Code)
	assert.EqualValues(t, 1, f.calls.Load())
	assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
}

func TestTwoHandlersDoNotInteract(t *testing.T) {
	t.Parallel()
	a := &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 400, 300)}}}
	b := &imgproxy.Handler{Prefix: "/thumbs/", Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 300, 400)}}}
	wa := get(t, a, "GET", "/image/100x100/x.jpg")
	wb := get(t, b, "GET", "/thumbs/100x100/x.jpg")
	_, aw, ah := decodeSize(t, wa.Body.Bytes())
	_, bw, bh := decodeSize(t, wb.Body.Bytes())
	assert.Equal(t, [4]int{100, 75, 75, 100}, [4]int{aw, ah, bw, bh})
	assert.Equal(t, "MISS", wb.Header().Get("X-Cache-Status"))
	assert.Equal(t, 404, get(t, b, "GET", "/image/100x100/x.jpg").Code)
}

func TestHandlerWithHTTPOrigin(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 1000, 500)
	var hits atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/pics/a.jpg" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		w.Write(src)
	}))
	defer origin.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "home") })
	mux.Handle("/image/", &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: origin.URL + "/pics/"}})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/image/200x200/a.jpg")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	_, w, h := decodeSize(t, body)
	assert.Equal(t, [2]int{200, 100}, [2]int{w, h})
	assert.Equal(t, "Mon, 01 Jan 2024 00:00:00 GMT", resp.Header.Get("Last-Modified"))

	resp, err = http.Get(srv.URL + "/image/200x200/missing.jpg")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)

	resp, err = http.Get(srv.URL + "/")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "home", string(body))
}
