package inflate

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"hash/adler32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/corpus"
)

// samples are inputs of the kinds compressors treat differently: empty,
// one byte, text-like, random (stored blocks), runs (distance 1), short
// periods, long matches at 32768, and a mix larger than the window.
func samples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	words := func(n int) []byte {
		vocab := []string{"the ", "png ", "deflate ", "zlib ", "row ", "filter ", "window ", "\n"}
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(vocab[rng.IntN(len(vocab))])
		}
		return b.Bytes()[:n]
	}
	far := random(32768)
	far = append(far, far...)          // a match at exactly 32768
	far = append(far, far[:1000]...)   // and beyond the window
	periods := make([]byte, 0, 100000) // periods 2..9, long and short runs
	for p := 2; p < 10; p++ {
		pat := random(p)
		for range 600 + 300*p {
			periods = append(periods, pat[len(periods)%p])
		}
		periods = append(periods, random(rng.IntN(20))...)
	}
	mix := append(append(append(words(300000), random(70000)...), bytes.Repeat([]byte{7}, 100000)...), periods...)
	return map[string][]byte{
		"empty":   nil,
		"one":     {42},
		"words":   words(5000),
		"random":  random(200000),
		"run":     bytes.Repeat([]byte{0}, 1<<20),
		"max len": bytes.Repeat([]byte("ab"), 258*40),
		"far":     far,
		"periods": periods,
		"mix":     mix,
	}
}

var levels = []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, 2, 3, 4, 5, 6, 7, 8, flate.BestCompression}

func deflate(t testing.TB, data []byte, level int, zl bool) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	if zl {
		w, err = zlib.NewWriterLevel(&b, level)
	} else {
		w, err = flate.NewWriter(&b, level)
	}
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// split cuts data into pieces of the given size (the last shorter).
func split(data []byte, n int) [][]byte {
	var out [][]byte
	for len(data) > n {
		out, data = append(out, data[:n]), data[n:]
	}
	return append(out, data)
}

func inflateAll(src [][]byte, size int64, zl bool) ([]byte, *Reader, error) {
	var r *Reader
	if zl {
		var err error
		if r, err = NewReader(src, size); err != nil {
			return nil, nil, err
		}
	} else {
		r = newReader(src, size, false)
	}
	out, err := io.ReadAll(r)
	return out, r, err
}

// TestMatchesStdlib: every sample at every level, raw and zlib, in one
// piece and in pieces of 1, 7 and 4096 bytes, inflates to itself.
func TestMatchesStdlib(t *testing.T) {
	t.Parallel()
	for name, data := range samples() {
		for _, level := range levels {
			for _, zl := range []bool{false, true} {
				comp := deflate(t, data, level, zl)
				for _, piece := range []int{len(comp) + 1, 1, 7, 4096} {
					if piece == 1 && len(comp) > 20000 {
						continue
					}
					got, r, err := inflateAll(split(comp, piece), -1, zl)
					require.NoError(t, err, "%s level %d zlib %v piece %d", name, level, zl, piece)
					require.True(t, bytes.Equal(data, got), "%s level %d zlib %v piece %d", name, level, zl, piece)
					require.Zero(t, r.Left())
				}
			}
		}
	}
}

// TestFixedAndDynamic: streams of fixed-code blocks (short inputs at
// BestSpeed) and of many dynamic blocks (flushes) inflate right.
func TestFixedAndDynamic(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, 6)
	require.NoError(t, err)
	var want []byte
	for i := range 200 {
		chunk := bytes.Repeat([]byte{byte(i), byte(i * 7), 'x'}, i%13+1)
		want = append(want, chunk...)
		_, err = w.Write(chunk)
		require.NoError(t, err)
		require.NoError(t, w.Flush()) // a block and an empty stored block
	}
	require.NoError(t, w.Close())
	got, _, err := inflateAll([][]byte{b.Bytes()}, -1, false)
	require.NoError(t, err)
	require.Equal(t, want, got)
	// Fixed block by hand: "a" then a match of length 258 distance 1, end.
	// 3-bit header 1,01; literal 'a' = 0x61 -> code 0x30+0x61=0x91, 8 bits;
	// 285 -> code 11000101 (8 bits); distance 0 -> 00000; EOB 0000000.
	bw := &bitWriter{}
	bw.bits(1, 1)
	bw.bits(1, 2)
	bw.code(0x91, 8)
	bw.code(0xc5, 8)
	bw.code(0, 5)
	bw.code(0, 7)
	got, _, err = inflateAll([][]byte{bw.b}, -1, false)
	require.NoError(t, err)
	require.Equal(t, bytes.Repeat([]byte("a"), 259), got)
}

