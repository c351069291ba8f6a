package imgproxy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// eventLog is an Observer that keeps a copy of every Event.
type eventLog struct {
	mu     sync.Mutex
	events []imgproxy.Event
}

func (l *eventLog) Observe(_ *http.Request, ev *imgproxy.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, *ev)
}

// last returns the latest Event.
func (l *eventLog) last(t *testing.T) imgproxy.Event {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(t, l.events)
	return l.events[len(l.events)-1]
}

func (l *eventLog) all() []imgproxy.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]imgproxy.Event(nil), l.events...)
}

// madeStages are the stages a BildResizer miss runs.
var madeStages = []imgproxy.Stage{imgproxy.StageQueue, imgproxy.StageFetch, imgproxy.StageDecode, imgproxy.StageResize, imgproxy.StageEncode}

// assertStages checks which stages ran: all of madeStages, or none.
func assertStages(t *testing.T, ev imgproxy.Event, ran bool) {
	t.Helper()
	for _, s := range madeStages {
		if ran {
			assert.Positive(t, ev.Stages[s], "stage %v", s)
		} else {
			assert.Zero(t, ev.Stages[s], "stage %v", s)
		}
	}
}

// TestObserverTiers follows one variant down and up the tiers: made from
// the origin, then a hit in memory, or on disk when there is no memory
// tier, with the header, the Event and the byte counts agreeing.
func TestObserverTiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mem  imgproxy.Cache
		hit  imgproxy.Tier
	}{
		{"memory", &imgproxy.MemoryCache{}, imgproxy.TierMemory},
		{"disk", imgproxy.NoCache{}, imgproxy.TierDisk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}}
			disk := &imgproxy.DiskCache{Dir: t.TempDir()}
			t.Cleanup(func() { disk.Close() })
			log := &eventLog{}
			h := &imgproxy.Handler{Fetcher: f, Cache: tt.mem, Disk: disk, Observer: log}

			w := get(t, h, "GET", "/image/100x100/x.jpg")
			require.Equal(t, 200, w.Code)
			assert.Equal(t, "MISS", w.Header().Get("X-Cache-Status"))
			assert.Equal(t, "origin", w.Header().Get("X-Cache-Tier"))
			ev := log.last(t)
			assert.Equal(t, imgproxy.TierOrigin, ev.Tier)
			assert.Equal(t, "MISS", ev.Cache)
			assert.Equal(t, 200, ev.Status)
			assert.EqualValues(t, w.Body.Len(), ev.Bytes)
			assert.Equal(t, "100x100", ev.Options)
			assert.Equal(t, "x.jpg", ev.Path)
			assert.False(t, ev.Collapsed)
			assert.NoError(t, ev.Err)
			assert.Empty(t, ev.Reason)
			assert.Positive(t, ev.Duration)
			assertStages(t, ev, true)

			for _, c := range []struct {
				method string
				hdr    []string
				status int
				bytes  int
			}{
				{"GET", nil, 200, w.Body.Len()},
				{"HEAD", nil, 200, 0},
				{"GET", []string{"If-None-Match", w.Header().Get("ETag")}, 304, 0},
				{"GET", []string{"Range", "bytes=0-9"}, 206, 10},
			} {
				w2 := get(t, h, c.method, "/image/100x100/x.jpg", c.hdr...)
				require.Equal(t, c.status, w2.Code)
				assert.Equal(t, "HIT", w2.Header().Get("X-Cache-Status"))
				assert.Equal(t, tt.hit.String(), w2.Header().Get("X-Cache-Tier"))
				ev := log.last(t)
				assert.Equal(t, tt.hit, ev.Tier, "%s %v", c.method, c.hdr)
				assert.Equal(t, "HIT", ev.Cache)
				assert.Equal(t, c.status, ev.Status)
				assert.EqualValues(t, c.bytes, ev.Bytes, "%s %v", c.method, c.hdr)
				assertStages(t, ev, false)
			}
			assert.EqualValues(t, 1, f.calls.Load())
		})
	}
}

