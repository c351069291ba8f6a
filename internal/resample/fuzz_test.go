package resample

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzResize resizes random small images of every supported type, also as
// sub-images, and checks the result size and type invariants.
func FuzzResize(f *testing.F) {
	f.Add(uint8(7), uint8(5), uint8(3), uint8(9), uint8(0), uint8(0), uint8(1), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), uint8(5), uint8(1), uint8(3), uint8(1), uint8(1), uint64(2))
	f.Add(uint8(200), uint8(3), uint8(1), uint8(40), uint8(9), uint8(3), uint8(2), uint8(3), uint8(2), uint64(3))
	f.Fuzz(func(t *testing.T, sw, sh, w, h, kind, kern, workers, subX, subY uint8, seed uint64) {
		sw, sh = sw%128+1, sh%128+1
		ow, oh := int(w)%160+1, int(h)%160+1
		img := convertTo(photo(int(sw), int(sh), seed), allKinds[int(kind)%len(allKinds)])
		if s, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		}); ok {
			x0, y0 := int(subX)%int(sw), int(subY)%int(sh)
			img = s.SubImage(image.Rect(x0, y0, int(sw), int(sh)))
		}
		k := kernels[int(kern)%len(kernels)]
		out := Resize(img, ow, oh, k, int(workers)%5)
		require.Equal(t, image.Rect(0, 0, ow, oh), out.Bounds())
		if _, ok := img.(*image.YCbCr); ok {
			require.IsType(t, &image.YCbCr{}, out)
		}
	})
}
