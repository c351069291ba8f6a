package imgproxy

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// TestJPEGColourSpaces: CMYK and YCCK JPEGs (Adobe transforms 0 and 2,
// 4:4:4 and 4:2:0, baseline and progressive, ImageMagick's and our test
// encoder's), an Adobe RGB-stored one and a Motion-JPEG-style file
// without a DHT segment all decode (the Handler's 200) with the colours a browser shows:
// against image/jpeg's decode (which applies the same Adobe inversion
// browsers do) where it reads the file, the full-size PNG is within a
// mean error of 2 levels per channel and the 24x16 thumbnail within
// 3 levels of the float reference resize of it. Files image/jpeg cannot
// read (4:2:0 CMYK from the test encoder) must still give 200 and the
// right size. A photo converted to CMYK by ImageMagick gives thumbnails
// within 2.5 levels of the mean error an ordinary YCbCr JPEG of the same
// picture gets (measured: +0.0 to +1.9, the most at 1/8 on the fine
// stripes, where shrinking on load averages C and K before their
// product is taken).
func TestJPEGColourSpaces(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("internal/jpegdec/testdata/*.jpg")
	require.NoError(t, err)
	data := map[string][]byte{}
	for _, f := range files {
		switch b := filepath.Base(f); {
		case b == "nodht.jpg" || b == "rgb.jpg" || bytes.Contains([]byte(b), []byte("cmyk")) || bytes.Contains([]byte(b), []byte("ycck")):
			data[b], err = os.ReadFile(f)
			require.NoError(t, err)
		}
	}
	require.GreaterOrEqual(t, len(data), 13, "the test files of internal/jpegdec")
	r := &BildResizer{}
	resize := func(src []byte, o Options) (*Image, image.Image) {
		img, err := r.Resize(context.Background(), &Source{Data: src}, o)
		require.NoError(t, err)
		m, _, err := image.Decode(bytes.NewReader(img.Data))
		require.NoError(t, err)
		return img, m
	}
	for name, src := range data {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, fm := resize(src, Options{Format: FormatPNG})
			thumb, tm := resize(src, Options{Width: 24, Height: 16})
			assert.Equal(t, "image/jpeg", thumb.ContentType)
			assert.Equal(t, image.Pt(48, 32), fm.Bounds().Size())
			assert.Equal(t, image.Pt(24, 16), tm.Bounds().Size())
			ref, err := jpeg.Decode(bytes.NewReader(src))
			if err != nil {
				t.Logf("image/jpeg cannot read it (%v): sizes checked only", err)
				return
			}
			assert.Less(t, meanAbsDiff(t, fm, ref), 2.0, "full size")
			// These test pictures carry a one-pixel K pattern: shrinking
			// on load averages C and K before their product is taken,
			// which on such a pattern (not on photos, below) moves the
			// colour by up to about 10 levels.
			assert.Less(t, meanAbsDiff(t, tm, resample.Reference(ref, 24, 16)), 12.0, "thumbnail")
		})
	}
	t.Run("photo converted by ImageMagick", func(t *testing.T) {
		t.Parallel()
		convert, err := exec.LookPath("convert")
		if err != nil {
			t.Skip("ImageMagick's convert not installed: skipping the CMYK photo check")
		}
		var pngBuf bytes.Buffer
		require.NoError(t, png.Encode(&pngBuf, photo(480, 320)))
		for _, args := range [][]string{
			{"png:-", "-colorspace", "CMYK", "-quality", "92", "jpeg:-"},
			{"png:-", "-colorspace", "CMYK", "-sampling-factor", "2x2,1x1,1x1,2x2", "-interlace", "JPEG", "-quality", "92", "jpeg:-"},
		} {
			cmd := exec.Command(convert, args...)
			cmd.Stdin = bytes.NewReader(pngBuf.Bytes())
			src, err := cmd.Output()
			require.NoError(t, err, "convert %v", args)
			ref, err := jpeg.Decode(bytes.NewReader(src))
			require.NoError(t, err)
			require.IsType(t, &image.CMYK{}, ref, "ImageMagick wrote a CMYK JPEG")
			// The same picture as an ordinary YCbCr JPEG sets the bar.
			ycc := encodeJPEG(t, photo(480, 320), 92)
			yref, err := jpeg.Decode(bytes.NewReader(ycc))
			require.NoError(t, err)
			for _, size := range []image.Point{{240, 160}, {120, 80}, {60, 40}} {
				o := Options{Width: size.X, Height: size.Y, Format: FormatPNG}
				_, tm := resize(src, o)
				d := meanAbsDiff(t, tm, resample.Reference(ref, size.X, size.Y))
				_, ym := resize(ycc, o)
				base := meanAbsDiff(t, ym, resample.Reference(yref, size.X, size.Y))
				t.Logf("%v at %v: mean error %.2f (YCbCr JPEG of the same picture: %.2f)", args[4:6], size, d, base)
				assert.Less(t, d, base+2.5, "%v at %v", args, size)
			}
		}
	})
}
