package imgproxy_test

import (
	"context"
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

// clock is a settable fake time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestDiskTierFillsMemory(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
	mem, disk := &imgproxy.MemoryCache{}, &imgproxy.DiskCache{Dir: t.TempDir()}
	defer disk.Close()
	h := &imgproxy.Handler{Fetcher: f, Cache: mem, Disk: disk}
	w := get(t, h, "GET", "/image/100x100/x.jpg")
	assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
	assert.Equal(t, 2, disk.Len(), "the variant and its source's size")

	// A new Handler on the same disk: memory is empty, the disk has it.
	mem2 := &imgproxy.MemoryCache{}
	h2 := &imgproxy.Handler{Fetcher: f, Cache: mem2, Disk: &imgproxy.DiskCache{Dir: disk.Dir}}
	w2 := get(t, h2, "GET", "/image/100x100/x.jpg")
	assert.Equal(t, "HIT", w2.Header().Get("X-Cache-Status"))
	assert.Equal(t, w.Body.Bytes(), w2.Body.Bytes())
	assert.Equal(t, w.Header().Get("ETag"), w2.Header().Get("ETag"))
	assert.Equal(t, 1, mem2.Len(), "the disk hit filled the memory tier")
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestStaleIfError(t *testing.T) {
	t.Parallel()
	for _, stale := range []bool{true, false} {
		t.Run(fmt.Sprint("stale=", stale), func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
			h := &imgproxy.Handler{Fetcher: f, MaxAge: time.Hour, StaleIfError: stale, Now: clk.Now, NotFoundTTL: -1}
			first := get(t, h, "GET", "/image/100x100/x.jpg")
			require.Equal(t, 200, first.Code)
			clk.Advance(30 * time.Minute)
			assert.Equal(t, "HIT", get(t, h, "GET", "/image/100x100/x.jpg").Header().Get("X-Cache-Status"))

			clk.Advance(31 * time.Minute) // now past max-age
			f.err = fmt.Errorf("%w: connection refused", imgproxy.ErrUpstream)
			w := get(t, h, "GET", "/image/100x100/x.jpg")
			if !stale {
				assert.Equal(t, 502, w.Code)
				return
			}
			require.Equal(t, 200, w.Code)
			assert.Equal(t, "STALE", w.Header().Get("X-Cache-Status"))
			assert.Equal(t, first.Body.Bytes(), w.Body.Bytes())

			// A 404 is an answer, not a failure: no stale copy for it.
			f.err = imgproxy.ErrNotFound
			assert.Equal(t, 404, get(t, h, "GET", "/image/100x100/x.jpg").Code)

			// Once the origin is back, the variant is made afresh.
			f.err = nil
			w = get(t, h, "GET", "/image/100x100/x.jpg")
			assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
			assert.Equal(t, "HIT", get(t, h, "GET", "/image/100x100/x.jpg").Header().Get("X-Cache-Status"))
		})
	}
}

func TestNotFoundIsRemembered(t *testing.T) {
	t.Parallel()
	clk := newClock()
	f := &fakeFetcher{files: map[string][]byte{}}
	h := &imgproxy.Handler{Fetcher: f, Now: clk.Now}
	for i := range 10 {
		assert.Equal(t, 404, get(t, h, "GET", fmt.Sprintf("/image/%dx%d/missing.jpg", 10+i, 10+i)).Code)
	}
	assert.EqualValues(t, 1, f.calls.Load())
	clk.Advance(61 * time.Second)
	assert.Equal(t, 404, get(t, h, "GET", "/image/10x10/missing.jpg").Code)
	assert.EqualValues(t, 2, f.calls.Load())

	off := &fakeFetcher{files: map[string][]byte{}}
	h = &imgproxy.Handler{Fetcher: off, NotFoundTTL: -1}
	for range 3 {
		get(t, h, "GET", "/image/10x10/missing.jpg")
	}
	assert.EqualValues(t, 3, off.calls.Load())
}

func TestSeveralSizesOneFetch(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}, gate: make(chan struct{})}
	c := &keyCountingCache{gets: map[string]int{}}
	// MaxInFlight above the five, so that none waits for a slot (the
	// default, twice GOMAXPROCS, is 4 on two cores) and fetches later.
	h := &imgproxy.Handler{Fetcher: f, Cache: c, MaxInFlight: 16}
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			w := get(t, h, "GET", fmt.Sprintf("/image/%dx-/x.jpg", 100+10*i))
			assert.Equal(t, 200, w.Code)
		})
	}
	// Each of the five requests has looked its key up (once: its worker
	// asks no tier again) and the size of its source, all waiting on one
	// fetch.
	prefix := h.CacheNamespace() + "/"
	require.Eventually(t, func() bool {
		for i := range 5 {
			if c.count(fmt.Sprintf("%s%dx-/x.jpg", prefix, 100+10*i)) < 1 || c.count(prefix+"=x.jpg") < 5 {
				return false
			}
		}
		return true
	}, 10*time.Second, time.Millisecond)
	close(f.gate)
	wg.Wait()
	// The lookups are immediately followed by the fetch; allow one
	// straggler that reached the fetch after the gate opened.
	assert.LessOrEqual(t, f.calls.Load(), int32(2))
}

