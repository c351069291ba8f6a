package gifcodec

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func encode(t testing.TB, e Encoder, p *picture.Picture) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, e.Encode(&b, p, picture.EncodeOptions{}))
	return b.Bytes()
}

// maxDiff is the largest channel difference between a's and b's opaque
// pixels.
func maxDiff(a, b *image.NRGBA) int {
	d := 0
	for i := 0; i < len(a.Pix); i += 4 {
		if a.Pix[i+3] == 0 {
			continue
		}
		for k := range 3 {
			d = max(d, abs(int(a.Pix[i+k])-int(b.Pix[i+k])))
		}
	}
	return d
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// withHole is photo(w, h) with a transparent disc (alpha 0 and 100) and
// a half-transparent band (alpha 128: kept opaque).
func withHole(w, h int) *image.NRGBA {
	m := photo(w, h)
	for y := range h {
		for x := range w {
			dx, dy := x-w/2, y-h/2
			switch {
			case dx*dx+dy*dy < w*w/16:
				m.Pix[m.PixOffset(x, y)+3] = uint8(100 * (x & 1))
			case y < 2:
				m.Pix[m.PixOffset(x, y)+3] = 128
			}
		}
	}
	return m
}

// TestEncodeTransparency: pixels with alpha < 128 decode fully
// transparent, the others opaque with close colours.
func TestEncodeTransparency(t *testing.T) {
	t.Parallel()
	for _, dither := range []bool{false, true} {
		src := withHole(40, 30)
		data := encode(t, Encoder{Dither: dither}, &picture.Picture{Image: src})
		p, err := decodePicture(data, 0)
		require.NoError(t, err)
		got := p.Image.(*image.NRGBA)
		for i := 0; i < len(src.Pix); i += 4 {
			wantA := uint8(0xff)
			if src.Pix[i+3] < 128 {
				wantA = 0
			}
			require.Equal(t, wantA, got.Pix[i+3], "pixel %d", i/4)
		}
		tol := 12
		if dither {
			tol = 40
		}
		assert.LessOrEqual(t, maxDiff(got, src), tol, "dither %t", dither)
	}
}

// TestEncodeAnimation: frames, delays and the loop count survive, and
// transparency in a later frame does not show the frame before it.
func TestEncodeAnimation(t *testing.T) {
	t.Parallel()
	var frames []picture.Frame
	for i := range 5 {
		m := photo(24, 16)
		for j := range m.Pix {
			if j%4 != 3 {
				m.Pix[j] += uint8(40 * i)
			}
		}
		if i == 2 || i == 4 {
			m = withHole(24, 16)
		}
		frames = append(frames, picture.Frame{Image: m, Delay: time.Duration(i+1) * 100 * time.Millisecond})
	}
	for _, loop := range []int{0, 1, 2, 7} {
		data := encode(t, Encoder{}, &picture.Picture{Image: frames[0].Image, Frames: frames, LoopCount: loop})
		p, err := decodePicture(data, 0)
		require.NoError(t, err)
		assert.Equal(t, loop, p.LoopCount)
		require.Len(t, p.Frames, 5)
		for i, f := range p.Frames {
			assert.Equal(t, frames[i].Delay, f.Delay)
			src, got := frames[i].Image.(*image.NRGBA), f.Image.(*image.NRGBA)
			for j := 3; j < len(src.Pix); j += 4 {
				require.Equal(t, src.Pix[j] >= 128, got.Pix[j] == 0xff, "frame %d pixel %d", i, j/4)
				require.Equal(t, src.Pix[j] < 128, got.Pix[j] == 0, "frame %d pixel %d", i, j/4)
			}
			assert.LessOrEqual(t, maxDiff(got, src), 12, "frame %d", i)
		}
	}
}

func TestEncodeDisposal(t *testing.T) {
	t.Parallel()
	opaque, holed := photo(8, 8), withHole(8, 8)
	tests := []struct {
		name   string
		frames []*image.NRGBA
		want   []byte
	}{
		{"opaque", []*image.NRGBA{opaque, opaque}, []byte{1, 1}},
		{"second transparent", []*image.NRGBA{opaque, holed, opaque}, []byte{2, 1, 1}},
		{"first transparent: the last frame too", []*image.NRGBA{holed, opaque, opaque}, []byte{1, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var fs []picture.Frame
			for _, m := range tt.frames {
				fs = append(fs, picture.Frame{Image: m})
			}
			data := encode(t, Encoder{}, &picture.Picture{Image: fs[0].Image, Frames: fs})
			g, err := gif.DecodeAll(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, g.Disposal)
		})
	}
}

func TestEncodeSourceTypes(t *testing.T) {
	t.Parallel()
	src := photo(17, 9)
	rgba := image.NewRGBA(image.Rect(3, 4, 20, 13))
	draw.Draw(rgba, rgba.Rect, src, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(image.Rect(0, 0, 17, 9), image.YCbCrSubsampleRatio444)
	for y := range 9 {
		for x := range 17 {
			c := src.NRGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 17, 9))
	draw.Draw(gray, gray.Rect, src, image.Point{}, draw.Src)
	pal := image.NewPaletted(image.Rect(0, 0, 17, 9), palette.Plan9)
	draw.Draw(pal, pal.Rect, src, image.Point{}, draw.Src)
	sub := image.NewNRGBA(image.Rect(0, 0, 30, 30))
	draw.Draw(sub, image.Rect(5, 5, 22, 14), src, image.Point{}, draw.Src)
	tests := []struct {
		name string
		img  image.Image
		tol  int
	}{
		{"NRGBA", src, 12},
		{"RGBA off origin", rgba, 12},
		{"YCbCr", ycc, 14},
		{"Gray", gray, 0},
		{"Paletted", pal, 0},
		{"NRGBA sub-image", sub.SubImage(image.Rect(5, 5, 22, 14)), 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := decodePicture(encode(t, Encoder{}, &picture.Picture{Image: tt.img}), 0)
			require.NoError(t, err)
			got := p.Image.(*image.NRGBA)
			require.Equal(t, image.Rect(0, 0, 17, 9), got.Rect)
			assert.LessOrEqual(t, maxDiff(got, toNRGBA(tt.img)), tt.tol)
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	a, b := photo(4, 4), photo(5, 4)
	tests := []struct {
		name string
		p    *picture.Picture
	}{
		{"no image", &picture.Picture{}},
		{"frame sizes differ", &picture.Picture{Image: a, Frames: []picture.Frame{{Image: a}, {Image: b}}}},
		{"nil frame", &picture.Picture{Image: a, Frames: []picture.Frame{{Image: a}, {}}}},
		{"too wide", &picture.Picture{Image: image.NewNRGBA(image.Rect(0, 0, 1<<16, 1))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Error(t, Encoder{}.Encode(&bytes.Buffer{}, tt.p, picture.EncodeOptions{}))
		})
	}
}

func TestGIFDelayAndLoopCount(t *testing.T) {
	t.Parallel()
	delays := []struct {
		d    time.Duration
		want int
	}{{0, 0}, {-time.Second, 0}, {time.Millisecond, 1}, {14 * time.Millisecond, 1}, {15 * time.Millisecond, 2}, {100 * time.Millisecond, 10}, {time.Hour, 0xffff}}
	for _, tt := range delays {
		assert.Equal(t, tt.want, gifDelay(tt.d), "%v", tt.d)
	}
	loops := []struct{ n, want int }{{0, 0}, {-3, 0}, {1, -1}, {2, 1}, {65536, 65535}, {1 << 20, 65535}}
	for _, tt := range loops {
		assert.Equal(t, tt.want, gifLoopCount(tt.n), "%d", tt.n)
	}
}

// TestQuantizeExact: at most 256 colours (255 and transparency) map
// losslessly.
func TestQuantizeExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 255, 256} {
		m := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for i := 0; i < len(m.Pix); i += 4 {
			c := (i / 4) % n
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(c*8), uint8(c/32*8), uint8(c*3), 0xff
		}
		var q quantizer
		p := q.quantize(m, true)
		assert.Len(t, p.Palette, n)
		got := image.NewNRGBA(m.Rect)
		draw.Draw(got, got.Rect, p, image.Point{}, draw.Src)
		assert.Equal(t, m.Pix, got.Pix, "%d colours", n)
	}
}

// TestQuantizerQuality measures PSNR against the source for nearest
// mapping, dithering and image/gif's default (Plan 9 palette with
// Floyd-Steinberg), on a 300x300 photo-like image, and pins the choice of
// nearest mapping as the default. Run with -v for the numbers.
func TestQuantizerQuality(t *testing.T) {
	t.Parallel()
	src := photo(300, 300)
	var q quantizer
	nearest := psnr(src, q.quantize(src, false))
	dithered := psnr(src, q.quantize(src, true))
	plan9 := image.NewPaletted(src.Rect, palette.Plan9)
	draw.FloydSteinberg.Draw(plan9, src.Rect, src, image.Point{})
	std := psnr(src, plan9)
	t.Logf("PSNR 300x300 photo-like: median cut nearest %.2f dB, median cut dithered %.2f dB, Plan9+FS (image/gif default) %.2f dB", nearest, dithered, std)
	var plain, dith bytes.Buffer
	require.NoError(t, Encoder{}.Encode(&plain, &picture.Picture{Image: src}, picture.EncodeOptions{}))
	require.NoError(t, Encoder{Dither: true}.Encode(&dith, &picture.Picture{Image: src}, picture.EncodeOptions{}))
	t.Logf("GIF size: nearest %d bytes, dithered %d bytes", plain.Len(), dith.Len())
	assert.Greater(t, nearest, 34.0)
	assert.Greater(t, nearest, dithered)
	assert.Greater(t, dithered, std+3)
}

// decodePicture decodes every frame of a GIF (at most maxFrames if maxFrames > 0,
// see DecodeFrames) into a Picture whose frames are *image.NRGBA
// composites. It holds all of them: Width*Height*4 bytes a frame; check
// Config first. Tests only: the pipeline uses DecodeFrames, which hands
// each frame over as it comes.
func decodePicture(data []byte, maxFrames int) (*picture.Picture, error) {
	var frames []picture.Frame
	info, err := DecodeFrames(context.Background(), data, maxFrames, func(_ int, m *image.NRGBA, d time.Duration) error {
		cp := image.NewNRGBA(m.Rect)
		copy(cp.Pix, m.Pix)
		frames = append(frames, picture.Frame{Image: cp, Delay: d})
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := &picture.Picture{Image: frames[0].Image, LoopCount: info.LoopCount, Meta: picture.Meta{Format: "gif"}}
	if len(frames) > 1 {
		p.Frames = frames
	}
	return p, nil
}

// TestQuantizeManyColoursFewCells: over 256 exact colours that fall in
// at most 256 histogram cells (fine gradients) go to the median cut with
// an empty palette, never one left over from the failed exact attempt
// (which made palettes of more than 256 entries and a failed encode).
func TestQuantizeManyColoursFewCells(t *testing.T) {
	t.Parallel()
	for _, transparent := range []bool{false, true} {
		m := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for i := 0; i < len(m.Pix); i += 4 {
			c := i / 4 // 4096 colours, 8 per cell of 5-bit channels
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(c%8), uint8(c/8%64), uint8(c/512), 0xff
		}
		if transparent {
			m.Pix[3] = 0
		}
		var q quantizer
		p := q.quantize(m, false)
		assert.LessOrEqual(t, len(p.Palette), 256, "transparent %v", transparent)
		var buf bytes.Buffer
		require.NoError(t, gif.Encode(&buf, p, nil), "transparent %v", transparent)
	}
}
