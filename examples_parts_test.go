package imgproxy_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// exampleJPEG encodes a w x h gradient as JPEG.
func exampleJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// exampleGet serves one request with h, as a test of a site would.
func exampleGet(h http.Handler, method, url string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	return rec
}

// exampleBody describes a response body: a picture's format and decoded
// size, else the text.
func exampleBody(b []byte) string {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s %dx%d", format, cfg.Width, cfg.Height)
}

// An HTTPFetcher gets originals from a web server. Name your site in
// UserAgent (Wikimedia asks every client to) and bound what it may send.
func ExampleHTTPFetcher() {
	photo := exampleJPEG(800, 600)
	var userAgent atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userAgent.Store(r.Header.Get("User-Agent"))
		switch r.URL.Path {
		case "/photos/cat.jpg":
			w.Write(photo)
		case "/photos/huge.jpg": // refused from its Content-Length, unread
			w.Header().Set("Content-Length", strconv.Itoa(4<<20))
			w.Write(make([]byte, 4<<20))
		default:
			http.NotFound(w, r)
		}
	}))
	defer origin.Close()

	h := &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{
		BaseURL:       origin.URL + "/photos/", // /image/150x150/cat.jpg is <BaseURL>cat.jpg
		UserAgent:     "example-site/1.0 (+https://example.com/contact)",
		MaxBytes:      1 << 20, // larger sources are 415, as nginx's image_filter_buffer 1M
		HeaderTimeout: 5 * time.Second,
	}}
	for _, path := range []string{"cat.jpg", "missing.jpg", "huge.jpg"} {
		rec := exampleGet(h, "GET", "/image/150x150/"+path)
		fmt.Println(path, rec.Code)
	}
	fmt.Println("origin saw:", userAgent.Load())
	// Output:
	// cat.jpg 200
	// missing.jpg 404
	// huge.jpg 415
	// origin saw: example-site/1.0 (+https://example.com/contact)
}

// A DirFetcher serves originals from a local directory, here the
// repository's samples. No path gets out of it: ".." is refused before
// the file system is asked, and os.Root stops symlinks.
func ExampleDirFetcher() {
	h := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: "samples"}}
	for _, url := range []string{
		"/image/150x150/landscape.jpg",
		"/image/150x150/nothing-here.jpg",
		"/image/150x150/not-an-image.txt",
		"/image/150x150/%2e%2e/go.mod",
	} {
		rec := exampleGet(h, "GET", url)
		fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// 200 image/jpeg
	// 404 text/plain; charset=utf-8
	// 415 text/plain; charset=utf-8
	// 400 text/plain; charset=utf-8
}

// A FetcherFunc makes a fake origin for a test: no network, a count of
// fetches, and the errors a real origin would give. httptest.NewRecorder
// then serves requests without a server.
func ExampleFetcherFunc() {
	photo := exampleJPEG(640, 480)
	var fetches atomic.Int32
	fake := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		fetches.Add(1)
		if path != "cat.jpg" {
			return nil, fmt.Errorf("%w: %s", imgproxy.ErrNotFound, path)
		}
		return &imgproxy.Source{Path: path, Data: photo, ContentType: "image/jpeg"}, nil
	})
	h := &imgproxy.Handler{Fetcher: fake}
	for _, url := range []string{
		"/image/100x100/cat.jpg",
		"/image/100x100/cat.jpg",
		"/image/100x100/dog.jpg",
		"/image/100x100/dog.jpg", // a 404 is remembered for a while (NotFoundTTL)
	} {
		rec := exampleGet(h, "GET", url)
		fmt.Println(rec.Code, rec.Header().Get("X-Cache-Status"), exampleBody(rec.Body.Bytes()))
	}
	fmt.Println("fetches:", fetches.Load())
	// Output:
	// 200 MISS jpeg 100x75
	// 200 HIT jpeg 100x75
	// 404  Not Found
	// 404  Not Found
	// fetches: 2
}

// A MemoryCache is the first tier: a byte-bounded LRU. Options in another
// order are the same variant, and share its entry.
func ExampleMemoryCache() {
	photo := exampleJPEG(640, 480)
	var fetches atomic.Int32
	cache := &imgproxy.MemoryCache{
		MaxBytes:      256 << 20,
		MaxEntryBytes: 4 << 20, // larger variants are served but not kept
	}
	h := &imgproxy.Handler{
		Cache: cache,
		Fetcher: imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
			fetches.Add(1)
			return &imgproxy.Source{Path: path, Data: photo}, nil
		}),
	}
	for _, url := range []string{"/image/100x100,crop,q90/cat.jpg", "/image/100x100,q90,crop/cat.jpg"} {
		rec := exampleGet(h, "GET", url)
		fmt.Println(rec.Code, rec.Header().Get("X-Cache-Status"), exampleBody(rec.Body.Bytes()))
	}
	fmt.Println("fetches:", fetches.Load(), "cached:", cache.Len() > 0 && cache.Bytes() <= cache.MaxBytes)
	// Output:
	// 200 MISS jpeg 100x100
	// 200 HIT jpeg 100x100
	// fetches: 1 cached: true
}