// TestObserverFailures checks each failure's status and reason, named
// through the one status table.
func TestObserverFailures(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{"ok.jpg": jpegBytes(t, 64, 64), "text.txt": []byte("not an image")}
	signer := imgproxy.SignerFunc(func(r *http.Request) error {
		switch r.URL.Query().Get("auth") {
		case "good":
			return nil
		case "old":
			return imgproxy.ErrExpired
		}
		return imgproxy.ErrForbidden
	})
	tests := []struct {
		method, url string
		fetchErr    error
		status      int
		reason      string
	}{
		{"GET", "/image/10x10/ok.jpg?auth=bad", nil, 403, "bad_signature"},
		{"GET", "/image/10x10/ok.jpg?auth=old", nil, 410, "expired"},
		{"GET", "/image/axb/ok.jpg?auth=good", nil, 400, "bad_request"},
		{"GET", "/image/10x10/a/%2e%2e/x.jpg?auth=good", nil, 400, "bad_request"},
		{"POST", "/image/10x10/ok.jpg?auth=good", nil, 405, "method"},
		{"GET", "/image/10x10/nope.jpg?auth=good", nil, 404, "not_found"},
		{"GET", "/other/10x10/ok.jpg?auth=good", nil, 404, "not_found"},
		{"GET", "/image/10x10/text.txt?auth=good", nil, 415, "unsupported"},
		{"GET", "/image/10x10/ok.jpg?auth=good", imgproxy.ErrTooLarge, 415, "too_large"},
		{"GET", "/image/10x10/ok.jpg?auth=good", imgproxy.ErrUpstream, 502, "upstream"},
		{"GET", "/image/10x10/ok.jpg?auth=good", imgproxy.ErrOverloaded, 503, "overloaded"},
		{"GET", "/image/10x10/ok.jpg?auth=good", context.DeadlineExceeded, 504, "timeout"},
		{"GET", "/image/10x10/ok.jpg?auth=good", errors.New("boom"), 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.reason), func(t *testing.T) {
			t.Parallel()
			log := &eventLog{}
			h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files, err: tt.fetchErr}, Signer: signer, Observer: log}
			w := get(t, h, tt.method, tt.url)
			require.Equal(t, tt.status, w.Code)
			ev := log.last(t)
			assert.Equal(t, tt.status, ev.Status)
			assert.Equal(t, tt.reason, ev.Reason)
			assert.Equal(t, imgproxy.StatusCode(ev.Err), ev.Status)
			assert.Equal(t, imgproxy.TierNone, ev.Tier)
			assert.Empty(t, ev.Cache)
			assert.Empty(t, w.Header().Get("X-Cache-Tier"))
			assert.EqualValues(t, w.Body.Len(), ev.Bytes)
		})
	}
}

// TestObserverClientLeft: a client gone before the answer is 499,
// "canceled", and nothing is written.
func TestObserverClientLeft(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 64, 64)}, gate: make(chan struct{})}
	t.Cleanup(func() { close(f.gate) })
	log := &eventLog{}
	h := &imgproxy.Handler{Fetcher: f, Observer: log}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/image/10x10/x.jpg", nil).WithContext(ctx))
	ev := log.last(t)
	assert.Equal(t, 499, ev.Status)
	assert.Equal(t, "canceled", ev.Reason)
	assert.Zero(t, ev.Bytes)
}

// TestObserverCollapsed: of concurrent misses of one variant, the one
// that made it reports the stages; the others waited for it (Collapsed,
// MISS) or, arriving after it was done, hit the memory tier.
func TestObserverCollapsed(t *testing.T) {
	t.Parallel()
	const n = 8
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 800, 600)}, gate: make(chan struct{})}
	c := &countingCache{}
	log := &eventLog{}
	h := &imgproxy.Handler{Fetcher: f, Cache: c, Observer: log}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { assert.Equal(t, 200, get(t, h, "GET", "/image/100x100/x.jpg").Code) })
	}
	require.Eventually(t, func() bool { return c.gets.Load() >= n+1 }, 10*time.Second, time.Millisecond)
	close(f.gate)
	wg.Wait()
	made, collapsed := 0, 0
	for _, ev := range log.all() {
		switch {
		case ev.Collapsed:
			collapsed++
			assert.Equal(t, "MISS", ev.Cache)
			assert.Equal(t, imgproxy.TierOrigin, ev.Tier)
			assertStages(t, ev, false)
		case ev.Cache == "MISS":
			made++
			assertStages(t, ev, true)
		default:
			assert.Equal(t, imgproxy.TierMemory, ev.Tier)
			assertStages(t, ev, false)
		}
	}
	assert.Equal(t, 1, made)
	assert.Positive(t, collapsed)
	assert.EqualValues(t, 1, f.calls.Load())
}

// TestObserverCluster: a variant owned by the other node is answered by
// the peer tier, one owned by this node is made here from the origin;
// the next request for either is a memory hit.
func TestObserverCluster(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 400, 300)
	f := imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		return &imgproxy.Source{Path: path, Data: src}, nil
	})
	nodes := startCluster(t, 2, f)
	log := &eventLog{}
	nodes[0].h.Observer = log
	tiers := map[imgproxy.Tier]int{}
	for i := range 20 {
		url := fmt.Sprintf("/image/100x100/p%d.jpg", i)
		w := get(t, nodes[0].h, "GET", url)
		require.Equal(t, 200, w.Code)
		ev := log.last(t)
		tiers[ev.Tier]++
		assert.Equal(t, ev.Tier.String(), w.Header().Get("X-Cache-Tier"))
		assert.Equal(t, "MISS", ev.Cache, "made for this request, here or by its owner")
		if ev.Tier == imgproxy.TierOrigin {
			assertStages(t, ev, true)
		} else {
			// This node may have fetched the original to learn its
			// size (queue, fetch); the owner of the canonical key made
			// the variant.
			for _, s := range madeStages[2:] {
				assert.Zero(t, ev.Stages[s], "stage %v", s)
			}
		}

		get(t, nodes[0].h, "GET", url)
		assert.Equal(t, imgproxy.TierMemory, log.last(t).Tier)
	}
	assert.Positive(t, tiers[imgproxy.TierPeer], "variants owned by node 1")
	assert.Positive(t, tiers[imgproxy.TierOrigin], "variants owned by node 0")
	assert.Equal(t, 20, tiers[imgproxy.TierPeer]+tiers[imgproxy.TierOrigin])
}

