package jpegdec

import (
	"fmt"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// BenchmarkScanBomb decodes scan bombs and a normal progressive photo of
// the same size (normalPhoto) at every scale, exact and approximate:
// the probe's bomb (hostile.ScanBomb, 1000 scans) and the deepest
// progression (hostile.DeepBomb) are refused, which the benchmark
// reports as such (their ns/op is the cost of the refusal); the worst
// admitted files (worstScript aimed at each scale, grey and 4:2:0, wide
// and narrow bands) decode. Compare ns/op of a bomb with "normal" of the same
// size, kind, scale and mode. 7000x7000 takes a few seconds to set up:
//
//	go test -run '^$' -bench 'ScanBomb/2000x2000' -benchtime 5x ./internal/jpegdec
func BenchmarkScanBomb(b *testing.B) {
	for _, sz := range []int{2000, 7000} {
		b.Run(fmt.Sprintf("%dx%d", sz, sz), func(b *testing.B) {
			for _, kind := range []struct {
				name string
				hv   []byte
			}{{"gray", []byte{0x11}}, {"420", []byte{0x22, 0x11, 0x11}}} {
				files := map[string][]byte{"normal": normalPhoto(b, sz, sz, len(kind.hv) == 1)}
				if len(kind.hv) == 1 {
					files["probe"] = hostile.ScanBomb(sz, sz, 1000)
					files["deep"] = hostile.DeepBomb(sz, sz)
				}
				d := frameDecoder(b, sz, sz, kind.hv)
				names := []string{"normal", "probe", "deep"}
				for _, s := range []int{1, 2, 4, 8} { // the worst files aimed at each scale
					wide, narrow := fmt.Sprintf("wide-for%d", s), fmt.Sprintf("narrow-for%d", s)
					files[wide] = hostile.ProgressiveJPEG(sz, sz, kind.hv, worstScript(d, 8/s, false))
					files[narrow] = hostile.ProgressiveJPEG(sz, sz, kind.hv, worstScript(d, 8/s, true))
					names = append(names, wide, narrow)
				}
				for _, name := range names {
					data, ok := files[name]
					if !ok {
						continue
					}
					for _, s := range []int{1, 2, 4, 8} {
						for _, approx := range []bool{false, true} {
							if approx && (s == 1 || s == 8) {
								continue
							}
							mode := map[bool]string{false: "exact", true: "approx"}[approx]
							b.Run(fmt.Sprintf("%s/%s/scale=%d/%s", kind.name, name, s, mode), func(b *testing.B) {
								benchBomb(b, data, s, &Options{Approximate: approx})
							})
						}
					}
				}
			}
		})
	}
}

// benchBomb is benchDecodeOpts that accepts a refusal (reported as the
// metric refused=1).
func benchBomb(b *testing.B, data []byte, s int, opts *Options) {
	b.SetBytes(int64(len(data)))
	refused := 0.0
	for b.Loop() {
		if _, err := Decode(data, s, opts); err != nil {
			refused = 1
		}
	}
	b.ReportMetric(refused, "refused")
}
