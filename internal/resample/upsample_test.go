package resample

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestYCC2RGBMatchesImageColor(t *testing.T) {
	t.Parallel()
	for y := range 256 {
		for cb := range 256 {
			for cr := range 256 {
				r, g, b := ycc2rgb(uint8(y), int32(cb), int32(cr))
				wr, wg, wb := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if r != wr || g != wg || b != wb {
					t.Fatalf("ycc %d,%d,%d: got %d,%d,%d want %d,%d,%d", y, cb, cr, r, g, b, wr, wg, wb)
				}
			}
		}
	}
}

// replicated converts m through At (chroma replication).
func replicated(m *image.YCbCr) *image.RGBA {
	r := m.Rect
	d := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			d.Set(x-r.Min.X, y-r.Min.Y, m.At(x, y))
		}
	}
	return d
}

func TestYCbCrToRGBA444IsPlainConversion(t *testing.T) {
	t.Parallel()
	for _, r := range []image.Rectangle{image.Rect(0, 0, 13, 7), image.Rect(3, 2, 9, 11)} {
		m := randomImage("ycbcr"+image.YCbCrSubsampleRatio444.String(), r, 7).(*image.YCbCr)
		assert.Equal(t, replicated(m), YCbCrToRGBA(m, 1))
	}
}

// gradient returns a smooth colour picture, a fair model of most photo
// content at chroma scale.
func gradient(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			m.Pix[m.PixOffset(x, y)+0] = uint8(30 + 200*fx)
			m.Pix[m.PixOffset(x, y)+1] = uint8(128 + 100*math.Sin(7*fx+5*fy))
			m.Pix[m.PixOffset(x, y)+2] = uint8(220 - 190*fy*fx)
			m.Pix[m.PixOffset(x, y)+3] = 255
		}
	}
	return m
}

func TestYCbCrToRGBACloserThanReplication(t *testing.T) {
	t.Parallel()
	orig := gradient(96, 64)
	for _, ratio := range ratios[1:] {
		t.Run(ratio.String(), func(t *testing.T) {
			t.Parallel()
			m := toYCbCr(orig, ratio)
			fancy, repl := PSNR(orig, YCbCrToRGBA(m, 2)), PSNR(orig, replicated(m))
			t.Logf("PSNR fancy %.2f dB, replicated %.2f dB", fancy, repl)
			assert.Greater(t, fancy, repl+1)
		})
	}
}

func TestYCbCrToRGBAFlatAndSubImage(t *testing.T) {
	t.Parallel()
	for _, ratio := range ratios {
		for _, r := range []image.Rectangle{image.Rect(0, 0, 1, 1), image.Rect(0, 0, 7, 5), image.Rect(1, 3, 10, 10), image.Rect(3, 1, 6, 2)} {
			t.Run(fmt.Sprintf("%v/%v", ratio, r), func(t *testing.T) {
				t.Parallel()
				// Flat chroma stays flat, whatever the phase.
				m := image.NewYCbCr(r.Inset(-5), ratio)
				for i := range m.Cb {
					m.Cb[i], m.Cr[i] = 90, 170
				}
				for i := range m.Y {
					m.Y[i] = uint8(i * 7)
				}
				s := m.SubImage(r).(*image.YCbCr)
				got := YCbCrToRGBA(s, 3)
				require.Equal(t, image.Rect(0, 0, r.Dx(), r.Dy()), got.Rect)
				assert.Equal(t, replicated(s), got)
				// Linear chroma is reproduced at each luma centre.
				lin := linearChroma(r, ratio)
				got = YCbCrToRGBA(lin, 1)
				isx, isy, _ := subFactors(ratio)
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						px, py := float64(x)+0.5, float64(y)+0.5
						if !inCentres(px, r.Min.X, r.Max.X, isx) || !inCentres(py, r.Min.Y, r.Max.Y, isy) {
							continue
						}
						wr, wg, wb := color.YCbCrToRGB(lin.Y[lin.YOffset(x, y)], cbLinear(px, py), crLinear(px, py))
						o := got.PixOffset(x-r.Min.X, y-r.Min.Y)
						assert.InDelta(t, wr, got.Pix[o], 2, "(%d,%d) R", x, y)
						assert.InDelta(t, wg, got.Pix[o+1], 2, "(%d,%d) G", x, y)
						assert.InDelta(t, wb, got.Pix[o+2], 2, "(%d,%d) B", x, y)
					}
				}
			})
		}
	}
}

