package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
)

// alphaPicture is a w x h picture whose alpha is of the given kind.
func alphaPicture(w, h int, kind string, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var a uint8
			switch kind {
			case "noise":
				a = uint8(rng.Uint32())
			case "gradient":
				a = uint8((x*255/max(w-1, 1) + y*255/max(h-1, 1)) / 2)
			case "mask":
				if (x/5+y/3)%2 == 0 {
					a = 255
				}
			}
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), a})
		}
	}
	return m
}

// fullPlan is a plan that keeps the size: the loop filter is applied,
// as x/image/webp always does.
func fullPlan(w, h int) decodeRequest {
	return decodeRequest{plan: geometry{srcW: w, srcH: h, resizeW: w, resizeH: h, cropW: w, cropH: h}}
}

// assertSameNYCbCrA checks that our decode of file equals x/image/webp's,
// every plane sample for sample.
func assertSameNYCbCrA(t *testing.T, file []byte, name string) {
	t.Helper()
	want, err := webp.Decode(bytes.NewReader(file))
	require.NoError(t, err, name)
	w := want.Bounds().Dx()
	m, ok, err := decodeVP8(context.Background(), file, fullPlan(w, want.Bounds().Dy()))
	require.NoError(t, err, name)
	require.True(t, ok, name)
	var ref, got *image.NYCbCrA
	switch r := want.(type) {
	case *image.NYCbCrA:
		ref = r
	case *image.YCbCr: // the encoder left the alpha out: all opaque
		ref = &image.NYCbCrA{YCbCr: *r}
	}
	switch g := m.(type) {
	case *image.NYCbCrA:
		got = g
	case *image.YCbCr:
		got = &image.NYCbCrA{YCbCr: *g}
	}
	require.NotNil(t, ref, "%s: x/image/webp gave %T", name, want)
	require.NotNil(t, got, "%s: %T", name, m)
	require.Equal(t, ref.A == nil, got.A == nil, "%s: alpha plane", name)
	require.Equal(t, ref.Rect, got.Rect, name)
	for y := range ref.Rect.Dy() {
		if ref.A != nil {
			require.Equal(t, ref.A[y*ref.AStride:y*ref.AStride+w], got.A[y*got.AStride:y*got.AStride+w], "%s: alpha row %d", name, y)
		}
		require.Equal(t, ref.Y[y*ref.YStride:y*ref.YStride+w], got.Y[y*got.YStride:y*got.YStride+w], "%s: Y row %d", name, y)
	}
	cw := (w + 1) / 2
	for y := range (ref.Rect.Dy() + 1) / 2 {
		require.Equal(t, ref.Cb[y*ref.CStride:y*ref.CStride+cw], got.Cb[y*got.CStride:y*got.CStride+cw], "%s: Cb row %d", name, y)
		require.Equal(t, ref.Cr[y*ref.CStride:y*ref.CStride+cw], got.Cr[y*got.CStride:y*got.CStride+cw], "%s: Cr row %d", name, y)
	}
}

// TestVP8AlphaMatchesXImage: lossy WebPs with alpha, as cwebp writes
// them (raw and lossless-compressed alpha, each filter choice, lossy
// alpha levels), decode with internal/vp8dec plus our ALPH reader to
// exactly the planes x/image/webp gives.
func TestVP8AlphaMatchesXImage(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{1, 1}, {17, 9}, {64, 48}, {301, 203}}
	seen := map[byte]bool{}
	for _, kind := range []string{"noise", "gradient", "mask"} {
		for _, sz := range sizes {
			m := alphaPicture(sz[0], sz[1], kind, uint64(sz[0]))
			for _, args := range [][]string{
				{"-alpha_method", "0"},
				{"-alpha_method", "1", "-alpha_filter", "none"},
				{"-alpha_method", "1", "-alpha_filter", "fast"},
				{"-alpha_method", "1", "-alpha_filter", "best"},
				{"-alpha_method", "1", "-alpha_q", "40", "-alpha_filter", "best"},
			} {
				name := fmt.Sprintf("%s %dx%d %v", kind, sz[0], sz[1], args)
				file := codectest.CWebP(t, m, append([]string{"-q", "70"}, args...)...)
				if hdr, ok := alphaHeader(file); ok {
					seen[hdr&0x0f] = true
				}
				assertSameNYCbCrA(t, file, name)
			}
		}
	}
	// cwebp wrote raw and compressed alpha, and filtered some of it
	// (TestAlphaFilters covers each filter).
	var raw, lossless, filtered bool
	for hdr := range seen {
		raw = raw || hdr&3 == alphaRaw
		lossless = lossless || hdr&3 == alphaLossless
		filtered = filtered || hdr>>2 != alphaFilterNone
	}
	assert.True(t, raw && lossless && filtered, "ALPH headers seen: %v", seen)
}