// node is one Handler of an in-process cluster, with its peer server.
type node struct {
	h    *imgproxy.Handler
	peer *httptest.Server
}

func startCluster(t *testing.T, n int, f imgproxy.Fetcher) []*node {
	t.Helper()
	nodes := make([]*node, n)
	peers := make([]string, n)
	for i := range nodes {
		nodes[i] = &node{}
		nodes[i].peer = httptest.NewUnstartedServer(nil)
		peers[i] = "http://" + nodes[i].peer.Listener.Addr().String()
	}
	for i, nd := range nodes {
		gc := &imgproxy.GroupCache{Self: peers[i], Peers: peers, Secret: "s3cret"}
		nd.h = &imgproxy.Handler{Fetcher: f, Cluster: gc, Namespace: "cluster"}
		require.NoError(t, nd.h.Validate())
		nd.peer.Config.Handler = gc
		nd.peer.Start()
		t.Cleanup(nd.peer.Close)
	}
	return nodes
}

func TestClusterInProcess(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	src := jpegBytes(t, 1200, 900)
	f := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		fetches.Add(1)
		if path != "pic.jpg" {
			return nil, imgproxy.ErrNotFound
		}
		return &imgproxy.Source{Path: path, Data: src}, nil
	})
	nodes := startCluster(t, 3, f)

	// 60 concurrent requests for one variant, spread over the nodes.
	bodies := make([][]byte, 60)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() {
			w := get(t, nodes[i%3].h, "GET", "/image/150x150/pic.jpg")
			assert.Equal(t, 200, w.Code)
			bodies[i] = w.Body.Bytes()
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, fetches.Load())
	for _, b := range bodies {
		assert.Equal(t, bodies[0], b)
	}

	// Five sizes of the same picture: still the one origin fetch.
	for i := range 5 {
		wg.Go(func() {
			w := get(t, nodes[i%3].h, "GET", fmt.Sprintf("/image/%dx-/pic.jpg", 50+i))
			assert.Equal(t, 200, w.Code)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, fetches.Load())

	// A missing picture is one 404 fetch, answered as 404 everywhere.
	for i := range 6 {
		assert.Equal(t, 404, get(t, nodes[i%3].h, "GET", "/image/10x10/none.jpg").Code)
	}
	assert.EqualValues(t, 2, fetches.Load())

	// The peer protocol wants the secret.
	resp, err := http.Get(nodes[0].peer.URL + "/_groupcache/variants/x")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)

	// A dead node costs only its share: the others still answer.
	nodes[2].peer.Close()
	for i := range 12 {
		w := get(t, nodes[i%2].h, "GET", fmt.Sprintf("/image/%dx-/pic.jpg", 200+i))
		assert.Equal(t, 200, w.Code)
	}
}

// TestMaxInFlight checks that no more than MaxInFlight variants are being
// made at once, whatever the number of distinct misses, and that the
// others wait for a slot up to Timeout, then fail with 503. The fetches
// block until the test releases them, so the two slots stay taken: a
// third fetch starting fails the test at once, whatever the timing.
func TestMaxInFlight(t *testing.T) {
	t.Parallel()
	const n, slots = 12, 2
	src := jpegBytes(t, 40, 30)
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(release) }) }
	defer done() // a failed check must not leave the fetches blocked
	f := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		arrived <- struct{}{}
		<-release // held past the Timeout on purpose: the slot stays taken
		return &imgproxy.Source{Path: path, Data: src}, nil
	})
	h := &imgproxy.Handler{Fetcher: f, MaxInFlight: slots, Timeout: 300 * time.Millisecond}
	codes := make(chan *httptest.ResponseRecorder, n)
	for i := range n {
		go func() { codes <- get(t, h, "GET", fmt.Sprintf("/image/%dx-/p%d.jpg", 20+i, i)) }()
	}
	fetches, refused := 0, 0
	for refused < n-slots {
		select {
		case <-arrived:
			fetches++
			require.LessOrEqual(t, fetches, slots, "a fetch started while %d were in flight", slots)
		case w := <-codes:
			require.Equal(t, http.StatusServiceUnavailable, w.Code, "a request beyond MaxInFlight")
			assert.NotEmpty(t, w.Header().Get("Retry-After"))
			refused++
		}
	}
	require.Equal(t, slots, fetches, "the slots were taken while the others waited")
	done()
	for range slots {
		<-codes // the slot holders outlived their own Timeout: whatever they answer
	}
	assert.Empty(t, arrived, "no fetch after the waiters gave up")
}

// keyCountingCache wraps a MemoryCache and counts Get calls by key.
type keyCountingCache struct {
	imgproxy.MemoryCache
	mu   sync.Mutex
	gets map[string]int
}

func (c *keyCountingCache) Get(ctx context.Context, key string) (*imgproxy.Image, bool) {
	c.mu.Lock()
	c.gets[key]++
	c.mu.Unlock()
	return c.MemoryCache.Get(ctx, key)
}

func (c *keyCountingCache) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets[key]
}
