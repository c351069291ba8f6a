package imgproxy_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gen2avif "github.com/gen2brain/avif"
	gen2webp "github.com/gen2brain/webp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/avif"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/webp"
)

// modernResizer is a BildResizer with the WebP and AVIF encoders.
func modernResizer() *imgproxy.BildResizer {
	return &imgproxy.BildResizer{Encoders: map[imgproxy.Format]imgproxy.Encoder{
		imgproxy.FormatWebP: &webp.Encoder{},
		imgproxy.FormatAVIF: &avif.Encoder{},
	}}
}

// halfTransparentPNG is 64x32: the left half fully transparent, the
// right half opaque red.
func halfTransparentPNG(t testing.TB) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := 32; x < 64; x++ {
			m.SetNRGBA(x, y, color.NRGBA{220, 30, 30, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	return buf.Bytes()
}

func decodeAny(t testing.TB, contentType string, b []byte) image.Image {
	t.Helper()
	var m image.Image
	var err error
	switch contentType {
	case "image/webp":
		// gen2brain/webp (libwebp) converts VP8's video-range YCbCr to
		// RGB as browsers do; x/image/webp hands the planes over as
		// they are.
		var all *gen2webp.WEBP
		if all, err = gen2webp.DecodeAll(bytes.NewReader(b)); err == nil {
			m = all.Image[0]
		}
	case "image/avif":
		m, err = gen2avif.Decode(bytes.NewReader(b))
	default:
		m, _, err = image.Decode(bytes.NewReader(b))
	}
	require.NoError(t, err, contentType)
	return m
}

func nrgbaAt(m image.Image, x, y int) color.NRGBA {
	b := m.Bounds()
	return color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
}

func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// TestAlpha: a transparent PNG keeps its alpha as PNG, WebP and AVIF, and
// is flattened onto white (or the asked colour) as JPEG. Pixels are
// checked well inside each half, within 12 levels (lossy formats).
func TestAlpha(t *testing.T) {
	t.Parallel()
	h := &imgproxy.Handler{Resizer: modernResizer(), Fetcher: &fakeFetcher{files: map[string][]byte{"a.png": halfTransparentPNG(t)}}}
	red := color.NRGBA{220, 30, 30, 255}
	for _, tt := range []struct {
		opts, ctype string
		clear       color.NRGBA // what the transparent half becomes
		checkRGB    bool        // compare colour of the clear half too
	}{
		{"32x32", "image/png", color.NRGBA{A: 0}, false},
		{"32x32,webp", "image/webp", color.NRGBA{A: 0}, false},
		{"32x32,avif", "image/avif", color.NRGBA{A: 0}, false},
		{"32x32,jpeg", "image/jpeg", color.NRGBA{255, 255, 255, 255}, true},
		{"32x32,jpeg,bg000000", "image/jpeg", color.NRGBA{0, 0, 0, 255}, true},
		{"32x32,jpeg,bg3366cc", "image/jpeg", color.NRGBA{0x33, 0x66, 0xcc, 255}, true},
	} {
		t.Run(tt.opts, func(t *testing.T) {
			t.Parallel()
			w := get(t, h, "GET", "/image/"+tt.opts+"/a.png")
			require.Equal(t, 200, w.Code)
			require.Equal(t, tt.ctype, w.Header().Get("Content-Type"))
			m := decodeAny(t, tt.ctype, w.Body.Bytes())
			require.Equal(t, image.Pt(32, 16), m.Bounds().Size())
			got := nrgbaAt(m, 4, 8)
			if tt.checkRGB {
				assert.True(t, near(got, tt.clear, 12), "clear half %v, want %v", got, tt.clear)
			} else {
				assert.LessOrEqual(t, int(got.A), 12, "clear half %v stays transparent", got)
			}
			assert.True(t, near(nrgbaAt(m, 27, 8), red, 12), "opaque half %v", nrgbaAt(m, 27, 8))
		})
	}
}

// animatedGIF has 5 frames, 40x40, delays 10..50 (1/100 s), looping
// forever, each frame a moving opaque square on a transparent canvas.
func animatedGIF(t testing.TB, frames int) []byte {
	pal := color.Palette{color.NRGBA{}, color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}}
	g := &gif.GIF{LoopCount: 0}
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, 40, 40), pal)
		for y := 10; y < 30; y++ {
			for x := 4 * i; x < 4*i+20; x++ {
				m.SetColorIndex(x, y, uint8(1+i%2))
			}
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10*(i+1))
		g.Disposal = append(g.Disposal, gif.DisposalBackground)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, g))
	return buf.Bytes()
}

