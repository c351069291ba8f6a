package imgproxy_test

import (
	"bytes"
	"context"
	"image"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// sizingResizer is a Resizer that knows source sizes: every source is
// w x h, and each variant's body is the options it was made with.
type sizingResizer struct {
	w, h    int
	sizeErr error
	resizes atomic.Int32
}

var _ imgproxy.SourceSizer = (*sizingResizer)(nil)

func (r *sizingResizer) SourceSize(*imgproxy.Source) (int, int, error) {
	return r.w, r.h, r.sizeErr
}

func (r *sizingResizer) Resize(_ context.Context, src *imgproxy.Source, o imgproxy.Options) (*imgproxy.Image, error) {
	r.resizes.Add(1)
	return imgproxy.NewImage([]byte(o.String()), "image/jpeg", src.LastModified), nil
}

// keyCache is a MemoryCache that records the keys it is given, without
// their namespace: of variants, and of the sources' sizes (which start
// with "=").
type keyCache struct {
	imgproxy.MemoryCache
	mu          sync.Mutex
	keys, sizes []string
}

func (c *keyCache) Add(ctx context.Context, key string, img *imgproxy.Image) {
	c.mu.Lock()
	list := &c.keys
	_, k, _ := strings.Cut(key, "/")
	if strings.HasPrefix(k, "=") {
		list = &c.sizes
	}
	if !slices.Contains(*list, k) {
		*list = append(*list, k)
	}
	c.mu.Unlock()
	c.MemoryCache.Add(ctx, key, img)
}

// stored returns the variant keys given, in order.
func (c *keyCache) stored() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.keys)
}

// sized returns the size keys given, in order.
func (c *keyCache) sized() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sizes)
}

func TestCanonicalKeys(t *testing.T) {
	t.Parallel()
	type step struct {
		url    string
		code   int
		body   string // the options the variant was made with
		status string
	}
	tests := []struct {
		name    string
		memo    int // Handler.SizeMemo
		steps   []step
		fetches int32
		resizes int32
		keys    []string
		info    bool
	}{
		{
			name: "boxes at least the source are the source",
			steps: []step{
				{"/image/-x-/p.jpg", 200, "-x-", "MISS"},
				{"/image/16384x16384/p.jpg", 200, "-x-", "HIT"},
				{"/image/16383x16384/p.jpg", 200, "-x-", "HIT"},
				{"/image/800x-/p.jpg", 200, "-x-", "HIT"},
				{"/image/999999x-/p.jpg", 400, "", ""},
			},
			fetches: 1, resizes: 1, keys: []string{"-x-/p.jpg"},
		},
		{
			name: "a non-canonical first request stores the canonical key",
			steps: []step{
				{"/image/16384x16384/p.jpg", 200, "-x-", "MISS"},
				{"/image/-x-/p.jpg", 200, "-x-", "HIT"},
				{"/image/16383x16384/p.jpg", 200, "-x-", "HIT"},
			},
			fetches: 1, resizes: 1, keys: []string{"-x-/p.jpg"},
		},
		{
			name: "without the memo the memory tier's size entry serves",
			memo: -1,
			steps: []step{
				{"/image/-x-/p.jpg", 200, "-x-", "MISS"},
				{"/image/16384x16384/p.jpg", 200, "-x-", "HIT"},
				{"/image/16383x16384/p.jpg", 200, "-x-", "HIT"},
			},
			fetches: 1, resizes: 1, keys: []string{"-x-/p.jpg"},
		},
		{
			name: "boxes smaller than the source",
			steps: []step{
				{"/image/400x400/p.jpg", 200, "400x-", "MISS"},
				{"/image/400x300/p.jpg", 200, "400x-", "HIT"},
				{"/image/-x300/p.jpg", 200, "400x-", "HIT"},
				{"/image/300x300/p.jpg", 200, "300x-", "MISS"},
				{"/image/799x-/p.jpg", 200, "799x-", "MISS"},
			},
			fetches: 3, resizes: 3, keys: []string{"400x-/p.jpg", "300x-/p.jpg", "799x-/p.jpg"},
		},
		{
			name: "crop",
			steps: []step{
				{"/image/150x150,crop/p.jpg", 200, "150x150,crop", "MISS"},
				{"/image/1000x1000,crop/p.jpg", 200, "-x-", "MISS"},
				{"/image/-x-/p.jpg", 200, "-x-", "HIT"},
				{"/image/150x5000,crop/p.jpg", 200, "150x600,crop", "MISS"},
				{"/image/150x600,crop/p.jpg", 200, "150x600,crop", "HIT"},
			},
			fetches: 3, resizes: 3, keys: []string{"150x150,crop/p.jpg", "-x-/p.jpg", "150x600,crop/p.jpg"},
		},
		{
			name: "rotation, quality and format are kept",
			steps: []step{
				{"/image/1000x1000,r90/p.jpg", 200, "-x-,r90", "MISS"},
				{"/image/-x-,r90/p.jpg", 200, "-x-,r90", "HIT"},
				{"/image/300x300,r270/p.jpg", 200, "300x-,r270", "MISS"},
				{"/image/5000x5000,q50,png/p.jpg", 200, "-x-,q50,png", "MISS"},
				{"/image/-x-/p.jpg", 200, "-x-", "MISS"},
			},
			fetches: 4, resizes: 4,
			keys: []string{"-x-,r90/p.jpg", "300x-,r270/p.jpg", "-x-,q50,png/p.jpg", "-x-/p.jpg"},
		},
		{
			name: "info ignores the box",
			steps: []step{
				{"/image/100x100,info/p.jpg", 200, "-x-,info", "MISS"},
				{"/image/-x-,info/p.jpg", 200, "-x-,info", "HIT"},
			},
			fetches: 1, resizes: 1, keys: []string{"-x-,info/p.jpg"}, info: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
			rz := &sizingResizer{w: 800, h: 600}
			c := &keyCache{}
			h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Cache: c, SizeMemo: tt.memo}
			for _, s := range tt.steps {
				w := get(t, h, "GET", s.url)
				require.Equal(t, s.code, w.Code, s.url)
				if s.code != 200 {
					continue
				}
				assert.Equal(t, s.body, w.Body.String(), s.url)
				assert.Equal(t, s.status, w.Header().Get("X-Cache-Status"), s.url)
			}
			assert.Equal(t, tt.fetches, f.calls.Load(), "origin fetches")
			assert.Equal(t, tt.resizes, rz.resizes.Load(), "resizes")
			assert.Equal(t, tt.keys, c.stored())
			sizes := []string{"=p.jpg"} // the source's size, learnt once
			if tt.info {
				sizes = nil // info needs no size
			}
			assert.Equal(t, sizes, c.sized())
			assert.Equal(t, len(tt.keys)+len(sizes), c.Len())
		})
	}
}

