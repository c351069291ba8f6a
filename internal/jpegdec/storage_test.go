package jpegdec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/corpus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZoneStorage checks the reduced coefficient storage of progressive
// decodes: at scales 2, 4 and 8 only the k×k zone of every block is
// stored, and its values equal those of the full decode at scale 1
// (exact decodes at 2 and 4 parse refinement scans over coefficients
// outside the zone with only their non-zero mask).
func TestZoneStorage(t *testing.T) {
	t.Parallel()
	files := progressiveFiles(t)
	if !testing.Short() {
		if dir := corpus.Dir(); dir != "" {
			more, _ := filepath.Glob(filepath.Join(dir, "*progressive*.jpg"))
			files = append(files, more...)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		full, _, err := decodeCoefficients(context.Background(), data, 1, nil)
		require.NoError(t, err)
		for _, s := range []int{2, 4, 8} {
			k := 8 / s
			d, _, err := decodeCoefficients(context.Background(), data, s, nil)
			require.NoError(t, err)
			for ci := range d.ncomp {
				c, fc := &d.comp[ci], &full.comp[ci]
				nb := c.bw * c.bh
				require.Equal(t, k*k, c.cstride)
				require.Len(t, c.coefs, nb*k*k)
				if s == 8 {
					assert.Nil(t, c.nz, "%s comp %d: no mask at scale 8", f, ci)
				}
				bad := 0
				for b := range nb {
					for y := range k {
						for x := range k {
							if c.coef(b, y, x) != fc.coef(b, y, x) {
								bad++
							}
						}
					}
				}
				assert.Zero(t, bad, "%s scale %d comp %d: zone coefficients differ from scale 1", filepath.Base(f), s, ci)
			}
		}
		for _, s := range []int{2, 4} {
			k := 8 / s
			d, _, err := decodeCoefficients(context.Background(), data, s, approx)
			require.NoError(t, err)
			for ci := range d.ncomp {
				c, fc := &d.comp[ci], &full.comp[ci]
				assert.Nil(t, c.nz, "%s scale %d comp %d: Approximate keeps no non-zero mask", f, s, ci)
				assert.False(t, c.outHist, "%s scale %d comp %d: Approximate keeps no history outside the zone", f, s, ci)
				// Every zone value is the full decode's, to the precision
				// of the last scan decoded over it (refinements decoded
				// without a mask included).
				bad := 0
				for b := range c.bw * c.bh {
					for y := range k {
						for x := range k {
							if c.coef(b, y, x) != truncated(fc.coef(b, y, x), c.approxAl[y*8+x]) {
								bad++
							}
						}
					}
				}
				assert.Zero(t, bad, "%s scale %d comp %d: approximate zone coefficients", filepath.Base(f), s, ci)
			}
		}
	}
}

// truncated is v with its magnitude's al low bits dropped: what
// successive approximation has sent of it until a scan of that Al.
func truncated(v int16, al uint8) int16 {
	if v < 0 {
		return -(-v &^ (1<<al - 1))
	}
	return v &^ (1<<al - 1)
}
