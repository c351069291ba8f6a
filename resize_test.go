package imgproxy

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// photo draws smooth gradients, a disc and fine stripes: content where a
// bad resampler shows (aliasing, shifts, wrong colours).
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r, g, b := 255*fx, 255*fy, 128+100*math.Sin(fx*9)
			if math.Hypot(fx-0.6, fy-0.4) < 0.2 {
				r, g, b = 240, 200, 40
			}
			if fy > 0.8 && (x/3)%2 == 0 {
				r, g, b = 20, 20, 20
			}
			m.SetRGBA(x, y, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}))
	return buf.Bytes()
}

// TestResizeGolden compares our thumbnails, by decoded pixels, with a
// float64 Lanczos3 reference of the same source. The test picture is
// harsh (saturated colour edges, stripes finer than the thumbnail can
// hold), so 4:2:0 chroma and JPEG output alone bring the best possible
// result to about 35 dB at 150x94 and 29 dB at 800x500 (measured with
// x/image/draw CatmullRom on the full decode plus the same encoder); the
// bounds sit a little below what we measured (30.7, 29.7, 29.3, 28.1).
func TestResizeGolden(t *testing.T) {
	t.Parallel()
	src := encodeJPEG(t, photo(1600, 1000), 95)
	full, err := jpeg.Decode(bytes.NewReader(src))
	require.NoError(t, err)
	r := &BildResizer{}
	for _, tt := range []struct {
		opts    string
		w, h    int
		minPSNR float64
	}{
		{"150x150", 150, 94, 28},
		{"640x480", 640, 400, 27},
		{"200x-", 200, 125, 27},
		{"800x800", 800, 500, 26},
	} {
		t.Run(tt.opts, func(t *testing.T) {
			t.Parallel()
			o, err := ParseOptions(tt.opts + ",q95")
			require.NoError(t, err)
			img, err := r.Resize(context.Background(), &Source{Data: src}, o)
			require.NoError(t, err)
			out, err := jpeg.Decode(bytes.NewReader(img.Data))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, tt.w, tt.h), out.Bounds())
			ref := resample.Reference(full, tt.w, tt.h)
			psnr := resample.PSNR(out, ref)
			assert.GreaterOrEqual(t, psnr, tt.minPSNR)
			t.Logf("%s: PSNR %.1f dB", tt.opts, psnr)
		})
	}
}

// TestResizeCropIsCentred checks that crop keeps the middle of the picture.
func TestResizeCropIsCentred(t *testing.T) {
	t.Parallel()
	// 300x100: red | green | blue thirds. Cropping to 100x100 keeps green.
	m := image.NewNRGBA(image.Rect(0, 0, 300, 100))
	for y := range 100 {
		for x := range 300 {
			c := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}}[x/100]
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	o, _ := ParseOptions("50x50,crop")
	img, err := (&BildResizer{}).Resize(context.Background(), &Source{Data: buf.Bytes()}, o)
	require.NoError(t, err)
	out, err := png.Decode(bytes.NewReader(img.Data))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 50, 50), out.Bounds())
	for _, p := range []image.Point{{2, 2}, {25, 25}, {47, 47}} {
		r, g, b, _ := out.At(p.X, p.Y).RGBA()
		assert.Greater(t, g, uint32(0xf000), "%v", p)
		assert.Less(t, r+b, uint32(0x1000), "%v", p)
	}
}

func TestResizeLimits(t *testing.T) {
	t.Parallel()
	src := encodeJPEG(t, photo(400, 300), 80)
	o, _ := ParseOptions("100x100")
	_, err := (&BildResizer{MaxPixels: 400*300 - 1}).Resize(context.Background(), &Source{Data: src}, o)
	assert.ErrorIs(t, err, ErrTooLarge)
	_, err = (&BildResizer{}).Resize(context.Background(), &Source{Data: src[:len(src)/3]}, o)
	// A truncated JPEG still decodes (grey where data is missing), as
	// browsers and image/jpeg's peers do; a broken header does not.
	if err != nil {
		assert.ErrorIs(t, err, ErrUnsupported)
	}
	_, err = (&BildResizer{}).Resize(context.Background(), &Source{Data: src[:20]}, o)
	assert.ErrorIs(t, err, ErrUnsupported)

	// A cancelled context gives up waiting for a transform slot.
	r := &BildResizer{Concurrency: 1}
	r.once.Do(r.init)
	require.NoError(t, r.adm.slots.Acquire(context.Background(), 1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.Resize(ctx, &Source{Data: src}, o)
	assert.ErrorIs(t, err, ErrOverloaded)
	r.adm.slots.Release(1)
}

// TestJPEGScale: 1/8 and 1/4 leave the kernel at least minKernelReduction;
// 1/2 is taken whenever the half-size image covers the target, exactly
// when less than minKernelReduction is left.
func TestJPEGScale(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		w, h, bw, bh int
		scale        int
		exact        bool
	}{
		{5640, 3172, 150, 150, 8, false},
		{1280, 1024, 150, 150, 4, false},
		{2560, 1600, 640, 480, 2, false}, // 4x: 1/4 would leave 1.0
		{1280, 1024, 640, 480, 2, true},  // 600x480: 1/2 leaves 1.07
		{2560, 1600, 1200, 900, 2, true},
		{1280, 1024, 1000, 1000, 1, false}, // 1/2 would be below the target
		{1280, 1024, 5000, 5000, 1, false},
	} {
		plan := planGeometry(tt.w, tt.h, Options{Width: tt.bw, Height: tt.bh})
		scale, exact := jpegScale(plan)
		assert.Equal(t, tt.scale, scale, "%dx%d in %dx%d", tt.w, tt.h, tt.bw, tt.bh)
		assert.Equal(t, tt.exact, exact, "%dx%d in %dx%d", tt.w, tt.h, tt.bw, tt.bh)
	}
}
