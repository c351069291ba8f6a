package webp

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gwebp "github.com/gen2brain/webp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xwebp "golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// testICC is a 132-byte ICC v2 header with no tags: enough for the
// container tests, which check that the bytes arrive unchanged.
func testICC() []byte {
	icc := make([]byte, 132)
	icc[3] = 132
	copy(icc[4:], "none")
	icc[8], icc[9] = 2, 0x10
	copy(icc[12:], "mntrRGB XYZ ")
	copy(icc[36:], "acsp")
	return icc
}

func encode(t *testing.T, e *Encoder, p *picture.Picture) []byte {
	t.Helper()
	return codectest.Encode(t, e, p)
}

func TestEncodeStill(t *testing.T) {
	t.Parallel()
	opaqueRGBA := image.NewRGBA(image.Rect(0, 0, 40, 30))
	copy(opaqueRGBA.Pix, gradient(40, 30, false).Pix)
	alphaRGBA := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range alphaRGBA.Pix {
		alphaRGBA.Pix[i] = 0x40 // premultiplied grey at 1/4 alpha
	}
	ycc := image.NewYCbCr(image.Rect(0, 0, 41, 31), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 100, 160
	}
	gray := image.NewGray(image.Rect(0, 0, 20, 20))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	big := gradient(64, 48, false)
	tests := []struct {
		name     string
		m        image.Image
		icc      []byte
		lossless bool
		alpha    bool
		minPSNR  float64
	}{
		{"nrgba", gradient(40, 30, false), nil, false, false, 30},
		{"nrgba icc", gradient(40, 30, false), testICC(), false, false, 30},
		{"nrgba alpha icc", gradient(40, 30, true), testICC(), false, true, 25},
		{"rgba opaque", opaqueRGBA, nil, false, false, 30},
		{"rgba alpha", alphaRGBA, nil, false, true, 30},
		{"ycbcr odd size", ycc, testICC(), false, false, 30},
		{"gray", gray, nil, false, false, 30},
		{"sub-image", big.SubImage(image.Rect(10, 8, 50, 38)), nil, false, false, 30},
		{"lossless alpha icc", gradient(40, 30, true), testICC(), true, true, 99},
		{"odd icc", gradient(8, 8, false), []byte("odd"), false, false, 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := encode(t, &Encoder{Lossless: tt.lossless}, &picture.Picture{Image: tt.m, Meta: picture.Meta{ICC: tt.icc}})
			info, err := webpmeta.Parse(out)
			require.NoError(t, err)
			assert.Equal(t, tt.m.Bounds().Dx(), info.Width)
			assert.Equal(t, tt.m.Bounds().Dy(), info.Height)
			assert.Equal(t, tt.icc, info.ICC)
			assert.Equal(t, tt.alpha, info.Alpha)
			assert.Equal(t, tt.lossless, info.Lossless)
			assert.False(t, info.Animated)

			// x/image/webp (and gen2brain's still Decode) return VP8's
			// limited-range YCbCr in an image.YCbCr, which Go reads as
			// full range: check that they decode, compare pixels with
			// what dwebp makes of the file.
			xm, err := xwebp.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Equal(t, tt.m.Bounds().Size(), xm.Bounds().Size())
			_, err = gwebp.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.GreaterOrEqual(t, psnr(tt.m, dwebp(t, out)), tt.minPSNR)
		})
	}
}

// dwebp decodes a still file with libwebp's own decoder.
func dwebp(t *testing.T, data []byte) image.Image {
	t.Helper()
	bin := tool(t, "dwebp")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.webp")
	require.NoError(t, os.WriteFile(in, data, 0o600))
	out, err := exec.Command(bin, in, "-o", filepath.Join(dir, "out.png")).CombinedOutput()
	require.NoError(t, err, "dwebp: %s", out)
	f, err := os.Open(filepath.Join(dir, "out.png"))
	require.NoError(t, err)
	defer f.Close()
	m, err := png.Decode(f)
	require.NoError(t, err)
	return m
}

