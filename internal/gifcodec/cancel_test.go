package gifcodec

import (
	"context"
	"errors"
	"image"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expiringCtx is a context whose Err reports DeadlineExceeded from its
// (left+1)th call on, counting the calls: it ends a decode at a chosen
// check, whatever the timing.
type expiringCtx struct {
	context.Context
	left  atomic.Int64
	calls atomic.Int64
}

func newExpiringCtx(left int64) *expiringCtx {
	c := &expiringCtx{Context: context.Background()}
	c.left.Store(left)
	return c
}

func (c *expiringCtx) Err() error {
	c.calls.Add(1)
	if c.left.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// noiseIndexes returns n pseudo-random indexes into testPalette, which
// LZW cannot compress much: many data sub-blocks per frame.
func noiseIndexes(n int) []uint8 {
	b := make([]uint8, n)
	x := uint32(7)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = uint8(x>>24) % uint8(len(testPalette))
	}
	return b
}

// TestDecodeFramesContext: a context that ends stops DecodeFrames between
// frames and inside a frame's LZW data, and its error comes back as is,
// not as a FormatError nor as the end of a damaged animation.
func TestDecodeFramesContext(t *testing.T) {
	t.Parallel()
	const frames = 40
	specs := make([]frameSpec, frames)
	for i := range specs {
		specs[i] = frameSpec{rect: image.Rect(0, 0, 16, 16), pix: noiseIndexes(256), delay: 5}
	}
	many := buildGIF(t, 16, 16, 0, specs)
	big := buildGIF(t, 600, 600, 0, []frameSpec{{rect: image.Rect(0, 0, 600, 600), pix: noiseIndexes(600 * 600)}})

	t.Run("cancelled between frames", func(t *testing.T) {
		t.Parallel()
		for _, stopAt := range []int{0, 1, 7, frames - 2} {
			ctx, cancel := context.WithCancel(context.Background())
			delivered := 0
			info, err := DecodeFrames(ctx, many, 0, func(i int, _ *image.NRGBA, _ time.Duration) error {
				delivered++
				if i == stopAt {
					cancel()
				}
				return nil
			})
			cancel()
			require.ErrorIs(t, err, context.Canceled, "stop at %d", stopAt)
			var fe FormatError
			assert.False(t, errors.As(err, &fe))
			assert.Equal(t, stopAt+1, delivered, "frames decoded after the cancel")
			assert.Equal(t, stopAt+1, info.Frames)
		}
	})
	t.Run("done before the first frame", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		delivered := 0
		_, err := DecodeFrames(ctx, many, 0, func(int, *image.NRGBA, time.Duration) error { delivered++; return nil })
		require.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, delivered)
	})
	t.Run("expired inside a frame", func(t *testing.T) {
		t.Parallel()
		// Count the checks of a whole decode first: one per frame plus
		// one per Read image/gif makes, most of them data sub-blocks.
		all := newExpiringCtx(1 << 40)
		_, err := DecodeFrames(all, big, 0, func(int, *image.NRGBA, time.Duration) error { return nil })
		require.NoError(t, err)
		checks := all.calls.Load()
		require.Greater(t, checks, int64(100), "too few checks inside the frame")

		const left = 20 // expires early in the frame's data
		ctx := newExpiringCtx(left)
		delivered := 0
		_, err = DecodeFrames(ctx, big, 0, func(int, *image.NRGBA, time.Duration) error { delivered++; return nil })
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Zero(t, delivered)
		// It stopped at the first check that failed (plus the one that
		// tells the caller why), not at the end of the frame.
		assert.LessOrEqual(t, ctx.calls.Load(), int64(left+2), "of %d checks in a whole decode", checks)
	})
}
