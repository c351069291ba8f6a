package jpegdec

import (
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lower bounds on the PSNR of an Approximate decode against the exact
// decode at the same scale (all planes pooled). Measured minima: testdata
// (203x157, quality 85, libjpeg script) 40.46 dB at scale 2 and 47.29 dB
// at scale 4; corpus (progressive files) 47.30 dB at scale 2 and
// 51.68 dB at scale 4 (small-1280x1024.jpg). Decoding at scale 8 and
// upsampling bilinearly scores 24-36 dB on the same files.
const (
	approxMinPSNRTestdata = 39.0
	approxMinPSNRCorpus   = 45.0
)

var approx = &Options{Approximate: true}

// progressiveFiles returns the progressive testdata files.
func progressiveFiles(t *testing.T) []string {
	files, err := filepath.Glob("testdata/*.jpg")
	require.NoError(t, err)
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		// Gray and YCbCr only: the comparisons work on planes (the
		// converted frames share the coefficient code; see color_test.go).
		if cfg, err := DecodeConfig(data); err == nil && cfg.Progressive && cfg.Supported &&
			(cfg.ColorSpace == ColorGray || cfg.ColorSpace == ColorYCbCr) {
			out = append(out, f)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestApproximateNoEffect checks that Approximate changes nothing for
// baseline files and at scales 1 and 8.
func TestApproximateNoEffect(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.jpg")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		cfg, err := DecodeConfig(data)
		if err != nil || !cfg.Supported {
			continue
		}
		for _, s := range []int{1, 2, 4, 8} {
			if cfg.Progressive && (s == 2 || s == 4) {
				continue
			}
			want, err := Decode(data, s, nil)
			require.NoError(t, err)
			got, err := Decode(data, s, approx)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s scale %d", f, s)
		}
	}
}

// scriptScans builds scanInfos for a 3-component frame from
// "comps: ss se ah al" lines as used by jpegtran -scans.
func scriptScans(t *testing.T, script string) []scanInfo {
	var out []scanInfo
	for line := range strings.SplitSeq(strings.TrimSpace(script), ";") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cs, rest, ok := strings.Cut(line, ":")
		require.True(t, ok, line)
		var si scanInfo
		for c := range strings.SplitSeq(cs, ",") {
			si.comps |= 1 << (c[0] - '0')
		}
		f := strings.Fields(rest)
		require.Len(t, f, 4, line)
		n := make([]int, 4)
		for i, x := range f {
			for _, ch := range x {
				n[i] = n[i]*10 + int(ch-'0')
			}
		}
		si.band, si.ah, si.al = bandMask(n[0], n[1]), n[2], n[3]
		out = append(out, si)
	}
	return out
}

// libjpegScript is libjpeg's standard progressive script for YCbCr
// (jcparam.c jpeg_simple_progression), in jpegtran -scans syntax.
const libjpegScript = "0,1,2: 0 0 0 1; 0: 1 5 0 2; 2: 1 63 0 1; 1: 1 63 0 1; 0: 6 63 0 2;" +
	"0: 1 63 2 1; 0,1,2: 0 0 1 0; 2: 1 63 1 0; 1: 1 63 1 0; 0: 1 63 1 0;"

func TestApproximatePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		k            int
		want         []bool
		// luma zig-zag index -> expected approxAl (natural order lookup)
		lumaAl map[int]uint8
		cbAl   map[int]uint8
	}{
		{"libjpeg 1/4", libjpegScript, 2,
			[]bool{true, true, true, true, false, false, true, false, false, false},
			map[int]uint8{1: 2, 2: 2, 4: 2, 3: 0}, map[int]uint8{1: 1, 4: 1}},
		{"libjpeg 1/2", libjpegScript, 4,
			[]bool{true, true, true, true, true, false, true, false, false, false},
			map[int]uint8{1: 2, 6: 2, 24: 2, 25: 0}, map[int]uint8{1: 1, 24: 1}},
		// successive: the Ah=3 refinement of coefficient 1 lies inside the
		// 1/4 zone and is decoded, the 1..63 refinements are not.
		{"successive 1/4", scanScripts["successive"], 2,
			[]bool{true, true, true, false, true, true, true, false, true, true, false, false, false},
			map[int]uint8{1: 2, 2: 2, 4: 2}, map[int]uint8{1: 1, 2: 1}},
		// spectral selection only: nothing to refine, all exact.
		{"spectral 1/4", scanScripts["spectral"], 2,
			[]bool{true, true, true, true, true, false, true, true},
			map[int]uint8{1: 0, 2: 0, 4: 0}, map[int]uint8{1: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decoder{ncomp: 3, k: tt.k, approx: true}
			scans := scriptScans(t, tt.script)
			d.needed = make([]bool, len(scans))
			d.planApproximate(scans, zoneMask(tt.k))
			assert.Equal(t, tt.want, d.needed)
			for z, al := range tt.lumaAl {
				assert.Equal(t, al, d.comp[0].approxAl[zigzag[z]], "luma zz %d", z)
			}
			for z, al := range tt.cbAl {
				assert.Equal(t, al, d.comp[1].approxAl[zigzag[z]], "cb zz %d", z)
			}
			assert.Zero(t, d.comp[0].approxAl[0], "DC is exact")
		})
	}
}

