package imgproxy_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// recordingResizer passes to a BildResizer and keeps the errors it
// returned.
type recordingResizer struct {
	imgproxy.BildResizer
	mu   sync.Mutex
	errs []error
}

func (r *recordingResizer) Resize(ctx context.Context, src *imgproxy.Source, o imgproxy.Options) (*imgproxy.Image, error) {
	img, err := r.BildResizer.Resize(ctx, src, o)
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	return img, err
}

// TestTimeoutEndsDecode: the Handler's Timeout ends a decode that takes
// far longer (a full-size decode of a large picture in each format whose
// decoder checks the context): the Resizer returns the context's error,
// not a finished picture, and the client gets 504.
func TestTimeoutEndsDecode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, url string
		data      []byte
	}{
		{"progressive jpeg", "/image/-x-,q50/p.jpg", hostile.ValidJPEG(4000, 3000, true)},
		{"baseline jpeg", "/image/-x-,q50/p.jpg", hostile.ValidJPEG(4000, 3000, false)},
		{"png", "/image/-x-,q50/p.png", hostile.PNGBomb(4000, 3000, false)},
		{"gif", "/image/-x-,png/p.gif", hostile.GIFBomb(4000, 3000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := c.url[len("/image/-x-,q50/"):]
			// The deadline must pass inside the decode, which takes far
			// longer than these timeouts; on a loaded machine it may pass
			// before the Resizer is even called (the request then fails
			// elsewhere), so the timeout doubles until it is called.
			for timeout := time.Millisecond; ; timeout *= 2 {
				require.LessOrEqual(t, timeout, 256*time.Millisecond, "the Resizer was never reached before the deadline")
				r := &recordingResizer{}
				h := &imgproxy.Handler{
					Fetcher: &fakeFetcher{files: map[string][]byte{path: c.data}},
					Resizer: r, Cache: imgproxy.NoCache{}, Timeout: timeout,
				}
				w := get(t, h, "GET", c.url)
				r.mu.Lock()
				errs := r.errs
				r.mu.Unlock()
				if len(errs) == 0 {
					continue
				}
				require.Len(t, errs, 1)
				assert.True(t, errors.Is(errs[0], context.DeadlineExceeded), "the decode ended with its context: %v", errs[0])
				assert.Equal(t, 504, w.Code)
				return
			}
		})
	}
}
