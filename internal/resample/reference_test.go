package resample

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Independent kernels, written from their definitions for these tests:
// none of them calls kernel.go. refLanczos (quality.go) is the Lanczos one.

// refCubic is Keys' cubic convolution kernel with parameter a (a = -0.5
// is Catmull-Rom).
func refCubic(a, x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (a+2)*x*x*x - (a+3)*x*x + 1
	case x < 2:
		return a*x*x*x - 5*a*x*x + 8*a*x - 4*a
	}
	return 0
}

// refTriangle is the tent of half-width 1.
func refTriangle(x float64) float64 { return math.Max(0, 1-math.Abs(x)) }

// refAt evaluates the kernel named like k at x from its definition.
func refAt(k Kernel, x float64) float64 {
	switch k.Name {
	case "lanczos3":
		return refLanczos(3, x)
	case "catmullrom":
		return refCubic(-0.5, x)
	case "linear":
		return refTriangle(x)
	}
	panic("no reference for kernel " + k.Name)
}

// refWeight is the unnormalised weight, per the definition of kernel k, of
// input sample j ([j, j+1), centre j+0.5) for an output sample centred at
// c, the kernel widened by fs. Box weights are the overlap of the sample
// with the box [c - fs/2, c + fs/2].
func refWeight(k Kernel, j int, c, fs float64) float64 {
	if k.Name == "box" {
		return math.Max(0, math.Min(float64(j+1), c+fs/2)-math.Max(float64(j), c-fs/2))
	}
	return refAt(k, (float64(j)+0.5-c)/fs)
}

func TestKernelsFromDefinition(t *testing.T) {
	t.Parallel()
	for _, k := range []Kernel{Lanczos3, CatmullRom, Linear} {
		for i := -400; i <= 400; i++ {
			x := float64(i) / 100 // -4 ... 4, past every support
			require.InDelta(t, refAt(k, x), k.At(x), 1e-12, "%s at %v", k.Name, x)
		}
	}
	// A few values straight from the formulas, so that the references
	// themselves are pinned: L3(0.5) = sinc(0.5) sinc(1/6) = (2/pi)(3/pi),
	// L3(1.5) = sinc(1.5) sinc(0.5) = (-2/(3pi))(2/pi).
	assert.InDelta(t, 6/(math.Pi*math.Pi), refLanczos(3, 0.5), 1e-15)
	assert.InDelta(t, -4/(3*math.Pi*math.Pi), refLanczos(3, -1.5), 1e-15)
	assert.Zero(t, refLanczos(3, 3))
	assert.InDelta(t, 0.5625, refCubic(-0.5, 0.5), 1e-15)
	assert.InDelta(t, -0.0625, refCubic(-0.5, 1.5), 1e-15)
}

// TestTableWeights checks every weight of the fixed-point tables against
// the kernel evaluated independently at the tap's position, normalised:
// the right input samples get the right weights, and the rest none.
func TestTableWeights(t *testing.T) {
	t.Parallel()
	axes := []axis{{7, 3, 7.0 / 3, 0}, {100, 13, 100.0 / 13, 0}, {5, 17, 5.0 / 17, 0},
		{1, 9, 1.0 / 9, 0}, {9, 1, 9, 0}, {353, 75, 4.7, 0.5}, {8, 8, 1, 0}, {40, 29, 40.0 / 29, -0.25}}
	for _, k := range kernels {
		for _, a := range axes {
			for _, align := range []int{1, 4} {
				tb := newTable(k, a, align)
				fs := max(a.scale, 1)
				for i := range a.out {
					c := (float64(i)+0.5)*a.scale + a.offset
					want := make([]float64, a.in)
					sum := 0.0
					for j := range want {
						want[j] = refWeight(k, j, c, fs)
						sum += want[j]
					}
					require.Greater(t, sum, 0.0, "%s %+v out %d: no sample under the kernel", k.Name, a, i)
					require.GreaterOrEqual(t, tb.start[i], int32(0))
					require.LessOrEqual(t, int(tb.start[i])+tb.taps, a.in)
					got := make([]float64, a.in)
					total := int32(0)
					for n, w := range tb.w[i*tb.taps : (i+1)*tb.taps] {
						got[int(tb.start[i])+n] += float64(w) / one
						total += w
					}
					require.Equal(t, int32(one), total, "%s %+v out %d: weights sum to one", k.Name, a, i)
					// Each weight is rounded to 1/one; the rounding residue
					// (at most half a unit per tap) goes to one tap.
					tol := (0.5*float64(tb.taps) + 1) / one
					for j := range want {
						require.InDelta(t, want[j]/sum, got[j], tol,
							"%s %+v align %d: weight of input %d for output %d", k.Name, a, align, j, i)
					}
				}
				assert.Equal(t, a.in == a.out && a.offset == 0, tb.ident, "%s %+v", k.Name, a)
			}
		}
	}
}

