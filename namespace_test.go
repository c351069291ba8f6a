package imgproxy_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/webp"
)

var (
	red  = color.RGBA{200, 30, 30, 255}
	blue = color.RGBA{30, 30, 200, 255}
)

// solidJPEG is a w x h JPEG of one colour.
func solidJPEG(t testing.TB, w, h int, c color.RGBA) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// colourOrigin serves a solid picture of colour c at /x.jpg, over real
// HTTP, and counts its requests.
func colourOrigin(t *testing.T, c color.RGBA) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	data := solidJPEG(t, 64, 48, c)
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/x.jpg" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// colourDir is a directory holding a solid picture of colour c as x.jpg.
func colourDir(t *testing.T, c color.RGBA) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.jpg"), solidJPEG(t, 64, 48, c), 0o644))
	return dir
}

// assertColour gets url from h and checks that the picture is want, near
// enough for JPEG; it returns the X-Cache-Status.
func assertColour(t *testing.T, h http.Handler, url string, want color.RGBA) string {
	t.Helper()
	w := get(t, h, "GET", url)
	require.Equal(t, 200, w.Code, url)
	m, _, err := image.Decode(bytes.NewReader(w.Body.Bytes()))
	require.NoError(t, err, url)
	b := m.Bounds()
	r, g, bl, _ := m.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	got := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
	near := func(a, b uint8) bool { return max(a, b)-min(a, b) < 40 }
	assert.True(t, near(got.R, want.R) && near(got.G, want.G) && near(got.B, want.B),
		"%s: colour %v, want %v", url, got, want)
	return w.Header().Get("X-Cache-Status")
}

// TestNamespacesKeepSharedTiersApart: two Handlers of different origins
// (a red x.jpg and a blue one) sharing a tier each serve only their own
// picture, however the tier is shared; a Handler restarted on the same
// disk finds its own entries.
func TestNamespacesKeepSharedTiersApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// tiers sets the shared tiers of a and b, and returns those of a
		// restarted a (nil: no restart to check).
		tiers func(t *testing.T, a, b *imgproxy.Handler) func(*imgproxy.Handler)
	}{
		{"one MemoryCache", func(t *testing.T, a, b *imgproxy.Handler) func(*imgproxy.Handler) {
			c := &imgproxy.MemoryCache{}
			a.Cache, b.Cache = c, c
			return nil
		}},
		{"two DiskCaches on one directory", func(t *testing.T, a, b *imgproxy.Handler) func(*imgproxy.Handler) {
			dir := t.TempDir()
			a.Cache, a.Disk = imgproxy.NoCache{}, diskCache(t, dir)
			b.Cache, b.Disk = imgproxy.NoCache{}, diskCache(t, dir)
			return func(h *imgproxy.Handler) { h.Cache, h.Disk = imgproxy.NoCache{}, diskCache(t, dir) }
		}},
		{"one DiskCache", func(t *testing.T, a, b *imgproxy.Handler) func(*imgproxy.Handler) {
			d := diskCache(t, t.TempDir())
			a.Cache, a.Disk = imgproxy.NoCache{}, d
			b.Cache, b.Disk = imgproxy.NoCache{}, d
			return func(h *imgproxy.Handler) { h.Cache, h.Disk = imgproxy.NoCache{}, d }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ra, na := colourOrigin(t, red)
			rb, _ := colourOrigin(t, blue)
			a := &imgproxy.Handler{Prefix: "/a/", Fetcher: &imgproxy.HTTPFetcher{BaseURL: ra.URL}}
			b := &imgproxy.Handler{Prefix: "/b/", Fetcher: &imgproxy.HTTPFetcher{BaseURL: rb.URL}}
			restart := tt.tiers(t, a, b)
			require.NoError(t, a.Validate())
			require.NoError(t, b.Validate())
			for _, size := range []string{"30x30", "-x20", "20x-,r90"} {
				assert.Equal(t, "MISS", assertColour(t, a, "/a/"+size+"/x.jpg", red))
				assert.Equal(t, "MISS", assertColour(t, b, "/b/"+size+"/x.jpg", blue), "not a's entry")
			}
			for _, size := range []string{"30x30", "-x20", "20x-,r90"} {
				assert.Equal(t, "HIT", assertColour(t, b, "/b/"+size+"/x.jpg", blue))
				assert.Equal(t, "HIT", assertColour(t, a, "/a/"+size+"/x.jpg", red))
			}
			if restart == nil {
				return
			}
			fetched := na.Load()
			a2 := &imgproxy.Handler{Prefix: "/a/", Fetcher: &imgproxy.HTTPFetcher{BaseURL: ra.URL}}
			restart(a2)
			assert.Equal(t, a.CacheNamespace(), a2.CacheNamespace(), "same configuration, same keys")
			assert.Equal(t, "HIT", assertColour(t, a2, "/a/30x30/x.jpg", red))
			assert.Equal(t, fetched, na.Load(), "served from the disk")
		})
	}
}