// TestAlphaFilters: every filtering method, on raw alpha written here
// into a cwebp file's ALPH chunk, decodes as x/image/webp decodes it,
// and to the plane that was filtered.
func TestAlphaFilters(t *testing.T) {
	t.Parallel()
	const w, h = 37, 23
	base := codectest.CWebP(t, alphaPicture(w, h, "noise", 1), "-q", "70", "-alpha_method", "0")
	plane := make([]byte, w*h)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range plane {
		plane[i] = uint8(rng.Uint32()) & 0xf0
	}
	for f := byte(0); f < 4; f++ {
		for _, pre := range []byte{0, 1} {
			payload := append([]byte{pre<<4 | f<<2 | alphaRaw}, filterAlpha(plane, w, h, f)...)
			file := withAlphaPayload(t, base, payload)
			name := fmt.Sprintf("filter %d, pre-processing %d", f, pre)
			assertSameNYCbCrA(t, file, name)
			m, ok, err := decodeVP8(context.Background(), file, fullPlan(w, h))
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, plane, m.(*image.NYCbCrA).A, name)
		}
	}
}

// TestAlphaRefused: ALPH chunks that cannot be read are errors (the
// request's 415), never a panic or a picture.
func TestAlphaRefused(t *testing.T) {
	t.Parallel()
	const w, h = 16, 12
	base := codectest.CWebP(t, alphaPicture(w, h, "gradient", 1), "-q", "70", "-alpha_method", "1")
	hdr, ok := alphaHeader(base)
	require.True(t, ok)
	lossless := alphaPayload(t, base)
	for _, tt := range []struct {
		name    string
		payload []byte
	}{
		{"empty", []byte{}},
		{"raw, short", append([]byte{alphaRaw}, make([]byte, w*h-1)...)},
		{"compression 2", append([]byte{2}, make([]byte, w*h)...)},
		{"compression 3", append([]byte{3}, make([]byte, w*h)...)},
		{"lossless, truncated", lossless[:len(lossless)/2]},
		{"lossless, garbage", append([]byte{hdr}, bytes.Repeat([]byte{0xff}, 40)...)},
	} {
		file := withAlphaPayload(t, base, tt.payload)
		_, ok, err := decodeVP8(context.Background(), file, fullPlan(w, h))
		assert.True(t, ok, tt.name)
		assert.Error(t, err, tt.name)
	}
}

// filterAlpha applies filtering method f to the w x h plane p, as an
// encoder does: each sample minus its predictor (see unfilterAlpha).
func filterAlpha(p []byte, w, h int, f byte) []byte {
	out := make([]byte, len(p))
	at := func(x, y int) int { return int(p[y*w+x]) }
	for y := range h {
		for x := range w {
			var pred int
			switch {
			case f == alphaFilterNone || x == 0 && y == 0:
			case y == 0:
				pred = at(x-1, 0)
			case x == 0:
				pred = at(0, y-1)
			case f == alphaFilterHorizontal:
				pred = at(x-1, y)
			case f == alphaFilterVertical:
				pred = at(x, y-1)
			default:
				pred = min(max(at(x-1, y)+at(x, y-1)-at(x-1, y-1), 0), 255)
			}
			out[y*w+x] = byte(at(x, y) - pred)
		}
	}
	return out
}

