package imgproxy

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

// blockingEncoder stands for a slow encode: it reports that it started,
// then waits for release.
type blockingEncoder struct {
	started chan struct{}
	release chan struct{}
}

func (e *blockingEncoder) Encode(w io.Writer, p *picture.Picture, _ picture.EncodeOptions) error {
	e.started <- struct{}{}
	<-e.release
	_, err := w.Write([]byte("slow"))
	return err
}

func mustOptions(t testing.TB, s string) Options {
	o, err := ParseOptions(s)
	require.NoError(t, err)
	return o
}

// TestFairLimiter: a transform holds one CPU slot through decode and
// encode, so that while a slow one is encoding, another is served on the
// other slot, and the slow one borrowed nothing outside its parallel
// steps.
func TestFairLimiter(t *testing.T) {
	t.Parallel()
	slow := &blockingEncoder{started: make(chan struct{}), release: make(chan struct{})}
	r := &BildResizer{Concurrency: 2, Encoders: map[Format]Encoder{FormatGIF: slow}}
	src := &Source{Data: encodeJPEG(t, photo(800, 600), 80)}
	done := make(chan error, 1)
	go func() {
		_, err := r.Resize(context.Background(), src, mustOptions(t, "400x300,gif"))
		done <- err
	}()
	<-slow.started
	// Only the slow transform's own slot is taken: the other is free.
	require.True(t, r.adm.slots.TryAcquire(1), "the slow transform holds more than one slot while encoding")
	r.adm.slots.Release(1)
	img, err := r.Resize(context.Background(), src, mustOptions(t, "150x150"))
	require.NoError(t, err, "a thumbnail is made beside the slow transform")
	assert.Equal(t, "image/jpeg", img.ContentType)
	close(slow.release)
	require.NoError(t, <-done)
	// Everything is given back.
	require.True(t, r.adm.slots.TryAcquire(2))
}

func TestBorrow(t *testing.T) {
	t.Parallel()
	a := newAdmission(3, 0, 4, time.Minute)
	release, err := a.admit(context.Background(), 1)
	require.NoError(t, err)
	n, giveBack := a.borrow(8)
	assert.Equal(t, 3, n, "every free slot while nobody waits")
	assert.False(t, a.slots.TryAcquire(1))
	giveBack()
	n, giveBack = a.borrow(2)
	assert.Equal(t, 2, n, "no more than asked")
	giveBack()
	a.waiting.Add(1) // somebody waits: its turn first
	n, giveBack = a.borrow(8)
	assert.Equal(t, 1, n)
	giveBack()
	a.waiting.Add(-1)
	release()
	assert.True(t, a.slots.TryAcquire(3), "all slots back")
}

func TestAdmissionRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// Over the whole budget: never admissible, 415 at once.
	a := newAdmission(2, 100, 4, time.Minute)
	_, err := a.admit(ctx, 101)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, 415, statusCode(err))

	// The budget taken: a second transform waits; with the queue full a
	// third is refused at once; past MaxWait the waiting one is refused.
	a = newAdmission(2, 100, 1, time.Hour)
	hold, err := a.admit(ctx, 60)
	require.NoError(t, err)
	waited := make(chan error, 1)
	go func() {
		release, err := a.admit(ctx, 60)
		if err == nil {
			release()
		}
		waited <- err
	}()
	require.Eventually(t, func() bool { return a.waiting.Load() == 1 }, 10*time.Second, time.Millisecond)
	_, err = a.admit(ctx, 60)
	require.ErrorIs(t, err, ErrOverloaded)
	assert.ErrorIs(t, err, errQueueFull)
	assert.Equal(t, 503, statusCode(err))
	hold()
	require.NoError(t, <-waited, "admitted once the budget is free")

	a = newAdmission(2, 100, 4, time.Nanosecond)
	hold, err = a.admit(ctx, 100)
	require.NoError(t, err)
	_, err = a.admit(ctx, 1)
	require.ErrorIs(t, err, ErrOverloaded)
	assert.ErrorIs(t, err, errWaitedTooLong)
	hold()

	// The request's own context ends the wait too.
	a = newAdmission(1, 0, 4, time.Hour)
	hold, err = a.admit(ctx, 1)
	require.NoError(t, err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = a.admit(cctx, 1)
	require.ErrorIs(t, err, ErrOverloaded)
	assert.ErrorIs(t, err, context.Canceled)
	hold()

	// A negative MaxQueue never waits.
	a = newAdmission(1, 0, -1, time.Hour)
	hold, err = a.admit(ctx, 1)
	require.NoError(t, err)
	_, err = a.admit(ctx, 1)
	assert.ErrorIs(t, err, errQueueFull)
	hold()
}

// TestMemoryBudget: the 16-bit PNG bomb weighs more than a small budget
// and is refused before anything is decoded; a normal thumbnail fits.
func TestMemoryBudget(t *testing.T) {
	t.Parallel()
	r := &BildResizer{MemoryBudget: 64 << 20}
	// Interlaced and reduced under 5x, it is decoded whole: 72 MB.
	bomb := &Source{Data: hostile.PNGBomb(3000, 3000, true)}
	_, err := r.Resize(context.Background(), bomb, mustOptions(t, "1000x1000"))
	require.ErrorIs(t, err, ErrTooLarge)
	// Its thumbnail is streamed, holding a few MB.
	_, err = r.Resize(context.Background(), bomb, mustOptions(t, "150x150"))
	require.NoError(t, err)
	_, err = r.Resize(context.Background(), &Source{Data: encodeJPEG(t, photo(1200, 900), 80)}, mustOptions(t, "150x150"))
	require.NoError(t, err)
}