// TestGIF: a transparent GIF stays transparent; an animated GIF stays
// animated, with the same frame count, delays and loop count; over the
// animation budget, or asked for as JPEG, it keeps its first frame and
// says so.
func TestGIF(t *testing.T) {
	t.Parallel()
	anim := animatedGIF(t, 5)
	f := &fakeFetcher{files: map[string][]byte{"a.gif": anim}}
	h := &imgproxy.Handler{Fetcher: f}
	w := get(t, h, "GET", "/image/20x20/a.gif")
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "image/gif", w.Header().Get("Content-Type"))
	assert.Empty(t, w.Header().Get("X-Imgproxy-Animation"))
	g, err := gif.DecodeAll(bytes.NewReader(w.Body.Bytes()))
	require.NoError(t, err)
	require.Len(t, g.Image, 5)
	assert.Equal(t, []int{10, 20, 30, 40, 50}, g.Delay)
	assert.Equal(t, 0, g.LoopCount)
	assert.Equal(t, image.Pt(20, 20), image.Pt(g.Config.Width, g.Config.Height))
	for i, fr := range g.Image {
		// Outside the square: transparent. Inside (centre of the square,
		// at half scale): the square's colour.
		_, _, _, a := fr.At(1, 1).RGBA()
		assert.Zero(t, a, "frame %d corner stays transparent", i)
		c := color.NRGBAModel.Convert(fr.At(2*i+5, 10)).(color.NRGBA)
		want := []color.NRGBA{{255, 0, 0, 255}, {0, 0, 255, 255}}[i%2]
		assert.True(t, near(c, want, 40), "frame %d square %v want %v", i, c, want)
	}

	small := &imgproxy.Handler{Fetcher: f, Resizer: &imgproxy.BildResizer{MaxAnimationPixels: 20 * 20 * 4}}
	for _, hh := range []struct {
		h    *imgproxy.Handler
		opts string
	}{{small, "20x20"}, {h, "20x20,jpeg"}} {
		w = get(t, hh.h, "GET", "/image/"+hh.opts+"/a.gif")
		require.Equal(t, 200, w.Code)
		assert.Equal(t, "first-frame", w.Header().Get("X-Imgproxy-Animation"), hh.opts)
		if strings.HasSuffix(hh.opts, "jpeg") {
			continue
		}
		g, err = gif.DecodeAll(bytes.NewReader(w.Body.Bytes()))
		require.NoError(t, err)
		assert.Len(t, g.Image, 1)
	}

	// A still transparent GIF.
	still := animatedGIF(t, 1)
	h = &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"s.gif": still}}}
	w = get(t, h, "GET", "/image/20x20/s.gif")
	require.Equal(t, 200, w.Code)
	m, err := gif.Decode(bytes.NewReader(w.Body.Bytes()))
	require.NoError(t, err)
	_, _, _, a := m.At(1, 1).RGBA()
	assert.Zero(t, a)
	_, _, _, a = m.At(5, 10).RGBA()
	assert.NotZero(t, a)
}

