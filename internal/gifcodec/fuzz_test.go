package gifcodec

import (
	"bytes"
	"context"
	"image"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

func gifSeeds(f *testing.F) [][]byte {
	var b bytes.Buffer
	m := withHole(12, 10)
	p := &picture.Picture{Image: m, Frames: []picture.Frame{{Image: m, Delay: 30 * time.Millisecond}, {Image: photo(12, 10)}}, LoopCount: 3}
	if err := (Encoder{}).Encode(&b, p, picture.EncodeOptions{}); err != nil {
		f.Fatal(err)
	}
	interlaced := buildGIF(f, 3, 9, 0, []frameSpec{{rect: image.Rect(0, 0, 3, 9), pix: fill(27, 2)}})
	interlaced[bytes.LastIndexByte(interlaced[:40], blockImage)+9] |= flagInterlace
	return [][]byte{disposalGIF(f), fiveFrames(f), b.Bytes(), interlaced}
}

// FuzzDecodeFrames checks that DecodeFrames neither panics nor hangs,
// that every frame it delivers is the canvas Config reports, and that it
// never delivers more frames than Config counts or than maxFrames.
func FuzzDecodeFrames(f *testing.F) {
	for _, s := range gifSeeds(f) {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, maxFrames int) {
		cfg, cfgErr := Config(data)
		if cfgErr == nil && int64(cfg.Width)*int64(cfg.Height) > 1<<22 {
			return // a legitimately huge canvas: too slow to fuzz
		}
		n := 0
		info, err := DecodeFrames(context.Background(), data, maxFrames, func(i int, m *image.NRGBA, _ time.Duration) error {
			if i != n || m.Rect != image.Rect(0, 0, cfg.Width, cfg.Height) {
				t.Fatalf("frame %d: %v, config %+v", i, m.Rect, cfg)
			}
			n++
			return nil
		})
		if err != nil {
			return
		}
		if cfgErr != nil {
			t.Fatalf("DecodeFrames succeeded, Config failed: %v", cfgErr)
		}
		if n == 0 || (maxFrames > 0 && n > maxFrames) || info.Frames > cfg.Frames || info.Width != cfg.Width || info.LoopCount != cfg.LoopCount {
			t.Fatalf("delivered %d (max %d), info %+v, config %+v", n, maxFrames, info, cfg)
		}
	})
}

// FuzzConfig checks that Config neither panics nor hangs and agrees with
// its own invariants.
func FuzzConfig(f *testing.F) {
	for _, s := range gifSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Config(data)
		if err != nil {
			return
		}
		if cfg.Frames < 1 || cfg.Width < 0 || cfg.Height < 0 || cfg.LoopCount < 0 || cfg.Truncated {
			t.Fatalf("bad config %+v", cfg)
		}
	})
}
