package imgproxy

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/pngdec"
	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// imagePNGCodec is the PNG codec as it was before internal/pngdec: the
// whole picture decoded by image/png, then the pipeline's resize.
var imagePNGCodec = codec{
	format: FormatPNG, sniff: pngCodec.sniff, header: pngHeader,
	decode: func(_ context.Context, data []byte, h *header, _ decodeRequest) (*picture.Picture, resample.Extent, error) {
		m, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, resample.Extent{}, err
		}
		return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
	},
}

// transformed runs the pipeline's decode and transform of data with c.
func transformed(t *testing.T, r *BildResizer, c *codec, data []byte, opts string) image.Image {
	t.Helper()
	h, err := r.readHeader(c, data)
	require.NoError(t, err)
	j := r.plan(c, &h, mustOptions(t, opts))
	pic, err := r.decodePicture(context.Background(), c, data, &h, &j)
	require.NoError(t, err)
	return pic.Image
}

// TestPNGStreamMatchesFullDecode: for every colour type, depth, tRNS,
// palette and interlacing, at reductions that stream (box pre-reduction
// on one axis or both) and that do not, the picture the pipeline makes
// through internal/pngdec is the one it made through image/png, of the
// same type, byte for byte.
func TestPNGStreamMatchesFullDecode(t *testing.T) {
	t.Parallel()
	r := &BildResizer{Concurrency: 2}
	r.once.Do(r.init)
	sizes := []struct {
		w, h int
		opts string
	}{
		{700, 500, "100x100"}, // 7x: box 2x2
		{1203, 37, "60x60"},   // box on x only
		{37, 1203, "100x100"}, // box on y only
		{400, 300, "150x150"}, // 2.7x: no box, whole picture
		{64, 48, "-x-,r90"},   // no resize
		{2001, 1999, "15x15"}, // box 53x53, partial blocks
	}
	n := 0
	for _, k := range pngtest.Kinds() {
		if k.W != 1 || k.H != 1 {
			continue // one of each kind
		}
		for _, sz := range sizes {
			if sz.w*sz.h > 1_000_000 && (k.Depth != 8 || k.Laced) {
				continue
			}
			k.W, k.H = sz.w, sz.h
			name := fmt.Sprintf("%+v %s", k, sz.opts)
			data := pngtest.Encode(t, k, uint64(n), 1<<16)
			n++
			want := transformed(t, r, &imagePNGCodec, data, sz.opts)
			got := transformed(t, r, &pngCodec, data, sz.opts)
			require.IsType(t, want, got, name)
			require.Equal(t, want.Bounds(), got.Bounds(), name)
			requireSamePixels(t, want, got, name)
		}
	}
	t.Logf("%d cases", n)
}

func requireSamePixels(t *testing.T, want, got image.Image, name string) {
	t.Helper()
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			w, g := want.At(x, y), got.At(x, y)
			if w != g {
				require.Equal(t, w, g, "%s: pixel (%d, %d)", name, x, y)
			}
		}
	}
}

// TestPNGStreams: a large reduction is made by the Shrinker (never the
// whole picture), interlaced or not; a small one too where the
// horizontal pass goes first, unless interlaced; a profile converted to
// sRGB never.
func TestPNGStreams(t *testing.T) {
	t.Parallel()
	r := &BildResizer{}
	r.once.Do(r.init)
	for _, c := range []struct {
		laced bool
		w     int
		whole bool
		want  bool
	}{
		{false, 1000, false, true},
		{true, 1000, false, true},
		{false, 300, false, true},
		{true, 300, false, false},
		{false, 1000, true, false},
	} {
		data := pngtest.Encode(t, pngtest.Kind{CT: 2, Depth: 8, W: c.w, H: 100, Laced: c.laced}, 1, 0)
		h, err := pngHeader(data)
		require.NoError(t, err)
		j := r.plan(&pngCodec, &h, mustOptions(t, "100x100"))
		p, err := pngdec.Parse(data)
		require.NoError(t, err)
		got := pngShrinker(p, decodeRequest{plan: j.stored, whole: c.whole}) != nil
		require.Equal(t, c.want, got, "%+v", c)
	}
}
