package imgproxy_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// jpegFrameMarker returns the SOFn marker of a JPEG file (0xC0 baseline,
// 0xC2 progressive), walking its segments from SOI.
func jpegFrameMarker(t *testing.T, b []byte) byte {
	t.Helper()
	require.True(t, len(b) > 4 && b[0] == 0xFF && b[1] == 0xD8, "not a JPEG")
	for i := 2; i+4 <= len(b); {
		require.Equal(t, byte(0xFF), b[i], "segment at %d", i)
		m := b[i+1]
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			return m
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	t.Fatal("no frame header")
	return 0
}

// TestImageFilterInterlace: JPEG output is progressive, as the nginx
// recipe's "image_filter_interlace on" makes it, unless BaselineJPEG.
func TestImageFilterInterlace(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 800, 600) // image/jpeg writes baseline
	require.Equal(t, byte(0xC0), jpegFrameMarker(t, src))
	for _, tt := range []struct {
		name     string
		baseline bool
		want     byte
	}{
		{"default progressive", false, 0xC2},
		{"BaselineJPEG", true, 0xC0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{
				Fetcher: &fakeFetcher{files: map[string][]byte{"x.jpg": src}},
				Resizer: &imgproxy.BildResizer{BaselineJPEG: tt.baseline},
			}
			w := get(t, h, "GET", "/image/150x150/x.jpg")
			require.Equal(t, 200, w.Code)
			assert.Equal(t, tt.want, jpegFrameMarker(t, w.Body.Bytes()))
		})
	}
}