// TestCanonicalKeysDisk checks that the disk tier stores and finds the
// canonical key too, and keeps the source's size for the next process.
func TestCanonicalKeysDisk(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	rz := &sizingResizer{w: 800, h: 600}
	disk := &imgproxy.DiskCache{Dir: t.TempDir()}
	defer disk.Close()
	h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Disk: disk}
	assert.Equal(t, "-x-", get(t, h, "GET", "/image/16384x16384/p.jpg").Body.String())
	assert.Equal(t, 2, disk.Len(), "the variant and its source's size")
	_, ok := disk.Get(context.Background(), h.CacheNamespace()+"/-x-/p.jpg")
	assert.True(t, ok, "stored under the canonical key")

	// A new Handler, memory and memo empty, on the same disk: the size
	// comes from the disk, so neither a fetch nor a resize.
	h2 := &imgproxy.Handler{Fetcher: f, Resizer: rz, Disk: &imgproxy.DiskCache{Dir: disk.Dir}}
	w := get(t, h2, "GET", "/image/16383x16384/p.jpg")
	assert.Equal(t, "-x-", w.Body.String())
	assert.Equal(t, "HIT", w.Header().Get("X-Cache-Status"))
	assert.EqualValues(t, 1, f.calls.Load())
	assert.EqualValues(t, 1, rz.resizes.Load())
	assert.Equal(t, 2, disk.Len())
}

// TestCanonicalKeysStale checks that an expired variant stored under its
// canonical key is found when the origin fails, by a Handler that has
// never seen the source (a restart on the same disk).
func TestCanonicalKeysStale(t *testing.T) {
	t.Parallel()
	clk := newClock()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	rz := &sizingResizer{w: 800, h: 600}
	dir := t.TempDir()
	// One Namespace: down is the same upstream, gone.
	h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Disk: &imgproxy.DiskCache{Dir: dir}, MaxAge: time.Hour, Now: clk.Now, Namespace: "p"}
	require.Equal(t, "400x-", get(t, h, "GET", "/image/400x400/p.jpg").Body.String())
	clk.Advance(2 * time.Hour)
	down := &fakeFetcher{err: imgproxy.ErrUpstream}
	for _, stale := range []bool{true, false} {
		h2 := &imgproxy.Handler{Fetcher: down, Resizer: rz, Disk: &imgproxy.DiskCache{Dir: dir},
			MaxAge: time.Hour, Now: clk.Now, StaleIfError: stale, Namespace: "p"}
		w := get(t, h2, "GET", "/image/400x300/p.jpg")
		if !stale {
			assert.Equal(t, 502, w.Code)
			continue
		}
		require.Equal(t, 200, w.Code)
		assert.Equal(t, "STALE", w.Header().Get("X-Cache-Status"))
		assert.Equal(t, "400x-", w.Body.String())
	}
}

