package jpegdec

import (
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// FuzzScanOrder turns fuzz bytes into a scan script, writes it as a small
// progressive JPEG (hostile.ProgressiveJPEG) and checks that Decode
// accepts it, at every scale and in both modes, exactly when refModel
// does, and never panics. Input: byte 0 picks the frame (grey, 4:2:0,
// 4:4:4, 4-component), bytes 1 and 2 its size (1..64), then 4 bytes per
// scan (see fuzzScan). Seeds: real scripts (libjpeg's, mozjpeg-like,
// the test data's successive one), the deepest legal one, the probe's
// bomb, 100 and 101 scans.
func FuzzScanOrder(f *testing.F) {
	seed := func(kind byte, scans []hostile.Scan) {
		b := []byte{kind, 40, 23}
		for _, s := range scans {
			var mask byte
			for _, c := range s.Comps {
				mask |= 1 << c
			}
			b = append(b, mask, byte(s.Ss), byte(s.Se), byte(s.Ah<<4|s.Al))
		}
		f.Add(b)
	}
	seed(1, libjpegColour)
	seed(0, libjpegGray)
	seed(1, mozLike)
	seed(2, allFromAl3())
	seed(0, hostile.DeepScript(0))
	seed(0, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 63, 1, 0), sc(0, 1, 63, 1, 0)})
	seed(2, manyScans(100))
	seed(2, manyScans(101))
	seed(3, []hostile.Scan{dcAll(4, 0, 1), sc(3, 1, 63, 0, 0), dcAll(4, 1, 0)})
	frames := [][]byte{gray, y420, y444, cmyk4}
	opts := []*Options{nil, {Approximate: true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		hv := frames[int(data[0])%len(frames)]
		w, h := 1+int(data[1])%64, 1+int(data[2])%64
		var scans []hostile.Scan
		for p := data[3:]; len(p) >= 4 && len(scans) < 120; p = p[4:] {
			scans = append(scans, fuzzScan(p, len(hv)))
		}
		file := hostile.ProgressiveJPEG(w, h, hv, scans)
		want := refModel(w, h, hv, scans)
		for _, s := range []int{1, 2, 4, 8} {
			for _, o := range opts {
				_, err := Decode(file, s, o)
				if (err == nil) != want {
					t.Fatalf("scale %d, options %+v: decoder error %v, model accepts %v; scans %+v", s, o, err, want, scans)
				}
			}
		}
	})
}

// fuzzScan decodes 4 fuzz bytes into a scan of a frame of n components:
// p[0] bits 0-3 select components (in order), bit 4 repeats the first,
// bit 5 adds one the frame does not have; p[1] and p[2] are Ss and Se
// (mod 64 unless their top bits are both set); p[3] is Ah<<4 | Al.
func fuzzScan(p []byte, n int) hostile.Scan {
	var s hostile.Scan
	for c := range 4 {
		if p[0]&(1<<c) != 0 {
			s.Comps = append(s.Comps, c%max(n, 1)+c/max(n, 1)*8) // c >= n: not in the frame
		}
	}
	if p[0]&0x10 != 0 && len(s.Comps) > 0 {
		s.Comps = append(s.Comps, s.Comps[0])
	}
	if p[0]&0x20 != 0 {
		s.Comps = append(s.Comps, 9)
	}
	band := func(b byte) int {
		if b >= 0xC0 {
			return int(b)
		}
		return int(b) % 64
	}
	s.Ss, s.Se, s.Ah, s.Al = band(p[1]), band(p[2]), int(p[3]>>4), int(p[3]&15)
	return s
}

// refModel says whether a progressive file of w x h pixels with sampling
// hv coded by scans must decode. It is written from T.81 and the package
// documentation, independently of the decoder: the SOS structure (1..4
// distinct components of the frame, at most 10 blocks per interleaved
// MCU), the scan parameters of G.1.1.1 (DC: Ss = Se = 0; AC: 1 <= Ss <=
// Se <= 63, one component; refinement: Al = Ah-1; Al <= 13), the order
// of G.1.1.1.1-2 per component and coefficient (DC before AC, first scan
// Ah = 0, each later one Ah = previous Al, nothing after Al = 0), at
// least one and at most 100 scans, and the work bounds: over all scans,
// blocks x (4 + band width) <= 320 x blocks and DC block visits <= 4 x
// blocks, blocks counted per component in its MCU-padded size.
func refModel(w, h int, hv []byte, scans []hostile.Scan) bool {
	n := len(hv)
	f := newModelFrame(w, h, hv)
	samp, mx, my, total := f.samp, f.mx, f.my, f.total
	if len(scans) == 0 || len(scans) > 100 {
		return false
	}
	var last [4][64]int // 0: no scan yet, else 1 + Al of the last one
	work, dc := 0, 0
	for _, s := range scans {
		k := len(s.Comps)
		if k < 1 || k > 4 || k > n {
			return false
		}
		seen, perMCU := map[int]bool{}, 0
		for _, c := range s.Comps {
			if c < 0 || c >= n || seen[c] {
				return false
			}
			seen[c] = true
			sh, sv := samp(c)
			perMCU += sh * sv
		}
		if k > 1 && perMCU > 10 {
			return false
		}
		isDC := s.Ss == 0
		switch {
		case isDC && s.Se != 0,
			!isDC && (s.Se < s.Ss || s.Se > 63 || k != 1),
			s.Ah != 0 && s.Al != s.Ah-1,
			s.Al > 13:
			return false
		}
		for _, c := range s.Comps {
			if !isDC && last[c][0] == 0 {
				return false
			}
			for z := s.Ss; z <= s.Se; z++ {
				if last[c][z] == 0 && s.Ah != 0 || last[c][z] != 0 && (s.Ah == 0 || s.Ah != last[c][z]-1) {
					return false
				}
				last[c][z] = s.Al + 1
			}
		}
		blocks := perMCU * mx * my
		if k == 1 {
			blocks = f.nonInterleaved(s.Comps[0])
		}
		work += blocks * (4 + s.Se - s.Ss + 1)
		if isDC {
			dc += blocks
		}
		if work > 320*total || dc > 4*total {
			return false
		}
	}
	return true
}

// modelFrame is refModel's geometry of a frame (T.81 A.1.1, A.2).
type modelFrame struct {
	w, h, n, hmax, vmax, mx, my int
	hv                          []byte
	total                       int // blocks of all components, MCU-padded
}

func newModelFrame(w, h int, hv []byte) *modelFrame {
	f := &modelFrame{w: w, h: h, n: len(hv), hv: hv, hmax: 1, vmax: 1}
	for c := range f.n {
		sh, sv := f.samp(c)
		f.hmax, f.vmax = max(f.hmax, sh), max(f.vmax, sv)
	}
	f.mx, f.my = (w+8*f.hmax-1)/(8*f.hmax), (h+8*f.vmax-1)/(8*f.vmax)
	for c := range f.n {
		sh, sv := f.samp(c)
		f.total += f.mx * sh * f.my * sv
	}
	return f
}

// samp returns component c's sampling factors (1x1 in a grey frame).
func (f *modelFrame) samp(c int) (int, int) {
	if f.n == 1 {
		return 1, 1
	}
	return int(f.hv[c] >> 4), int(f.hv[c] & 15)
}

// nonInterleaved returns the blocks a scan of component c alone codes.
func (f *modelFrame) nonInterleaved(c int) int {
	sh, sv := f.samp(c)
	cw, ch := (f.w*sh+f.hmax-1)/f.hmax, (f.h*sv+f.vmax-1)/f.vmax
	return ((cw + 7) / 8) * ((ch + 7) / 8)
}
