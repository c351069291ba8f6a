package jpegdec

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate testdata/*.jpg with cjpeg/jpegtran (libjpeg-turbo-progs)")

// Scan scripts for jpegtran -scans (see testdata/README.md).
var scanScripts = map[string]string{
	// Sequential, one component per scan (non-interleaved baseline).
	"noninterleaved": "0;\n1;\n2;\n",
	// Spectral selection only, non-interleaved DC, bands that start and
	// end inside and outside the 1/2 and 1/4 zones.
	"spectral": "0: 0 0 0 0;\n1: 0 0 0 0;\n2: 0 0 0 0;\n0: 1 2 0 0;\n0: 3 20 0 0;\n0: 21 63 0 0;\n1: 1 63 0 0;\n2: 1 63 0 0;\n",
	// Heavy successive approximation with DC refinement.
	"successive": "0,1,2: 0 0 0 2;\n0: 1 1 0 3;\n0: 2 9 0 2;\n0: 10 63 0 2;\n1: 1 63 0 1;\n2: 1 63 0 1;\n" +
		"0: 1 1 3 2;\n0: 1 63 2 1;\n0,1,2: 0 0 2 1;\n0,1,2: 0 0 1 0;\n1: 1 63 1 0;\n2: 1 63 1 0;\n0: 1 63 1 0;\n",
}

// testdataRecipes lists output file, source ("color" or "gray") and the
// command that produces it; {src}, {base} and {script} are substituted.
var testdataRecipes = []struct{ out, src, cmd string }{
	{"base444.jpg", "color", "cjpeg -quality 85 -sample 1x1 {src}"},
	{"base422.jpg", "color", "cjpeg -quality 85 -sample 2x1 {src}"},
	{"base440.jpg", "color", "cjpeg -quality 85 -sample 1x2 {src}"},
	{"base411.jpg", "color", "cjpeg -quality 85 -sample 4x1 {src}"},
	{"base420_restart.jpg", "color", "cjpeg -quality 85 -sample 2x2 -restart 3B {src}"},
	{"base_all21.jpg", "color", "cjpeg -quality 85 -sample 2x1,2x1,2x1 {src}"},
	{"base_optimized.jpg", "color", "cjpeg -quality 95 -optimize {src}"},
	{"prog420.jpg", "color", "cjpeg -quality 85 -progressive {src}"},
	{"prog444.jpg", "color", "cjpeg -quality 85 -sample 1x1 -progressive {src}"},
	{"prog422.jpg", "color", "cjpeg -quality 85 -sample 2x1 -progressive {src}"},
	{"prog420_restart.jpg", "color", "cjpeg -quality 85 -progressive -restart 1 {src}"},
	{"proggray.jpg", "gray", "cjpeg -quality 85 -grayscale -progressive {src}"},
	{"basegray_restart.jpg", "gray", "cjpeg -quality 85 -grayscale -restart 5B {src}"},
	{"noninterleaved.jpg", "color", "jpegtran -scans {script} {base}"},
	{"noninterleaved_restart.jpg", "color", "jpegtran -restart 2B -scans {script} {base}"},
	{"spectral.jpg", "color", "jpegtran -scans {script} {base}"},
	{"successive.jpg", "color", "jpegtran -scans {script} {base}"},
	{"successive_restart.jpg", "color", "jpegtran -restart 4B -scans {script} {base}"},
	{"arith.jpg", "color", "jpegtran -arithmetic {base}"},
	{"arith_prog.jpg", "color", "jpegtran -arithmetic -progressive {base}"},
	{"arith_restart.jpg", "color", "jpegtran -arithmetic -progressive -restart 1 {base}"},
	{"arith_successive.jpg", "color", "jpegtran -arithmetic -scans {script} {base}"},
}

// TestGenerateTestdata regenerates testdata with -update. It needs cjpeg
// and jpegtran; normal test runs skip it.
func TestGenerateTestdata(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata")
	}
	dir := t.TempDir()
	color := filepath.Join(dir, "color.ppm")
	gray := filepath.Join(dir, "gray.pgm")
	require.NoError(t, os.WriteFile(color, pnm(synthImage(203, 157, 42), false), 0o644))
	require.NoError(t, os.WriteFile(gray, pnm(synthImage(97, 61, 43), true), 0o644))
	base := filepath.Join(dir, "base420.jpg")
	run(t, base, "cjpeg", "-quality", "85", color)
	for _, r := range testdataRecipes {
		src := color
		if r.src == "gray" {
			src = gray
		}
		name := r.out[:len(r.out)-len(".jpg")]
		name = trimSuffix(name, "_restart")
		name = strings.TrimPrefix(name, "arith_")
		script := filepath.Join(dir, name+".txt")
		if s, ok := scanScripts[name]; ok {
			require.NoError(t, os.WriteFile(script, []byte(s), 0o644))
		}
		args := bytes.Fields([]byte(r.cmd))
		var argv []string
		for _, a := range args {
			s := string(a)
			switch s {
			case "{src}":
				s = src
			case "{base}":
				s = base
			case "{script}":
				s = script
			}
			argv = append(argv, s)
		}
		run(t, filepath.Join("testdata", r.out), argv[0], argv[1:]...)
	}
}

func trimSuffix(s, suf string) string {
	if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
		return s[:len(s)-len(suf)]
	}
	return s
}

// run executes a command and writes its stdout to out.
func run(t *testing.T, out, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	require.NoError(t, err, "%s %v: %s", name, args, stderr.String())
	require.NoError(t, os.WriteFile(out, b, 0o644))
}

// pnm encodes img as binary PPM (or PGM when gray).
func pnm(img *image.RGBA, gray bool) []byte {
	b := img.Bounds()
	var buf bytes.Buffer
	magic := "P6"
	if gray {
		magic = "P5"
	}
	fmt.Fprintf(&buf, "%s\n%d %d\n255\n", magic, b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			i := img.PixOffset(x, y)
			p := img.Pix[i : i+3]
			if gray {
				buf.WriteByte(byte((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2]) + 500) / 1000))
			} else {
				buf.Write(p)
			}
		}
	}
	return buf.Bytes()
}

// convertedRecipes lists the 4-component, RGB and DHT-less files, made by
// the test-only encoder (encoder_test.go) and by ImageMagick from the
// same synthetic picture; see testdata/README.md.
var convertedRecipes = []struct {
	out  string
	kind kind
	hv   []byte
	prog bool
	cmd  string // instead of the test encoder: {src} is a 48x32 PPM
}{
	{out: "cmyk444.jpg", kind: kCMYKAdobe, hv: []byte{0x11, 0x11, 0x11, 0x11}},
	{out: "cmyk420.jpg", kind: kCMYKAdobe, hv: []byte{0x22, 0x11, 0x11, 0x22}},
	{out: "cmyk444_prog.jpg", kind: kCMYKAdobe, hv: []byte{0x11, 0x11, 0x11, 0x11}, prog: true},
	{out: "cmyk420_prog.jpg", kind: kCMYKAdobe, hv: []byte{0x22, 0x11, 0x11, 0x22}, prog: true},
	{out: "cmyk_plain.jpg", kind: kCMYKPlain, hv: []byte{0x11, 0x11, 0x11, 0x11}},
	{out: "ycck444.jpg", kind: kYCCK, hv: []byte{0x11, 0x11, 0x11, 0x11}},
	{out: "ycck420.jpg", kind: kYCCK, hv: []byte{0x22, 0x11, 0x11, 0x22}},
	{out: "ycck444_prog.jpg", kind: kYCCK, hv: []byte{0x11, 0x11, 0x11, 0x11}, prog: true},
	{out: "ycck420_prog.jpg", kind: kYCCK, hv: []byte{0x22, 0x11, 0x11, 0x22}, prog: true},
	{out: "rgb.jpg", kind: kRGBAdobe, hv: []byte{0x11, 0x11, 0x11}},
	{out: "im_ycck444.jpg", cmd: "/usr/bin/convert {src} -colorspace CMYK -quality 85 jpeg:-"},
	{out: "im_ycck420_prog.jpg", cmd: "/usr/bin/convert {src} -colorspace CMYK -quality 85 -sampling-factor 2x2,1x1,1x1,2x2 -interlace JPEG jpeg:-"},
	{out: "im_ycck420.jpg", cmd: "/usr/bin/convert {src} -colorspace CMYK -quality 85 -sampling-factor 2x2,1x1,1x1,2x2 jpeg:-"},
}

// TestGenerateConverted regenerates the files of convertedRecipes and
// nodht.jpg with -update (needs ImageMagick and jpegtran).
func TestGenerateConverted(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata")
	}
	const w, h = 48, 32
	dir := t.TempDir()
	src := filepath.Join(dir, "color.ppm")
	require.NoError(t, os.WriteFile(src, pnm(synthImage(w, h, 11), false), 0o644))
	for _, r := range convertedRecipes {
		out := filepath.Join("testdata", r.out)
		if r.cmd == "" {
			ps := convPlanes(r.kind, w, h)
			data := convEncode(r.kind, w, h, ps, r.hv, 6, r.prog, false)
			require.NoError(t, os.WriteFile(out, data, 0o644))
			continue
		}
		var argv []string
		for _, a := range bytes.Fields([]byte(r.cmd)) {
			s := string(a)
			switch s {
			case "{src}":
				s = src
			}
			argv = append(argv, s)
		}
		run(t, out, argv[0], argv[1:]...)
	}
	nodht := stripDHTSegments(encodeJPEG(t, synthImage(w, h, 12), 80))
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "nodht.jpg"), nodht, 0o644))
}
