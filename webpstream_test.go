package imgproxy

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/corpus"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// wholeWebPCodec is the WebP codec with every frame decoded whole, then
// resized by the transform: the path streaming must equal.
var wholeWebPCodec = codec{
	format: FormatWebP, sniff: webpCodec.sniff, header: webpHeader,
	decode: func(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
		req.whole = true
		return decodeWebP(ctx, data, h, req)
	},
}

// streamedSize returns the size decodeWebP gives data under opts: the
// resize size where the frame was streamed, the frame's where not.
func streamedSize(t *testing.T, r *BildResizer, data []byte, opts string) image.Point {
	t.Helper()
	h, err := r.readHeader(&webpCodec, data)
	require.NoError(t, err)
	j := r.plan(&webpCodec, &h, mustOptions(t, opts))
	pic, _, err := decodeWebP(context.Background(), data, &h, decodeRequest{plan: j.stored, maxFrames: 1})
	require.NoError(t, err)
	return pic.Image.Bounds().Size()
}

// TestVP8StreamMatchesFullDecode: a lossy WebP without alpha that the
// plan box-reduces is streamed into the resize (never decoded whole),
// and the picture the pipeline makes of it is the one it makes by
// decoding whole and resizing, of the same type, sample for sample: odd
// sizes, each axis boxed, chroma boxed or not (4:4:4 reduces it half as
// much), the loop filter normal, simple, off or skipped (8x), crops,
// rotations and sharpening after; the corpus WebP when present. A
// reduction under 5x, alpha, and an animation's frame are decoded whole.
func TestVP8StreamMatchesFullDecode(t *testing.T) {
	t.Parallel()
	r := &BildResizer{Concurrency: 2}
	r.once.Do(r.init)
	type tc struct {
		w, h          int
		cwebp, opts   string
		streamed      bool
		corpus, alpha bool
	}
	cases := []tc{
		{700, 500, "-q 75", "100x100", true, false, false},                // 7x: luma box 2, chroma not
		{1203, 37, "-q 60 -nostrong", "60x60", true, false, false},        // simple filter
		{37, 1203, "-q 60 -f 0", "100x100", true, false, false},           // no filter
		{1601, 1203, "-q 80 -strong", "300x300", true, false, false},      // 5.3x
		{2001, 1999, "-q 50", "15x15", true, false, false},                // filter skipped, partial blocks
		{1000, 999, "-q 70", "150x150,crop,r90,sh50", true, false, false}, // transform after
		{999, 1001, "-q 70", "120x-,r270", true, false, false},
		{400, 300, "-q 75", "150x150", false, false, false}, // 2.7x: whole
		{700, 500, "-q 75", "100x100", false, false, true},  // alpha: whole
	}
	if f, _ := filepath.Glob(filepath.Join(corpus.Dir(), "webp-*.webp")); corpus.Dir() != "" && len(f) > 0 {
		cases = append(cases, tc{0, 0, f[0], "150x150", true, true, false}, tc{0, 0, f[0], "640x480", true, true, false})
	}
	for _, c := range cases {
		name := fmt.Sprintf("%dx%d %s %s", c.w, c.h, c.cwebp, c.opts)
		if c.corpus {
			name = filepath.Base(c.cwebp) + " " + c.opts
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var data []byte
			if c.corpus {
				b, err := os.ReadFile(c.cwebp)
				require.NoError(t, err)
				data = b
			} else {
				data = codectest.CWebP(t, codectest.Gradient(c.w, c.h, c.alpha), strings.Fields(c.cwebp)...)
			}
			h, err := webpHeader(data)
			require.NoError(t, err)
			j := r.plan(&webpCodec, &h, mustOptions(t, c.opts))
			want := image.Pt(h.width, h.height)
			if c.streamed {
				want = image.Pt(j.stored.resizeW, j.stored.resizeH)
			}
			require.Equal(t, want, streamedSize(t, r, data, c.opts), "streamed")
			ok, _ := vp8StreamWeight(&h, j.stored)
			require.Equal(t, c.streamed, ok, "the weight streams as the decode does")
			whole := transformed(t, r, &wholeWebPCodec, data, c.opts)
			got := transformed(t, r, &webpCodec, data, c.opts)
			require.IsType(t, whole, got)
			require.Equal(t, whole.Bounds(), got.Bounds())
			requireSamePixels(t, whole, got, filepath.Base(name))
		})
	}
}