// diskCache is a DiskCache on dir, closed at the end of the test.
func diskCache(t *testing.T, dir string) *imgproxy.DiskCache {
	d := &imgproxy.DiskCache{Dir: dir}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestNamespaceIdentity checks what the default namespace is made of:
// the origin and the Resizer's settings, not the prefix; and what an
// explicit Namespace or an origin that cannot be named does.
func TestNamespaceIdentity(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel, err := filepath.Rel(mustGetwd(t), dir)
	require.NoError(t, err)
	fn := imgproxy.FetcherFunc(func(context.Context, string) (*imgproxy.Source, error) { return nil, imgproxy.ErrNotFound })
	base := func() *imgproxy.Handler {
		return &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"}}
	}
	withEncoder := func(e imgproxy.Encoder) *imgproxy.Handler {
		h := base()
		h.Resizer = &imgproxy.BildResizer{Encoders: map[imgproxy.Format]imgproxy.Encoder{imgproxy.FormatWebP: e}}
		return h
	}
	tests := []struct {
		name   string
		a, b   *imgproxy.Handler
		shared bool
	}{
		{"same config", base(), base(), true},
		{"prefix is not identity", base(), &imgproxy.Handler{Prefix: "/thumbs/",
			Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics/"}}, true},
		{"default upstream", &imgproxy.Handler{}, &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: imgproxy.DefaultBaseURL}}, true},
		{"other upstream", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/other/"}}, false},
		{"directory, relative or absolute", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: dir}},
			&imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: rel + "/."}}, true},
		{"directory or URL", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: "/pics"}},
			&imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "http://pics/"}}, false},
		{"JPEG quality", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"},
			Resizer: &imgproxy.BildResizer{JPEGQuality: 90}}, false},
		{"explicit default quality", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"},
			Resizer: &imgproxy.BildResizer{JPEGQuality: imgproxy.DefaultJPEGQuality}}, true},
		{"background", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"},
			Resizer: &imgproxy.BildResizer{Background: imgproxy.Color{Valid: true}}}, false},
		{"KeepICC", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"},
			Resizer: &imgproxy.BildResizer{KeepICC: true}}, false},
		{"WebP quality", withEncoder(&webp.Encoder{Quality: 50}), withEncoder(&webp.Encoder{}), false},
		{"WebP default quality", withEncoder(&webp.Encoder{Quality: webp.DefaultQuality}), withEncoder(&webp.Encoder{}), true},
		{"encoders", base(), withEncoder(&webp.Encoder{}), false},
		{"limits are not identity", base(), &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://example.org/pics"},
			Resizer: &imgproxy.BildResizer{MaxPixels: 1000, Concurrency: 1}}, true},
		{"explicit Namespace", &imgproxy.Handler{Namespace: "pics"}, &imgproxy.Handler{Namespace: "pics", Fetcher: fn}, true},
		{"other Namespace", &imgproxy.Handler{Namespace: "pics"}, &imgproxy.Handler{Namespace: "other"}, false},
		{"unnamed origins", &imgproxy.Handler{Fetcher: fn}, &imgproxy.Handler{Fetcher: fn}, false},
		{"file system", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{FS: os.DirFS(dir)}},
			&imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{FS: os.DirFS(dir)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pa, pb := tt.a.CacheNamespace(), tt.b.CacheNamespace()
			assert.Regexp(t, "^[0-9a-f]{16}$", pa)
			assert.Equal(t, tt.shared, pa == pb, "%s and %s", pa, pb)
		})
	}
	// Keys stay the same from one version to the next unless the README
	// says otherwise: a disk cache survives an upgrade.
	assert.Equal(t, "360f1ecaa25e8c75", base().CacheNamespace())
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	require.NoError(t, err)
	return wd
}

