package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	gen2webp "github.com/gen2brain/webp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingCtx is a context whose Err reports DeadlineExceeded from its
// (left+1)th call on, counting the calls: it ends a decode at a chosen
// check, whatever the timing.
type countingCtx struct {
	context.Context
	left  atomic.Int64
	calls atomic.Int64
}

func newCountingCtx(left int64) *countingCtx {
	c := &countingCtx{Context: context.Background()}
	c.left.Store(left)
	return c
}

func (c *countingCtx) Err() error {
	c.calls.Add(1)
	if c.left.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// ctxNoise is a w x h picture of pseudo-random opaque colours, which
// compresses badly: many reads per decode.
func ctxNoise(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(3)
	for i := range m.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		m.Pix[i] = byte(x) | byte(i%4/3*255)
	}
	return m
}

// ctxSources are pictures whose decode reads its input as it goes.
func ctxSources(t *testing.T) map[string][]byte {
	t.Helper()
	var p, g, w bytes.Buffer
	require.NoError(t, png.Encode(&p, ctxNoise(400, 400)))
	anim := &gif.GIF{}
	pal := color.Palette{color.Black, color.White, color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}}
	for i := range 30 {
		m := image.NewPaletted(image.Rect(0, 0, 64, 64), pal)
		for j := range m.Pix {
			m.Pix[j] = uint8((j*7 + i*13 + j/5) % len(pal))
		}
		anim.Image, anim.Delay = append(anim.Image, m), append(anim.Delay, 5)
	}
	require.NoError(t, gif.EncodeAll(&g, anim))
	require.NoError(t, gen2webp.Encode(&w, ctxNoise(300, 300), gen2webp.Options{Lossless: true}))
	return map[string][]byte{"png": p.Bytes(), "gif": g.Bytes(), "lossless webp": w.Bytes()}
}

// decodeWith runs the codec of data under ctx as the pipeline would.
func decodeWith(ctx context.Context, data []byte) error {
	c := sniffCodec(data)
	h, err := c.header(data)
	if err != nil {
		return err
	}
	req := decodeRequest{maxFrames: h.frames, frame: func(m image.Image) image.Image { return m }}
	_, _, err = c.decode(ctx, data, &h, req)
	return err
}

// TestDecodeContext: a context that ends stops a PNG, GIF or lossless
// WebP decode at the next check, in the middle of its data, and the
// error is the context's (504), not a decoding failure (415).
func TestDecodeContext(t *testing.T) {
	t.Parallel()
	for name, data := range ctxSources(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			whole := newCountingCtx(1 << 40)
			require.NoError(t, decodeWith(whole, data))
			checks := whole.calls.Load()
			require.GreaterOrEqual(t, checks, int64(20), "too few checks in a decode")

			half := newCountingCtx(checks / 2)
			err := decodeWith(half, data)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, ErrUnsupported)
			assert.Equal(t, http.StatusGatewayTimeout, statusCode(err))
			// Stopped at the first failed check (plus the few by which
			// each layer learns why), not at the end of the data.
			assert.LessOrEqual(t, half.calls.Load(), checks/2+3, "of %d checks in a whole decode", checks)

			expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
			defer cancel()
			assert.ErrorIs(t, decodeWith(expired, data), context.DeadlineExceeded)
			cancelled, cancel2 := context.WithCancel(context.Background())
			cancel2()
			err = decodeWith(cancelled, data)
			assert.ErrorIs(t, err, context.Canceled)
			assert.False(t, errors.Is(err, ErrUnsupported))
		})
	}
}

// TestDecodeContextLossyWebP: x/image/webp decodes a lossy frame without
// reading, so only the checks before and after can end it: a done
// context still makes a 504, never a picture.
func TestDecodeContextLossyWebP(t *testing.T) {
	t.Parallel()
	var w bytes.Buffer
	require.NoError(t, gen2webp.Encode(&w, ctxNoise(64, 64), gen2webp.Options{Quality: 80}))
	require.NoError(t, decodeWith(context.Background(), w.Bytes()))
	for _, left := range []int64{0, 1} { // done before; done by the end
		ctx := newCountingCtx(left)
		err := decodeWith(ctx, w.Bytes())
		require.ErrorIs(t, err, context.DeadlineExceeded, "after %d checks", left)
		assert.Equal(t, http.StatusGatewayTimeout, statusCode(err))
	}
}
