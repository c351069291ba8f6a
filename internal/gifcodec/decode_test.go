package gifcodec

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// disposalGIF is a 4x4 animation exercising every disposal method:
//
//	0: red everywhere, disposal none
//	1: green 2x2 at (1,1), its top-left pixel transparent, disposal 2
//	2: blue 1x1 at (3,3), disposal 3
//	3: white 1x1 at (0,0), disposal none
func disposalGIF(t testing.TB) []byte {
	return buildGIF(t, 4, 4, 0, []frameSpec{
		{rect: image.Rect(0, 0, 4, 4), pix: fill(16, 1), delay: 10, disposal: 1},
		{rect: image.Rect(1, 1, 3, 3), pix: []uint8{0, 2, 2, 2}, delay: 20, disposal: 2},
		{rect: image.Rect(3, 3, 4, 4), pix: []uint8{3}, delay: 0, disposal: 3},
		{rect: image.Rect(0, 0, 1, 1), pix: []uint8{4}, delay: 1, disposal: 1},
	})
}

// TestDecodeFramesDisposal checks the composites pixel by pixel against
// what browsers show.
func TestDecodeFramesDisposal(t *testing.T) {
	t.Parallel()
	R, G, B, W, T := red, green, blue, white, clear0
	// shrunk: the same GIF with a 3x3 logical screen: frame 2 (at 3,3)
	// falls outside and is clipped away.
	shrunk := disposalGIF(t)
	shrunk[6], shrunk[8] = 3, 3
	tests := []struct {
		name   string
		data   []byte
		want   [][][]color.NRGBA
		delays []time.Duration
	}{
		{"disposal 1, 2, 3", disposalGIF(t), [][][]color.NRGBA{
			{{R, R, R, R}, {R, R, R, R}, {R, R, R, R}, {R, R, R, R}},
			{{R, R, R, R}, {R, R, G, R}, {R, G, G, R}, {R, R, R, R}},
			{{R, R, R, R}, {R, T, T, R}, {R, T, T, R}, {R, R, R, B}},
			{{W, R, R, R}, {R, T, T, R}, {R, T, T, R}, {R, R, R, R}},
		}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 0, 10 * time.Millisecond}},
		{"clipped to a smaller screen", shrunk, [][][]color.NRGBA{
			{{R, R, R}, {R, R, R}, {R, R, R}},
			{{R, R, R}, {R, R, G}, {R, G, G}},
			{{R, R, R}, {R, T, T}, {R, T, T}},
			{{W, R, R}, {R, T, T}, {R, T, T}},
		}, nil},
		{"disposal 3 on the first frame, then 2 over transparency", buildGIF(t, 2, 2, 0, []frameSpec{
			{rect: image.Rect(0, 0, 2, 1), pix: []uint8{1, 2}, disposal: 3},
			{rect: image.Rect(0, 1, 2, 2), pix: []uint8{0, 3}, disposal: 2},
			{rect: image.Rect(1, 0, 2, 2), pix: []uint8{0, 4}, disposal: 1},
		}), [][][]color.NRGBA{
			{{R, G}, {T, T}},
			{{T, T}, {T, B}},
			{{T, T}, {T, W}},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, info, err := decodeAll(t, tt.data, 0)
			require.NoError(t, err)
			require.Len(t, d.frames, len(tt.want))
			for i, want := range tt.want {
				requirePixels(t, want, d.frames[i], "frame "+string(rune('0'+i)))
			}
			if tt.delays != nil {
				assert.Equal(t, tt.delays, d.delays)
			}
			assert.Equal(t, len(tt.want), info.Frames)
			cfg, err := Config(tt.data)
			require.NoError(t, err)
			assert.Equal(t, info, cfg)
		})
	}
}

func TestConfigLoopCount(t *testing.T) {
	t.Parallel()
	two := []frameSpec{
		{rect: image.Rect(0, 0, 3, 2), pix: fill(6, 1)},
		{rect: image.Rect(0, 0, 3, 2), pix: fill(6, 2)},
	}
	animexts := bytes.Replace(buildGIF(t, 3, 2, 4, two), []byte("NETSCAPE2.0"), []byte("ANIMEXTS1.0"), 1)
	other := bytes.Replace(buildGIF(t, 3, 2, 4, two), []byte("NETSCAPE2.0"), []byte("XMPDataXMP\x00"), 1)
	tests := []struct {
		name string
		data []byte
		want Info
	}{
		{"image/gif -1: play once", buildGIF(t, 3, 2, -1, two), Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 1}},
		{"image/gif 0: forever", buildGIF(t, 3, 2, 0, two), Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 0}},
		{"image/gif 1: plays twice", buildGIF(t, 3, 2, 1, two), Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 2}},
		{"image/gif 65535", buildGIF(t, 3, 2, 65535, two), Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 65536}},
		{"ANIMEXTS1.0", animexts, Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 5}},
		{"other application extension", other, Info{Width: 3, Height: 2, Frames: 2, Pixels: 12, LoopCount: 1}},
		{"still", buildGIF(t, 3, 2, 0, two[:1]), Info{Width: 3, Height: 2, Frames: 1, Pixels: 6, LoopCount: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Config(tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			_, info, err := decodeAll(t, tt.data, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.want, info)
		})
	}
}

