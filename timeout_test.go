package imgproxy_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
		// internal/vp8dec checks the context every macroblock row.
		{"lossy webp", "/image/-x-,q50/p.webp", lossyWebP(t, 2000, 2000, false)},
		// x/image/webp cannot stop a lossy frame with alpha: the request
		// ends with its context all the same, the decode detached.
		{"lossy webp with alpha", "/image/-x-,q50/p.webp", lossyWebP(t, 2000, 2000, true)},
	} {
		if c.data == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := c.url[len("/image/-x-,q50/"):] // the same length for every case
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

// lossyWebP returns a w x h lossy WebP of noise made by cwebp, with an
// ALPH chunk of noise too if alpha, nil (the case is left out, with a
// message) where cwebp is not installed.
func lossyWebP(t *testing.T, w, h int, alpha bool) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.Uint32())
	}
	for i := 3; i < len(m.Pix) && !alpha; i += 4 {
		m.Pix[i] = 255
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	return cwebp(t, buf.Bytes(), "-q", "50")
}

// cwebp encodes a PNG with libwebp's cwebp and args, nil (with a
// message) where cwebp is not installed.
func cwebp(t *testing.T, pngData []byte, args ...string) []byte {
	tool, err := exec.LookPath("cwebp")
	if err != nil {
		t.Log("cwebp not installed: no WebP case")
		return nil
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.webp")
	require.NoError(t, os.WriteFile(in, pngData, 0o644))
	msg, err := exec.Command(tool, append(append([]string{"-quiet"}, args...), in, "-o", out)...).CombinedOutput()
	require.NoError(t, err, "%s", msg)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	return b
}

// compactLosslessWebP returns a w x h lossless WebP of one colour made
// by cwebp: a few hundred bytes that x/image/webp has read whole before
// it decodes, so its decode cannot be stopped once begun (nil, with a
// message, where cwebp is not installed).
func compactLosslessWebP(t *testing.T, w, h int) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = [4]uint8{200, 100, 50, 128}[i%4]
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	return cwebp(t, buf.Bytes(), "-lossless", "-exact")
}

// TestDetachedDecodeKeepsItsSlot: a lossless WebP decode (left to
// x/image/webp) that its context's end detaches keeps the transform's CPU
// slot until it really ends, so the limiter never runs more decodes than
// it has slots; then the slot comes back.
func TestDetachedDecodeKeepsItsSlot(t *testing.T) {
	t.Parallel()
	data := compactLosslessWebP(t, 4000, 4000)
	if data == nil {
		t.Skip("cwebp not installed")
	}
	r := &imgproxy.BildResizer{Concurrency: 1, MaxQueue: -1} // no waiting: a taken slot is 503 at once
	small := &imgproxy.Source{Data: hostile.ValidJPEG(64, 48, false)}
	o, err := imgproxy.ParseOptions("32x-")
	require.NoError(t, err)
	full, err := imgproxy.ParseOptions("-x-,q50")
	require.NoError(t, err)
	held := false
	for timeout := time.Millisecond; !held && timeout <= 256*time.Millisecond; timeout *= 2 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := r.Resize(ctx, &imgproxy.Source{Data: data}, full)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = r.Resize(context.Background(), small, o)
		held = errors.Is(err, imgproxy.ErrOverloaded)
		require.Eventually(t, func() bool {
			_, err := r.Resize(context.Background(), small, o)
			return err == nil
		}, time.Minute, 10*time.Millisecond, "the slot comes back when the decode ends")
	}
	assert.True(t, held, "a decode detached at its deadline held its slot")
}

// TestLossyWebPDecodeStops: a lossy WebP without alpha, decoded by
// internal/vp8dec, stops at its context's end: the transform's only CPU
// slot is free the moment Resize returns, where a detached decode would
// still hold it (503 at once: no queue).
func TestLossyWebPDecodeStops(t *testing.T) {
	t.Parallel()
	data := lossyWebP(t, 2000, 2000, false)
	if data == nil {
		t.Skip("cwebp not installed")
	}
	r := &imgproxy.BildResizer{Concurrency: 1, MaxQueue: -1}
	small := &imgproxy.Source{Data: hostile.ValidJPEG(64, 48, false)}
	o, err := imgproxy.ParseOptions("32x-")
	require.NoError(t, err)
	full, err := imgproxy.ParseOptions("-x-,q50")
	require.NoError(t, err)
	for timeout := time.Millisecond; timeout <= 64*time.Millisecond; timeout *= 2 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := r.Resize(ctx, &imgproxy.Source{Data: data}, full)
		cancel()
		if err == nil {
			break // decoded within the timeout: longer ones prove nothing more
		}
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = r.Resize(context.Background(), small, o)
		require.NoError(t, err, "the slot is free once Resize returns (timeout %v)", timeout)
	}
}