// TestVP8StreamAnimationWhole: an animation's first frame is decoded
// whole, to go on its canvas, where the plan would stream a still of its
// size.
func TestVP8StreamAnimationWhole(t *testing.T) {
	t.Parallel()
	tool := codectest.Tool(t, "img2webp", "webp")
	dir := t.TempDir()
	var args []string
	for i := range 2 {
		name := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, codectest.Gradient(700, 500, i == 1)))
		require.NoError(t, os.WriteFile(name, buf.Bytes(), 0o600))
		args = append(args, name)
	}
	out := filepath.Join(dir, "anim.webp")
	msg, err := exec.Command(tool, append(append([]string{"-lossy", "-q", "75"}, args...), "-o", out)...).CombinedOutput()
	require.NoError(t, err, "%s", msg)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	h, err := webpHeader(data)
	require.NoError(t, err)
	require.Equal(t, 2, h.frames)
	plan := geometry{srcW: h.width, srcH: h.height, resizeW: 100, resizeH: 71}
	pic, _, err := decodeWebP(context.Background(), data, &h, decodeRequest{plan: plan, maxFrames: 1})
	require.NoError(t, err)
	require.Equal(t, image.Pt(h.width, h.height), pic.Image.Bounds().Size())
	_, _, _, a := pic.Image.At(h.width-1, h.height-1).RGBA()
	require.Equal(t, uint32(0xffff), a, "the frame fills its canvas")
	m, err := decodeWebPStill(context.Background(), codectest.CWebP(t, codectest.Gradient(h.width, h.height, false), "-q", "75"), decodeRequest{plan: plan})
	require.NoError(t, err)
	require.Equal(t, image.Pt(100, 71), m.Bounds().Size(), "a still of that size streams")
}

// lossyWebPOrNil returns a w x h lossy WebP of a gradient made by cwebp,
// nil where cwebp is not installed.
func lossyWebPOrNil(t *testing.T, w, h int) []byte {
	t.Helper()
	if _, err := exec.LookPath("cwebp"); err != nil {
		return nil
	}
	return codectest.CWebP(t, codectest.Gradient(w, h, false), "-q", "80")
}

// TestVP8StreamWeight: admission charges a streamed lossy WebP the
// window, the shrinker and the resized result, not the frame's planes;
// with alpha, a profile or under a 5x reduction, the frame at full size.
func TestVP8StreamWeight(t *testing.T) {
	t.Parallel()
	plain := header{width: 4096, height: 4096, frames: 1}
	alpha, icc := plain, plain
	alpha.alpha = true
	icc.meta.ICC = []byte("profile")
	for _, c := range []struct {
		name     string
		h        header
		w        int
		streamed bool
		max      int64
	}{
		{"150", plain, 150, true, 1 << 20},
		{"480", plain, 480, true, 4 << 20},
		{"1000", plain, 1000, false, 0},
		{"alpha", alpha, 150, false, 0},
		{"icc", icc, 150, false, 0},
	} {
		s := geometry{srcW: 4096, srcH: 4096, resizeW: c.w, resizeH: c.w, cropW: c.w, cropH: c.w}
		w, h, bytes := decodeWeight(&webpCodec, &c.h, s)
		if !c.streamed {
			require.Equal(t, [2]int{4096, 4096}, [2]int{w, h}, c.name)
			require.GreaterOrEqual(t, bytes, int64(4096*4096*3/2), c.name)
			continue
		}
		require.Equal(t, [2]int{c.w, c.w}, [2]int{w, h}, c.name)
		require.LessOrEqual(t, bytes, c.max, c.name)
		require.Greater(t, bytes, int64(3*c.w*c.w), c.name)
	}
}