func fiveFrames(t testing.TB) []byte {
	var fs []frameSpec
	for i := range 5 {
		fs = append(fs, frameSpec{rect: image.Rect(0, 0, 8, 8), pix: fill(64, uint8(1+i%4)), delay: 10 * (i + 1)})
	}
	return buildGIF(t, 8, 8, 2, fs)
}

func TestDecodeFramesMaxFrames(t *testing.T) {
	t.Parallel()
	data := fiveFrames(t)
	tests := []struct {
		max, delivered int
		truncated      bool
	}{{0, 5, false}, {-1, 5, false}, {1, 1, true}, {2, 2, true}, {5, 5, false}, {6, 5, false}}
	for _, tt := range tests {
		d, info, err := decodeAll(t, data, tt.max)
		require.NoError(t, err)
		assert.Len(t, d.frames, tt.delivered, "max %d", tt.max)
		assert.Equal(t, Info{Width: 8, Height: 8, Frames: 5, Pixels: 320, LoopCount: 3, Truncated: tt.truncated}, info, "max %d", tt.max)
	}
}

// TestDecodeFramesDamaged: damage after the first frame ends the
// animation there; damage in the first frame is an error.
func TestDecodeFramesDamaged(t *testing.T) {
	t.Parallel()
	data := fiveFrames(t)
	// Offsets of the image descriptors.
	var starts []int
	for s, _ := newScanner(data); ; {
		_, ok, err := s.next()
		require.NoError(t, err)
		if !ok {
			break
		}
		starts = append(starts, bytes.LastIndexByte(data[:s.off], blockImage))
	}
	require.Len(t, starts, 5)
	corruptLZW := bytes.Clone(data)
	corruptLZW[starts[2]+10] = 12 // LZW minimum code size out of range
	tests := []struct {
		name     string
		data     []byte
		frames   int // 0: an error
		cfgCount int
	}{
		{"cut in frame 3", data[:starts[2]+15], 2, 2},
		{"cut before frame 3", data[:starts[2]], 2, 2},
		{"garbage after frame 2", append(bytes.Clone(data[:starts[2]]), 0x99, 1, 2), 2, 2},
		{"corrupt LZW in frame 3", corruptLZW, 2, 5},
		{"no trailer", data[:len(data)-1], 5, 5},
		{"cut in frame 1", data[:starts[0]+14], 0, 0},
		{"header only", data[:13], 0, 0},
		{"not a GIF", []byte("GIF90a\x01\x00\x01\x00\x00\x00\x00;"), 0, 0},
		{"empty", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, info, err := decodeAll(t, tt.data, 0)
			cfg, cfgErr := Config(tt.data)
			if tt.frames == 0 {
				var fe FormatError
				require.ErrorAs(t, err, &fe)
				require.ErrorAs(t, cfgErr, &fe)
				return
			}
			require.NoError(t, err)
			require.NoError(t, cfgErr)
			assert.Len(t, d.frames, tt.frames)
			assert.Equal(t, tt.frames, info.Frames)
			assert.Equal(t, tt.cfgCount, cfg.Frames)
		})
	}
}

func TestDecodeFramesCallbackError(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop")
	calls := 0
	_, err := DecodeFrames(context.Background(), fiveFrames(t), 0, func(i int, _ *image.NRGBA, _ time.Duration) error {
		calls++
		if i == 1 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 2, calls)
}

// TestDecodeFramesEmptyScreen: a zero logical screen takes the first
// frame's extent.
func TestDecodeFramesEmptyScreen(t *testing.T) {
	t.Parallel()
	data := buildGIF(t, 5, 4, 0, []frameSpec{{rect: image.Rect(1, 1, 5, 4), pix: fill(12, 2)}})
	data[6], data[7], data[8], data[9] = 0, 0, 0, 0
	d, info, err := decodeAll(t, data, 0)
	require.NoError(t, err)
	assert.Equal(t, Info{Width: 5, Height: 4, Frames: 1, Pixels: 12, LoopCount: 1}, info)
	assert.Equal(t, green, d.frames[0].NRGBAAt(4, 3))
	assert.Equal(t, clear0, d.frames[0].NRGBAAt(0, 0))
}