// TestNamespaceRequired: a Fetcher that cannot name its origin gets a
// namespace of its Handler's own with memory caches only, and needs an
// explicit Namespace with a tier that outlives the Handler or is shared
// between processes.
func TestNamespaceRequired(t *testing.T) {
	t.Parallel()
	fn := imgproxy.FetcherFunc(func(context.Context, string) (*imgproxy.Source, error) { return nil, imgproxy.ErrNotFound })
	tests := []struct {
		name    string
		h       *imgproxy.Handler
		wantErr string
	}{
		{"memory only", &imgproxy.Handler{Fetcher: fn, Cache: &imgproxy.MemoryCache{}}, ""},
		{"no cache", &imgproxy.Handler{Fetcher: fn, Cache: imgproxy.NoCache{}}, ""},
		{"disk", &imgproxy.Handler{Fetcher: fn, Disk: &imgproxy.DiskCache{Dir: t.TempDir()}}, "Handler.Disk"},
		{"cluster", &imgproxy.Handler{Fetcher: fn, Cluster: &imgproxy.GroupCache{Self: "http://a", Peers: []string{"http://a"},
			Secret: "s3cret-s3cret-s3cret"}}, "Handler.Cluster"},
		{"other cache", &imgproxy.Handler{Fetcher: fn, Cache: &countingCache{}}, "Handler.Cache (*imgproxy_test.countingCache)"},
		{"disk, named", &imgproxy.Handler{Fetcher: fn, Disk: &imgproxy.DiskCache{Dir: t.TempDir()}, Namespace: "x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d, ok := tt.h.Disk.(*imgproxy.DiskCache); ok {
				t.Cleanup(func() { d.Close() })
			}
			err := tt.h.Validate()
			w := get(t, tt.h, "GET", "/image/10x10/x.jpg")
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, 404, w.Code)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Handler.Namespace is required")
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, 500, w.Code)
			assert.NotContains(t, w.Body.String(), "Namespace")
		})
	}

	// Two Handlers of unnamed origins on one MemoryCache: each its own.
	c := &imgproxy.MemoryCache{}
	colour := func(col color.RGBA) *imgproxy.Handler {
		data := solidJPEG(t, 64, 48, col)
		return &imgproxy.Handler{Cache: c, Fetcher: imgproxy.FetcherFunc(func(_ context.Context, p string) (*imgproxy.Source, error) {
			return &imgproxy.Source{Path: p, Data: data}, nil
		})}
	}
	a, b := colour(red), colour(blue)
	assert.Equal(t, "MISS", assertColour(t, a, "/image/30x30/x.jpg", red))
	assert.Equal(t, "MISS", assertColour(t, b, "/image/30x30/x.jpg", blue))
	assert.Equal(t, "HIT", assertColour(t, a, "/image/30x30/x.jpg", red))
}