// checkIntervals decodes data exactly and approximately at scale s and
// checks every coefficient of the needed zone: exact where approxAl is 0,
// otherwise the exact value lies in the interval the approximate one
// stands for (magnitudes truncated toward zero, T.81 G.1.2.3).
func checkIntervals(t *testing.T, data []byte, s int) {
	t.Helper()
	de, _, err := decodeCoefficients(context.Background(), data, s, nil)
	require.NoError(t, err)
	da, _, err := decodeCoefficients(context.Background(), data, s, approx)
	require.NoError(t, err)
	k := 8 / s
	bad := 0
	for ci := range de.ncomp {
		ce, ca := &de.comp[ci], &da.comp[ci]
		nb := ce.bw * ce.bh
		require.Equal(t, nb, ca.bw*ca.bh)
		require.Equal(t, nb*ce.cstride, len(ce.coefs))
		require.Equal(t, nb*ca.cstride, len(ca.coefs))
		for b := range nb {
			for y := range k {
				for x := range k {
					n := y*8 + x
					e, a := int(ce.coef(b, y, x)), int(ca.coef(b, y, x))
					w := 1<<ca.approxAl[n] - 1
					var ok bool
					switch {
					case a == 0:
						ok = -w <= e && e <= w
					case a > 0:
						ok = a <= e && e <= a+w
					default:
						ok = a-w <= e && e <= a
					}
					if !ok {
						if bad < 5 {
							t.Errorf("comp %d block %d coef %d: exact %d, approx %d (Al %d)", ci, b, n, e, a, ca.approxAl[n])
						}
						bad++
					}
				}
			}
		}
	}
	require.Zero(t, bad, "coefficients outside their interval")
}

// imageStats compares two decodes of the same size over all visible
// samples of all planes: mean and maximum absolute difference and PSNR.
func imageStats(t testing.TB, a, b image.Image) (mean float64, maxd int, psnr float64) {
	require.Equal(t, a.Bounds(), b.Bounds())
	var sum, sq, n int
	add := func(p, q []byte, ps, qs, w, h int) {
		for y := range h {
			for x := range w {
				d := int(p[y*ps+x]) - int(q[y*qs+x])
				sum += max(d, -d)
				sq += d * d
				maxd = max(maxd, d, -d)
				n++
			}
		}
	}
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	switch a := a.(type) {
	case *image.Gray:
		b := b.(*image.Gray)
		add(a.Pix, b.Pix, a.Stride, b.Stride, w, h)
	case *image.YCbCr:
		b := b.(*image.YCbCr)
		add(a.Y, b.Y, a.YStride, b.YStride, w, h)
		cw, ch := chromaSize(a.SubsampleRatio, w, h)
		add(a.Cb, b.Cb, a.CStride, b.CStride, cw, ch)
		add(a.Cr, b.Cr, a.CStride, b.CStride, cw, ch)
	case *image.RGBA: // converted frames (alpha compares equal)
		b := b.(*image.RGBA)
		add(a.Pix, b.Pix, a.Stride, b.Stride, 4*w, h)
	default:
		t.Fatalf("unexpected type %T", a)
	}
	mse := float64(sq) / float64(max(n, 1))
	psnr = math.Inf(1)
	if mse > 0 {
		psnr = 10 * math.Log10(255*255/mse)
	}
	return float64(sum) / float64(max(n, 1)), maxd, psnr
}