func TestOutputLimits(t *testing.T) {
	t.Parallel()
	src := &Source{Data: encodeJPEG(t, photo(800, 600), 80)}
	_, err := (&BildResizer{MaxOutputPixels: 400 * 300}).Resize(context.Background(), src, mustOptions(t, "401x-"))
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = (&BildResizer{MaxOutputPixels: 400 * 300}).Resize(context.Background(), src, mustOptions(t, "400x-"))
	require.NoError(t, err)
	// The encoder stops at the byte limit.
	_, err = (&BildResizer{MaxOutputBytes: 10_000}).Resize(context.Background(), src, mustOptions(t, "-x-,png"))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.False(t, errors.Is(err, errOutputLimit), "the writer's error is not the message")
	img, err := (&BildResizer{MaxOutputBytes: 10_000}).Resize(context.Background(), src, mustOptions(t, "100x-"))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(img.Data), 10_000)
}

// TestWeightBoundsAllocation: what a transform allocates, all of it
// (runtime.MemStats.TotalAlloc, which is at least the peak it holds),
// stays within the weight admission charged for it (of still pictures:
// an animation's frames leave garbage behind each other, which TotalAlloc
// counts and the peak does not). Not parallel: the
// counter is the process's, and the other tests wait for this one.
func TestWeightBoundsAllocation(t *testing.T) {
	prog := hostile.ValidJPEG(2400, 1600, true)
	base := hostile.ValidJPEG(2400, 1600, false)
	cases := []struct {
		name, opts string
		data       []byte
	}{
		{"progressive jpeg full", "-x-,q50", prog},
		{"progressive jpeg 1/2", "1000x-", prog},
		{"progressive jpeg 1/4", "400x-", prog},
		{"progressive jpeg 1/8", "150x150", prog},
		{"baseline jpeg full", "2000x-", base},
		{"baseline jpeg png", "1200x-,png", base},
		{"png 16-bit", "150x150", hostile.PNGBomb(1500, 1500, false)},
		{"png 16-bit interlaced", "150x150", hostile.PNGBomb(1500, 1500, true)},
		{"png 8-bit", "640x480", hostile.ValidPNG(2000, 1500)},
		{"png 8-bit streamed", "150x150", hostile.ValidPNG(2000, 1500)},
		{"png grey streamed", "150x150", pngtest.Encode(t, pngtest.Kind{CT: 0, Depth: 8, W: 2000, H: 1500}, 1, 0)},
		{"png palette streamed", "300x300", pngtest.Encode(t, pngtest.Kind{CT: 3, Depth: 8, W: 2000, H: 1500, PLTE: 200}, 1, 0)},
		{"png alpha 1/3 streamed", "640x480", pngtest.Encode(t, pngtest.Kind{CT: 6, Depth: 8, W: 2000, H: 1500}, 1, 0)},
		{"png interlaced 1/3 whole", "640x480", pngtest.Encode(t, pngtest.Kind{CT: 6, Depth: 8, W: 2000, H: 1500, Laced: true}, 1, 0)},
		{"png 16-bit grey interlaced", "150x150", pngtest.Encode(t, pngtest.Kind{CT: 0, Depth: 16, W: 1500, H: 1500, Laced: true}, 1, 0)},
		{"gif", "300x300", hostile.GIFBomb(2000, 2000)},
		{"webp lossy", "300x300", hostile.WebPChecker(1600, 1600)},
		{"webp vp8 streamed", "150x150", lossyWebPOrNil(t, 2000, 1500)},
		{"webp vp8 streamed 5x", "400x400", lossyWebPOrNil(t, 2000, 1500)},
		{"webp vp8 whole", "1000x-", lossyWebPOrNil(t, 2000, 1500)},
	}
	for _, c := range cases {
		if c.data == nil {
			continue // cwebp not installed
		}
		r := &BildResizer{Concurrency: 1}
		r.once.Do(r.init)
		src := &Source{Data: c.data}
		codec := sniffCodec(src.Data)
		h, err := r.readHeader(codec, src.Data)
		require.NoError(t, err, c.name)
		j := r.plan(codec, &h, mustOptions(t, c.opts))
		weight := r.weight(codec, &h, &j)

		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = r.Resize(context.Background(), src, mustOptions(t, c.opts))
		runtime.ReadMemStats(&after)
		require.NoError(t, err, c.name)
		alloc := int64(after.TotalAlloc - before.TotalAlloc)
		t.Logf("%-24s %dx%d: allocated %6.1f MiB, weight %6.1f MiB", c.name, h.width, h.height,
			float64(alloc)/(1<<20), float64(weight)/(1<<20))
		assert.LessOrEqual(t, alloc, weight, c.name)
	}
}

// TestNegotiatedFormatFallsBack: a negotiated format whose encoder would
// need more than the whole budget gives way to the source's format; one
// the URL names does not.
func TestNegotiatedFormatFallsBack(t *testing.T) {
	t.Parallel()
	src := &Source{Data: encodeJPEG(t, photo(1600, 1200), 80)}
	fake := &blockingEncoder{started: make(chan struct{}, 1), release: make(chan struct{})}
	close(fake.release)
	r := &BildResizer{MemoryBudget: 40 << 20, Encoders: map[Format]Encoder{FormatWebP: fake}}
	o := mustOptions(t, "-x-,q80")
	o.Auto = [2]Format{FormatWebP}
	img, err := r.Resize(context.Background(), src, o)
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", img.ContentType)
	_, err = r.Resize(context.Background(), src, mustOptions(t, "-x-,webp"))
	assert.ErrorIs(t, err, ErrTooLarge)
	// Small enough: WebP as negotiated.
	o = mustOptions(t, "200x-")
	o.Auto = [2]Format{FormatWebP}
	img, err = r.Resize(context.Background(), src, o)
	require.NoError(t, err)
	assert.Equal(t, "image/webp", img.ContentType)
}
