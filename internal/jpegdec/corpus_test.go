package jpegdec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/corpus"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusFiles lists the real JPEG photos of the corpus (see
// internal/corpus: ../shared/corpus beside the repository, or
// $IMGPROXY_CORPUS); tests and benchmarks using them skip when there are
// none. Its files are never copied into the repository.
func corpusFiles(t testing.TB) []string {
	return corpus.Files(t, "*.jpg")
}

// Corpus tolerances against a box-filtered image/jpeg decode.
const (
	// Scales 2 and 4 keep only the low N×N coefficients; on very detailed
	// 4K+ photos that differs from an exact box filter by up to ~2.6 mean.
	corpusMean = 3.0
	corpusMax  = 48
)

func TestCorpus(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow")
	}
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel() // the photos are independent: both cores (minutes under -race)
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			cfg, err := DecodeConfig(data)
			require.NoError(t, err)
			require.True(t, cfg.Supported)
			ref := refDecode(t, data)
			for _, s := range []int{1, 2, 4, 8} {
				mean, maxd := diffStats(t, data, ref, s)
				t.Logf("scale %d: mean %.3f max %d", s, mean, maxd)
				if s == 1 {
					assert.LessOrEqual(t, maxd, tolFull)
					continue
				}
				assert.Less(t, mean, corpusMean, "scale %d", s)
				assert.LessOrEqual(t, maxd, corpusMax, "scale %d", s)
			}
		})
	}
}