// TestNamespacesKeepClusterApart runs two-node clusters over real HTTP
// between the nodes: nodes of different upstreams (a red x.jpg, a blue
// one) that share the peer list each serve only their own pictures, the
// owner refusing the other's keys (400) so that the asker makes them;
// nodes of one upstream still share every variant.
func TestNamespacesKeepClusterApart(t *testing.T) {
	t.Parallel()
	// Boxes of distinct canonical keys for the 64x48 pictures.
	sizes := []string{"10x10", "20x-", "-x30", "40x40,crop", "12x12", "-x-", "30x-,r90", "14x14", "16x-", "18x18"}
	tests := []struct {
		name   string
		colour color.RGBA // of node b's x.jpg; node a's is red
		shared bool
	}{
		{"other upstream", blue, false},
		{"same upstream", red, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dirs := []string{colourDir(t, red), colourDir(t, tt.colour)}
			if tt.shared {
				dirs[1] = dirs[0]
			}
			nodes, peerStatus := startNodes(t, dirs)
			a, b := nodes[0], nodes[1]
			for _, size := range sizes {
				assertColour(t, a, "/image/"+size+"/x.jpg", red)
				status := assertColour(t, b, "/image/"+size+"/x.jpg", tt.colour)
				if tt.shared {
					assert.Equal(t, "HIT", status, "%s: made by a or its owner", size)
				} else {
					assert.Equal(t, "MISS", status, "%s: made by b", size)
				}
			}
			for _, size := range sizes { // and the other way round
				assertColour(t, b, "/image/"+size+",q50/x.jpg", tt.colour)
				assertColour(t, a, "/image/"+size+",q50/x.jpg", red)
			}
			peerStatus.mu.Lock()
			defer peerStatus.mu.Unlock()
			if tt.shared {
				assert.NotZero(t, peerStatus.n[200], "nodes asked each other over HTTP: %v", peerStatus.n)
				assert.Zero(t, peerStatus.n[400], "no key refused")
			} else {
				assert.NotZero(t, peerStatus.n[400], "keys of the other namespace refused: %v", peerStatus.n)
			}
		})
	}
}

// peerStatuses counts the statuses the peer servers of a cluster answer.
type peerStatuses struct {
	mu sync.Mutex
	n  map[int]int
}

// statusWriter counts the status of one peer answer in s.
type statusWriter struct {
	http.ResponseWriter
	s     *peerStatuses
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.s.mu.Lock()
	w.s.n[code]++
	w.s.mu.Unlock()
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK) // the implicit 200
	return w.ResponseWriter.Write(p)
}

// startNodes starts a cluster of one node per directory, each a Handler
// of a DirFetcher with its own peer server; it returns the Handlers and
// the count of peer answers.
func startNodes(t *testing.T, dirs []string) ([]*imgproxy.Handler, *peerStatuses) {
	t.Helper()
	st := &peerStatuses{n: map[int]int{}}
	servers := make([]*httptest.Server, len(dirs))
	peers := make([]string, len(dirs))
	for i := range servers {
		servers[i] = httptest.NewUnstartedServer(nil)
		peers[i] = "http://" + servers[i].Listener.Addr().String()
	}
	nodes := make([]*imgproxy.Handler, len(dirs))
	for i, s := range servers {
		gc := &imgproxy.GroupCache{Self: peers[i], Peers: peers, Secret: "s3cret-s3cret-s3cret"}
		nodes[i] = &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: dirs[i]}, Cluster: gc}
		require.NoError(t, nodes[i].Validate())
		s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gc.ServeHTTP(&statusWriter{ResponseWriter: w, s: st}, r)
		})
		s.Start()
		t.Cleanup(s.Close)
		t.Cleanup(gc.Close)
	}
	return nodes, st
}

// TestGroupCacheOneHandler: a GroupCache loads through one Handler, so a
// second Handler given the same one is a configuration error rather than
// a Handler served the first one's pictures.
func TestGroupCacheOneHandler(t *testing.T) {
	t.Parallel()
	gc := &imgproxy.GroupCache{Self: "http://127.0.0.1:1", Peers: []string{"http://127.0.0.1:1"}, Secret: "s3cret-s3cret-s3cret"}
	t.Cleanup(gc.Close)
	a := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: colourDir(t, red)}, Cluster: gc}
	b := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: colourDir(t, blue)}, Cluster: gc}
	require.NoError(t, a.Validate())
	err := b.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GroupCache belongs to one Handler")
	assert.Equal(t, 500, get(t, b, "GET", "/image/10x10/x.jpg").Code)
	assertColour(t, a, "/image/10x10/x.jpg", red)
}
