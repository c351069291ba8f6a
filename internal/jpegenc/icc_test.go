package jpegenc

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/jpegdec"
)

// profile returns n bytes that look like an ICC header for space.
func profile(n int, space string) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i>>8)
	}
	copy(p[16:20], space)
	return p
}

func TestEncodeICC(t *testing.T) {
	t.Parallel()
	src := image.NewYCbCr(image.Rect(0, 0, 40, 30), image.YCbCrSubsampleRatio420)
	tests := []struct {
		name        string
		icc         []byte
		progressive bool
		chunks      int
	}{
		{"none", nil, false, 0},
		{"small", profile(560, "RGB "), false, 1},
		{"exactly one chunk", profile(MaxICCChunk, "RGB "), true, 1},
		{"two chunks", profile(MaxICCChunk+1, "GRAY"), false, 2},
		{"three chunks", profile(2*MaxICCChunk+100, "RGB "), true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, Encode(&buf, src, &Options{ICC: tt.icc, Progressive: tt.progressive}))
			data := buf.Bytes()
			assert.Equal(t, tt.chunks, bytes.Count(data, []byte("ICC_PROFILE\x00")))
			if tt.chunks > 0 {
				// Right after SOI (2 bytes) and the 18-byte JFIF APP0.
				assert.Equal(t, []byte{0xFF, 0xE2}, data[20:22])
			}
			m, err := jpegdec.Metadata(data)
			require.NoError(t, err)
			assert.Equal(t, tt.icc, m.ICC)
			if tt.icc != nil {
				assert.Equal(t, string(tt.icc[16:20]), m.ICCColorSpace)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, src.Rect, img.Bounds())
		})
	}
	err := Encode(&bytes.Buffer{}, src, &Options{ICC: make([]byte, 255*MaxICCChunk+1)})
	require.Error(t, err)
}
