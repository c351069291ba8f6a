package jpegdec

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// needTool skips the test when a libjpeg-turbo-progs tool is missing.
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("%s not installed (libjpeg-turbo-progs): %v", n, err)
		}
	}
}

// transcode runs jpegtran with args on src (written to dir) and returns
// its output.
func transcode(t testing.TB, dir string, src []byte, args ...string) []byte {
	t.Helper()
	f, err := os.CreateTemp(dir, "src*.jpg")
	require.NoError(t, err)
	_, err = f.Write(src)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	cmd := exec.Command("jpegtran", append(args, f.Name())...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "jpegtran %v: %s", args, stderr.String())
	return out
}

// arithSources returns Huffman-coded files of every kind the decoder
// handles: 4:2:0, 4:4:4, 4:2:2, grey, CMYK, YCCK and RGB, odd sizes.
func arithSources(t testing.TB, dir string) map[string][]byte {
	src := map[string][]byte{}
	for _, sz := range [][2]int{{1, 1}, {17, 9}, {333, 211}} {
		img := synthImage(sz[0], sz[1], uint64(sz[0]+sz[1]))
		src[fmt.Sprintf("420-%dx%d", sz[0], sz[1])] = encodeJPEG(t, img, 85)
		src[fmt.Sprintf("gray-%dx%d", sz[0], sz[1])] = encodeJPEG(t, grayImage(img), 85)
	}
	ppm := filepath.Join(dir, "c.ppm")
	require.NoError(t, os.WriteFile(ppm, pnm(synthImage(203, 157, 42), false), 0o644))
	for _, sample := range []string{"1x1", "2x1"} {
		out, err := exec.Command("cjpeg", "-quality", "90", "-sample", sample, ppm).Output()
		require.NoError(t, err)
		src["cjpeg-"+sample] = out
	}
	for name, k := range map[string]kind{"cmyk": kCMYKAdobe, "ycck": kYCCK, "rgb": kRGBAdobe} {
		hv := []byte{0x22, 0x11, 0x11, 0x22}
		if k == kRGBAdobe {
			hv = []byte{0x11, 0x11, 0x11}
		}
		ps := convPlanes(k, 37, 29)
		src[name] = convEncode(k, 37, 29, ps, hv[:len(ps)], 6, false, false)
	}
	return src
}

// arithVariants are the jpegtran options the test codes each source
// with, -arithmetic added: sequential and progressive, restart intervals
// of 1 and 3 MCU rows and of 5 MCUs, and custom scan scripts with
// spectral selection and successive approximation (scripts for three
// components or one).
func arithVariants(dir string) map[string][]string {
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			panic(err)
		}
		return p
	}
	return map[string][]string{
		"seq":             nil,
		"seq-restart1":    {"-restart", "1"},
		"seq-restart3":    {"-restart", "3"},
		"seq-restart5B":   {"-restart", "5B"},
		"seq-separate":    {"-scans", write("sep.txt", scanScripts["noninterleaved"])},
		"seq-separate-2B": {"-restart", "2B", "-scans", write("sep2.txt", scanScripts["noninterleaved"])},
		"prog":            {"-progressive"},
		"prog-restart1":   {"-progressive", "-restart", "1"},
		"prog-restart3":   {"-progressive", "-restart", "3"},
		"prog-successive": {"-scans", write("succ.txt", scanScripts["successive"])},
		"prog-spectral":   {"-scans", write("spec.txt", scanScripts["spectral"])},
		"prog-gray": {"-scans", write("gray.txt", "0: 0 0 0 2;\n0: 1 5 0 2;\n0: 6 63 0 3;\n0: 0 0 2 1;\n"+
			"0: 1 5 2 1;\n0: 6 63 3 2;\n0: 6 63 2 1;\n0: 1 63 1 0;\n0: 0 0 1 0;\n")},
	}
}