// webpChunks splits a WebP file into its chunks (fourCC and payload).
func webpChunks(t testing.TB, file []byte) (ids []string, payloads [][]byte) {
	require.True(t, len(file) >= 12 && string(file[:4]) == "RIFF" && string(file[8:12]) == "WEBP")
	for b := file[12:]; len(b) >= 8; {
		n := int(binary.LittleEndian.Uint32(b[4:8]))
		require.LessOrEqual(t, 8+n, len(b))
		ids, payloads = append(ids, string(b[:4])), append(payloads, b[8:8+n])
		b = b[min(8+n+n&1, len(b)):]
	}
	return ids, payloads
}

// alphaHeader returns the header byte of file's ALPH chunk.
func alphaHeader(file []byte) (byte, bool) {
	i := bytes.Index(file, []byte("ALPH"))
	if i < 0 || len(file) < i+9 {
		return 0, false
	}
	return file[i+8], true
}

func alphaPayload(t testing.TB, file []byte) []byte {
	ids, payloads := webpChunks(t, file)
	for i, id := range ids {
		if id == "ALPH" {
			return payloads[i]
		}
	}
	require.FailNow(t, "no ALPH chunk")
	return nil
}

// withAlphaPayload returns file with its ALPH chunk's payload replaced.
func withAlphaPayload(t testing.TB, file, payload []byte) []byte {
	ids, payloads := webpChunks(t, file)
	var body bytes.Buffer
	body.WriteString("WEBP")
	for i, id := range ids {
		p := payloads[i]
		if id == "ALPH" {
			p = payload
		}
		body.WriteString(id)
		body.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(p))))
		body.Write(p)
		if len(p)%2 == 1 {
			body.WriteByte(0)
		}
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(body.Len()))...)
	return append(out, body.Bytes()...)
}

// FuzzVP8Alpha: any ALPH payload in a lossy WebP decodes, through our
// path, to what x/image/webp decodes, or is refused; never a panic.
func FuzzVP8Alpha(f *testing.F) {
	base, err := os.ReadFile(filepath.Join("internal", "webpmeta", "testdata", "lossy-alpha.webp"))
	if err != nil {
		f.Fatal(err)
	}
	payload := alphaPayload(f, base)
	f.Add(payload)
	f.Add(append([]byte{alphaRaw}, make([]byte, 16*12)...))
	for filter := byte(0); filter < 4; filter++ {
		raw := make([]byte, 16*12)
		for i := range raw {
			raw[i] = byte(i * 37)
		}
		f.Add(append([]byte{filter<<2 | alphaRaw}, raw...))
		f.Add(append([]byte{filter<<2 | alphaLossless}, payload[1:]...))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		file := withAlphaPayload(t, base, p)
		m, ok, err := decodeVP8(context.Background(), file, fullPlan(16, 12))
		if !ok || err != nil {
			return
		}
		want, werr := webp.Decode(bytes.NewReader(file))
		if werr != nil {
			t.Fatalf("ours decoded, x/image/webp: %v", werr)
		}
		ref, ok1 := want.(*image.NYCbCrA)
		got, ok2 := m.(*image.NYCbCrA)
		if !ok1 || !ok2 {
			t.Fatalf("types %T and %T", want, m)
		}
		if !bytes.Equal(ref.A[:16*12], got.A[:16*12]) {
			t.Fatalf("alpha differs")
		}
	})
}

// BenchmarkWebPAlphaDecode: a 2000x2000 lossy WebP with a compressed
// alpha plane (a gradient picture with a soft mask), decoded by our path
// (internal/vp8dec plus decodeAlpha) and by x/image/webp.
func BenchmarkWebPAlphaDecode(b *testing.B) {
	file := codectest.CWebP(b, codectest.Gradient(2000, 2000, true), "-q", "75")
	req := fullPlan(2000, 2000)
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := decodeVP8(context.Background(), file, req); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("x-image-webp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := webp.Decode(bytes.NewReader(file)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
