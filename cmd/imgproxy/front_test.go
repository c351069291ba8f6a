package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFastHitsAnswerAsNetHTTP runs the server's public side in process,
// as run builds it, on loopback: with -fast-hits, every cache hit (plain,
// HEAD, conditional, Range, negotiated) is answered by the front, with
// the status, header and body the same server answers with -fast-hits
// false, and misses and errors go to the Handler.
func TestFastHitsAnswerAsNetHTTP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.jpg"), testJPEG(t, 640, 480), 0o644))
	start := func(t *testing.T, fast bool, cacheArgs ...string) (string, *atomic.Int32) {
		args := append([]string{"-upstream", dir, "-fast-hits=" + strconv.FormatBool(fast)}, cacheArgs...)
		cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
		require.NoError(t, err)
		h, err := newHandler(cfg, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := &atomic.Int32{}
		srv := newHTTPServer(cfg, h, cfg.handlerTimeout, nil)
		ln = withFront(cfg, ln, srv, func(w http.ResponseWriter, r *http.Request) bool {
			ok := h.ServeCached(w, r)
			if ok {
				served.Add(1)
			}
			return ok
		})
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return "http://" + ln.Addr().String(), served
	}
	// do is server.do (server_test.go) on base, without the Date header.
	do := func(t *testing.T, base, method, path string, hdr ...string) (*http.Response, string) {
		resp, body := (&server{base: base}).do(t, method, path, hdr...)
		resp.Header.Del("Date")
		return resp, string(body)
	}
	for _, tier := range []struct {
		name string
		args func(t *testing.T) []string // a server's cache flags
	}{
		{"memory", func(*testing.T) []string { return nil }},
		{"disk only", func(t *testing.T) []string { return []string{"-cache-memory", "0", "-cache-dir", t.TempDir()} }},
	} {
		t.Run(tier.name, func(t *testing.T) {
			fast, served := start(t, true, tier.args(t)...)
			slow, _ := start(t, false, tier.args(t)...)
			const p = "/image/150x150/a.jpg"
			for _, base := range []string{fast, slow} {
				resp, _ := do(t, base, "GET", p)
				require.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))
				resp, _ = do(t, base, "GET", p, "Accept", "image/webp")
				require.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))
			}
			require.Zero(t, served.Load(), "misses went to the Handler")
			etag := func() string { r, _ := do(t, slow, "GET", p); return r.Header.Get("ETag") }()
			cases := [][]string{
				{"GET", p},
				{"HEAD", p},
				{"GET", p, "If-None-Match", etag},
				{"GET", p, "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"},
				{"GET", p, "Range", "bytes=0-99"},
				{"GET", p, "Range", "bytes=0-9,20-29"},
				{"GET", p, "Accept", "image/webp"},
				{"GET", p, "User-Agent", "x", "Referer", "http://example.com/"},
			}
			for _, c := range cases {
				want, wantBody := do(t, slow, c[0], c[1], c[2:]...)
				got, gotBody := do(t, fast, c[0], c[1], c[2:]...)
				assert.Equal(t, want.StatusCode, got.StatusCode, "%v", c)
				if c[len(c)-1] == "bytes=0-9,20-29" { // multipart boundaries are random
					assert.Contains(t, got.Header.Get("Content-Type"), "multipart/byteranges", "%v", c)
					assert.Equal(t, len(wantBody), len(gotBody), "%v", c)
					continue
				}
				assert.Equal(t, want.Header, got.Header, "%v", c)
				assert.Equal(t, wantBody, gotBody, "%v", c)
			}
			assert.EqualValues(t, len(cases), served.Load(), "every hit answered by the front")
			for _, path := range []string{"/image/axb/a.jpg", "/image/150x150/none.jpg", "/healthz-not", "/image/150x150/../a.jpg"} {
				want, _ := do(t, slow, "GET", path)
				got, _ := do(t, fast, "GET", path)
				assert.Equal(t, want.StatusCode, got.StatusCode, path)
			}
			assert.EqualValues(t, len(cases), served.Load(), "errors went to the Handler")
		})
	}
}
