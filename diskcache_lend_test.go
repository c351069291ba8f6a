package imgproxy_test

import (
	"crypto/sha256"
	"fmt"
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

// lendFiles are sources of different sizes, so that a hit reading into
// memory a previous, longer or shorter, hit used shows in its body.
func lendFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	for i, wh := range [][2]int{{640, 480}, {300, 900}, {1200, 200}, {400, 400}} {
		files[fmt.Sprintf("%d.jpg", i)] = jpegBytes(t, wh[0], wh[1])
	}
	return files
}

// primeDisk makes every variant the paths name once and returns each
// body as served then.
func primeDisk(t *testing.T, h http.Handler, paths []string) map[string][]byte {
	t.Helper()
	want := map[string][]byte{}
	for _, p := range paths {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		require.Equal(t, http.StatusOK, w.Code, p)
		want[p] = w.Body.Bytes()
	}
	return want
}

func lendPaths(files map[string][]byte) []string {
	var paths []string
	for name := range files {
		for _, box := range []string{"150x150", "300x-", "40x40"} {
			paths = append(paths, "/image/"+box+"/"+name)
		}
	}
	return paths
}

// TestDiskOnlyHitsConcurrent: with no memory tier, disk hits borrow the
// DiskCache's memory and give it back once written. Many hits of
// entries of different lengths at once, whole, ranged, conditional and
// HEAD, each get exactly their own bytes (and -race sees no overlap).
func TestDiskOnlyHitsConcurrent(t *testing.T) {
	t.Parallel()
	files := lendFiles(t)
	disk := &imgproxy.DiskCache{Dir: t.TempDir()}
	t.Cleanup(func() { disk.Close() })
	f := &fakeFetcher{files: files}
	h := &imgproxy.Handler{Fetcher: f, Cache: imgproxy.NoCache{}, Disk: disk, Namespace: "lend"}
	paths := lendPaths(files)
	want := primeDisk(t, h, paths)
	fetched := f.calls.Load()

	var wg sync.WaitGroup
	var hits atomic.Int32
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := paths[(g*7+i)%len(paths)]
				r := httptest.NewRequest("GET", p, nil)
				switch i % 4 {
				case 1:
					r.Header.Set("Range", "bytes=10-99")
				case 2:
					r.Method = http.MethodHead
				case 3:
					r.Header.Set("If-None-Match", `"not-this"`)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if !assert.Equal(t, "disk", w.Header().Get("X-Cache-Tier"), p) {
					return
				}
				hits.Add(1)
				switch i % 4 {
				case 1:
					assert.Equal(t, http.StatusPartialContent, w.Code, p)
					assert.Equal(t, want[p][10:100], w.Body.Bytes(), p)
				case 2:
					assert.Equal(t, http.StatusOK, w.Code, p)
					assert.Empty(t, w.Body.Bytes(), p)
				default:
					assert.Equal(t, http.StatusOK, w.Code, p)
					assert.Equal(t, sha256.Sum256(want[p]), sha256.Sum256(w.Body.Bytes()), p)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 8*200, hits.Load())
	assert.Equal(t, fetched, f.calls.Load(), "every request was a hit")
}

// TestDiskHitsKeptByMemoryTier: with a memory tier, what a disk hit
// hands up is kept there, so it is never read into borrowed memory. The
// entries are hot in the DiskCache's index first (read by a Handler with
// no memory tier, which borrows), then a Handler with a memory tier on
// the same DiskCache reads each from disk and serves it again from
// memory: its own bytes both times.
func TestDiskHitsKeptByMemoryTier(t *testing.T) {
	t.Parallel()
	files := lendFiles(t)
	paths := lendPaths(files)
	disk := &imgproxy.DiskCache{Dir: t.TempDir()}
	t.Cleanup(func() { disk.Close() })
	lending := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files}, Cache: imgproxy.NoCache{}, Disk: disk, Namespace: "lend"}
	want := primeDisk(t, lending, paths)
	primeDisk(t, lending, paths) // first disk hits: the index learns the heads

	h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files}, Cache: &imgproxy.MemoryCache{}, Disk: disk, Namespace: "lend"}
	for _, p := range paths {
		for _, tier := range []string{"disk", "memory"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
			require.Equal(t, tier, w.Header().Get("X-Cache-Tier"), p)
			require.Equal(t, want[p], w.Body.Bytes(), "%s from %s", p, tier)
			primeDisk(t, lending, paths[:2]) // borrowed memory changes hands
		}
	}
}

// TestDiskOnlyStaleNotLent: an expired disk copy that a failing origin
// falls back on (StaleIfError) is served whole while fresh hits of other
// entries borrow and give back memory at the same time.
func TestDiskOnlyStaleNotLent(t *testing.T) {
	t.Parallel()
	files := lendFiles(t)
	disk := &imgproxy.DiskCache{Dir: t.TempDir()}
	t.Cleanup(func() { disk.Close() })
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	f := &fakeFetcher{files: files}
	h := &imgproxy.Handler{Fetcher: f, Cache: imgproxy.NoCache{}, Disk: disk, Namespace: "lend",
		MaxAge: time.Hour, StaleIfError: true, Now: clock}
	stale := "/image/150x150/0.jpg"
	want := primeDisk(t, h, []string{stale})
	now.Add(int64(2 * time.Hour)) // stale is now expired
	fresh := primeDisk(t, h, []string{"/image/40x40/1.jpg", "/image/40x40/2.jpg"})
	f.err = fmt.Errorf("%w: origin down", imgproxy.ErrUpstream) // written before the goroutines start

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				p, status := stale, "STALE"
				if (g+i)%2 == 1 {
					p, status = []string{"/image/40x40/1.jpg", "/image/40x40/2.jpg"}[i%2], "HIT"
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
				assert.Equal(t, status, w.Header().Get("X-Cache-Status"), p)
				if p == stale {
					assert.Equal(t, want[p], w.Body.Bytes())
				} else {
					assert.Equal(t, fresh[p], w.Body.Bytes())
				}
			}
		})
	}
	wg.Wait()
}
