package jpegdec

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// synthImage draws a photo-like test picture: gradients, a sine texture,
// hard edges and a little noise, deterministic for a given seed.
func synthImage(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			r := 128 + 100*math.Sin(fx/17+fy/29)
			g := 255 * fx / float64(max(w, 1))
			b := 255 * fy / float64(max(h, 1))
			if (x/23+y/19)%3 == 0 {
				r, g = g, 255-r
			}
			n := float64(rng.IntN(21) - 10)
			img.Set(x, y, color.RGBA{u8(r + n), u8(g + n), u8(b - n), 255})
		}
	}
	return img
}

func u8(v float64) uint8 { return uint8(max(0, min(255, v))) }

// encodeJPEG encodes img with image/jpeg.
func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}))
	return buf.Bytes()
}

// planeStats compares plane got (our decode at 1/s) with the box-filtered
// reference plane ref of size rw x rh, over ow x oh output samples.
func planeStats(got []byte, gs int, ref []byte, rs, rw, rh, s, ow, oh int) (mean float64, maxd int) {
	sum, cnt0 := 0, 0
	for y := range min(oh, rh/s) {
		for x := range min(ow, rw/s) {
			cnt0++
			acc, cnt := 0, 0
			for yy := y * s; yy < min((y+1)*s, rh); yy++ {
				for xx := x * s; xx < min((x+1)*s, rw); xx++ {
					acc += int(ref[yy*rs+xx])
					cnt++
				}
			}
			want := (acc + cnt/2) / max(cnt, 1)
			d := int(got[y*gs+x]) - want
			if d < 0 {
				d = -d
			}
			sum += d
			maxd = max(maxd, d)
		}
	}
	return float64(sum) / float64(max(cnt0, 1)), maxd
}

// diffStats compares our Decode of data at scale s with image/jpeg's full
// decode ref box-filtered by s, over all
// planes. Only output samples whose box lies entirely inside the plane
// are compared: at the right/bottom edge our block means include the
// encoder's padding, which a clipped box filter cannot reproduce.
func diffStats(t testing.TB, data []byte, ref image.Image, s int) (mean float64, maxd int) {
	got, err := Decode(data, s, nil)
	require.NoError(t, err)
	rb := ref.Bounds()
	ow, oh := ceilDiv(rb.Dx(), s), ceilDiv(rb.Dy(), s)
	require.Equal(t, image.Rect(0, 0, ow, oh), got.Bounds())
	switch r := ref.(type) {
	case *image.Gray:
		g, ok := got.(*image.Gray)
		require.True(t, ok, "got %T", got)
		return planeStats(g.Pix, g.Stride, r.Pix, r.Stride, rb.Dx(), rb.Dy(), s, ow, oh)
	case *image.YCbCr:
		g, ok := got.(*image.YCbCr)
		require.True(t, ok, "got %T", got)
		require.Equal(t, r.SubsampleRatio, g.SubsampleRatio)
		m, x := planeStats(g.Y, g.YStride, r.Y, r.YStride, rb.Dx(), rb.Dy(), s, ow, oh)
		cw, ch := chromaSize(r.SubsampleRatio, rb.Dx(), rb.Dy())
		ocw, och := chromaSize(r.SubsampleRatio, ow, oh)
		m2, x2 := planeStats(g.Cb, g.CStride, r.Cb, r.CStride, cw, ch, s, ocw, och)
		m3, x3 := planeStats(g.Cr, g.CStride, r.Cr, r.CStride, cw, ch, s, ocw, och)
		return max(m, m2, m3), max(x, x2, x3)
	}
	t.Fatalf("unexpected reference type %T", ref)
	return 0, 0
}

// refDecode decodes data with image/jpeg.
func refDecode(t testing.TB, data []byte) image.Image {
	ref, err := jpeg.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	return ref
}

// chromaSize returns the chroma plane size for a luma size.
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}