// TestArithmeticOracle checks, for every source and variant, that the
// arithmetic-coded file (jpegtran -arithmetic, lossless: the same
// quantised coefficients) decodes to exactly the pixels of the same
// file Huffman-coded with the same options, at every scale, exact and
// with Options.Approximate.
func TestArithmeticOracle(t *testing.T) {
	t.Parallel()
	needTool(t, "jpegtran", "cjpeg")
	dir := t.TempDir()
	srcs := arithSources(t, dir)
	variants := arithVariants(dir)
	for sname, src := range srcs {
		cfg, err := DecodeConfig(src)
		require.NoError(t, err)
		for vname, args := range variants {
			if strings.HasPrefix(vname, "seq-separate") && cfg.Components != 3 ||
				(vname == "prog-successive" || vname == "prog-spectral") && cfg.Components != 3 ||
				vname == "prog-gray" && cfg.Components != 1 {
				continue
			}
			huff := transcode(t, dir, src, args...)
			arith := transcode(t, dir, src, append([]string{"-arithmetic"}, args...)...)
			t.Run(sname+"/"+vname, func(t *testing.T) {
				t.Parallel()
				acfg, err := DecodeConfig(arith)
				require.NoError(t, err)
				hcfg, err := DecodeConfig(huff)
				require.NoError(t, err)
				require.Equal(t, hcfg, acfg)
				require.True(t, acfg.Supported)
				for _, s := range []int{1, 2, 4, 8, -2, -4} {
					o := &Options{Approximate: s < 0}
					want, err := Decode(huff, max(s, -s), o)
					require.NoError(t, err)
					got, err := Decode(arith, max(s, -s), o)
					require.NoError(t, err, "scale %d", s)
					sameImage(t, want, got, fmt.Sprintf("scale %d", s))
				}
			})
		}
	}
}

// TestArithmeticDjpeg compares a full-size decode of an arithmetic-coded
// grey file with libjpeg-turbo's (djpeg -dct int): within ±1.
func TestArithmeticDjpeg(t *testing.T) {
	t.Parallel()
	needTool(t, "jpegtran", "djpeg")
	dir := t.TempDir()
	for _, prog := range []bool{false, true} {
		args := []string{"-arithmetic"}
		if prog {
			args = append(args, "-progressive")
		}
		data := transcode(t, dir, encodeJPEG(t, grayImage(synthImage(333, 211, 9)), 90), args...)
		f := filepath.Join(dir, fmt.Sprintf("a%v.jpg", prog))
		require.NoError(t, os.WriteFile(f, data, 0o644))
		out, err := exec.Command("djpeg", "-dct", "int", "-pnm", f).Output()
		require.NoError(t, err)
		hdr := []byte("P5\n333 211\n255\n")
		require.True(t, bytes.HasPrefix(out, hdr), "%q", out[:min(len(out), 20)])
		ref := out[len(hdr):]
		img, err := Decode(data, 1, nil)
		require.NoError(t, err)
		g := img.(*image.Gray)
		maxd := 0
		for y := range 211 {
			for x := range 333 {
				d := int(g.Pix[y*g.Stride+x]) - int(ref[y*333+x])
				maxd = max(maxd, d, -d)
			}
		}
		assert.LessOrEqual(t, maxd, 1, "progressive %v", prog)
	}
}

// TestArithmeticTruncated cuts arithmetic-coded files anywhere: each
// decodes without panic, to the full bounds, without error where the
// cut leaves the first scan (data past the end reads as zeros).
func TestArithmeticTruncated(t *testing.T) {
	t.Parallel()
	needTool(t, "jpegtran")
	dir := t.TempDir()
	src := encodeJPEG(t, synthImage(100, 80, 3), 80)
	for _, args := range [][]string{{"-arithmetic"}, {"-arithmetic", "-progressive"}, {"-arithmetic", "-restart", "1"}} {
		data := transcode(t, dir, src, args...)
		sos := bytes.Index(data, []byte{0xFF, mSOS})
		require.Positive(t, sos)
		for _, n := range []int{sos + 20, len(data) / 2, len(data) - 2} {
			for _, s := range []int{1, 2, 4, 8} {
				img, err := Decode(data[:n], s, nil)
				require.NoError(t, err, "%v cut at %d, scale %d", args, n, s)
				assert.Equal(t, image.Rect(0, 0, ceilDiv(100, s), ceilDiv(80, s)), img.Bounds())
			}
		}
	}
}

// TestArithmeticWork checks that the progressive admission counts the
// scans of an arithmetic file as those of the Huffman one: the same
// scans, the same work, and every scan walked at full size.
func TestArithmeticWork(t *testing.T) {
	t.Parallel()
	needTool(t, "jpegtran")
	src := encodeJPEG(t, synthImage(203, 157, 4), 90)
	dir := t.TempDir()
	huff := transcode(t, dir, src, "-progressive")
	arith := transcode(t, dir, src, "-arithmetic", "-progressive")
	dh, _, err := decodeCoefficients(context.Background(), huff, 1, nil)
	require.NoError(t, err)
	da, _, err := decodeCoefficients(context.Background(), arith, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, dh.prog, da.prog)
	assert.Equal(t, da.prog.work, da.work)
}

