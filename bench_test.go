package imgproxy_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/imgproxy-go/imgproxy"
	corpusdir "github.com/imgproxy-go/imgproxy/internal/corpus"
)

// corpus lists the benchmark photos (see internal/corpus: ../shared/corpus
// beside the repository, or $IMGPROXY_CORPUS); benchmarks that need them
// skip when there are none.
func corpus(b *testing.B) []string {
	files := corpusdir.Files(b, "*")
	var out []string
	for _, f := range files {
		switch strings.ToLower(filepath.Ext(f)) {
		case ".jpg", ".png", ".webp":
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		b.Skip("no jpg/png/webp in the corpus")
	}
	return out
}

// BenchmarkPipeline measures a whole cold transform (decode, resize,
// encode) per corpus image and size, as a cache miss costs it.
func BenchmarkPipeline(b *testing.B) {
	for _, f := range corpus(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, size := range []string{"150x150", "640x480"} {
			b.Run(filepath.Base(f)+"/"+size, func(b *testing.B) { benchResize(b, data, size) })
		}
	}
}

// BenchmarkPipelineStdlib is the straightforward pure-Go baseline for
// JPEG sources: image/jpeg full decode, x/image/draw CatmullRom, encode.
func BenchmarkPipelineStdlib(b *testing.B) {
	for _, f := range corpus(b) {
		if filepath.Ext(f) != ".jpg" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f)+"/150x150", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := jpeg.Decode(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				sb := m.Bounds()
				w, h := 150, sb.Dy()*150/sb.Dx()
				dst := image.NewRGBA(image.Rect(0, 0, w, h))
				draw.CatmullRom.Scale(dst, dst.Bounds(), m, sb, draw.Src, nil)
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 75}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerated runs the pipeline on a generated photo-sized JPEG,
// so there is a number without the corpus.
func BenchmarkGenerated(b *testing.B) {
	data := jpegBytes(b, 2560, 1600)
	for _, size := range []string{"150x150", "640x480"} {
		b.Run(size, func(b *testing.B) { benchResize(b, data, size) })
	}
}

// BenchmarkCacheHit serves a cached variant through the whole Handler.
func BenchmarkCacheHit(b *testing.B) {
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(b, 800, 600)}}
	h := &imgproxy.Handler{Fetcher: f}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	benchServe(b, h, r)
}

// BenchmarkHitPath isolates what the Handler's hit path costs: "handler"
// serves a cached variant, "bare" writes the same response (the same header
// values, shared, and the same body) with no lookup at all, as bench/bare
// does over the network. Both write to a ResponseWriter that only keeps the
// header map, so net/http's own work is left out of both.
func BenchmarkHitPath(b *testing.B) {
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(b, 800, 600)}}
	h := &imgproxy.Handler{Fetcher: f}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	h.ServeHTTP(rec, r) // now a hit
	fixed, body := rec.Header().Clone(), rec.Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hdr := w.Header()
		for k, v := range fixed {
			hdr[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"handler", h}, {"bare", bare}} {
		b.Run(c.name, func(b *testing.B) {
			w := &headerOnlyWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				c.h.ServeHTTP(w, r)
			}
			if w.h.Get("X-Cache-Status") != "HIT" {
				b.Fatalf("X-Cache-Status %q, want HIT", w.h.Get("X-Cache-Status"))
			}
		})
	}
}

// headerOnlyWriter is an http.ResponseWriter that keeps its header map
// and discards everything else.
type headerOnlyWriter struct{ h http.Header }

func (w *headerOnlyWriter) Header() http.Header         { return w.h }
func (w *headerOnlyWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *headerOnlyWriter) WriteHeader(int)             {}

// BenchmarkCacheMiss makes a variant every time (caching off).
func BenchmarkCacheMiss(b *testing.B) {
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(b, 1600, 1200)}}
	h := &imgproxy.Handler{Fetcher: f, Cache: imgproxy.NoCache{}}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	benchServe(b, h, r)
}

// BenchmarkSamples runs the pipeline on the bundled samples, so there are
// numbers on real files in any clone.
func BenchmarkSamples(b *testing.B) {
	for _, name := range []string{"landscape.jpg", "portrait.jpg", "badge.png", "stripes.gif"} {
		data, err := os.ReadFile(filepath.Join("samples", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { benchResize(b, data, "150x150") })
	}
}

// benchResize measures one cold transform of data to size on one core.
func benchResize(b *testing.B, data []byte, size string) {
	o, err := imgproxy.ParseOptions(size)
	if err != nil {
		b.Fatal(err)
	}
	r := &imgproxy.BildResizer{Concurrency: 1}
	src := &imgproxy.Source{Data: data}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resize(context.Background(), src, o); err != nil {
			b.Fatal(err)
		}
	}
}

// benchServe measures h answering r, which must succeed.
func benchServe(b *testing.B, h http.Handler, r *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