func TestCanonicalKeysNegotiated(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	rz := &sizingResizer{w: 800, h: 600}
	c := &keyCache{}
	h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Cache: c, Negotiate: []imgproxy.Format{imgproxy.FormatWebP}}
	for range 2 {
		for _, url := range []string{"/image/-x-/p.jpg", "/image/16384x16384/p.jpg"} {
			w := get(t, h, "GET", url, "Accept", "image/webp,*/*")
			assert.Equal(t, "-x-,auto-webp", w.Body.String())
			assert.Equal(t, "Accept", w.Header().Get("Vary"))
			w = get(t, h, "GET", url, "Accept", "image/*")
			assert.Equal(t, "-x-", w.Body.String())
			assert.Equal(t, "Accept", w.Header().Get("Vary"))
		}
	}
	assert.Equal(t, []string{"-x-,auto-webp/p.jpg", "-x-/p.jpg"}, c.stored())
	assert.EqualValues(t, 2, rz.resizes.Load())
}

func TestCanonicalKeysUnknownSize(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	rz := &sizingResizer{sizeErr: imgproxy.ErrUnsupported}
	c := &keyCache{}
	h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Cache: c}
	assert.Equal(t, "16384x16384", get(t, h, "GET", "/image/16384x16384/p.jpg").Body.String())
	assert.Equal(t, "-x-", get(t, h, "GET", "/image/-x-/p.jpg").Body.String())
	assert.Equal(t, []string{"16384x16384/p.jpg", "-x-/p.jpg"}, c.stored(), "keyed as asked")
}

// TestCanonicalKeysSigned checks that the signer sees the URL as sent.
func TestCanonicalKeysSigned(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	signed := map[string]bool{"/image/-x-/p.jpg": true, "/image/16384x16384/p.jpg": true}
	h := &imgproxy.Handler{Fetcher: f, Resizer: &sizingResizer{w: 800, h: 600},
		Signer: imgproxy.SignerFunc(func(r *http.Request) error {
			if !signed[r.URL.Path] {
				return imgproxy.ErrForbidden
			}
			return nil
		})}
	assert.Equal(t, 200, get(t, h, "GET", "/image/-x-/p.jpg").Code)
	assert.Equal(t, 200, get(t, h, "GET", "/image/16384x16384/p.jpg").Code)
	assert.Equal(t, 403, get(t, h, "GET", "/image/16383x16384/p.jpg").Code, "an unsigned equivalent is still refused")
}

// sizedBild is a BildResizer that tells JPEG sizes (no EXIF in the test
// pictures), to check that collapsed keys serve the pixels they stand for.
type sizedBild struct{ *imgproxy.BildResizer }

func (r sizedBild) SourceSize(src *imgproxy.Source) (int, int, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(src.Data))
	return cfg.Width, cfg.Height, err
}

func TestCanonicalKeysRealPixels(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": jpegBytes(t, 2560, 1600)}}
	c := &keyCache{}
	h := &imgproxy.Handler{Fetcher: f, Resizer: sizedBild{&imgproxy.BildResizer{}}, Cache: c}
	var first []byte
	for _, url := range []string{"/image/150x150/p.jpg", "/image/150x-/p.jpg", "/image/150x16384/p.jpg", "/image/-x94/p.jpg"} {
		w := get(t, h, "GET", url)
		require.Equal(t, 200, w.Code)
		_, gw, gh := decodeSize(t, w.Body.Bytes())
		assert.Equal(t, [2]int{150, 94}, [2]int{gw, gh}, url)
		if first == nil {
			first = w.Body.Bytes()
		}
		assert.Equal(t, first, w.Body.Bytes(), url)
	}
	assert.Equal(t, []string{"150x-/p.jpg"}, c.stored())
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestCanonicalKeysCluster(t *testing.T) {
	t.Parallel()
	// Peers share only pictures: a real JPEG, whose size the fake ignores.
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": jpegBytes(t, 16, 12)}}
	rz := &sizingResizer{w: 800, h: 600}
	const n = 3
	handlers := make([]*imgproxy.Handler, n)
	peers := make([]string, n)
	servers := make([]*httptest.Server, n)
	for i := range servers {
		servers[i] = httptest.NewUnstartedServer(nil)
		peers[i] = "http://" + servers[i].Listener.Addr().String()
	}
	for i, s := range servers {
		gc := &imgproxy.GroupCache{Self: peers[i], Peers: peers, Secret: "s3cret-s3cret-s3cret"}
		handlers[i] = &imgproxy.Handler{Fetcher: f, Resizer: rz, Cluster: gc}
		require.NoError(t, handlers[i].Validate())
		s.Config.Handler = gc
		s.Start()
		t.Cleanup(s.Close)
	}
	urls := []string{"/image/-x-/p.jpg", "/image/16384x16384/p.jpg", "/image/16383x16384/p.jpg", "/image/800x600/p.jpg"}
	for i := range 2 * n * len(urls) {
		w := get(t, handlers[i%n], "GET", urls[i%len(urls)])
		require.Equal(t, 200, w.Code, urls[i%len(urls)])
		assert.Equal(t, "-x-", w.Body.String())
	}
	assert.EqualValues(t, 1, f.calls.Load(), "one origin fetch in the cluster")
	assert.EqualValues(t, 1, rz.resizes.Load(), "one transform in the cluster")
}
