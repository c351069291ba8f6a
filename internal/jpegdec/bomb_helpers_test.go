package jpegdec

import (
	"bytes"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
	"github.com/imgproxy-go/imgproxy/internal/jpegenc"
	"github.com/stretchr/testify/require"
)

// Hostile files for the admission tests and BenchmarkScanBomb. The
// probe's bomb (hostile.ScanBomb) and hostile.DeepBomb are refused; the
// worst files the admission lets through are built here, greedily, for
// each scale: every scan they add is admitted by a progression of the
// frame, so they sit right under the work bound.

// frameDecoder returns a decoder holding the frame geometry of a w x h
// progressive file with sampling hv (as hostile.ProgressiveJPEG writes).
func frameDecoder(t testing.TB, w, h int, hv []byte) *decoder {
	d := &decoder{walker: walker{data: hostile.ProgressiveJPEG(w, h, hv, nil)}, scale: 1, k: 8}
	require.NoError(t, d.readHeaders(false))
	d.geometry()
	return d
}

// hdr converts a hostile.Scan to a scanHdr.
func hdr(s hostile.Scan) scanHdr {
	h := scanHdr{n: len(s.Comps), ss: s.Ss, se: s.Se, ah: s.Ah, al: s.Al}
	copy(h.comp[:], s.Comps)
	return h
}

// scanSeq builds scripts through a progression, keeping only admitted scans.
type scanSeq struct {
	d      *decoder
	p      progression
	scans  []hostile.Scan
	filled bool // a scan was refused by the scan limit or a work bound
}

// try appends s if the progression admits it.
func (q *scanSeq) try(s hostile.Scan) bool {
	h := hdr(s)
	if checkScanParams(&h) != nil {
		return false
	}
	saved := q.p
	if err := q.p.admit(q.d, &h); err != nil {
		q.p, q.filled = saved, true
		return false
	}
	q.scans = append(q.scans, s)
	return true
}

// deep adds the scans of band ss..se of component c from Al = top down
// to 0, as far as admitted.
func (q *scanSeq) deep(c, ss, se, top int) { q.deepScans([]int{c}, ss, se, top) }

// deepScans is deep for the components comps.
func (q *scanSeq) deepScans(comps []int, ss, se, top int) {
	if !q.try(hostile.Scan{Comps: comps, Ss: ss, Se: se, Al: top}) {
		return
	}
	for al := top - 1; al >= 0; al-- {
		if !q.try(hostile.Scan{Comps: comps, Ss: ss, Se: se, Ah: al + 1, Al: al}) {
			return
		}
	}
}

// zoneRuns returns the runs of consecutive zig-zag AC indices inside the
// k x k corner (k = 8: 1..63).
func zoneRuns(k int) [][2]int {
	zone := zoneMask(k)
	var runs [][2]int
	for z := 1; z < 64; z++ {
		if zone&(1<<z) == 0 {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1][1] == z-1 {
			runs[n-1][1] = z
		} else {
			runs = append(runs, [2]int{z, z})
		}
	}
	return runs
}

// worstScript returns the costliest script admitted for the frame of d
// when decoded at 1/(8/k): as many interleaved DC scans as the DC bound
// admits, then, component after component, for every run of needed AC
// coefficients, bands refined from Al = 13 down as far as admitted.
// narrow codes every coefficient as its own band (most scans and block
// visits), otherwise each run is one band (most coefficient steps).
func worstScript(d *decoder, k int, narrow bool) []hostile.Scan {
	q := &scanSeq{d: d, p: newProgression(d)}
	all := make([]int, d.ncomp)
	for i := range all {
		all[i] = i
	}
	for top := 13; top >= 0; top-- { // the deepest DC progression that fits
		trial := &scanSeq{d: d, p: newProgression(d)}
		trial.deepScans(all, 0, 0, top)
		if !trial.filled {
			q.deepScans(all, 0, 0, top)
			break
		}
	}
	for c := range d.ncomp {
		for _, r := range zoneRuns(k) {
			if !narrow {
				q.deep(c, r[0], r[1], 13)
				continue
			}
			for z := r[0]; z <= r[1]; z++ {
				q.deep(c, z, z, 13)
			}
		}
	}
	return q.scans
}

// normalPhoto returns a photo-like w x h progressive JPEG (4:2:0, or grey
// when gray) written by our encoder (jpegenc: spectral selection, 5
// scans, or 3 for grey) at quality 85: texture, gradients and noise.
func normalPhoto(t testing.TB, w, h int, gray bool) []byte {
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	luma := func(x, y int) uint8 {
		v := 128 + 50*tri(x, 26)*tri(y+7, 34) + float64(rng.IntN(41)-20)
		return uint8(max(0, min(255, v)))
	}
	var m image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				g.Pix[y*g.Stride+x] = luma(x, y)
			}
		}
		m = g
	} else {
		c := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		for y := range h {
			for x := range w {
				c.Y[y*c.YStride+x] = luma(x, y)
			}
		}
		for y := range (h + 1) / 2 {
			for x := range (w + 1) / 2 {
				c.Cb[y*c.CStride+x] = uint8(2*x*200/w + rng.IntN(11))
				c.Cr[y*c.CStride+x] = uint8(2*y*200/h + rng.IntN(11))
			}
		}
		m = c
	}
	var buf bytes.Buffer
	require.NoError(t, jpegenc.Encode(&buf, m, &jpegenc.Options{Quality: 85, Progressive: true}))
	return buf.Bytes()
}

// tri is a triangle wave of period p in [-1, 1].
func tri(x, p int) float64 {
	f := float64(x%p) / float64(p)
	if f < 0.5 {
		return 4*f - 1
	}
	return 3 - 4*f
}
