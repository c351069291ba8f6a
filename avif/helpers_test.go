package avif

import (
	"image"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
)

// The shared test pictures and measures (internal/codectest).
var (
	gradient = codectest.Gradient
	psnr     = codectest.PSNR
)

func photo(tb testing.TB, w, h int) image.Image { return codectest.Photo(tb, w, h) }

func tool(tb testing.TB, name string) string {
	return codectest.Tool(tb, name, "libavif-bin or exiftool")
}
