package vp8dec

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// payload returns the VP8 chunk payload of a lossy WebP file.
func payload(tb testing.TB, file []byte) []byte {
	tb.Helper()
	s, err := webpmeta.ParseStill(file)
	require.NoError(tb, err)
	require.False(tb, s.Lossless)
	raw := s.Bitstream
	n := int(raw[4]) | int(raw[5])<<8 | int(raw[6])<<16 | int(raw[7])<<24
	return raw[8 : 8+n]
}

// picture returns a test picture of w x h: "photo" (the landscape sample
// scaled), "noise" (random pixels, dense coefficients) or "flat" with a
// few edges.
func picture(tb testing.TB, kind string, w, h int) image.Image {
	tb.Helper()
	switch kind {
	case "photo":
		f, err := os.ReadFile(filepath.Join("..", "..", "samples", "landscape.jpg"))
		require.NoError(tb, err)
		m, err := jpeg.Decode(bytes.NewReader(f))
		require.NoError(tb, err)
		return codectest.Scale(m, w, h)
	case "noise":
		r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = byte(r.IntN(256)) | byte(255*boolInt(i%4 == 3)) // opaque
		}
		return m
	}
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{200, 40, 90, 255}
			if (x/13+y/7)%3 == 0 {
				c = color.NRGBA{10, 220, 250, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// cwebp encodes m with cwebp and args, skipping the test if cwebp is not
// installed.
func cwebp(tb testing.TB, m image.Image, args ...string) []byte {
	tb.Helper()
	tool := codectest.Tool(tb, "cwebp", "webp")
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.webp")
	var buf bytes.Buffer
	require.NoError(tb, png.Encode(&buf, m))
	require.NoError(tb, os.WriteFile(in, buf.Bytes(), 0o600))
	cmd := exec.Command(tool, append(append([]string{"-quiet"}, args...), in, "-o", out)...)
	msg, err := cmd.CombinedOutput()
	require.NoError(tb, err, "%s", msg)
	b, err := os.ReadFile(out)
	require.NoError(tb, err)
	return b
}

// dwebpYUV decodes a WebP file with libwebp's dwebp into its raw 4:2:0
// planes (-yuv: Y, then U and V of ceil(w/2) x ceil(h/2)), with the loop
// filter unless nofilter.
func dwebpYUV(tb testing.TB, file []byte, nofilter bool) (y, u, v []byte) {
	tb.Helper()
	tool := codectest.Tool(tb, "dwebp", "webp")
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.webp"), filepath.Join(dir, "out.yuv")
	require.NoError(tb, os.WriteFile(in, file, 0o600))
	args := []string{"-yuv", in, "-o", out}
	if nofilter {
		args = append([]string{"-nofilter"}, args...)
	}
	msg, err := exec.Command(tool, args...).CombinedOutput()
	require.NoError(tb, err, "%s", msg)
	b, err := os.ReadFile(out)
	require.NoError(tb, err)
	cfg, err := DecodeConfig(payload(tb, file))
	require.NoError(tb, err)
	ny, nc := cfg.Width*cfg.Height, ((cfg.Width+1)/2)*((cfg.Height+1)/2)
	require.Equal(tb, ny+2*nc, len(b), "dwebp -yuv output size")
	return b[:ny], b[ny : ny+nc], b[ny+nc:]
}

// planes crops the planes of m to its size, as dwebp writes them.
func planes(m *image.YCbCr) (y, u, v []byte) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	for r := range h {
		y = append(y, m.Y[r*m.YStride:r*m.YStride+w]...)
	}
	for r := range ch {
		u = append(u, m.Cb[r*m.CStride:r*m.CStride+cw]...)
		v = append(v, m.Cr[r*m.CStride:r*m.CStride+cw]...)
	}
	return y, u, v
}

// requireSamePlanes compares planes, naming the first differing sample.
func requireSamePlanes(tb testing.TB, name string, want, got []byte, w int) {
	tb.Helper()
	require.Equal(tb, len(want), len(got), name)
	for i := range want {
		if want[i] != got[i] {
			require.FailNow(tb, fmt.Sprintf("%s differs first at x=%d y=%d: want %d, got %d", name, i%w, i/w, want[i], got[i]))
		}
	}
}

// decodeFile decodes a WebP file's VP8 payload with a fresh Decoder.
func decodeFile(tb testing.TB, file []byte, opt Options) *image.YCbCr {
	tb.Helper()
	m, err := Decode(context.Background(), payload(tb, file), opt)
	require.NoError(tb, err)
	return m
}

// hasTool reports whether a command is installed.
func hasTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}
