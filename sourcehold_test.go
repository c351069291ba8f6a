package imgproxy

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeldSources(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b := &Source{Path: "a", Data: []byte("one")}, &Source{Path: "a", Data: []byte("two")}
	a2 := &Source{Path: "a", Data: []byte("one")} // a fetched again
	tests := []struct {
		name string
		run  func(s *heldSources) (*Source, bool) // the lend at the end
		want *Source
	}{
		{"nothing held", func(s *heldSources) (*Source, bool) {
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, nil},
		{"held", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			src, _, ok := s.lend("a", t0.Add(sourceHoldAge))
			return src, ok
		}, a},
		{"other path", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			src, _, ok := s.lend("b", t0)
			return src, ok
		}, nil},
		{"too old", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			src, _, ok := s.lend("a", t0.Add(sourceHoldAge+1))
			return src, ok
		}, nil},
		{"clock went back", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			src, _, ok := s.lend("a", t0.Add(-1))
			return src, ok
		}, nil},
		{"released", func(s *heldSources) (*Source, bool) {
			_, done := s.hold("a", a, t0)
			done()
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, nil},
		{"released twice by one holder", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			_, done := s.hold("a", a, t0)
			done()
			done() // once only: the first holder still has it
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, a},
		{"lent then released by all", func(s *heldSources) (*Source, bool) {
			_, done := s.hold("a", a, t0)
			_, back, _ := s.lend("a", t0)
			done()
			back()
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, nil},
		{"newer replaces", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			s.hold("a", b, t0.Add(sourceHoldAge))
			src, _, ok := s.lend("a", t0.Add(sourceHoldAge+1))
			return src, ok
		}, b},
		{"older holder leaving keeps the newer", func(s *heldSources) (*Source, bool) {
			_, old := s.hold("a", a, t0)
			s.hold("a", b, t0)
			old()
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, b},
		{"refetched the same", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			if got, _ := s.hold("a", a2, t0.Add(sourceHoldAge+1)); got != a {
				return got, false
			}
			if got, _ := s.hold("a", a2, t0.Add(sourceHoldAge+1)); got != a { // a2's other sharer
				return got, false
			}
			src, _, ok := s.lend("a", t0.Add(2*sourceHoldAge)) // refreshed
			return src, ok
		}, a},
		{"refetched changed", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			if got, _ := s.hold("a", b, t0.Add(sourceHoldAge+1)); got != b {
				return got, false
			}
			src, _, ok := s.lend("a", t0.Add(2*sourceHoldAge))
			return src, ok
		}, b},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s heldSources
			src, ok := tt.run(&s)
			assert.Equal(t, tt.want != nil, ok)
			assert.Same(t, tt.want, src)
		})
	}
}

