package jpegdec

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBox4Symmetry: idct4's even/odd split relies on these identities.
func TestBox4Symmetry(t *testing.T) {
	t.Parallel()
	for x := range 4 {
		assert.Equal(t, box4[0][0], box4[x][0], "DC weight of output %d", x)
		for u := range 4 {
			sign := int64(1 - 2*(u%2))
			assert.Equal(t, sign*box4[x][u], box4[3-x][u], "x=%d u=%d", x, u)
		}
	}
}

// idct4Matrix is the plain matrix form of idct4: 16 multiplications per
// 4-point pass.
func idct4Matrix(blk *[64]int32, dst []byte, stride int) {
	var tmp [4][4]int64
	const r1 = 1 << (constBits - pass1Bits - 1)
	for u := range 4 {
		f0, f1, f2, f3 := int64(blk[u]), int64(blk[8+u]), int64(blk[16+u]), int64(blk[24+u])
		for y := range 4 {
			tmp[y][u] = (f0*box4[y][0] + f1*box4[y][1] + f2*box4[y][2] + f3*box4[y][3] + r1) >> (constBits - pass1Bits)
		}
	}
	const shift = constBits + pass1Bits
	const bias = 128<<shift + 1<<(shift-1)
	for y := range 4 {
		for x := range 4 {
			t := tmp[y]
			v := t[0]*box4[x][0] + t[1]*box4[x][1] + t[2]*box4[x][2] + t[3]*box4[x][3]
			dst[y*stride+x] = clamp8((v + bias) >> shift)
		}
	}
}

// TestIDCT4MatchesMatrix: the factored idct4 gives the same bytes as the
// matrix product, on dense, sparse and DC-only blocks.
func TestIDCT4MatchesMatrix(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		var blk [64]int32
		for k := range 64 {
			switch {
			case i%3 == 0 && k > 0: // DC only
			case i%3 == 1 && rng.IntN(4) > 0: // sparse
			default:
				blk[k] = rng.Int32N(2049) - 1024
			}
		}
		var got, want [4 * 5]byte
		idct4(&blk, got[:], 5)
		idct4Matrix(&blk, want[:], 5)
		require.Equal(t, want, got, "block %d: %v", i, blk)
	}
}
