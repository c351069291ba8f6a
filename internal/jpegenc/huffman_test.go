package jpegenc

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHuffmanBuild(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	cases := map[string]func(*[256]int32){
		"one": func(f *[256]int32) { f[7] = 5 },
		"two": func(f *[256]int32) { f[0], f[255] = 1, 1000 },
		"uniform": func(f *[256]int32) {
			*f = [256]int32{}
			for i := range f {
				f[i] = 3
			}
		},
		"random": func(f *[256]int32) {
			for i := range f {
				if rng.IntN(3) == 0 {
					f[i] = rng.Int32N(100000)
				}
			}
		},
		// Fibonacci frequencies give a maximally skewed tree (depth ~40):
		// lengths must be limited to 16.
		"fibonacci": func(f *[256]int32) {
			a, b := int32(1), int32(1)
			for i := range 42 {
				f[i*5] = a
				a, b = b, a+b
			}
		},
	}
	for name, fill := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var h huffTable
			fill(&h.freq)
			freq := h.freq
			used := 0
			for _, f := range freq {
				if f > 0 {
					used++
				}
			}
			h.build()
			require.Len(t, h.vals, used)
			// Kraft sum strictly below 1: the all-ones code is unused.
			kraft, total := 0.0, 0
			for l, n := range h.bits {
				kraft += float64(n) / float64(uint(1)<<(l+1))
				total += int(n)
			}
			assert.Equal(t, used, total)
			assert.Less(t, kraft, 1.0)
			for v, f := range freq {
				if f == 0 {
					assert.Zero(t, h.size[v])
					continue
				}
				require.NotZero(t, h.size[v])
				assert.LessOrEqual(t, h.size[v], uint8(16))
				assert.NotEqual(t, uint16(1)<<h.size[v]-1, h.code[v], "all-ones code")
				// More frequent symbols never get longer codes (before
				// length limiting may have shortened rare ones).
				for w, g := range freq {
					if name != "fibonacci" && g > f {
						assert.LessOrEqual(t, h.size[w], h.size[v])
					}
				}
			}
			// Prefix-free.
			for v := range 256 {
				for w := range 256 {
					if v == w || h.size[v] == 0 || h.size[w] == 0 || h.size[v] > h.size[w] {
						continue
					}
					assert.NotEqual(t, h.code[v], h.code[w]>>(h.size[w]-h.size[v]), "%d prefixes %d", v, w)
				}
			}
			assert.Equal(t, [256]int32{}, h.freq, "statistics cleared")
		})
	}
}
