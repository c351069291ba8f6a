package jpegdec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// BenchmarkScanBomb decodes scan bombs and normal progressive pictures of
// the same size at every scale (exact, and approximate at 1/2 and 1/4,
// as the server decodes thumbnails):
//
//   - normal: a photo-like picture (normalPhoto) written by our encoder
//     (spectral selection only: 5 scans, grey 3), and normal-cjpeg the
//     synthetic picture of the tests by cjpeg -progressive (libjpeg's 10
//     scans; only if cjpeg is installed);
//   - probe: the probe's bomb (hostile.ScanBomb, 1000 scans) and deep
//     (hostile.DeepBomb, 28 legal scans), both refused: their time is
//     the refusal's (metric refused=1);
//   - wide-forN, narrow-forN: the worst files the admission lets through
//     when decoded at 1/N (worstScript, wide or single-coefficient bands).
//
// Compare a bomb with normal of the same size, kind, scale and mode. The
// cpu-ns/op metric is the decoding thread's CPU time (Linux), which other
// work on a shared machine does not inflate as it does ns/op. 7000x7000
// takes a minute to set up.
//
//	go test -run '^$' -bench 'ScanBomb/2000x2000' -benchtime 5x ./internal/jpegdec
func BenchmarkScanBomb(b *testing.B) {
	for _, sz := range []int{2000, 7000} {
		b.Run(fmt.Sprintf("%dx%d", sz, sz), func(b *testing.B) {
			for _, kind := range []struct {
				name string
				hv   []byte
			}{{"gray", []byte{0x11}}, {"420", []byte{0x22, 0x11, 0x11}}} {
				names, files := bombFiles(b, sz, kind.hv)
				for _, name := range names {
					data := files[name]
					for _, m := range []struct {
						s      int
						approx bool
					}{{1, false}, {2, false}, {2, true}, {4, false}, {4, true}, {8, false}} {
						mode := map[bool]string{false: "exact", true: "approx"}[m.approx]
						b.Run(fmt.Sprintf("%s/%s/scale=%d/%s", kind.name, name, m.s, mode), func(b *testing.B) {
							benchBomb(b, data, m.s, &Options{Approximate: m.approx})
						})
					}
				}
			}
		})
	}
}

// bombFiles returns the files of BenchmarkScanBomb for one size and
// sampling, in order.
func bombFiles(b *testing.B, sz int, hv []byte) ([]string, map[string][]byte) {
	gray := len(hv) == 1
	files := map[string][]byte{"normal": normalPhoto(b, sz, sz, gray)}
	names := []string{"normal"}
	if _, err := exec.LookPath("cjpeg"); err == nil {
		src := filepath.Join(b.TempDir(), "src.pnm")
		if err := os.WriteFile(src, pnm(synthImage(sz, sz, 5), gray), 0o644); err != nil {
			b.Fatal(err)
		}
		args := []string{"-progressive", "-quality", "85"}
		if gray {
			args = append(args, "-grayscale")
		}
		out, err := exec.Command("cjpeg", append(args, src)...).Output()
		if err != nil {
			b.Fatal(err)
		}
		files["normal-cjpeg"] = out
		names = append(names, "normal-cjpeg")
	}
	if gray {
		files["probe"], files["deep"] = hostile.ScanBomb(sz, sz, 1000), hostile.DeepBomb(sz, sz)
		names = append(names, "probe", "deep")
	}
	d := frameDecoder(b, sz, sz, hv)
	for _, s := range []int{1, 2, 4, 8} {
		wide, narrow := fmt.Sprintf("wide-for%d", s), fmt.Sprintf("narrow-for%d", s)
		files[wide] = hostile.ProgressiveJPEG(sz, sz, hv, worstScript(d, 8/s, false))
		files[narrow] = hostile.ProgressiveJPEG(sz, sz, hv, worstScript(d, 8/s, true))
		names = append(names, wide, narrow)
	}
	return names, files
}

// benchBomb is benchDecodeOpts that accepts a refusal (reported as the
// metric refused=1) and reports the decoding thread's CPU time.
func benchBomb(b *testing.B, data []byte, s int, opts *Options) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	refused := 0.0
	var cpu time.Duration
	cpuOK := true
	for b.Loop() {
		t0, ok0 := codectest.ThreadCPU()
		if _, err := Decode(data, s, opts); err != nil {
			refused = 1
		}
		t1, ok1 := codectest.ThreadCPU()
		cpu += t1 - t0
		cpuOK = cpuOK && ok0 && ok1
	}
	b.ReportMetric(refused, "refused")
	if cpuOK {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