// bitWriter writes DEFLATE bit fields, first bit lowest.
type bitWriter struct {
	b []byte
	n uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	for i := range n {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// code writes a Huffman codeword, most significant bit first.
func (w *bitWriter) code(v uint32, n uint) {
	for i := n; i > 0; i-- {
		w.bits(v>>(i-1)&1, 1)
	}
}

func TestAdler(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 7, 8, 9, 5552, 65536, 65543, 300000} {
		var a adler
		a.reset()
		a.update(data[:n/3])
		a.update(data[n/3 : n])
		require.Equal(t, adler32.Checksum(data[:n]), a.sum(), n)
	}
	ff := bytes.Repeat([]byte{0xff}, 200000)
	var a adler
	a.reset()
	a.update(ff)
	require.Equal(t, adler32.Checksum(ff), a.sum())
}

// TestCorpusPNG: the corpus PNG's IDAT stream, reassembled from its
// chunks, inflates as compress/zlib does.
func TestCorpusPNG(t *testing.T) {
	t.Parallel()
	idat := corpusIDAT(t)
	zr, err := zlib.NewReader(bytes.NewReader(bytes.Join(idat, nil)))
	require.NoError(t, err)
	want, err := io.ReadAll(zr)
	require.NoError(t, err)
	got, r, err := inflateAll(idat, int64(len(want)), true)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got))
	require.Zero(t, r.Left())
	_, _, err = inflateAll(idat, int64(len(want)-1), true)
	require.ErrorIs(t, err, ErrTooLong)
}

// corpusIDAT is the IDAT chunk bodies of the corpus PNG.
func corpusIDAT(t testing.TB) [][]byte {
	data, err := os.ReadFile(corpus.Files(t, "*.png")[0])
	require.NoError(t, err)
	var idat [][]byte
	for off := 8; off+12 <= len(data); {
		n := int(uint32(data[off])<<24 | uint32(data[off+1])<<16 | uint32(data[off+2])<<8 | uint32(data[off+3]))
		if string(data[off+4:off+8]) == "IDAT" {
			idat = append(idat, data[off+8:off+8+n])
		}
		off += 12 + n
	}
	require.NotEmpty(t, idat)
	return idat
}