// TestNegotiation: with Negotiate set, Accept picks AVIF, WebP or the
// source's format, each response says Vary: Accept, and each variant is
// cached on its own, in memory and on disk.
func TestNegotiation(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 400, 300)
	dir := t.TempDir()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": src}}
	newHandler := func(f imgproxy.Fetcher, offer ...imgproxy.Format) *imgproxy.Handler {
		return &imgproxy.Handler{Fetcher: f, Resizer: modernResizer(), Negotiate: offer,
			Disk: &imgproxy.DiskCache{Dir: dir}, Namespace: "p"} // one upstream, down for h2
	}
	h := newHandler(f, imgproxy.FormatAVIF, imgproxy.FormatWebP)
	cases := []struct{ accept, ctype string }{
		{"image/avif,image/webp,*/*", "image/avif"},
		{"image/webp,*/*;q=0.8", "image/webp"},
		{"*/*", "image/jpeg"},
		{"", "image/jpeg"},
		{"image/avif;q=0,image/webp", "image/webp"},
		{"image/*", "image/jpeg"},
	}
	bodies := map[string][]byte{}
	for _, c := range cases {
		for round, status := range []string{"MISS", "HIT"} {
			w := get(t, h, "GET", "/image/100x100/p.jpg", "Accept", c.accept)
			require.Equal(t, 200, w.Code)
			assert.Equal(t, c.ctype, w.Header().Get("Content-Type"), "Accept %q", c.accept)
			assert.Equal(t, "Accept", w.Header().Get("Vary"))
			if round == 1 || bodies[c.ctype] == nil {
				assert.Equal(t, status, w.Header().Get("X-Cache-Status"), "Accept %q", c.accept)
			}
			if prev, ok := bodies[c.ctype]; ok {
				assert.Equal(t, prev, w.Body.Bytes())
			}
			bodies[c.ctype] = w.Body.Bytes()
			m := decodeAny(t, c.ctype, w.Body.Bytes())
			assert.Equal(t, image.Pt(100, 75), m.Bounds().Size())
		}
	}
	assert.EqualValues(t, 3, f.calls.Load(), "one fetch per format") // then all hits

	// An explicit format is not negotiated: no Vary.
	w := get(t, h, "GET", "/image/100x100,png/p.jpg", "Accept", "image/webp")
	assert.Equal(t, "image/png", w.Header().Get("Content-Type"))
	assert.Empty(t, w.Header().Get("Vary"))

	// A new node on the same disk, its origin gone: every format from disk.
	down := &fakeFetcher{err: imgproxy.ErrUpstream}
	h2 := newHandler(down, imgproxy.FormatAVIF, imgproxy.FormatWebP)
	for _, c := range cases[:3] {
		w := get(t, h2, "GET", "/image/100x100/p.jpg", "Accept", c.accept)
		require.Equal(t, 200, w.Code, c.accept)
		assert.Equal(t, c.ctype, w.Header().Get("Content-Type"))
		assert.Equal(t, bodies[c.ctype], w.Body.Bytes())
	}
	assert.Zero(t, down.calls.Load())

	// WebP only (AVIF off): a browser's Accept gets WebP.
	h3 := newHandler(f, imgproxy.FormatWebP)
	w = get(t, h3, "GET", "/image/100x100/p.jpg", "Accept", "image/avif,image/webp,*/*")
	assert.Equal(t, "image/webp", w.Header().Get("Content-Type"))

	// No negotiation: no Vary, the source's format.
	h4 := newHandler(f)
	w = get(t, h4, "GET", "/image/100x100/p.jpg", "Accept", "image/avif,image/webp,*/*")
	assert.Equal(t, "image/jpeg", w.Header().Get("Content-Type"))
	assert.Empty(t, w.Header().Get("Vary"))
}

