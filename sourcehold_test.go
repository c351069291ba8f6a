package imgproxy

import (
	"context"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeldSources(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b := &Source{Path: "a"}, &Source{Path: "a"}
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
			s.hold("a", a, t0)()
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, nil},
		{"released twice by one holder", func(s *heldSources) (*Source, bool) {
			s.hold("a", a, t0)
			done := s.hold("a", a, t0)
			done()
			done() // once only: the first holder still has it
			src, _, ok := s.lend("a", t0)
			return src, ok
		}, a},
		{"lent then released by all", func(s *heldSources) (*Source, bool) {
			done := s.hold("a", a, t0)
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
			old := s.hold("a", a, t0)
			s.hold("a", b, t0)
			old()
			src, _, ok := s.lend("a", t0)
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
// the two fetches would not overlap; once no variant holds it, the next
// request fetches.
func TestFetchHeld(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	fetcher := FetcherFunc(func(ctx context.Context, path string) (*Source, error) {
		fetches.Add(1)
		return &Source{Path: path, Data: []byte("bytes of " + path)}, nil
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
	h := &Handler{Fetcher: fetcher, Resizer: resizer, Cache: NoCache{}}
	serve := func(url string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		return w.Code
	}
	first := make(chan int)
	go func() { first <- serve("/image/100x100/a.jpg") }()
	<-started
	require.Equal(t, 200, serve("/image/200x200/a.jpg"))
	assert.Equal(t, int32(1), fetches.Load(), "the second size borrows the held source")
	require.Equal(t, 200, serve("/image/300x300/b.jpg"))
	assert.Equal(t, int32(2), fetches.Load(), "another picture is fetched")
	close(gate)
	require.Equal(t, 200, <-first)
	require.Equal(t, 200, serve("/image/400x400/a.jpg"))
	assert.Equal(t, int32(3), fetches.Load(), "nothing holds a.jpg any more: fetched again")
	mu.Lock()
	defer mu.Unlock()
	require.NotNil(t, seen["100x100"])
	assert.Same(t, seen["100x100"], seen["200x200"])
	assert.NotSame(t, seen["100x100"], seen["400x400"])
}