// sameImage requires want and got to be the same image, reporting the
// first differing byte (require.Equal would print every pixel).
func sameImage(t *testing.T, want, got image.Image, msg string) {
	t.Helper()
	require.IsType(t, want, got, msg)
	require.Equal(t, want.Bounds(), got.Bounds(), msg)
	planes := func(m image.Image) [][]byte {
		switch m := m.(type) {
		case *image.Gray:
			return [][]byte{m.Pix}
		case *image.YCbCr:
			return [][]byte{m.Y, m.Cb, m.Cr}
		case *image.RGBA:
			return [][]byte{m.Pix}
		}
		t.Fatalf("%s: unexpected %T", msg, m)
		return nil
	}
	w, g := planes(want), planes(got)
	for p := range w {
		require.Len(t, g[p], len(w[p]), msg)
		for i := range w[p] {
			if w[p][i] != g[p][i] {
				t.Fatalf("%s: plane %d differs first at byte %d of %d: %d, want %d", msg, p, i, len(w[p]), g[p][i], w[p][i])
			}
		}
	}
}

// arithTestdata checks an arithmetic-coded file of testdata: it decodes
// exactly as its Huffman-coded transcoding (jpegtran) at every scale,
// which image/jpeg decodes within the usual tolerances.
func arithTestdata(t *testing.T, data []byte) {
	needTool(t, "jpegtran")
	huff := transcode(t, t.TempDir(), data)
	for _, s := range []int{1, 2, 4, 8} {
		want, err := Decode(huff, s, nil)
		require.NoError(t, err)
		got, err := Decode(data, s, nil)
		require.NoError(t, err)
		sameImage(t, want, got, fmt.Sprintf("scale %d", s))
	}
	checkAllScales(t, huff, huff)
}