// TestInfo: ",info" answers nginx's image_filter size JSON, byte for
// byte, for each source format, and "{}" for a text file.
func TestInfo(t *testing.T) {
	t.Parallel()
	var pngBuf, webpBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 30, 20))))
	require.NoError(t, (&webp.Encoder{}).Encode(&webpBuf, &picture.Picture{Image: image.NewNRGBA(image.Rect(0, 0, 17, 9))}, picture.EncodeOptions{}))
	files := map[string][]byte{
		"a.jpg": jpegBytes(t, 2400, 1600), "b.png": pngBuf.Bytes(), "c.gif": animatedGIF(t, 3),
		"d.webp": webpBuf.Bytes(), "t.txt": []byte("hello"),
	}
	h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files}, Negotiate: []imgproxy.Format{imgproxy.FormatWebP}}
	for path, want := range map[string]string{
		"a.jpg":  `{ "img" : { "width": 2400, "height": 1600, "type": "jpeg" } }` + "\r\n",
		"b.png":  `{ "img" : { "width": 30, "height": 20, "type": "png" } }` + "\r\n",
		"c.gif":  `{ "img" : { "width": 40, "height": 40, "type": "gif" } }` + "\r\n",
		"d.webp": `{ "img" : { "width": 17, "height": 9, "type": "webp" } }` + "\r\n",
		"t.txt":  "{}\r\n",
	} {
		w := get(t, h, "GET", "/image/-x-,info/"+path, "Accept", "image/webp")
		require.Equal(t, 200, w.Code, path)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, want, w.Body.String(), path)
		assert.Empty(t, w.Header().Get("Vary"))
	}
}

// TestWebPSource: a lossy WebP source keeps its full contrast (VP8 stores
// video-range YCbCr: white must not come out as 235), stays WebP when the
// Resizer can write WebP (as nginx keeps WebP), and becomes JPEG without
// a WebP encoder.
func TestWebPSource(t *testing.T) {
	t.Parallel()
	m := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			v := uint8(255)
			if y >= 32 {
				v = 0
			}
			m.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, (&webp.Encoder{Quality: 95}).Encode(&buf, &picture.Picture{Image: m}, picture.EncodeOptions{}))
	f := &fakeFetcher{files: map[string][]byte{"a.webp": buf.Bytes()}}
	for _, tt := range []struct {
		h     *imgproxy.Handler
		opts  string
		ctype string
	}{
		{&imgproxy.Handler{Fetcher: f, Resizer: modernResizer()}, "32x32", "image/webp"},
		{&imgproxy.Handler{Fetcher: f}, "32x32", "image/jpeg"},
		{&imgproxy.Handler{Fetcher: f}, "32x32,png", "image/png"},
	} {
		w := get(t, tt.h, "GET", "/image/"+tt.opts+"/a.webp")
		require.Equal(t, 200, w.Code)
		require.Equal(t, tt.ctype, w.Header().Get("Content-Type"))
		out := decodeAny(t, tt.ctype, w.Body.Bytes())
		white, black := nrgbaAt(out, 16, 4), nrgbaAt(out, 16, 28)
		assert.GreaterOrEqual(t, int(white.R), 250, "%s white %v", tt.opts, white)
		assert.LessOrEqual(t, int(black.R), 5, "%s black %v", tt.opts, black)
	}
}

// TestAnimatedWebP: an animated GIF asked for as WebP (or negotiated to
// WebP) stays animated, with its frame count and delays; an animated
// WebP source gives its first frame and says so.
func TestAnimatedWebP(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"a.gif": animatedGIF(t, 5)}}
	h := &imgproxy.Handler{Fetcher: f, Resizer: modernResizer(), Negotiate: []imgproxy.Format{imgproxy.FormatAVIF, imgproxy.FormatWebP}}
	var anim []byte
	for _, tt := range []struct{ url, accept string }{
		{"/image/20x20,webp/a.gif", ""},
		{"/image/20x20/a.gif", "image/avif,image/webp,*/*"}, // AVIF cannot animate: WebP
	} {
		w := get(t, h, "GET", tt.url, "Accept", tt.accept)
		require.Equal(t, 200, w.Code)
		require.Equal(t, "image/webp", w.Header().Get("Content-Type"), tt.url)
		assert.Empty(t, w.Header().Get("X-Imgproxy-Animation"))
		all, err := gen2webp.DecodeAll(bytes.NewReader(w.Body.Bytes()))
		require.NoError(t, err)
		require.Len(t, all.Image, 5)
		assert.Equal(t, []int{100, 200, 300, 400, 500}, all.Delay)
		anim = w.Body.Bytes()
	}
	// Only GIF keeps it animated for a client without WebP.
	w := get(t, h, "GET", "/image/20x20/a.gif", "Accept", "image/avif,*/*")
	assert.Equal(t, "image/gif", w.Header().Get("Content-Type"))

	f.files["b.webp"] = anim
	w = get(t, h, "GET", "/image/10x10,png/b.webp")
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "first-frame", w.Header().Get("X-Imgproxy-Animation"))
	m := decodeAny(t, "image/png", w.Body.Bytes())
	assert.Equal(t, image.Pt(10, 10), m.Bounds().Size())
}

