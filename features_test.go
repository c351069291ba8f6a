package imgproxy

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// TestSharpen: ",sh<percent>" sharpens after resizing: a soft edge gets
// steeper (more contrast across it) as the percentage grows, and a flat
// area stays flat.
func TestSharpen(t *testing.T) {
	t.Parallel()
	m := image.NewGray(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			v := 60
			if x >= 200 {
				v = 190
			}
			m.SetGray(x, y, color.Gray{uint8(v)})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	r := &BildResizer{}
	edge := func(pct int) (lo, hi, flat uint8) {
		img, err := r.Resize(context.Background(), &Source{Data: buf.Bytes()}, Options{Width: 100, Height: 100, Sharpen: pct})
		require.NoError(t, err)
		out, err := png.Decode(bytes.NewReader(img.Data))
		require.NoError(t, err)
		g := out.(*image.Gray)
		return g.GrayAt(49, 25).Y, g.GrayAt(50, 25).Y, g.GrayAt(10, 25).Y
	}
	lo0, hi0, flat0 := edge(0)
	lo1, hi1, flat1 := edge(100)
	lo2, hi2, flat2 := edge(300)
	t.Logf("edge contrast: none %d, 100%% %d, 300%% %d", int(hi0)-int(lo0), int(hi1)-int(lo1), int(hi2)-int(lo2))
	assert.Greater(t, int(hi1)-int(lo1), int(hi0)-int(lo0))
	assert.Greater(t, int(hi2)-int(lo2), int(hi1)-int(lo1))
	assert.Equal(t, flat0, flat1)
	assert.Equal(t, flat0, flat2)
}

// TestFullSizeChromaIsSmooth: "-x-,png" of a 4:2:0 JPEG upsamples chroma
// with a triangle filter (as libjpeg-turbo and browsers do), so the PNG
// is closer to the picture the JPEG was made from than the
// pixel-replicated conversion of the same planes.
func TestFullSizeChromaIsSmooth(t *testing.T) {
	t.Parallel()
	orig := photo(320, 200)
	src := encodeJPEG(t, orig, 95)
	img, err := (&BildResizer{}).Resize(context.Background(), &Source{Data: src}, Options{Format: FormatPNG})
	require.NoError(t, err)
	ours, err := png.Decode(bytes.NewReader(img.Data))
	require.NoError(t, err)
	stdlib, err := imageDecode(src) // image/jpeg: replicated chroma via At
	require.NoError(t, err)
	smooth, replicated := resample.PSNR(ours, orig), resample.PSNR(stdlib, orig)
	t.Logf("against the original: smooth %.2f dB, replicated %.2f dB", smooth, replicated)
	assert.Greater(t, smooth, replicated)
	djpeg, err := exec.LookPath("djpeg")
	if err != nil {
		t.Skip("djpeg (libjpeg-turbo-progs) not installed: skipping the comparison with libjpeg-turbo's upsampling")
	}
	cmd := exec.Command(djpeg, "-ppm")
	cmd.Stdin = bytes.NewReader(src)
	ppm, err := cmd.Output()
	require.NoError(t, err)
	ref := readPPM(t, ppm)
	mad := meanAbsDiff(t, ours, ref)
	t.Logf("mean difference from djpeg: ours %.3f, replicated %.3f", mad, meanAbsDiff(t, stdlib, ref))
	assert.Less(t, mad, 1.0)
}

// readPPM reads a binary P6 PPM with maxval 255, as djpeg writes it.
func readPPM(t testing.TB, b []byte) *image.RGBA {
	t.Helper()
	var w, h, maxval int
	var magic string
	n, err := fmt.Sscan(string(b), &magic, &w, &h, &maxval)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, "P6", magic)
	pix := b[len(b)-3*w*h:]
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = pix[3*i], pix[3*i+1], pix[3*i+2], 255
	}
	return m
}

func imageDecode(b []byte) (image.Image, error) {
	m, _, err := image.Decode(bytes.NewReader(b))
	return m, err
}

// TestPNGKinds: grey, 16-bit, paletted (with transparent entries), grey
// and RGB with alpha, and Adam7-interlaced PNGs all resize, keep their
// transparency as PNG and have a white background as JPEG. The
// interlaced one comes from ImageMagick (skipped if missing).
func TestPNGKinds(t *testing.T) {
	t.Parallel()
	const w, h = 64, 48
	pal := color.Palette{color.NRGBA{}, color.NRGBA{200, 40, 40, 255}, color.NRGBA{40, 40, 200, 128}}
	kinds := map[string]image.Image{
		"gray8":   image.NewGray(image.Rect(0, 0, w, h)),
		"gray16":  image.NewGray16(image.Rect(0, 0, w, h)),
		"rgba64":  image.NewNRGBA64(image.Rect(0, 0, w, h)),
		"palette": image.NewPaletted(image.Rect(0, 0, w, h), pal),
		"nrgba":   image.NewNRGBA(image.Rect(0, 0, w, h)),
	}
	for y := range h {
		for x := range w {
			v := uint8(x * 4)
			kinds["gray8"].(*image.Gray).SetGray(x, y, color.Gray{v})
			kinds["gray16"].(*image.Gray16).SetGray16(x, y, color.Gray16{uint16(x) * 1024})
			a := uint16(0xffff)
			if x < w/2 {
				a = 0
			}
			kinds["rgba64"].(*image.NRGBA64).SetNRGBA64(x, y, color.NRGBA64{0xc000, 0x4000, 0x4000, a})
			kinds["nrgba"].(*image.NRGBA).SetNRGBA(x, y, color.NRGBA{200, 40, 40, uint8(a >> 8)})
			if x >= w/2 {
				kinds["palette"].(*image.Paletted).SetColorIndex(x, y, 1)
			}
		}
	}
	files := map[string][]byte{}
	for name, m := range kinds {
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, m))
		files[name] = buf.Bytes()
	}
	if convert, err := exec.LookPath("convert"); err == nil {
		cmd := exec.Command(convert, "png:-", "-interlace", "PNG", "png:-")
		cmd.Stdin = bytes.NewReader(files["nrgba"])
		out, err := cmd.Output()
		require.NoError(t, err)
		files["interlaced"] = out
	} else {
		t.Log("ImageMagick's convert not installed: no interlaced case")
	}
	r := &BildResizer{}
	for name, src := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			transparent := name != "gray8" && name != "gray16"
			for _, f := range []Format{FormatPNG, FormatJPEG} {
				img, err := r.Resize(context.Background(), &Source{Data: src}, Options{Width: 32, Height: 32, Format: f})
				require.NoError(t, err)
				m, _, err := image.Decode(bytes.NewReader(img.Data))
				require.NoError(t, err)
				require.Equal(t, image.Pt(32, 24), m.Bounds().Size())
				left := color.NRGBAModel.Convert(m.At(4, 12)).(color.NRGBA)
				switch {
				case !transparent:
					assert.InDelta(t, 34, float64(left.R), 3, "%v grey level (source x 8.5)", f)
				case f == FormatPNG:
					assert.Zero(t, left.A, "the clear half stays clear")
				default:
					assert.GreaterOrEqual(t, left.R, uint8(248), "the clear half is white in JPEG: %v", left)
				}
			}
		})
	}
}
