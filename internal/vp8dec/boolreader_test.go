package vp8dec

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refBoolDecoder is the boolean decoder of RFC 6386 section 7.3 in its
// plainest form: a two-byte window refilled a bit at a time, the range
// 128..255 and the split 1 + ((range-1)*p)>>8. Zeros past the end.
type refBoolDecoder struct {
	buf      []byte
	value    uint32
	rng      uint32
	bitCount int
}

func newRefBoolDecoder(b []byte) *refBoolDecoder {
	d := &refBoolDecoder{buf: b, rng: 255}
	d.value = uint32(d.next())<<8 | uint32(d.next())
	return d
}

func (d *refBoolDecoder) next() byte {
	if len(d.buf) == 0 {
		return 0
	}
	c := d.buf[0]
	d.buf = d.buf[1:]
	return c
}

func (d *refBoolDecoder) readBool(p uint8) bool {
	split := 1 + (d.rng-1)*uint32(p)>>8
	bigSplit := split << 8
	bit := d.value >= bigSplit
	if bit {
		d.rng -= split
		d.value -= bigSplit
	} else {
		d.rng = split
	}
	for d.rng < 128 {
		d.value <<= 1
		d.rng <<= 1
		if d.bitCount++; d.bitCount == 8 {
			d.bitCount = 0
			d.value |= uint32(d.next())
		}
	}
	return bit
}

func TestNormTables(t *testing.T) {
	t.Parallel()
	for x := range 255 {
		r, s := x+1, 0
		for r<<s < 128 {
			s++
		}
		require.Equal(t, s, int(normShift[x]), "shift of range %d", r)
		require.Equal(t, r<<s-1, int(normRange[x]), "normalised range %d", r)
	}
}

// TestBoolDecoderMatchesReference reads random data with random
// probabilities (the extremes included, which move the range the most)
// through readBool, through decodeBool on held state, as readCoeffs
// does, and every third bool as a sign through decodeSign, and compares every bool with the reference decoder, past the end
// of the data too.
func TestBoolDecoderMatchesReference(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, 1, 7, 8, 9, 100, 4096} {
		rnd := rand.New(rand.NewPCG(uint64(size), 7))
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rnd.Uint32())
		}
		ref := newRefBoolDecoder(data)
		var d boolDecoder
		d.init(data)
		for i := range 8*size + 64 {
			var p uint8
			switch rnd.IntN(4) {
			case 0:
				p = 1
			case 1:
				p = 255
			default:
				p = uint8(rnd.Uint32())
			}
			if i%3 == 2 {
				p = 128
			}
			want := ref.readBool(p)
			var got bool
			if i%3 == 0 {
				got = d.readBool(p)
			} else {
				value, nbits := d.value, d.nbits
				if nbits < 0 {
					value, nbits = d.refillState(value, nbits)
				}
				if i%3 == 1 {
					d.value, d.nbits, d.rng, got = decodeBool(value, nbits, d.rng, p)
				} else {
					var v int32
					d.value, d.nbits, d.rng, v = decodeSign(value, nbits, d.rng, 5)
					got = v == -5
					require.Contains(t, []int32{5, -5}, v)
				}
			}
			if !assert.Equal(t, want, got, "size %d, bool %d, p %d", size, i, p) {
				return
			}
		}
	}
}