func TestEncodeAnimation(t *testing.T) {
	t.Parallel()
	colours := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 128}, {0, 0, 255, 255}}
	delays := []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 40 * time.Millisecond}
	frames := make([]picture.Frame, len(colours))
	for i, c := range colours {
		m := image.NewNRGBA(image.Rect(0, 0, 32, 24))
		for j := 0; j < len(m.Pix); j += 4 {
			m.Pix[j], m.Pix[j+1], m.Pix[j+2], m.Pix[j+3] = c.R, c.G, c.B, c.A
		}
		frames[i] = picture.Frame{Image: m, Delay: delays[i]}
	}
	tests := []struct {
		name string
		loop int
		icc  []byte
	}{
		{"forever", 0, nil},
		{"twice icc", 2, testICC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &picture.Picture{Image: frames[0].Image, Frames: frames, LoopCount: tt.loop, Meta: picture.Meta{ICC: tt.icc}}
			out := encode(t, &Encoder{}, p)
			info, err := webpmeta.Parse(out)
			require.NoError(t, err)
			assert.Equal(t, webpmeta.Info{
				Width: 32, Height: 24, Alpha: true, Animated: true, Frames: 3, LoopCount: tt.loop, ICC: tt.icc,
			}, info)

			all, err := gwebp.DecodeAll(bytes.NewReader(out))
			require.NoError(t, err)
			require.Len(t, all.Image, 3)
			assert.Equal(t, []int{100, 250, 40}, all.Delay)
			for i, m := range all.Image {
				r, g, b, _ := m.At(5, 5).RGBA()
				w := colours[i]
				assert.InDelta(t, float64(w.R), float64(r>>8), 40, "frame %d red", i)
				assert.InDelta(t, float64(w.G)*float64(w.A)/255, float64(g>>8), 40, "frame %d green", i)
				assert.InDelta(t, float64(w.B), float64(b>>8), 40, "frame %d blue", i)
			}
			webpmuxInfo(t, out, len(frames))
		})
	}
}

// webpmuxInfo checks the file with libwebp's webpinfo and webpmux.
func webpmuxInfo(t *testing.T, data []byte, frames int) {
	t.Helper()
	info, mux := tool(t, "webpinfo"), tool(t, "webpmux")
	in := filepath.Join(t.TempDir(), "in.webp")
	require.NoError(t, os.WriteFile(in, data, 0o600))
	out, err := exec.Command(info, "-quiet", in).CombinedOutput()
	require.NoError(t, err, "webpinfo: %s", out)
	out, err = exec.Command(mux, "-info", in).CombinedOutput()
	require.NoError(t, err, "webpmux: %s", out)
	assert.Contains(t, string(out), "Number of frames: "+string(rune('0'+frames)))
	assert.True(t, strings.Contains(string(out), "animation"), "webpmux -info: %s", out)
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    *picture.Picture
	}{
		{"nil picture", nil},
		{"nil image", &picture.Picture{}},
		{"empty image", &picture.Picture{Image: image.NewNRGBA(image.Rect(0, 0, 0, 5))}},
		{"frame sizes differ", &picture.Picture{
			Image: gradient(8, 8, false),
			Frames: []picture.Frame{
				{Image: gradient(8, 8, false)},
				{Image: gradient(8, 9, false)},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := (&Encoder{}).Encode(&bytes.Buffer{}, tt.p, picture.EncodeOptions{})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "webp: "), err.Error())
		})
	}
}

func TestQualityOrder(t *testing.T) {
	t.Parallel()
	e := &Encoder{Quality: 50}
	tests := []struct {
		e    *Encoder
		o    picture.EncodeOptions
		want int
	}{
		{&Encoder{}, picture.EncodeOptions{}, DefaultQuality},
		{e, picture.EncodeOptions{}, 50},
		{e, picture.EncodeOptions{Quality: 90}, 90},
		{e, picture.EncodeOptions{Quality: 300}, 100},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.e.options(tt.o).Quality)
	}
	assert.Equal(t, DefaultMethod, (&Encoder{}).options(picture.EncodeOptions{}).Method)
	assert.Equal(t, 0, (&Encoder{Method: -1}).options(picture.EncodeOptions{}).Method)
}

func TestConcurrentEncode(t *testing.T) {
	t.Parallel()
	p := &picture.Picture{Image: gradient(64, 64, true), Meta: picture.Meta{ICC: testICC()}}
	codectest.ConcurrentEncode(t, func() picture.Encoder { return &Encoder{} }, p, 8)
}
