package jpegdec

import (
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// BenchmarkArith decodes generated 2048x1536 pictures at 1/1 and 1/8,
// Huffman-coded and transcoded to arithmetic coding by jpegtran (the
// same coefficients), sequential and progressive: "photo" is the
// synthetic picture at quality 85 (4:2:0), "noise" uniform noise at
// quality 100, where every coefficient is coded with many decisions
// (the costliest kind of data per block). cpu-ns/op is the decoding
// thread's CPU time (see benchBomb).
func BenchmarkArith(b *testing.B) {
	needTool(b, "jpegtran")
	noise := image.NewGray(image.Rect(0, 0, 2048, 1536))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.UintN(256))
	}
	pictures := []struct {
		name string
		data []byte
	}{
		{"photo", encodeJPEG(b, synthImage(2048, 1536, 21), 85)},
		{"noise", encodeJPEG(b, noise, 100)},
	}
	dir := b.TempDir()
	for _, p := range pictures {
		for _, mode := range []string{"sequential", "progressive"} {
			var args []string
			if mode == "progressive" {
				args = []string{"-progressive"}
			}
			files := map[string][]byte{
				"huffman":    transcode(b, dir, p.data, args...),
				"arithmetic": transcode(b, dir, p.data, append([]string{"-arithmetic"}, args...)...),
			}
			for _, coding := range []string{"huffman", "arithmetic"} {
				for _, s := range []int{1, 8} {
					b.Run(fmt.Sprintf("%s/%s/%s/scale=%d", p.name, mode, coding, s), func(b *testing.B) {
						benchBomb(b, files[coding], s, nil)
					})
				}
			}
		}
	}
}

// BenchmarkArithBomb is BenchmarkScanBomb for arithmetic coding: the
// worst scripts admitted for each scale (worstScript, without the
// scans of Al > 10, which jpegtran refuses for 8-bit data), and the picture
// of the tests by cjpeg -progressive, transcoded by jpegtran -arithmetic
// with the same scans. An arithmetic coder codes a block of a skipped
// band in one decision, which a long run of them makes nearly free in
// bytes: every block of every scan is visited, there is no end-of-band
// run to pass them in one step.
//
//	go test -run '^$' -bench 'ArithBomb' -benchtime 3x ./internal/jpegdec
func BenchmarkArithBomb(b *testing.B) {
	needTool(b, "jpegtran", "cjpeg")
	const sz = 2000
	dir := b.TempDir()
	for _, kind := range []struct {
		name string
		hv   []byte
	}{{"gray", []byte{0x11}}, {"420", []byte{0x22, 0x11, 0x11}}} {
		d := frameDecoder(b, sz, sz, kind.hv)
		type file struct {
			name string
			data []byte
		}
		src := filepath.Join(dir, "src.pnm")
		gray := len(kind.hv) == 1
		if err := os.WriteFile(src, pnm(synthImage(sz, sz, 5), gray), 0o644); err != nil {
			b.Fatal(err)
		}
		args := []string{"-progressive", "-quality", "85"}
		if gray {
			args = append(args, "-grayscale")
		}
		photo, err := exec.Command("cjpeg", append(args, src)...).Output()
		if err != nil {
			b.Fatal(err)
		}
		files := []file{{"normal-cjpeg", transcode(b, dir, photo, "-arithmetic", "-progressive")}}
		for _, s := range []int{1, 2, 4, 8} {
			for _, narrow := range []bool{false, true} {
				script := capAl(worstScript(d, 8/s, narrow))
				sf := filepath.Join(dir, "script.txt")
				if err := os.WriteFile(sf, []byte(scanScript(script)), 0o644); err != nil {
					b.Fatal(err)
				}
				huff := hostile.ProgressiveJPEG(sz, sz, kind.hv, script)
				name := map[bool]string{false: "wide", true: "narrow"}[narrow] + fmt.Sprintf("-for%d", s)
				files = append(files, file{name, transcode(b, dir, huff, "-arithmetic", "-scans", sf)})
			}
		}
		for _, f := range files {
			for _, m := range []struct {
				s      int
				approx bool
			}{{1, false}, {2, true}, {4, true}, {8, false}} {
				mode := map[bool]string{false: "exact", true: "approx"}[m.approx]
				b.Run(fmt.Sprintf("%s/%s/scale=%d/%s", kind.name, f.name, m.s, mode), func(b *testing.B) {
					benchBomb(b, f.data, m.s, &Options{Approximate: m.approx})
				})
			}
		}
	}
}

// capAl drops the scans of a script with Al > 10 (libjpeg's limit for
// 8-bit data); a refinement from Ah = 11 becomes the first scan of its
// coefficients.
func capAl(scans []hostile.Scan) []hostile.Scan {
	var out []hostile.Scan
	for _, sc := range scans {
		if sc.Al > 10 {
			continue
		}
		if sc.Ah > 10 {
			sc.Ah = 0
		}
		out = append(out, sc)
	}
	return out
}
