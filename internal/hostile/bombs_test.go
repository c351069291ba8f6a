package hostile

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/gif"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"
)

// zeroCounter counts the bytes written to it and whether all were zero.
type zeroCounter struct {
	n       int64
	nonZero bool
}

func (z *zeroCounter) Write(p []byte) (int, error) {
	for _, c := range p {
		z.nonZero = z.nonZero || c != 0
	}
	z.n += int64(len(p))
	return len(p), nil
}

func TestZlibZeros(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{0, 1, 2, 257, 258, 259, 260, 258*32 + 1, 258*33 + 7, 1 << 20, 65521*3 + 5} {
		r, err := zlib.NewReader(bytes.NewReader(ZlibZeros(n)))
		require.NoError(t, err, n)
		var z zeroCounter
		_, err = io.Copy(&z, r) // checks the Adler-32 at the end
		require.NoError(t, err, n)
		assert.Equal(t, n, z.n)
		assert.False(t, z.nonZero, n)
	}
	// The densest deflate: about 1/1032 of the output.
	assert.InDelta(t, 1<<30/1032, len(ZlibZeros(1<<30)), 64)
}

func TestPNGBomb(t *testing.T) {
	t.Parallel()
	for _, ilace := range []bool{false, true} {
		// Small enough to decode here; every pass of Adam7 is non-empty
		// and some are odd sizes.
		m, err := png.Decode(bytes.NewReader(PNGBomb(37, 29, ilace)))
		require.NoError(t, err, ilace)
		n, ok := m.(*image.NRGBA64)
		require.True(t, ok, "%T", m)
		assert.Equal(t, image.Rect(0, 0, 37, 29), n.Rect)
		assert.Equal(t, make([]byte, len(n.Pix)), n.Pix)

		b := PNGBomb(BombSide, BombSide, ilace)
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, [2]int{BombSide, BombSide}, [2]int{cfg.Width, cfg.Height})
		// 392 MB of samples in about 381 KB (the probe's file).
		assert.InDelta(t, 381_000, len(b), 5_000, ilace)
	}
}

func TestPNGBombInflates(t *testing.T) {
	t.Parallel()
	// The bomb's IDAT inflates to exactly the filtered size of the
	// picture: rows of a filter byte and 56000 zero bytes.
	b := PNGBomb(BombSide, 100, false)
	idat := b[8+25+8 : len(b)-12-4]
	r, err := zlib.NewReader(bytes.NewReader(idat))
	require.NoError(t, err)
	var z zeroCounter
	_, err = io.Copy(&z, r)
	require.NoError(t, err)
	assert.Equal(t, int64(100*(1+BombSide*8)), z.n)
	assert.False(t, z.nonZero)
}

func TestGIFBomb(t *testing.T) {
	t.Parallel()
	// Sizes across every code width and, at 3000x3000, table clears.
	for _, s := range [][2]int{{1, 1}, {2, 3}, {7, 9}, {64, 64}, {300, 200}, {3000, 3000}} {
		g, err := gif.DecodeAll(bytes.NewReader(GIFBomb(s[0], s[1])))
		require.NoError(t, err, s)
		require.Len(t, g.Image, 1)
		m := g.Image[0]
		assert.Equal(t, image.Rect(0, 0, s[0], s[1]), m.Rect, s)
		assert.Equal(t, make([]byte, len(m.Pix)), m.Pix, s)
	}
	b := GIFBomb(BombSide, BombSide)
	cfg, err := gif.DecodeConfig(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, [2]int{BombSide, BombSide}, [2]int{cfg.Width, cfg.Height})
	assert.InDelta(t, 33<<10, len(b), 4<<10) // the probe's 33 KB
}

func TestGIFFrames(t *testing.T) {
	t.Parallel()
	g, err := gif.DecodeAll(bytes.NewReader(GIFFrames(30, 20, 50)))
	require.NoError(t, err)
	require.Len(t, g.Image, 50)
	assert.Equal(t, 0, g.LoopCount)
	for i, m := range g.Image {
		assert.Equal(t, bytes.Repeat([]byte{byte(i & 1)}, 600), m.Pix, i)
		assert.Equal(t, 10, g.Delay[i])
	}
	b := GIFFrames(100, 100, ManyFrames)
	assert.Less(t, len(b), 1<<20)
}

func TestWebP(t *testing.T) {
	t.Parallel()
	m, err := webp.Decode(bytes.NewReader(WebPChecker(37, 21)))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 37, 21), m.Bounds())
	for _, p := range [][2]int{{0, 0}, {8, 0}, {0, 8}, {8, 8}, {36, 20}} {
		_, g, _, a := m.At(p[0], p[1]).RGBA()
		want := uint32((p[0]>>3 ^ p[1]>>3) & 1 * 0xFFFF)
		assert.Equal(t, want, g, p)
		assert.Equal(t, uint32(0xFFFF), a, p)
	}
	m, err = webp.Decode(bytes.NewReader(WebPBomb(300, 200)))
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 300, 200), m.Bounds())
	r, g, b, a := m.At(299, 199).RGBA()
	assert.Equal(t, [4]uint32{0, 0, 0, 0xFFFF}, [4]uint32{r, g, b, a})

	cfg, err := webp.DecodeConfig(bytes.NewReader(WebPBomb(16384, 16384)))
	require.NoError(t, err)
	assert.Equal(t, [2]int{16384, 16384}, [2]int{cfg.Width, cfg.Height})
	assert.Len(t, WebPBomb(16384, 16384), 34)
}

// TestWebPDwebp checks the hand-made files against libwebp, when its dwebp
// is installed.
func TestWebPDwebp(t *testing.T) {
	t.Parallel()
	dwebp, err := exec.LookPath("dwebp")
	if err != nil {
		t.Skip("dwebp not installed")
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{"checker.webp": WebPChecker(37, 21), "bomb.webp": WebPBomb(300, 200)} {
		in := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(in, b, 0o644))
		out, err := exec.Command(dwebp, in, "-o", in+".png").CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
}