func TestRefused(t *testing.T) {
	t.Parallel()
	data := samples()["mix"]
	good := deflate(t, data, 6, true)
	stored := deflate(t, []byte("hello, stored world"), flate.NoCompression, true)
	edit := func(b []byte, f func([]byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	bw := &bitWriter{} // fixed block: literal then distance 2 with 1 byte out
	bw.bits(1, 1)
	bw.bits(1, 2)
	bw.code(0x91, 8)
	bw.code(0x03, 7) // symbol 259: length 5
	bw.code(1, 5)    // distance code 1: distance 2
	bw.code(0, 7)
	farRaw := bw.b
	cases := []struct {
		name string
		src  []byte
		zl   bool
		want error
	}{
		{"empty", nil, true, io.ErrUnexpectedEOF},
		{"truncated", good[:len(good)/2], true, io.ErrUnexpectedEOF},
		{"no adler", good[:len(good)-4], true, io.ErrUnexpectedEOF},
		{"short adler", good[:len(good)-1], true, io.ErrUnexpectedEOF},
		{"bad adler", edit(good, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), true, ErrChecksum},
		{"bad method", edit(good, func(b []byte) []byte { b[0] = 0x79; return b }), true, ErrHeader},
		{"bad fcheck", edit(good, func(b []byte) []byte { b[1]++; return b }), true, ErrHeader},
		{"big window", []byte{0x88, 0x1d}, true, ErrHeader},
		{"fdict", []byte{0x78, 0xbb, 0, 0, 0, 1}, true, ErrDictionary},
		{"bad nlen", edit(stored, func(b []byte) []byte { b[5] ^= 1; return b }), true, errStoredLen},
		{"stored short", stored[:10], true, io.ErrUnexpectedEOF},
		{"reserved type", []byte{0x07}, false, errBlockType},
		{"distance too far", farRaw, false, errDistance},
		{"too many lits", dynamic(30, 0, 1, 1, 0, 0), false, errLengths},
		{"too many dists", dynamic(0, 30, 1, 1, 0, 0), false, errLengths},
		{"empty clen code", dynamic(0, 0, 0, 0, 0, 0), false, errCode},
		{"oversubscribed", dynamic(0, 0, 1, 1, 1, 0), false, errOversubscribed},
		{"incomplete", dynamic(0, 0, 0, 0, 2, 1), false, errIncomplete},
		// 16 first (its code is 1, bit 29): nothing to repeat
		{"repeat first", edit(dynamic(0, 0, 1, 0, 0, 1), func(b []byte) []byte { b[3] |= 1 << 5; return b }), false, errLengths},
		// all 18 (11 or more zeros): 258 lengths overrun after 24 repeats of 11
		{"repeat past end", append(dynamic(0, 0, 0, 0, 1, 0), make([]byte, 16)...), false, errLengths},
		{"trailing garbage as block", append(good[:len(good)-4:len(good)-4], 0xff), true, nil},
	}
	for _, c := range cases {
		_, _, err := inflateAll([][]byte{c.src}, -1, c.zl)
		if c.want == nil {
			require.Error(t, err, c.name)
			continue
		}
		require.ErrorIs(t, err, c.want, c.name)
		// compress/flate and compress/zlib refuse them too.
		var rd io.Reader
		if c.zl {
			zr, zerr := zlib.NewReader(bytes.NewReader(c.src))
			if zerr != nil {
				continue
			}
			rd = zr
		} else {
			rd = flate.NewReader(bytes.NewReader(c.src))
		}
		_, serr := io.ReadAll(rd)
		assert.Error(t, serr, c.name)
		assert.False(t, errors.Is(err, io.EOF), c.name)
	}
}

// dynamic is a final dynamic block header with HLIT hlit, HDIST hdist
// and the code-length code's lengths for 16, 17, 18, 0, ... (at least
// four), then zero bytes.
func dynamic(hlit, hdist uint32, clens ...uint32) []byte {
	w := &bitWriter{}
	w.bits(1, 1)
	w.bits(2, 2)
	w.bits(hlit, 5)
	w.bits(hdist, 5)
	w.bits(uint32(len(clens)-4), 4)
	for _, l := range clens {
		w.bits(l, 3)
	}
	return append(w.b, make([]byte, 16)...)
}

// BenchmarkAdler compares the checksum with hash/adler32's.
func BenchmarkAdler(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), 30000)
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var a adler
			a.reset()
			a.update(data)
		}
	})
	b.Run("hash/adler32", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			adler32.Checksum(data)
		}
	})
}

// TestZlibStrategies: streams zlib itself wrote (testdata, by Python's
// zlib: default, filtered, Huffman-only, RLE and fixed strategies, levels
// 1 to 9, a 512-byte window) inflate as compress/zlib inflates them.
func TestZlibStrategies(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/zlib-*.z")
	require.NoError(t, err)
	require.Len(t, files, 7)
	for _, f := range files {
		comp, err := os.ReadFile(f)
		require.NoError(t, err)
		zr, err := zlib.NewReader(bytes.NewReader(comp))
		require.NoError(t, err)
		want, err := io.ReadAll(zr)
		require.NoError(t, err)
		for _, piece := range []int{len(comp), 5} {
			got, _, err := inflateAll(split(comp, piece), int64(len(want)), true)
			require.NoError(t, err, f)
			require.True(t, bytes.Equal(want, got), f)
		}
	}
}
