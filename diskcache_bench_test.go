package imgproxy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/imgproxy-go/imgproxy"
)

// BenchmarkDiskHit serves a hit from the disk tier alone, as
// "-cache-memory 0 -cache-dir" does: the whole hit path (parse, disk
// lookup and verification, headers) to a ResponseWriter that keeps only
// the header map, as BenchmarkHitPath measures the memory tier's.
func BenchmarkDiskHit(b *testing.B) {
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(b, 800, 600)}}
	disk := &imgproxy.DiskCache{Dir: b.TempDir()}
	defer disk.Close()
	h := &imgproxy.Handler{Fetcher: f, Cache: imgproxy.NoCache{}, Disk: disk, Namespace: "bench"}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	w := &headerOnlyWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	if got := w.h.Get("X-Cache-Tier"); got != "disk" {
		b.Fatalf("X-Cache-Tier %q, want disk", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	if w.h.Get("X-Cache-Status") != "HIT" {
		b.Fatalf("X-Cache-Status %q, want HIT", w.h.Get("X-Cache-Status"))
	}
}
