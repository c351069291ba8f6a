package vp8dec

import (
	"context"
	"errors"
	"fmt"
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
// its header says. DecodeRows fails where Decode does, with the same
// error, and otherwise hands over exactly Decode's rows.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"lossy.webp", "icc.webp", "lossy-alpha.webp"} {
		if b, err := os.ReadFile(filepath.Join("..", "webpmeta", "testdata", name)); err == nil {
			f.Add(payload(f, b))
		}
	}
	parts, _ := filepath.Glob(filepath.Join("testdata", "parts*.webp"))
	for _, name := range parts {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(payload(f, b))
		}
	}
	if hasTool("cwebp") {
		for _, args := range [][]string{{"-q", "50", "-segments", "4"}, {"-q", "90", "-strong", "-sharpness", "3"}, {"-q", "20", "-f", "0"}} {
			f.Add(payload(f, cwebp(f, picture(f, "photo", 40, 24), args...)))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d, sd Decoder
		opt := Options{MaxPixels: fuzzMaxPixels, SkipLoopFilter: len(data)%2 == 1}
		m, err := d.Decode(context.Background(), data, opt)
		c, _, serr := streamed(&sd, data, opt)
		require.Equal(t, fmt.Sprint(err), fmt.Sprint(serr), "DecodeRows fails as Decode does")
		if err != nil {
			assert.True(t, errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge), "%v", err)
			return
		}
		cfg, err := DecodeConfig(data)
		require.NoError(t, err)
		assert.Equal(t, cfg.Width, m.Rect.Dx())
		assert.Equal(t, cfg.Height, m.Rect.Dy())
		wy, wu, wv := planes(m)
		require.Zero(t, c.bad)
		require.Equal(t, wy, c.y)
		require.Equal(t, wu, c.cb)
		require.Equal(t, wv, c.cr)
		// A second decode into the same buffers gives the same planes.
		y := append([]byte(nil), m.Y...)
		m2, err := d.Decode(context.Background(), data, opt)
		require.NoError(t, err)
		assert.Equal(t, y, m2.Y)
	})
}