// TestObserverStale: a stale copy served for a failed origin is STALE
// from the tier that kept it.
func TestObserverStale(t *testing.T) {
	t.Parallel()
	// 100x- is the canonical key of the 400x400 source, found as it is;
	// 100x100 is found through the source's size, however old.
	for _, tt := range []struct {
		name, url string
		mem       imgproxy.Cache
		tier      imgproxy.Tier
	}{
		{"memory", "/image/100x-/x.jpg", &imgproxy.MemoryCache{}, imgproxy.TierMemory},
		{"disk", "/image/100x-/x.jpg", imgproxy.NoCache{}, imgproxy.TierDisk},
		{"memory, canonical", "/image/100x100/x.jpg", &imgproxy.MemoryCache{}, imgproxy.TierMemory},
		{"disk, canonical", "/image/100x100/x.jpg", imgproxy.NoCache{}, imgproxy.TierDisk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 400, 400)}}
			disk := &imgproxy.DiskCache{Dir: t.TempDir()}
			t.Cleanup(func() { disk.Close() })
			log := &eventLog{}
			h := &imgproxy.Handler{Fetcher: f, Cache: tt.mem, Disk: disk, MaxAge: time.Hour, StaleIfError: true, Now: clk.Now, Observer: log}
			require.Equal(t, 200, get(t, h, "GET", tt.url).Code)
			clk.Advance(2 * time.Hour)
			f.err = imgproxy.ErrUpstream
			w := get(t, h, "GET", tt.url)
			require.Equal(t, 200, w.Code)
			assert.Equal(t, "STALE", w.Header().Get("X-Cache-Status"))
			assert.Equal(t, tt.tier.String(), w.Header().Get("X-Cache-Tier"))
			ev := log.last(t)
			assert.Equal(t, "STALE", ev.Cache)
			assert.Equal(t, tt.tier, ev.Tier)
			assert.NoError(t, ev.Err, "answered, though the origin failed")
		})
	}
}

// TestErrorHandlerKeepsHeaders: with an ErrorHandler, the headers that
// belong to the status are still sent.
func TestErrorHandlerKeepsHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method   string
		fetchErr error
		status   int
		header   string
		value    string
	}{
		{"POST", nil, 405, "Allow", "GET, HEAD"},
		{"GET", imgproxy.ErrOverloaded, 503, "Retry-After", "1"},
		{"GET", imgproxy.ErrUpstream, 502, "", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{
				Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(t, 64, 64)}, err: tt.fetchErr},
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
					w.WriteHeader(imgproxy.StatusCode(err))
					fmt.Fprintln(w, "custom")
				},
			}
			w := get(t, h, tt.method, "/image/10x10/x.jpg")
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, "custom\n", w.Body.String())
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			if tt.header != "" {
				assert.Equal(t, tt.value, w.Header().Get(tt.header))
			}
		})
	}
}

// TestStageAndTierNames pins the names metrics and logs use.
func TestStageAndTierNames(t *testing.T) {
	t.Parallel()
	var stages []string
	for s := range imgproxy.NumStages {
		stages = append(stages, s.String())
	}
	assert.Equal(t, []string{"queue", "fetch", "decode", "resize", "encode"}, stages)
	for tier, name := range map[imgproxy.Tier]string{
		imgproxy.TierNone: "", imgproxy.TierMemory: "memory", imgproxy.TierPeer: "peer",
		imgproxy.TierDisk: "disk", imgproxy.TierOrigin: "origin",
	} {
		assert.Equal(t, name, tier.String())
	}
}

// TestObservers tells every Observer in order.
func TestObservers(t *testing.T) {
	t.Parallel()
	var order []int
	obs := imgproxy.Observers{
		imgproxy.ObserverFunc(func(*http.Request, *imgproxy.Event) { order = append(order, 1) }),
		imgproxy.ObserverFunc(func(*http.Request, *imgproxy.Event) { order = append(order, 2) }),
	}
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{}, Observer: obs}
	get(t, h, "GET", "/image/10x10/none.jpg")
	assert.Equal(t, []int{1, 2}, order)
}

// BenchmarkHitPathObserved is BenchmarkHitPath's "handler" with an
// Observer that does nothing: the cost of observing a hit.
func BenchmarkHitPathObserved(b *testing.B) {
	f := &fakeFetcher{files: map[string][]byte{"x.jpg": jpegBytes(b, 800, 600)}}
	var n int
	h := &imgproxy.Handler{Fetcher: f, Observer: imgproxy.ObserverFunc(func(*http.Request, *imgproxy.Event) { n++ })}
	r := httptest.NewRequest("GET", "/image/150x150/x.jpg", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	w := &headerOnlyWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	if w.h.Get("X-Cache-Status") != "HIT" || n == 0 {
		b.Fatalf("X-Cache-Status %q after %d events, want HIT", w.h.Get("X-Cache-Status"), n)
	}
}