// TestWebPKinds: lossy, lossless, alpha (ALPH and VP8L), ICC- and
// EXIF-carrying and animated WebP files made by libwebp's own tools
// (internal/webpmeta/testdata) all resize, keeping transparency in PNG
// output, against gen2brain/webp's (libwebp's) decode of the same file.
func TestWebPKinds(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("internal/webpmeta/testdata/*.webp")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 7)
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(name)
			require.NoError(t, err)
			h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: map[string][]byte{"x.webp": src}}}
			w := get(t, h, "GET", "/image/-x-,png/x.webp")
			require.Equal(t, 200, w.Code)
			got := decodeAny(t, "image/png", w.Body.Bytes())
			want := decodeAny(t, "image/webp", src)
			require.Equal(t, want.Bounds().Size(), got.Bounds().Size())
			var sum, n float64
			for y := range got.Bounds().Dy() {
				for x := range got.Bounds().Dx() {
					a, b := nrgbaAt(got, x, y), nrgbaAt(want, x, y)
					d := func(p, q uint8) float64 { return float64(max(int(p)-int(q), int(q)-int(p))) }
					sum += d(a.A, b.A)
					if a.A > 0 && b.A > 0 {
						sum += d(a.R, b.R) + d(a.G, b.G) + d(a.B, b.B)
					}
					n += 4
				}
			}
			// x/image/webp and libwebp upsample chroma differently: a
			// few levels apart on these tiny gradients.
			assert.Less(t, sum/n, 4.0, "mean difference from libwebp's decode")
		})
	}
}

// TestLosslessSourcesStayLossless: a PNG or GIF written as WebP (asked
// for, or negotiated) is lossless WebP, pixel for pixel the PNG output,
// unless the URL asks for a quality.
func TestLosslessSourcesStayLossless(t *testing.T) {
	t.Parallel()
	m := image.NewNRGBA(image.Rect(0, 0, 90, 60))
	for y := range 60 {
		for x := range 90 {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 3), uint8(y * 4), uint8((x * y) % 256), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, m))
	h := &imgproxy.Handler{Resizer: modernResizer(), Fetcher: &fakeFetcher{files: map[string][]byte{"g.png": buf.Bytes()}}}
	want := decodeAny(t, "image/png", get(t, h, "GET", "/image/45x45,png/g.png").Body.Bytes())
	for _, tt := range []struct {
		url      string
		lossless bool
	}{{"/image/45x45,webp/g.png", true}, {"/image/45x45,webp,q80/g.png", false}} {
		w := get(t, h, "GET", tt.url)
		require.Equal(t, 200, w.Code)
		got := decodeAny(t, "image/webp", w.Body.Bytes())
		same := true
		for y := range 30 {
			for x := range 45 {
				same = same && nrgbaAt(got, x, y) == nrgbaAt(want, x, y)
			}
		}
		assert.Equal(t, tt.lossless, same, tt.url)
	}
}

func TestNegotiateValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, (&imgproxy.Handler{Negotiate: []imgproxy.Format{imgproxy.FormatAVIF, imgproxy.FormatWebP}}).Validate())
	err := (&imgproxy.Handler{Negotiate: []imgproxy.Format{imgproxy.FormatJPEG}}).Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only webp and avif")
}
