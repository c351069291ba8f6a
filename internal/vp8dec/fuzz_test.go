package vp8dec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzMaxPixels bounds the frames the fuzz target decodes, as the pipeline
// bounds them by its header limit before decoding.
const fuzzMaxPixels = 1 << 20

// FuzzDecode: any input decodes or fails with an error wrapping one of
// the package's sentinels, never panics, and a decoded frame has the size
// its header says.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"lossy.webp", "icc.webp", "lossy-alpha.webp"} {
		if b, err := os.ReadFile(filepath.Join("..", "webpmeta", "testdata", name)); err == nil {
			f.Add(payload(f, b))
		}
	}
	if hasTool("cwebp") {
		for _, args := range [][]string{{"-q", "50", "-segments", "4"}, {"-q", "90", "-strong", "-sharpness", "3"}, {"-q", "20", "-f", "0"}} {
			f.Add(payload(f, cwebp(f, picture(f, "photo", 40, 24), args...)))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Decoder
		m, err := d.Decode(context.Background(), data, Options{MaxPixels: fuzzMaxPixels})
		if err != nil {
			assert.True(t, errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge), "%v", err)
			return
		}
		cfg, err := DecodeConfig(data)
		require.NoError(t, err)
		assert.Equal(t, cfg.Width, m.Rect.Dx())
		assert.Equal(t, cfg.Height, m.Rect.Dy())
		// A second decode into the same buffers gives the same planes.
		y := append([]byte(nil), m.Y...)
		m2, err := d.Decode(context.Background(), data, Options{MaxPixels: fuzzMaxPixels})
		require.NoError(t, err)
		assert.Equal(t, y, m2.Y)
	})
}