func TestYCbCrToRGBAWorkersIdentical(t *testing.T) {
	t.Parallel()
	m := convertTo(photo(203, 101, 3), "ycbcr420").(*image.YCbCr)
	want := YCbCrToRGBA(m, 1)
	for _, w := range []int{0, 2, 7, 500} {
		assert.Equal(t, want, YCbCrToRGBA(m, w))
	}
}

// readPPM parses a binary P6 PPM with maxval 255.
func readPPM(b []byte) (*image.RGBA, error) {
	br := bufio.NewReader(bytes.NewReader(b))
	var f [4]int
	magic, err := br.ReadString('\n')
	if err != nil || magic != "P6\n" {
		return nil, fmt.Errorf("not a P6 PPM: %q", magic)
	}
	for i := 1; i < 4; {
		var tok string
		if _, err := fmt.Fscan(br, &tok); err != nil {
			return nil, err
		}
		v, err := strconv.Atoi(tok)
		if err != nil {
			return nil, err
		}
		f[i] = v
		i++
	}
	if _, err := br.ReadByte(); err != nil || f[3] != 255 {
		return nil, fmt.Errorf("bad PPM header %v", f)
	}
	m := image.NewRGBA(image.Rect(0, 0, f[1], f[2]))
	for i := 0; i < len(m.Pix); i += 4 {
		if _, err := io.ReadFull(br, m.Pix[i:i+3]); err != nil {
			return nil, err
		}
		m.Pix[i+3] = 255
	}
	return m, nil
}

// meanAbs returns the mean absolute difference per channel of R, G, B.
func meanAbs(a, b *image.RGBA) [3]float64 {
	var s [3]float64
	for i := 0; i < len(a.Pix); i += 4 {
		for c := range 3 {
			s[c] += math.Abs(float64(a.Pix[i+c]) - float64(b.Pix[i+c]))
		}
	}
	n := float64(len(a.Pix) / 4)
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}

// TestYCbCrToRGBAMatchesDjpeg compares with libjpeg-turbo's fancy
// upsampling on a 4:2:0 JPEG. image/jpeg and djpeg decode the same
// coefficients with different IDCTs, so exact equality is not expected.
func TestYCbCrToRGBAMatchesDjpeg(t *testing.T) {
	t.Parallel()
	djpeg, err := exec.LookPath("djpeg")
	if err != nil {
		t.Skip("djpeg (libjpeg-turbo) not installed; skipping the comparison with its fancy upsampling")
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, photo(322, 201, 9), &jpeg.Options{Quality: 90}))
	dec, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	m := dec.(*image.YCbCr)
	require.Equal(t, image.YCbCrSubsampleRatio420, m.SubsampleRatio)

	cmd := exec.Command(djpeg, "-ppm")
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	require.NoError(t, err)
	want, err := readPPM(out)
	require.NoError(t, err)

	fancy := meanAbs(want, YCbCrToRGBA(m, 2))
	repl := meanAbs(want, replicated(m))
	t.Logf("mean abs error vs djpeg per R,G,B: fancy %.3f, replicated %.3f", fancy, repl)
	for c := range 3 {
		assert.Less(t, fancy[c], 0.5, "channel %d", c) // measured 0.19-0.24
		assert.Less(t, fancy[c], repl[c]/2, "channel %d", c)
	}
}

func BenchmarkYCbCrToRGBA(b *testing.B) {
	for _, kind := range []string{"ycbcr420", "ycbcr444"} {
		m := convertTo(photo(1280, 800, 1), kind).(*image.YCbCr)
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/1280x800/w%d", kind, w), func(b *testing.B) {
				loop(b, func() { YCbCrToRGBA(m, w) })
			})
		}
		b.Run(kind+"/1280x800/image-draw", func(b *testing.B) {
			// image/draw's YCbCr fast path (replicates chroma), for scale.
			loop(b, func() {
				d := image.NewRGBA(m.Rect)
				draw.Draw(d, d.Rect, m, m.Rect.Min, draw.Src)
			})
		})
	}
}
