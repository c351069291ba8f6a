package imgproxy

import (
	"context"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// encode runs the built-in encoder of f on m, as the pipeline does.
func encode(m image.Image, f Format, quality int) ([]byte, error) {
	r := &BildResizer{}
	r.once.Do(r.init)
	p := &picture.Picture{Image: m}
	return r.encode(p, f, &job{opts: Options{Quality: quality}, bg: Color{R: 255, G: 255, B: 255, Valid: true}, adm: r.adm}, FormatJPEG)
}

func TestEncodeFormats(t *testing.T) {
	t.Parallel()
	m := image.NewYCbCr(image.Rect(0, 0, 64, 40), image.YCbCrSubsampleRatio420)
	for _, f := range []Format{FormatJPEG, FormatPNG, FormatGIF} {
		data, err := encode(m, f, 75)
		require.NoError(t, err, f)
		c := sniffCodec(data)
		require.NotNil(t, c, f)
		assert.Equal(t, f, c.format)
		h, err := c.header(data)
		require.NoError(t, err)
		assert.Equal(t, [2]int{64, 40}, [2]int{h.width, h.height})
	}
	_, err := (&BildResizer{}).Resize(context.Background(), &Source{Data: encodeJPEG(t, m, 90)}, Options{Format: FormatWebP})
	assert.ErrorIs(t, err, ErrUnsupported, "no WebP encoder given")
}

func TestSniffFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Format{
		"\xff\xd8\xff\xe0":             FormatJPEG,
		"\x89PNG\r\n\x1a\nrest":        FormatPNG,
		"GIF89a..":                     FormatGIF,
		"GIF87a..":                     FormatGIF,
		"RIFF\x00\x00\x00\x00WEBPVP8 ": FormatWebP,
		"RIFF\x00\x00\x00\x00WAVE":     FormatSource,
		"<html>":                       FormatSource,
		"":                             FormatSource,
		"\xff\xd8":                     FormatSource,
	} {
		got := FormatSource
		if c := sniffCodec([]byte(in)); c != nil {
			got = c.format
		}
		assert.Equal(t, want, got, "%q", in)
	}
}

// BenchmarkEncode measures the encoding stage on thumbnail-sized planes:
// JPEG straight from YCbCr, and PNG from NRGBA.
func BenchmarkEncode(b *testing.B) {
	for _, size := range []image.Point{{150, 94}, {640, 400}} {
		y := image.NewYCbCr(image.Rect(0, 0, size.X, size.Y), image.YCbCrSubsampleRatio420)
		for i := range y.Y {
			y.Y[i] = uint8(i * 13)
		}
		n := image.NewNRGBA(y.Rect)
		for i := range n.Pix {
			n.Pix[i] = uint8(i * 7)
		}
		for _, c := range []struct {
			name string
			m    image.Image
			f    Format
		}{{"jpeg-ycbcr", y, FormatJPEG}, {"png-nrgba", n, FormatPNG}} {
			b.Run(c.name+"/"+image.Rectangle{Max: size}.String(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := encode(c.m, c.f, 75); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