// upsample bilinearly enlarges a w×h plane by f (sample centres aligned)
// to ow×oh.
func upsample(p []byte, stride, w, h, f, ow, oh int) []byte {
	out := make([]byte, ow*oh)
	pos := func(i, n int) (int, int, float64) {
		s := (float64(i)+0.5)/float64(f) - 0.5
		i0 := int(math.Floor(s))
		fr := s - float64(i0)
		return min(max(i0, 0), n-1), min(max(i0+1, 0), n-1), fr
	}
	for y := range oh {
		y0, y1, fy := pos(y, h)
		for x := range ow {
			x0, x1, fx := pos(x, w)
			top := float64(p[y0*stride+x0])*(1-fx) + float64(p[y0*stride+x1])*fx
			bot := float64(p[y1*stride+x0])*(1-fx) + float64(p[y1*stride+x1])*fx
			out[y*ow+x] = uint8(math.Round(top*(1-fy) + bot*fy))
		}
	}
	return out
}

// upsampled8 decodes data at scale 8 and enlarges it to the size of a
// scale-s decode: the cheap alternative Approximate has to beat.
func upsampled8(t testing.TB, data []byte, s int) image.Image {
	img, err := Decode(data, 8, nil)
	require.NoError(t, err)
	cfg, err := DecodeConfig(data)
	require.NoError(t, err)
	f := 8 / s
	w8, h8 := img.Bounds().Dx(), img.Bounds().Dy()
	w, h := ceilDiv(cfg.Width, s), ceilDiv(cfg.Height, s)
	switch m := img.(type) {
	case *image.Gray:
		return &image.Gray{Pix: upsample(m.Pix, m.Stride, w8, h8, f, w, h), Stride: w, Rect: image.Rect(0, 0, w, h)}
	case *image.YCbCr:
		cw8, ch8 := chromaSize(m.SubsampleRatio, w8, h8)
		cw, ch := chromaSize(m.SubsampleRatio, w, h)
		return &image.YCbCr{
			Y:       upsample(m.Y, m.YStride, w8, h8, f, w, h),
			Cb:      upsample(m.Cb, m.CStride, cw8, ch8, f, cw, ch),
			Cr:      upsample(m.Cr, m.CStride, cw8, ch8, f, cw, ch),
			YStride: w, CStride: cw, SubsampleRatio: m.SubsampleRatio, Rect: image.Rect(0, 0, w, h),
		}
	}
	t.Fatalf("unexpected type %T", img)
	return nil
}

// entropyShare returns the bytes of entropy-coded data of all scans and
// of the scans the decoder d read.
func entropyShare(d *decoder) (read, total int) {
	w := walker{data: d.data, pos: 2}
	i := 0
	for {
		m, err := w.nextMarker()
		if err != nil || m == mEOI {
			return read, total
		}
		if m == mSOI || m == 0x01 || m >= mRST0 && m <= mRST7 {
			continue
		}
		if _, err := w.segment(); err != nil {
			return read, total
		}
		if m != mSOS {
			continue
		}
		start := w.pos
		w.skipEntropy()
		n := w.pos - start
		total += n
		if d.needed == nil || i >= len(d.needed) || d.needed[i] {
			read += n
		}
		i++
	}
}

// checkApproximate compares the Approximate and exact decodes of data at
// scales 2 and 4 and returns the smallest PSNR.
func checkApproximate(t *testing.T, data []byte, minPSNR float64) float64 {
	worst := math.Inf(1)
	for _, s := range []int{2, 4} {
		checkIntervals(t, data, s)
		exact, err := Decode(data, s, nil)
		require.NoError(t, err)
		d, img, err := decodeCoefficients(context.Background(), data, s, approx)
		require.NoError(t, err)
		require.NoError(t, d.reconstruct())
		read, total := entropyShare(d)
		mean, maxd, psnr := imageStats(t, img, exact)
		_, _, psnr8 := imageStats(t, upsampled8(t, data, s), exact)
		t.Logf("%s scale %d: read %.3f of %.3f MB entropy data; vs exact: mean %.3f max %d PSNR %.2f dB (1/8 upsampled: %.2f dB)",
			filepath.Base(t.Name()), s, float64(read)/1e6, float64(total)/1e6, mean, maxd, psnr, psnr8)
		assert.GreaterOrEqual(t, psnr, minPSNR, "scale %d", s)
		assert.Greater(t, psnr, psnr8+6, "scale %d: not clearly better than 1/8 upsampled", s)
		worst = min(worst, psnr)
	}
	return worst
}

func TestApproximateTestdata(t *testing.T) {
	t.Parallel()
	for _, f := range progressiveFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			checkApproximate(t, data, approxMinPSNRTestdata)
		})
	}
}

func TestApproximateCorpus(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow")
	}
	for _, f := range corpusFiles(t) {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if cfg, err := DecodeConfig(data); err != nil || !cfg.Progressive {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			checkApproximate(t, data, approxMinPSNRCorpus)
		})
	}
}
