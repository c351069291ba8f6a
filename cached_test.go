package imgproxy_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// cachedOnly asks h.ServeCached for url, with header pairs hdr.
func cachedOnly(t *testing.T, h *imgproxy.Handler, method, url string, hdr ...string) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	r := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	return w, h.ServeCached(w, r)
}

// untouched asserts that nothing was written to w.
func untouched(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	assert.False(t, w.Flushed)
	assert.Empty(t, w.Header())
	assert.Zero(t, w.Body.Len())
}

// TestServeCachedOnlyHits checks that ServeCached answers fresh hits of
// either tier exactly as ServeHTTP does, whatever their headers, and
// writes nothing (and fetches nothing) for everything else: misses,
// expired copies, bad signatures, bad URLs and other methods, which
// ServeHTTP then answers.
func TestServeCachedOnlyHits(t *testing.T) {
	t.Parallel()
	const url = "/image/100x100/x.jpg?auth=good"
	now := time.Now() // the disk stamps its copies with the real clock
	tiers := []struct {
		name  string
		cache imgproxy.Cache
		disk  bool
		tier  string
	}{
		{"memory", &imgproxy.MemoryCache{}, false, "memory"},
		{"disk only", imgproxy.NoCache{}, true, "disk"},
	}
	for _, tc := range tiers {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var clock atomic.Int64 // seconds after now
			f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
			h := &imgproxy.Handler{Fetcher: f, Cache: tc.cache, MaxAge: time.Hour,
				Now: func() time.Time { return now.Add(time.Duration(clock.Load()) * time.Second) },
				Signer: imgproxy.SignerFunc(func(r *http.Request) error {
					if r.URL.Query().Get("auth") != "good" {
						return imgproxy.ErrForbidden
					}
					return nil
				})}
			if tc.disk {
				h.Disk = &imgproxy.DiskCache{Dir: t.TempDir()}
			}
			w, ok := cachedOnly(t, h, "GET", url)
			require.False(t, ok, "a miss")
			untouched(t, w)
			assert.Zero(t, f.calls.Load(), "ServeCached fetched")

			miss := get(t, h, "GET", url)
			require.Equal(t, 200, miss.Code)
			hit := get(t, h, "GET", url)
			require.Equal(t, "HIT", hit.Header().Get("X-Cache-Status"))
			require.Equal(t, tc.tier, hit.Header().Get("X-Cache-Tier"))

			for _, c := range []struct {
				method string
				hdr    []string
			}{
				{"GET", nil},
				{"HEAD", nil},
				{"GET", []string{"If-None-Match", miss.Header().Get("ETag")}},
				{"GET", []string{"Range", "bytes=0-9"}},
				{"GET", []string{"If-None-Match", `"other"`}},
			} {
				want := get(t, h, c.method, url, c.hdr...)
				w, ok := cachedOnly(t, h, c.method, url, c.hdr...)
				require.True(t, ok, "%s %v", c.method, c.hdr)
				assert.Equal(t, want.Code, w.Code, "%s %v", c.method, c.hdr)
				assert.Equal(t, want.Header(), w.Header(), "%s %v", c.method, c.hdr)
				assert.Equal(t, want.Body.Bytes(), w.Body.Bytes(), "%s %v", c.method, c.hdr)
			}
			for _, c := range []struct{ method, url string }{
				{"GET", "/image/100x100/x.jpg?auth=bad"}, // 403 from ServeHTTP
				{"POST", url},                            // 405
				{"GET", "/image/axb/x.jpg?auth=good"},    // 400
				{"GET", "/elsewhere/x.jpg?auth=good"},    // 404
				{"GET", "/image/100x100/y.jpg?auth=good"},
			} {
				w, ok := cachedOnly(t, h, c.method, c.url)
				assert.False(t, ok, "%s %s", c.method, c.url)
				untouched(t, w)
			}
			clock.Store(2 * 3600) // the copy has expired
			w, ok = cachedOnly(t, h, "GET", url)
			assert.False(t, ok, "an expired copy")
			untouched(t, w)
			assert.EqualValues(t, 1, f.calls.Load())
		})
	}
}

// TestServeCachedObserved checks that a hit served by ServeCached is
// observed once, as ServeHTTP's is, and that a request it leaves is not
// observed at all.
func TestServeCachedObserved(t *testing.T) {
	t.Parallel()
	var events []imgproxy.Event
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 300, 200)}}
	h := &imgproxy.Handler{Fetcher: f, Observer: imgproxy.ObserverFunc(func(_ *http.Request, ev *imgproxy.Event) {
		events = append(events, *ev)
	})}
	_, ok := cachedOnly(t, h, "GET", "/image/50x50/x.jpg")
	require.False(t, ok)
	assert.Empty(t, events)
	get(t, h, "GET", "/image/50x50/x.jpg")
	require.Len(t, events, 1)
	_, ok = cachedOnly(t, h, "GET", "/image/50x50/x.jpg")
	require.True(t, ok)
	require.Len(t, events, 2)
	assert.Equal(t, 200, events[1].Status)
	assert.Equal(t, "HIT", events[1].Cache)
	assert.Equal(t, "50x50", events[1].Options)
	assert.Positive(t, events[1].Bytes)
}

// TestServeCachedInvalidHandler checks that a Handler that cannot start
// leaves every request to ServeHTTP, which answers its error.
func TestServeCachedInvalidHandler(t *testing.T) {
	t.Parallel()
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{}, SnapSizes: true} // SnapSizes without Sizes
	w, ok := cachedOnly(t, h, "GET", "/image/50x50/x.jpg")
	assert.False(t, ok)
	untouched(t, w)
	assert.Equal(t, 500, get(t, h, "GET", "/image/50x50/x.jpg").Code)
}