// TestParseDAC checks the DAC segment's bounds (T.81 B.2.4.3): class 0
// or 1, table 0..3, DC L <= U, AC 1 <= Kx <= 63, whole pairs.
func TestParseDAC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    []byte
		ok   bool
	}{
		{"defaults", []byte{0x00, 0x10, 0x10, 0x05}, true},
		{"all tables", []byte{0x03, 0xF0, 0x13, 63, 0x01, 0x00, 0x12, 1}, true},
		{"L = U", []byte{0x02, 0x55}, true},
		{"L > U", []byte{0x00, 0x12}, false},
		{"L < U", []byte{0x00, 0x21}, true},
		{"Kx 0", []byte{0x10, 0}, false},
		{"Kx 64", []byte{0x10, 64}, false},
		{"class 2", []byte{0x20, 0x10}, false},
		{"table 4", []byte{0x04, 0x10}, false},
		{"AC table 4", []byte{0x14, 5}, false},
		{"odd length", []byte{0x00, 0x10, 0x10}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		var a arithConf
		err := a.parseDAC(tt.p)
		if !tt.ok {
			var fe FormatError
			assert.ErrorAs(t, err, &fe, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
	}
	var a arithConf
	l, u := a.dcBounds(2)
	assert.Equal(t, [3]int{0, 1, 5}, [3]int{int(l), int(u), a.kx(3)}, "defaults without DAC")
	require.NoError(t, a.parseDAC([]byte{0x02, 0x53, 0x13, 9}))
	l, u = a.dcBounds(2)
	assert.Equal(t, [3]int{3, 5, 9}, [3]int{int(l), int(u), a.kx(3)})
	assert.Equal(t, 5, a.kx(0), "other tables keep their defaults")
}

// TestDACPlacement moves, repeats and alters the DAC segment of
// arithmetic files: anywhere before a scan it applies to the scans that
// follow; a bad one is a FormatError; other conditioning values change
// what the data decodes to (the file was coded with the defaults).
func TestDACPlacement(t *testing.T) {
	t.Parallel()
	seq, err := os.ReadFile("testdata/arith.jpg")
	require.NoError(t, err)
	prog, err := os.ReadFile("testdata/arith_prog.jpg")
	require.NoError(t, err)
	dac := func(p ...byte) []byte { return append([]byte{0xFF, mDAC, 0, byte(2 + len(p))}, p...) }
	cut := func(data []byte) (head, tail []byte) { // without the DAC, split before the SOF
		i := bytes.Index(data, []byte{0xFF, mDAC})
		require.Positive(t, i)
		n := int(data[i+2])<<8 | int(data[i+3])
		data = append(append([]byte{}, data[:i]...), data[i+2+n:]...)
		j := bytes.Index(data, []byte{0xFF, mSOFA})
		if j < 0 {
			j = bytes.Index(data, []byte{0xFF, mSOF9})
		}
		return data[:j], data[j:]
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	insertBeforeSOS := func(data []byte, n int, seg []byte) []byte { // before the n-th SOS
		p := 0
		for range n {
			i := bytes.Index(data[p:], []byte{0xFF, mSOS})
			require.GreaterOrEqual(t, i, 0)
			p += i + 2
		}
		return join(data[:p-2], seg, data[p-2:])
	}
	defaults := dac(0x00, 0x10, 0x01, 0x10, 0x10, 5, 0x11, 5)
	sh, st := cut(seq)
	ph, pt := cut(prog)
	tests := []struct {
		name  string
		data  []byte
		same  []byte // decodes as this file
		fails bool
	}{
		{"no DAC", join(sh, st), seq, false},
		{"before the frame", join(sh, defaults, st), seq, false},
		{"twice", join(sh, defaults, insertBeforeSOS(st, 1, defaults)), seq, false},
		{"between scans", join(ph, insertBeforeSOS(pt, 3, defaults)), prog, false},
		{"bad before the frame", join(sh, dac(0x00, 0x01), st), nil, true},
		{"bad between scans", join(ph, insertBeforeSOS(pt, 2, dac(0x10, 64))), nil, true},
		{"other Kx", join(sh, insertBeforeSOS(st, 1, dac(0x10, 20))), nil, false},
		{"other DC bounds", join(sh, insertBeforeSOS(st, 1, dac(0x00, 0x32))), nil, false},
		{"other Kx between scans", join(ph, insertBeforeSOS(pt, 2, dac(0x10, 1, 0x11, 1))), nil, false},
	}
	for _, tt := range tests {
		got, err := Decode(tt.data, 1, nil)
		if tt.fails {
			var fe FormatError
			assert.ErrorAs(t, err, &fe, tt.name)
			continue
		}
		ref, rerr := Decode(tt.same, 1, nil)
		if tt.same == nil {
			ref, rerr = Decode(seq, 1, nil)
			if bytes.HasPrefix(tt.data[len(ph):], pt[:2]) && bytes.Equal(tt.data[:len(ph)], ph) {
				ref, rerr = Decode(prog, 1, nil)
			}
			require.NoError(t, rerr)
			if err == nil {
				assert.False(t, reflect.DeepEqual(ref, got), "%s: conditioning ignored", tt.name)
			}
			continue
		}
		require.NoError(t, rerr)
		require.NoError(t, err, tt.name)
		sameImage(t, ref, got, tt.name)
	}
}

// TestArithmeticContext is TestDecodeContext for arithmetic-coded scans:
// a context cancelled before the decode or after any number of checks
// stops it with the context's error, checked at least every ctxRows
// block rows (sequential, progressive, with restarts, CMYK).
func TestArithmeticContext(t *testing.T) {
	t.Parallel()
	needTool(t, "jpegtran")
	const w, h = 640, 480
	dir := t.TempDir()
	src := encodeJPEG(t, synthImage(w, h, 3), 80)
	cmyk := convEncode(kCMYKAdobe, w, h, convPlanes(kCMYKAdobe, w, h), []byte{0x22, 0x11, 0x11, 0x22}, 6, false, false)
	files := map[string][]byte{
		"sequential":  transcode(t, dir, src, "-arithmetic"),
		"progressive": transcode(t, dir, src, "-arithmetic", "-progressive", "-restart", "2"),
		"cmyk":        transcode(t, dir, cmyk, "-arithmetic"),
		"cmyk prog":   transcode(t, dir, cmyk, "-arithmetic", "-progressive"),
	}
	checkContextStops(t, files, h)
}

// TestArithmeticCorrupt overwrites entropy-coded bytes of arithmetic
// files with noise: every decode either succeeds with the full bounds or
// fails with a FormatError (a magnitude category or a position past the
// band), and some fail.
func TestArithmeticCorrupt(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	failed := 0
	for _, name := range []string{"arith.jpg", "arith_prog.jpg", "arith_restart.jpg", "arith_successive.jpg"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		sos := bytes.Index(data, []byte{0xFF, mSOS})
		require.Positive(t, sos)
		for range 50 {
			bad := append([]byte{}, data...)
			at := sos + 20 + rng.IntN(len(bad)-sos-100)
			for i := range 64 {
				bad[at+i] = byte(rng.IntN(255)) // never 0xFF: no new markers
			}
			for _, s := range []int{1, 2, 8} {
				img, err := Decode(bad, s, nil)
				if err != nil {
					var fe FormatError
					require.ErrorAs(t, err, &fe, "%s at %d, scale %d", name, at, s)
					failed++
					continue
				}
				assert.Equal(t, image.Rect(0, 0, ceilDiv(203, s), ceilDiv(157, s)), img.Bounds())
			}
		}
	}
	assert.Positive(t, failed, "no corrupt file was refused")
	t.Logf("%d of 600 decodes refused", failed)
}
