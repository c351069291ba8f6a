package imgproxy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// stalledOrigin is an origin that never answers: each request waits until
// its client leaves.
func stalledOrigin(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	return srv.URL
}

// switchFetcher fetches with fill until failing is set, then with next.
type switchFetcher struct {
	fill, next imgproxy.Fetcher
	failing    atomic.Bool
}

func (f *switchFetcher) Fetch(ctx context.Context, path string) (*imgproxy.Source, error) {
	if f.failing.Load() {
		return f.next.Fetch(ctx, path)
	}
	return f.fill.Fetch(ctx, path)
}

// TestStaleIfErrorOnTimeout checks that an expired variant is served,
// marked STALE, when making it afresh times out, whichever way the
// timeout shows: ErrTimeout from the Fetcher, a context deadline from the
// Fetcher, the HTTPFetcher's own header timeout, or the Handler's Timeout
// passing while the origin stalls. Without StaleIfError each is a 504.
func TestStaleIfErrorOnTimeout(t *testing.T) {
	t.Parallel()
	const url = "/image/60x60/x.jpg"
	src := map[string][]byte{"x.jpg": jpegBytes(t, 120, 90)}
	tests := []struct {
		name    string
		fetcher func(t *testing.T) imgproxy.Fetcher // the origin once it fails
		timeout time.Duration                       // Handler.Timeout; 0: default
	}{
		{"ErrTimeout from the fetcher", func(*testing.T) imgproxy.Fetcher {
			return &fakeFetcher{err: fmt.Errorf("%w: fake read timeout", imgproxy.ErrTimeout)}
		}, 0},
		{"deadline from the fetcher", func(*testing.T) imgproxy.Fetcher {
			return &fakeFetcher{err: fmt.Errorf("fake: %w", context.DeadlineExceeded)}
		}, 0},
		{"HTTPFetcher header timeout", func(t *testing.T) imgproxy.Fetcher {
			return &imgproxy.HTTPFetcher{BaseURL: stalledOrigin(t), HeaderTimeout: time.Millisecond}
		}, 0},
		// The gate never opens: the fetch ends when the Handler's Timeout
		// cancels it. The Timeout only needs to be long enough for the
		// first, successful, request (a small picture) to be made in it.
		{"Handler.Timeout, fake fetcher", func(*testing.T) imgproxy.Fetcher {
			return &fakeFetcher{files: src, gate: make(chan struct{})}
		}, time.Second},
		{"Handler.Timeout, HTTPFetcher", func(t *testing.T) imgproxy.Fetcher {
			return &imgproxy.HTTPFetcher{BaseURL: stalledOrigin(t)}
		}, time.Second},
	}
	for _, tt := range tests {
		for _, stale := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/stale=%t", tt.name, stale), func(t *testing.T) {
				t.Parallel()
				clk := newClock()
				f := &switchFetcher{fill: &fakeFetcher{files: src}, next: tt.fetcher(t)}
				h := &imgproxy.Handler{Fetcher: f, MaxAge: time.Hour, Now: clk.Now, Timeout: tt.timeout, StaleIfError: stale}
				first := get(t, h, "GET", url)
				require.Equal(t, 200, first.Code)
				require.Equal(t, "MISS", first.Header().Get("X-Cache-Status"))

				clk.Advance(2 * time.Hour) // past max-age
				f.failing.Store(true)
				w := get(t, h, "GET", url)
				if !stale {
					assert.Equal(t, http.StatusGatewayTimeout, w.Code)
					assert.Empty(t, w.Header().Get("X-Cache-Status"))
					return
				}
				require.Equal(t, 200, w.Code, "%s", w.Body)
				assert.Equal(t, "STALE", w.Header().Get("X-Cache-Status"))
				assert.Equal(t, first.Body.Bytes(), w.Body.Bytes())
			})
		}
	}
}
