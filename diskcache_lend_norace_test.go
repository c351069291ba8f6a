//go:build !race

package imgproxy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// TestDiskOnlyHitAllocs: a disk hit with no memory tier allocates
// nothing in the Handler: the entry is read into memory the DiskCache
// lends and takes back. (Not under -race, which allocates for itself.)
func TestDiskOnlyHitAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the whole process's allocations.
	disk := &imgproxy.DiskCache{Dir: t.TempDir()}
	t.Cleanup(func() { disk.Close() })
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}},
		Cache: imgproxy.NoCache{}, Disk: disk, Namespace: "allocs"}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	h.ServeHTTP(httptest.NewRecorder(), r) // made
	w := &headerOnlyWriter{h: http.Header{}}
	h.ServeHTTP(w, r) // first hit: the index learns the entry's head
	require.Equal(t, "disk", w.h.Get("X-Cache-Tier"))
	allocs := testing.AllocsPerRun(200, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	assert.Equal(t, "HIT", w.h.Get("X-Cache-Status"))
	assert.Zero(t, allocs)
}
