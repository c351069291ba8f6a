package vp8dec

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"
)

// sampleVP8 is the VP8 payload of webpmeta's lossy test file.
func sampleVP8(tb testing.TB) ([]byte, []byte) {
	tb.Helper()
	file, err := os.ReadFile(filepath.Join("..", "webpmeta", "testdata", "lossy.webp"))
	require.NoError(tb, err)
	return file, payload(tb, file)
}

// TestMatchesXImage: without libwebp, golang.org/x/image/webp is the
// second oracle; its planes equal ours on the sample file and, where
// cwebp is installed, on an encoded photo.
func TestMatchesXImage(t *testing.T) {
	t.Parallel()
	file, _ := sampleVP8(t)
	files := [][]byte{file}
	if hasTool("cwebp") {
		files = append(files, cwebp(t, picture(t, "photo", 203, 157), "-q", "60", "-segments", "4", "-strong"))
	}
	for _, file := range files {
		want, err := webp.Decode(bytes.NewReader(file))
		require.NoError(t, err)
		wy, ok := want.(*image.YCbCr)
		require.True(t, ok, "x/image/webp returns %T", want)
		got, err := Decode(context.Background(), payload(t, file), Options{})
		require.NoError(t, err)
		require.Equal(t, wy.Rect, got.Rect)
		gy, gu, gv := planes(got)
		xy, xu, xv := planes(wy)
		requireSamePlanes(t, "Y", xy, gy, got.Rect.Dx())
		requireSamePlanes(t, "Cb", xu, gu, (got.Rect.Dx()+1)/2)
		requireSamePlanes(t, "Cr", xv, gv, (got.Rect.Dx()+1)/2)
	}
}

// TestDecodeErrors: damaged frames are errors wrapping the package's
// sentinels (or the context's), never panics.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	_, vp8 := sampleVP8(t)
	inter := append([]byte(nil), vp8...)
	inter[0] |= 1
	badStart := append([]byte(nil), vp8...)
	badStart[3] = 0
	zeroSize := append([]byte(nil), vp8...)
	zeroSize[6], zeroSize[7] = 0, 0
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		data []byte
		opt  Options
		want error
	}{
		{"empty", context.Background(), nil, Options{}, ErrFormat},
		{"header only", context.Background(), vp8[:10], Options{}, ErrFormat},
		{"first partition cut", context.Background(), vp8[:20], Options{}, ErrFormat},
		{"half the tokens", context.Background(), vp8[:len(vp8)/2], Options{}, ErrFormat},
		{"inter frame", context.Background(), inter, Options{}, ErrUnsupported},
		{"bad start code", context.Background(), badStart, Options{}, ErrFormat},
		{"zero width", context.Background(), zeroSize, Options{}, ErrFormat},
		{"over MaxPixels", context.Background(), vp8, Options{MaxPixels: 100}, ErrTooLarge},
		{"canceled", canceled, vp8, Options{}, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(c.ctx, c.data, c.opt)
			require.ErrorIs(t, err, c.want)
		})
	}
}

// TestTruncatedNeverPanics cuts the sample at every length.
func TestTruncatedNeverPanics(t *testing.T) {
	t.Parallel()
	_, vp8 := sampleVP8(t)
	var d Decoder
	for n := range len(vp8) {
		_, _ = d.Decode(context.Background(), vp8[:n], Options{})
	}
	_, err := d.Decode(context.Background(), vp8, Options{})
	require.NoError(t, err, "a Decoder is reusable after failures")
}
