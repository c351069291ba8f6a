package jpegdec

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tolerances against image/jpeg. Scale 1: per-sample difference (our
// IDCT is a different fixed-point implementation). Scales 2-8: against a
// box-filtered full decode, mean absolute and maximum error per plane.
const (
	tolFull     = 2
	tolMean     = 2.0
	tolMaxScale = 24
)

func checkAllScales(t *testing.T, data, refData []byte) {
	t.Helper()
	ref := refDecode(t, refData)
	for _, s := range []int{1, 2, 4, 8} {
		mean, maxd := diffStats(t, data, ref, s)
		t.Logf("scale %d: mean %.3f max %d", s, mean, maxd)
		if s == 1 {
			assert.LessOrEqual(t, maxd, tolFull, "scale 1 max diff (mean %.3f)", mean)
			continue
		}
		if cfg, err := DecodeConfig(data); err == nil && cfg.Width*cfg.Height >= 4096 {
			// Means over a handful of samples are meaningless.
			assert.Less(t, mean, tolMean, "scale %d mean diff", s)
		}
		assert.LessOrEqual(t, maxd, tolMaxScale, "scale %d max diff (mean %.3f)", s, mean)
	}
}

func TestDecodeGenerated(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{1, 1}, {7, 9}, {8, 8}, {16, 16}, {17, 33}, {203, 157}, {640, 480}}
	for _, sz := range sizes {
		for _, gray := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/gray=%v", sz[0], sz[1], gray), func(t *testing.T) {
				t.Parallel()
				var img image.Image = synthImage(sz[0], sz[1], uint64(sz[0]))
				if gray {
					g := image.NewGray(img.Bounds())
					for y := range sz[1] {
						for x := range sz[0] {
							g.Set(x, y, img.At(x, y))
						}
					}
					img = g
				}
				for _, q := range []int{50, 90, 100} {
					data := encodeJPEG(t, img, q)
					checkAllScales(t, data, data)
				}
			})
		}
	}
}

func TestDecodeTestdata(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.jpg")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			if strings.HasPrefix(filepath.Base(f), "arith") {
				arithTestdata(t, data)
				return
			}
			if cfg, err := DecodeConfig(data); err == nil && cfg.ColorSpace != ColorGray && cfg.ColorSpace != ColorYCbCr {
				checkConverted(t, data)
				return
			}
			refData := data
			if filepath.Base(f) == "nodht.jpg" {
				// image/jpeg needs the tables: give it the Annex K ones.
				refData = append(append([]byte{0xFF, mSOI}, stdDHT()...), data[2:]...)
			}
			if base, ok := strings.CutSuffix(f, "_restart.jpg"); ok && !strings.Contains(f, "base") {
				// image/jpeg rejects restart markers in these files
				// ("missing 0xff00 sequence"); the sibling without
				// restarts has identical coefficients.
				refData, err = os.ReadFile(base + ".jpg")
				require.NoError(t, err)
				for _, s := range []int{1, 2, 4, 8} {
					a, err := Decode(data, s, nil)
					require.NoError(t, err)
					b, err := Decode(refData, s, nil)
					require.NoError(t, err)
					require.Equal(t, b, a, "scale %d: restart variant differs", s)
				}
			}
			checkAllScales(t, data, refData)
		})
	}
}

func TestDecodeConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Config
	}{
		{"base444.jpg", Config{Width: 203, Height: 157, Components: 3, ColorSpace: ColorYCbCr, Subsample: image.YCbCrSubsampleRatio444, Supported: true}},
		{"prog420.jpg", Config{Width: 203, Height: 157, Components: 3, Progressive: true, ColorSpace: ColorYCbCr, Subsample: image.YCbCrSubsampleRatio420, Supported: true}},
		{"base422.jpg", Config{Width: 203, Height: 157, Components: 3, ColorSpace: ColorYCbCr, Subsample: image.YCbCrSubsampleRatio422, Supported: true}},
		{"proggray.jpg", Config{Width: 97, Height: 61, Components: 1, Progressive: true, ColorSpace: ColorGray, Subsample: image.YCbCrSubsampleRatio444, Supported: true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			got, err := DecodeConfig(data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestScaleFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ sw, sh, dw, dh, want int }{
		{2560, 1600, 150, 150, 8},
		{1200, 1200, 150, 150, 8},
		{1192, 1192, 150, 150, 4},
		{1000, 1000, 300, 0, 2},
		{1000, 1000, 0, 0, 8},
		{100, 100, 200, 200, 1},
		{640, 480, 0, 240, 2},
		{640, 480, 81, 0, 4},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ScaleFor(tt.sw, tt.sh, tt.dw, tt.dh), "%+v", tt)
	}
}

func TestMaxPixels(t *testing.T) {
	t.Parallel()
	data := encodeJPEG(t, synthImage(64, 48, 1), 75)
	_, err := Decode(data, 1, &Options{MaxPixels: 64*48 - 1})
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = Decode(data, 1, &Options{MaxPixels: 64 * 48})
	require.NoError(t, err)
}

// sofImage builds a minimal header-only JPEG with the given SOF marker
// and component spec (id, hv, tq triplets), plus optional extra segments.
func sofImage(marker byte, precision byte, comps []byte, extra ...byte) []byte {
	b := []byte{0xFF, 0xD8}
	b = append(b, extra...)
	n := 8 + len(comps)
	b = append(b, 0xFF, marker, 0, byte(n), precision, 0, 16, 0, 16, byte(len(comps)/3))
	return append(append(b, comps...), 0xFF, 0xD9)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ycc := []byte{1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	adobe := []byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2}
	tests := []struct {
		name        string
		data        []byte
		unsupported bool
	}{
		{"empty", nil, false},
		{"not jpeg", []byte("hello world"), false},
		{"soi only", []byte{0xFF, 0xD8}, false},
		{"no scans", sofImage(0xC0, 8, ycc), false},
		{"arithmetic no scans", sofImage(0xC9, 8, ycc), false},
		{"arithmetic progressive no scans", sofImage(0xCA, 8, ycc), false},
		{"arithmetic lossless", sofImage(0xCB, 8, ycc), true},
		{"arithmetic hierarchical", sofImage(0xCD, 8, ycc), true},
		{"lossless", sofImage(0xC3, 8, ycc), true},
		{"hierarchical", sofImage(0xC5, 8, ycc), true},
		{"12-bit", sofImage(0xC1, 12, ycc), true},
		{"ycck no scans", sofImage(0xC0, 8, []byte{1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0}, adobe...), false},
		// Converted frames need factors that divide the largest ones.
		{"ycck sampling", sofImage(0xC0, 8, []byte{1, 0x31, 0, 2, 0x21, 0, 3, 0x11, 0, 4, 0x11, 0}, adobe...), true},
		{"sampling", sofImage(0xC0, 8, []byte{1, 0x31, 0, 2, 0x21, 1, 3, 0x11, 1}), true},
		// Factors that divide the largest, none of image.YCbCr's ratios:
		// decoded (converted), so only the missing scan is an error.
		{"odd sampling no scans", sofImage(0xC0, 8, []byte{1, 0x12, 0, 2, 0x21, 1, 3, 0x11, 1}), false},
		// Regression (found by fuzzing): over-full code lengths used to
		// index past the lookahead table.
		{"overfull huffman", []byte{0xFF, 0xD8, 0xFF, 0xC4, 0, 0x16, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, false},
		{"two components", sofImage(0xC0, 8, []byte{1, 0x11, 0, 2, 0x11, 0}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range []int{1, 8} {
				img, err := Decode(tt.data, s, nil)
				require.Error(t, err)
				assert.Nil(t, img)
				var ue UnsupportedError
				var fe FormatError
				if tt.unsupported {
					assert.True(t, errors.As(err, &ue), "want UnsupportedError, got %v", err)
				} else {
					assert.True(t, errors.As(err, &fe), "want FormatError, got %v", err)
				}
				assert.Contains(t, err.Error(), "jpegdec: ")
			}
		})
	}
	_, err := Decode(nil, 3, nil)
	require.Error(t, err)
}

func TestTruncated(t *testing.T) {
	t.Parallel()
	data := encodeJPEG(t, synthImage(100, 80, 3), 80)
	for _, n := range []int{len(data) / 3, len(data) / 2, len(data) - 2} {
		for _, s := range []int{1, 2, 4, 8} {
			img, err := Decode(data[:n], s, nil)
			require.NoError(t, err)
			assert.Equal(t, image.Rect(0, 0, ceilDiv(100, s), ceilDiv(80, s)), img.Bounds())
		}
	}
}
