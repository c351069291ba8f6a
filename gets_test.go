package imgproxy_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// tierCounter is a Cache that counts the Gets of each key (without its
// namespace) and closes reached once total Gets reach at.
type tierCounter struct {
	imgproxy.Cache
	mu      sync.Mutex
	gets    map[string]int
	total   int
	at      int
	reached chan struct{}
}

func newTierCounter(c imgproxy.Cache, at int) *tierCounter {
	return &tierCounter{Cache: c, gets: map[string]int{}, at: at, reached: make(chan struct{})}
}

func (c *tierCounter) Get(ctx context.Context, key string) (*imgproxy.Image, bool) {
	_, k, _ := strings.Cut(key, "/")
	c.mu.Lock()
	c.gets[k]++
	if c.total++; c.total == c.at {
		close(c.reached)
	}
	c.mu.Unlock()
	return c.Cache.Get(ctx, key)
}

// counts returns the Gets counted since the last call, and resets them.
func (c *tierCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.gets
	c.gets = map[string]int{}
	return n
}

// TestOneGetPerKey counts the Gets each tier sees for one request: each
// key (the URL's, the source's size entry, the canonical one) once.
func TestOneGetPerKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		warm        []string // requests before the one counted
		restart     bool     // count on a new Handler on the same disk
		disk        bool
		url         string
		status      string
		mem, onDisk map[string]int
	}{
		{name: "miss", url: "/image/150x-/x.jpg", status: "MISS",
			mem: map[string]int{"150x-/x.jpg": 1, "=x.jpg": 1}},
		{name: "hit", warm: []string{"/image/150x-/x.jpg"}, url: "/image/150x-/x.jpg", status: "HIT",
			mem: map[string]int{"150x-/x.jpg": 1}},
		{name: "miss, non-canonical URL", url: "/image/150x150/x.jpg", status: "MISS",
			mem: map[string]int{"150x150/x.jpg": 1, "=x.jpg": 1, "150x-/x.jpg": 1}},
		{name: "hit, non-canonical URL", warm: []string{"/image/150x150/x.jpg"}, url: "/image/150x150/x.jpg", status: "HIT",
			mem: map[string]int{"150x-/x.jpg": 1}},
		{name: "miss, with a disk", disk: true, url: "/image/150x-/x.jpg", status: "MISS",
			mem: map[string]int{"150x-/x.jpg": 1, "=x.jpg": 1}, onDisk: map[string]int{"150x-/x.jpg": 1, "=x.jpg": 1}},
		{name: "hit on disk", disk: true, restart: true, warm: []string{"/image/150x-/x.jpg"}, url: "/image/150x-/x.jpg",
			status: "HIT", mem: map[string]int{"150x-/x.jpg": 1}, onDisk: map[string]int{"150x-/x.jpg": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
			dir := t.TempDir()
			newHandler := func() (*imgproxy.Handler, *tierCounter, *tierCounter) {
				h := &imgproxy.Handler{Fetcher: f}
				mem := newTierCounter(&imgproxy.MemoryCache{}, -1)
				h.Cache = mem
				var disk *tierCounter
				if tt.disk {
					disk = newTierCounter(diskCache(t, dir), -1)
					h.Disk = disk
				}
				return h, mem, disk
			}
			h, mem, disk := newHandler()
			for _, u := range tt.warm {
				require.Equal(t, 200, get(t, h, "GET", u).Code)
			}
			if tt.restart {
				h, mem, disk = newHandler()
			}
			mem.counts()
			if disk != nil {
				disk.counts()
			}
			w := get(t, h, "GET", tt.url)
			require.Equal(t, 200, w.Code)
			assert.Equal(t, tt.status, w.Header().Get("X-Cache-Status"))
			assert.Equal(t, tt.mem, mem.counts(), "memory")
			if disk != nil {
				assert.Equal(t, tt.onDisk, disk.counts(), "disk")
			}
		})
	}
}

// TestOneGetPerCollapsedMiss: concurrent misses of one variant that wait
// for one fetch ask the memory tier once each, and the work they share
// asks it no more, even for the requests that start it after it is
// done. The Resizer knows no source sizes, so each request has one key.
func TestOneGetPerCollapsedMiss(t *testing.T) {
	t.Parallel()
	const n = 16
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 80, 60)}, gate: make(chan struct{})}
	bild := &imgproxy.BildResizer{}
	rz := imgproxy.ResizerFunc(func(ctx context.Context, src *imgproxy.Source, o imgproxy.Options) (*imgproxy.Image, error) {
		return bild.Resize(ctx, src, o)
	})
	mem := newTierCounter(&imgproxy.MemoryCache{}, n)
	h := &imgproxy.Handler{Fetcher: f, Resizer: rz, Cache: mem}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { assert.Equal(t, 200, get(t, h, "GET", "/image/40x-/x.jpg").Code) })
	}
	<-mem.reached // every request has missed
	close(f.gate)
	wg.Wait()
	assert.Equal(t, map[string]int{"40x-/x.jpg": n}, mem.counts())
	assert.EqualValues(t, 1, f.calls.Load())
	// Then one hit: one more Get.
	w := get(t, h, "GET", "/image/40x-/x.jpg")
	assert.Equal(t, "HIT", w.Header().Get("X-Cache-Status"))
	assert.Equal(t, map[string]int{"40x-/x.jpg": 1}, mem.counts())
}