// A DiskCache is the tier under memory, laid out as nginx's proxy_cache_path
// with levels=1:2: thumbnails survive a restart.
func ExampleDiskCache() {
	dir, err := os.MkdirTemp("", "imgproxy-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	photo := exampleJPEG(640, 480)
	var fetches atomic.Int32
	origin := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		fetches.Add(1)
		return &imgproxy.Source{Path: path, Data: photo}, nil
	})

	// proxy_cache_path <dir> levels=1:2 max_size=100M inactive=40d
	disk := &imgproxy.DiskCache{Dir: dir, MaxSize: 100 << 20, Inactive: 40 * 24 * time.Hour}
	// A FetcherFunc does not name its origin, so a Handler with a Disk
	// (or a Cluster) needs a Namespace: the name of its pictures in every
	// cache key, the same across restarts.
	h := &imgproxy.Handler{Fetcher: origin, Disk: disk, Namespace: "cats"}
	fmt.Println(exampleGet(h, "GET", "/image/150x150/cat.jpg").Header().Get("X-Cache-Status"))
	disk.Close()

	// After a restart: an empty memory tier, the same directory.
	disk = &imgproxy.DiskCache{Dir: dir, MaxSize: 100 << 20, Inactive: 40 * 24 * time.Hour}
	defer disk.Close()
	h = &imgproxy.Handler{Fetcher: origin, Disk: disk, Namespace: "cats"}
	fmt.Println(exampleGet(h, "GET", "/image/150x150/cat.jpg").Header().Get("X-Cache-Status"))
	fmt.Println("fetches:", fetches.Load())
	// Output:
	// MISS
	// HIT
	// fetches: 1
}

// A GroupCache shares variants among nodes: each has one owner, so a
// picture is fetched and resized once in the whole cluster. Here two nodes
// run in one process; each serves the peer protocol on an address of its
// own, and lists the same peers.
func ExampleGroupCache() {
	photo := exampleJPEG(640, 480)
	var fetches atomic.Int32
	origin := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		fetches.Add(1)
		return &imgproxy.Source{Path: path, Data: photo}, nil
	})
	peerServers := []*httptest.Server{httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)}
	var peers []string
	for _, s := range peerServers {
		peers = append(peers, "http://"+s.Listener.Addr().String())
	}
	var nodes []*imgproxy.Handler
	for i, s := range peerServers {
		cluster := &imgproxy.GroupCache{Self: peers[i], Peers: peers, Secret: "a shared secret of 16+ bytes"}
		// Every node names its pictures alike (a FetcherFunc names no
		// origin), so that they share one cache.
		h := &imgproxy.Handler{Fetcher: origin, Cluster: cluster, Namespace: "photos"}
		if err := h.Validate(); err != nil { // starts the node's part of the cluster
			panic(err)
		}
		s.Config.Handler = cluster // the peer protocol, on its own address
		s.Start()
		defer s.Close()
		nodes = append(nodes, h)
	}
	for i, h := range nodes {
		rec := exampleGet(h, "GET", "/image/150x150/cat.jpg")
		fmt.Println("node", i+1, rec.Code, exampleBody(rec.Body.Bytes()))
	}
	fmt.Println("fetches:", fetches.Load())
	// Output:
	// node 1 200 jpeg 150x113
	// node 2 200 jpeg 150x113
	// fetches: 1
}

// ErrorHandler replaces the plain-text error responses, here with a page
// of the site's own. Its status comes from StatusCode; the error itself is
// for logs, never for the client.
func ExampleHandler_errorHandler() {
	photo := exampleJPEG(640, 480)
	h := &imgproxy.Handler{
		Fetcher: imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
			if path != "cat.jpg" {
				return nil, imgproxy.ErrNotFound
			}
			return &imgproxy.Source{Path: path, Data: photo}, nil
		}),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			code := imgproxy.StatusCode(err)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(code)
			fmt.Fprintf(w, "<h1>%s</h1>", http.StatusText(code))
		},
	}
	for _, url := range []string{"/image/150x150/dog.jpg", "/image/150x150,blur/cat.jpg", "/image/150x150/cat.jpg"} {
		rec := exampleGet(h, "GET", url)
		fmt.Println(rec.Code, exampleBody(rec.Body.Bytes()))
	}
	// Output:
	// 404 <h1>Not Found</h1>
	// 400 <h1>Bad Request</h1>
	// 200 jpeg 150x113
}