// rgb64 returns the R, G, B values of img on the 8-bit scale, at 16-bit
// precision, 3 per pixel.
func rgb64(img image.Image) []float64 {
	r := img.Bounds()
	out := make([]float64, 0, 3*r.Dx()*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
			out = append(out, float64(c.R)/257, float64(c.G)/257, float64(c.B)/257)
		}
	}
	return out
}

// pixelDiff returns the largest and the mean absolute difference of the
// R, G, B values of a and b, on the 8-bit scale.
func pixelDiff(t *testing.T, a, b image.Image) (maxDiff, mean float64) {
	t.Helper()
	require.Equal(t, a.Bounds().Size(), b.Bounds().Size())
	fa, fb := rgb64(a), rgb64(b)
	for i, v := range fa {
		d := math.Abs(v - fb[i])
		maxDiff, mean = max(maxDiff, d), mean+d
	}
	return maxDiff, mean / float64(len(fa))
}

// referenceCases are the sizes compared with outside resizes: reductions
// by non-integer factors in one or both axes, and enlargements.
var referenceCases = []struct{ sw, sh, w, h int }{
	{96, 64, 40, 27},
	{96, 64, 96, 30},
	{96, 64, 23, 64},
	{60, 40, 150, 100},
	{96, 64, 31, 77},
}

// TestResizeMatchesReference checks Resize pixel by pixel against the
// float64 reference (whose kernel is its own): a wrong kernel, a shifted
// sample grid or bad edge weights exceed the tolerance long before they
// move a PSNR bound. Resize rounds to 8 bits between its passes (and
// clamps there), which costs up to about 3 levels where an enlargement
// rings at a hard edge.
func TestResizeMatchesReference(t *testing.T) {
	t.Parallel()
	for _, c := range referenceCases {
		t.Run(fmt.Sprintf("%dx%d_to_%dx%d", c.sw, c.sh, c.w, c.h), func(t *testing.T) {
			t.Parallel()
			src := photo(c.sw, c.sh, 3)
			ref := Reference(src, c.w, c.h)
			for _, workers := range []int{1, 3} {
				got := Resize(src, c.w, c.h, Lanczos3, workers)
				worst, mean := pixelDiff(t, ref, got)
				t.Logf("workers %d: max |diff| %.2f, mean %.3f (8-bit levels)", workers, worst, mean)
				assert.LessOrEqual(t, worst, 3.5, "largest difference from the reference")
				assert.LessOrEqual(t, mean, 0.5, "mean difference from the reference")
			}
		})
	}
}

// TestReferenceMatchesImageMagick compares Reference and Resize with
// ImageMagick's Lanczos resize of the same PNG (made here, when the tool
// is installed):
//
//	convert-im6.q16 in.png -filter Lanczos -resize WxH! -depth 16 out.png
//
// ImageMagick's -resize filters sRGB values as stored, as we do; its
// Lanczos is the 3-lobe sinc-windowed sinc, computed at 16-bit precision
// (intermediate values clamped), hence the tolerance.
func TestReferenceMatchesImageMagick(t *testing.T) {
	t.Parallel()
	convert, err := exec.LookPath("convert-im6.q16")
	if err != nil {
		t.Skip("convert-im6.q16 not installed (Debian package imagemagick): no outside Lanczos golden to compare with")
	}
	dir := t.TempDir()
	for _, c := range referenceCases {
		t.Run(fmt.Sprintf("%dx%d_to_%dx%d", c.sw, c.sh, c.w, c.h), func(t *testing.T) {
			t.Parallel()
			src := photo(c.sw, c.sh, 3)
			in := filepath.Join(dir, fmt.Sprintf("in_%dx%d_%dx%d.png", c.sw, c.sh, c.w, c.h))
			out := filepath.Join(dir, fmt.Sprintf("out_%dx%d_%dx%d.png", c.sw, c.sh, c.w, c.h))
			var buf bytes.Buffer
			require.NoError(t, png.Encode(&buf, src))
			require.NoError(t, os.WriteFile(in, buf.Bytes(), 0o600))
			cmd := exec.Command(convert, in, "-filter", "Lanczos", "-resize", fmt.Sprintf("%dx%d!", c.w, c.h), "-depth", "16", out)
			msg, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", msg)
			data, err := os.ReadFile(out)
			require.NoError(t, err)
			golden, err := png.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, image.Pt(c.w, c.h), golden.Bounds().Size())

			worst, mean := pixelDiff(t, golden, Reference(src, c.w, c.h))
			t.Logf("Reference vs ImageMagick: max |diff| %.2f, mean %.3f", worst, mean)
			assert.LessOrEqual(t, worst, 1.0, "Reference, largest difference from ImageMagick")
			assert.LessOrEqual(t, mean, 0.1, "Reference, mean difference from ImageMagick")

			worst, mean = pixelDiff(t, golden, Resize(src, c.w, c.h, Lanczos3, 2))
			t.Logf("Resize vs ImageMagick: max |diff| %.2f, mean %.3f", worst, mean)
			assert.LessOrEqual(t, worst, 3.5, "Resize, largest difference from ImageMagick")
			assert.LessOrEqual(t, mean, 0.5, "Resize, mean difference from ImageMagick")
		})
	}
}