// TestFetchHeld: a request for another size of a picture whose variant is
// being made borrows its source instead of fetching it again, even when
// the two fetches would not overlap; past sourceHoldAge it fetches again
// but keeps the held copy if the bytes are the same; once no variant
// holds it, the next request fetches.
func TestFetchHeld(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	var version atomic.Int32
	fetcher := FetcherFunc(func(ctx context.Context, path string) (*Source, error) {
		fetches.Add(1)
		return &Source{Path: path, Data: fmt.Appendf(nil, "bytes of %s, version %d", path, version.Load())}, nil
	})
	var mu sync.Mutex
	seen := map[string]*Source{} // options -> the source resized
	started, gate := make(chan struct{}), make(chan struct{})
	resizer := ResizerFunc(func(ctx context.Context, src *Source, o Options) (*Image, error) {
		mu.Lock()
		seen[o.String()] = src
		mu.Unlock()
		if o.Width == 100 {
			close(started)
			<-gate // holds its source until released
		}
		return NewImage([]byte("variant"), "image/jpeg", time.Time{}), nil
	})
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(1e9, clock.Load()) }
	h := &Handler{Fetcher: fetcher, Resizer: resizer, Cache: NoCache{}, Now: now}
	serve := func(url string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		return w.Code
	}
	first := make(chan int)
	go func() { first <- serve("/image/100x100/a.jpg") }()
	<-started
	steps := []struct {
		url     string
		advance time.Duration // the clock, before the request
		change  bool          // the origin's bytes, before the request
		fetches int32
		same    bool // resized from the first request's source
	}{
		{"/image/200x200/a.jpg", 0, false, 1, true},
		{"/image/300x300/b.jpg", 0, false, 2, false},
		{"/image/210x210/a.jpg", sourceHoldAge, false, 2, true},
		{"/image/220x220/a.jpg", 1, false, 3, true}, // refetched, the same bytes
		{"/image/230x230/a.jpg", sourceHoldAge, false, 3, true},
		{"/image/240x240/a.jpg", 1, true, 4, false}, // refetched, changed
	}
	for _, st := range steps {
		clock.Add(int64(st.advance))
		if st.change {
			version.Add(1)
		}
		require.Equal(t, 200, serve(st.url), st.url)
		assert.Equal(t, st.fetches, fetches.Load(), st.url)
		mu.Lock()
		o := strings.Split(st.url, "/")[2]
		require.NotNil(t, seen["100x100"])
		assert.Equal(t, st.same, seen["100x100"] == seen[o], st.url)
		mu.Unlock()
	}
	close(gate)
	require.Equal(t, 200, <-first)
	require.Equal(t, 200, serve("/image/400x400/a.jpg"))
	assert.Equal(t, int32(5), fetches.Load(), "nothing holds a.jpg any more: fetched again")
}

// TestHeldSourcesDropDuplicate: a refetch that brings the same bytes is
// garbage as soon as its requests are done with it: only the held copy
// stays in memory.
func TestHeldSourcesDropDuplicate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var s heldSources
	_, done := s.hold("a", &Source{Path: "a", Data: []byte("same")}, t0)
	defer done()
	dup := &Source{Path: "a", Data: []byte("same")}
	gone := weak.Make(dup)
	got, back := s.hold("a", dup, t0.Add(sourceHoldAge+1))
	defer back()
	require.NotSame(t, dup, got)
	dup = nil
	runtime.GC()
	assert.Nil(t, gone.Value(), "the duplicate is not kept alive")
}

// TestHeldSourcesConcurrent: variants of two pictures made at once, many
// sizes each, sharing held sources, are byte for byte what the same
// requests make one at a time with nothing held.
func TestHeldSourcesConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, name := range []string{"a.jpg", "b.jpg"} {
		m := image.NewYCbCr(image.Rect(0, 0, 600+100*i, 400), image.YCbCrSubsampleRatio420)
		for j := range m.Y {
			m.Y[j] = byte(j*(3+i) + j/600)
		}
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 80}))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644))
	}
	var urls []string
	for w := 100; w < 120; w++ {
		urls = append(urls, fmt.Sprintf("/image/%dx%d/a.jpg", w, w), fmt.Sprintf("/image/%dx%d/b.jpg", w, w))
	}
	body := func(h *Handler, url string) []byte {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		require.Equal(t, 200, w.Code, url)
		return w.Body.Bytes()
	}
	serial := &Handler{Fetcher: &DirFetcher{Dir: dir}, Cache: NoCache{}}
	want := map[string][]byte{}
	for _, u := range urls {
		want[u] = body(serial, u)
	}
	shared := &Handler{Fetcher: &DirFetcher{Dir: dir}, Cache: NoCache{}, MaxInFlight: 8}
	var wg sync.WaitGroup
	got := make([][]byte, len(urls))
	for i, u := range urls {
		wg.Go(func() { got[i] = body(shared, u) })
	}
	wg.Wait()
	for i, u := range urls {
		assert.True(t, bytes.Equal(want[u], got[i]), u)
	}
}
