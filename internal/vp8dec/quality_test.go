package vp8dec

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/imgproxy-go/imgproxy/internal/corpus"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// skipReduction is the root package's vp8FilterSkipReduction, and
// minSkipPSNR the least PSNR, in dB against the float reference of the
// filtered picture, that the unfiltered decode may give from that
// reduction: far above what the output's encoding leaves (JPEG or WebP at
// quality 80: 35-45 dB), so that leaving the filter out costs a few
// hundredths of a dB in the thumbnail.
const (
	skipReduction = 8
	minSkipPSNR   = 45
)

// TestLoopFilterSkipCost measures what leaving out the loop filter costs
// after resampling: PSNR against resample.Reference (float64 Lanczos3 of
// the filtered full decode) of the Lanczos3 resize of the filtered and of
// the unfiltered decode, at several reductions. It logs every row and
// requires at least minSkipPSNR from skipReduction.
func TestLoopFilterSkipCost(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement: seconds of float64 resampling")
	}
	t.Parallel()
	type src struct {
		name string
		file []byte
	}
	srcs := []src{
		{"photo-1280x960-q75", cwebp(t, picture(t, "photo", 1280, 960), "-q", "75")},
		{"photo-1280x960-q30", cwebp(t, picture(t, "photo", 1280, 960), "-q", "30")},
		{"photo-1280x960-q90-f100", cwebp(t, picture(t, "photo", 1280, 960), "-q", "90", "-f", "100")},
	}
	if dir := corpus.Dir(); dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.webp"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				srcs = append(srcs, src{filepath.Base(p), b})
			}
		}
	}
	for _, s := range srcs {
		filtered := decodeFile(t, s.file, Options{})
		unfiltered := decodeFile(t, s.file, Options{SkipLoopFilter: true})
		w, h := filtered.Rect.Dx(), filtered.Rect.Dy()
		for _, r := range []float64{4, 8, 16} {
			if r < skipReduction && w*h > 1<<22 {
				continue // the float reference of a large picture takes a minute
			}
			tw, th := int(float64(w)/r+0.5), int(float64(h)/r+0.5)
			ref := resample.Reference(filtered, tw, th)
			pf := resample.PSNR(resize(filtered, tw, th), ref)
			pu := resample.PSNR(resize(unfiltered, tw, th), ref)
			t.Logf("%s -> %dx%d (1/%g): filtered %.2f dB, unfiltered %.2f dB, cost %.3f dB", s.name, tw, th, r, pf, pu, pf-pu)
			if r >= skipReduction {
				assert.GreaterOrEqual(t, pu, float64(minSkipPSNR), fmt.Sprintf("%s at 1/%g", s.name, r))
			}
		}
	}
}

// resize is the pipeline's resize of a decoded WebP: Lanczos3 to 4:4:4.
func resize(m *image.YCbCr, w, h int) image.Image {
	return resample.ResizeYCbCr(m, w, h, image.YCbCrSubsampleRatio444, resample.Lanczos3, 1)
}
