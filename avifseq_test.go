package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/imgproxy-go/imgproxy/avif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withIspe returns data (one item with an ispe box) claiming w x h.
func withIspe(t *testing.T, data []byte, w, h uint32) []byte {
	t.Helper()
	i := bytes.Index(data, []byte("ispe"))
	require.Positive(t, i)
	require.Equal(t, -1, bytes.Index(data[i+4:], []byte("ispe")), "one ispe box")
	out := bytes.Clone(data)
	binary.BigEndian.PutUint32(out[i+8:], w)
	binary.BigEndian.PutUint32(out[i+12:], h)
	return out
}

// TestAVIFSequenceHeader: an AVIF whose ispe is smaller than the frame
// its AV1 sequence header allows (what the decoder allocates) is refused
// before any decode beyond the 64 pixels of superblock padding, and
// within them charged, and checked against MaxPixels, at the frame size.
func TestAVIFSequenceHeader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	avifFile(t, dir, "real.avif", []string{"-d", "8"}, quadrants(256, 192))
	// A grid's tiles carry the sequence headers, which are not read yet.
	avifFile(t, dir, "grid.avif", []string{"-d", "8", "--grid", "2x2"}, quadrants(256, 192))
	orig, err := os.ReadFile(filepath.Join(dir, "real.avif"))
	require.NoError(t, err)
	files := map[string][]byte{
		"small.avif": withIspe(t, orig, 64, 48),   // 192x144 short
		"slack.avif": withIspe(t, orig, 200, 150), // 56x42 short
		"wide.avif":  withIspe(t, orig, 256, 120), // 72 rows short
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	tests := []struct {
		file      string
		maxPixels int64
		code      int
	}{
		{"real.avif", 0, http.StatusOK},
		{"small.avif", 0, http.StatusUnsupportedMediaType},
		{"wide.avif", 0, http.StatusUnsupportedMediaType},
		{"slack.avif", 0, http.StatusOK},
		{"grid.avif", 0, http.StatusUnsupportedMediaType},
		{"slack.avif", 256 * 192, http.StatusOK},
		{"slack.avif", 256*192 - 1, http.StatusUnsupportedMediaType}, // ispe's 200x150 would pass
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+http.StatusText(tt.code), func(t *testing.T) {
			t.Parallel()
			r := &BildResizer{MaxPixels: tt.maxPixels, Decoders: map[Format]Decoder{FormatAVIF: avif.Decoder{}}}
			h := &Handler{Fetcher: &DirFetcher{Dir: dir}, Resizer: r, Cache: NoCache{}}
			w := serve(t, h, "/image/32x32/"+tt.file)
			assert.Equal(t, tt.code, w.Code)
			assert.NotContains(t, w.Body.String(), "av1")
		})
	}
	t.Run("weight at the frame size", func(t *testing.T) {
		t.Parallel()
		c := &avifCodec
		hd, err := c.header(files["slack.avif"])
		require.NoError(t, err)
		assert.Equal(t, []int{200, 150, 256, 192}, []int{hd.width, hd.height, hd.layout.frameW, hd.layout.frameH})
		assert.Equal(t, int64(256*192*56+8<<20), avifDecodeWeight(&hd))
		_, err = c.header(files["small.avif"])
		assert.Error(t, err)
	})
	t.Run("direct", func(t *testing.T) {
		t.Parallel()
		r := &BildResizer{Decoders: map[Format]Decoder{FormatAVIF: avif.Decoder{}}}
		_, err := r.Resize(context.Background(), &Source{Data: files["small.avif"]}, Options{Width: 32, Height: 32})
		assert.ErrorIs(t, err, ErrUnsupported)
	})
}
