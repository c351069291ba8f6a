package webpmeta

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	xwebp "golang.org/x/image/webp"
)

func addSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.webp"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Parse(data)
		if err != nil {
			return
		}
		if info.Width < 1 || info.Height < 1 || info.Frames < 1 {
			t.Fatalf("accepted a file with %+v", info)
		}
		if !info.Animated && info.Frames != 1 {
			t.Fatalf("still with %d frames", info.Frames)
		}
	})
}

func FuzzFirstFrame(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		still, offset, canvas, err := FirstFrame(data)
		if err != nil {
			return
		}
		info, err := Parse(still)
		if err != nil {
			t.Fatalf("FirstFrame gave a file Parse rejects: %v", err)
		}
		if info.Animated {
			t.Fatal("FirstFrame gave an animation")
		}
		if offset.X+info.Width > canvas.X || offset.Y+info.Height > canvas.Y {
			t.Fatalf("frame %dx%d at %v outside canvas %v", info.Width, info.Height, offset, canvas)
		}
		// The decoder must not panic on what we made; errors are fine
		// (the bitstream after the header is not checked). Large
		// declared sizes are not decoded: x/image/webp allocates the
		// whole picture up front, which stalls the fuzzer
		// (testdata/fuzz/FuzzFirstFrame/c4f7d0eef21c0938, 12336x12353).
		if info.Width*info.Height <= 1<<20 {
			_, _ = xwebp.Decode(bytes.NewReader(still))
		}
	})
}
