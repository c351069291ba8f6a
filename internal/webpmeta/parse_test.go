package webpmeta

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xwebp "golang.org/x/image/webp"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return data
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Info
		icc  bool
		exif bool
	}{
		{"lossy.webp", Info{Width: 16, Height: 12, Frames: 1}, false, false},
		{"lossless-alpha.webp", Info{Width: 16, Height: 12, Alpha: true, Frames: 1, Lossless: true}, false, false},
		{"lossy-alpha.webp", Info{Width: 16, Height: 12, Alpha: true, Frames: 1}, false, false},
		{"icc.webp", Info{Width: 16, Height: 12, Frames: 1}, true, false},
		{"exif-alpha.webp", Info{Width: 16, Height: 12, Alpha: true, Frames: 1}, false, true},
		{"anim.webp", Info{Width: 16, Height: 12, Alpha: true, Animated: true, Frames: 2, LoopCount: 3}, false, false},
		{"anim-offset.webp", Info{Width: 24, Height: 24, Alpha: true, Animated: true, Frames: 2}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(readTestdata(t, tt.file))
			require.NoError(t, err)
			if tt.icc {
				require.Len(t, got.ICC, 132)
				assert.Equal(t, "acsp", string(got.ICC[36:40]))
			} else {
				assert.Nil(t, got.ICC)
			}
			if tt.exif {
				assert.True(t, bytes.HasPrefix(got.EXIF, []byte("Exif\x00\x00MM")))
			} else {
				assert.Nil(t, got.EXIF)
			}
			got.ICC, got.EXIF = nil, nil
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAllocs(t *testing.T) {
	data := readTestdata(t, "anim-offset.webp")
	n := testing.AllocsPerRun(100, func() {
		if _, err := Parse(data); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	good := readTestdata(t, "lossy-alpha.webp")
	anim := readTestdata(t, "anim.webp")
	edit := func(src []byte, f func([]byte) []byte) []byte {
		return f(bytes.Clone(src))
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short", good[:11]},
		{"not RIFF", edit(good, func(b []byte) []byte { b[0] = 'X'; return b })},
		{"not WEBP", edit(good, func(b []byte) []byte { b[8] = 'X'; return b })},
		{"truncated", good[:len(good)-1]},
		{"RIFF size 0", edit(good, func(b []byte) []byte { b[4], b[5], b[6], b[7] = 0, 0, 0, 0; return b })},
		{"no chunks", []byte("RIFF\x04\x00\x00\x00WEBP")},
		{"unknown first chunk", edit(good, func(b []byte) []byte { b[12] = 'Z'; return b })},
		{"chunk overrun", edit(good, func(b []byte) []byte { b[16] = 0xff; b[17] = 0xff; return b })},
		{"bad VP8 start code", edit(readTestdata(t, "lossy.webp"), func(b []byte) []byte { b[23] = 0; return b })},
		{"bad VP8L signature", edit(readTestdata(t, "lossless-alpha.webp"), func(b []byte) []byte { b[20] = 0; return b })},
		{"canvas differs", edit(good, func(b []byte) []byte { b[24]++; return b })},
		{"frame outside canvas", edit(anim, func(b []byte) []byte { return setFrameX(t, b, 8) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.data)
			var fe FormatError
			require.ErrorAs(t, err, &fe)
			_, _, _, err = FirstFrame(tt.data)
			require.ErrorAs(t, err, &fe)
		})
	}
}

// setFrameX sets the X offset field (in units of 2 pixels) of the first
// ANMF chunk.
func setFrameX(tb testing.TB, b []byte, x2 byte) []byte {
	i := bytes.Index(b, []byte("ANMF"))
	require.Positive(tb, i)
	b[i+8] = x2
	return b
}

func TestFirstFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		size   image.Point
		offset image.Point
		canvas image.Point
	}{
		{"lossy.webp", image.Pt(16, 12), image.Pt(0, 0), image.Pt(16, 12)},
		{"icc.webp", image.Pt(16, 12), image.Pt(0, 0), image.Pt(16, 12)},
		{"lossless-alpha.webp", image.Pt(16, 12), image.Pt(0, 0), image.Pt(16, 12)},
		{"anim.webp", image.Pt(16, 12), image.Pt(0, 0), image.Pt(16, 12)},
		{"anim-offset.webp", image.Pt(8, 8), image.Pt(4, 6), image.Pt(24, 24)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			still, offset, canvas, err := FirstFrame(readTestdata(t, tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.offset, offset)
			assert.Equal(t, tt.canvas, canvas)
			info, err := Parse(still)
			require.NoError(t, err)
			assert.False(t, info.Animated)
			m, err := xwebp.Decode(bytes.NewReader(still))
			require.NoError(t, err)
			assert.Equal(t, tt.size, m.Bounds().Size())
		})
	}
}

func TestFirstFrameAlpha(t *testing.T) {
	t.Parallel()
	// The first frame of anim-offset.webp has an ALPH chunk: the still
	// must carry it in the extended format, and decode with alpha.
	still, _, _, err := FirstFrame(readTestdata(t, "anim-offset.webp"))
	require.NoError(t, err)
	assert.Equal(t, "VP8X", string(still[12:16]))
	m, err := xwebp.Decode(bytes.NewReader(still))
	require.NoError(t, err)
	_, _, _, a0 := m.At(0, 0).RGBA()
	_, _, _, a7 := m.At(7, 0).RGBA()
	assert.Less(t, a0, a7)
}

func TestParseStillAndAppend(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"lossy.webp", "lossy-alpha.webp", "lossless-alpha.webp", "exif-alpha.webp"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, file)
			s, err := ParseStill(data)
			require.NoError(t, err)
			out := AppendStill(nil, s)
			want, err := xwebp.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			got, err := xwebp.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	_, err := ParseStill(readTestdata(t, "anim.webp"))
	require.Error(t, err)
}

func TestAppendChunkPadding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		payload string
		want    string
	}{
		{"", "ABCD\x00\x00\x00\x00"},
		{"x", "ABCD\x01\x00\x00\x00x\x00"},
		{"xy", "ABCD\x02\x00\x00\x00xy"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(AppendChunk(nil, "ABCD", []byte(tt.payload))))
	}
}
