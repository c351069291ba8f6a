package isobmff

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bits builds a bit string most significant first: pairs of width and
// value.
func bits(fields ...uint64) []byte {
	var out []byte
	n := 0
	for i := 0; i+1 < len(fields); i += 2 {
		for b := int(fields[i]) - 1; b >= 0; b-- {
			if n%8 == 0 {
				out = append(out, 0)
			}
			out[len(out)-1] |= byte(fields[i+1]>>b&1) << (7 - n%8)
			n++
		}
	}
	return out
}

// obu wraps payload in an OBU of type typ with an obu_size field.
func obu(typ byte, payload []byte) []byte {
	return append([]byte{typ<<3 | 0x02, byte(len(payload))}, payload...)
}

// reducedSeq is a reduced still picture header of w x h (16-bit fields).
func reducedSeq(w, h uint64) []byte {
	return bits(3, 0, 1, 1, 1, 1, 5, 8, 4, 15, 4, 15, 16, w-1, 16, h-1, 3, 0)
}

// fullSeq has timing info (equal_picture_interval, uvlc 4), a decoder
// model of 10-bit buffer delays, initial display delays and three
// operating points: one with a tier bit, one with a decoder model and a
// display delay, one plain; then a 12-bit frame size.
func fullSeq(w, h uint64) []byte {
	return bits(
		3, 0, 1, 0, 1, 0, // profile, still, not reduced
		1, 1, 32, 1000, 32, 30000, 1, 1, 5, 0b00101, // timing info, uvlc("00101") = 4
		1, 1, 5, 9, 32, 1, 5, 4, 5, 4, // decoder model, 10-bit delays
		1, 1, 5, 2, // initial_display_delay_present, 3 operating points
		12, 0x101, 5, 9, 1, 1, 1, 0, 1, 0, // level 9: tier; no model, no delay
		12, 0x102, 5, 4, 1, 1, 10, 300, 10, 200, 1, 1, 1, 1, 4, 3, // model, delay
		12, 0x100, 5, 4, 1, 0, 1, 0,
		4, 11, 4, 11, 12, w-1, 12, h-1, 8, 0,
	)
}

func TestParseSeqHeader(t *testing.T) {
	t.Parallel()
	td := []byte{2<<3 | 0x02, 0} // temporal delimiter
	tests := []struct {
		name string
		p    []byte
		w, h int
		err  bool
	}{
		{"reduced still", obu(1, reducedSeq(640, 480)), 640, 480, false},
		{"full with timing, model, 3 operating points", obu(1, fullSeq(4000, 3000)), 4000, 3000, false},
		{"after a temporal delimiter", append(td, obu(1, reducedSeq(7, 9))...), 7, 9, false},
		{"extension byte", append([]byte{1<<3 | 0x06, 0x20, 7}, reducedSeq(65535, 1)...), 65535, 1, false},
		{"no size field: to the end", append([]byte{1 << 3}, reducedSeq(2, 3)...), 2, 3, false},
		{"leb128 of 8 bytes", append([]byte{1<<3 | 0x02, 0x87, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, reducedSeq(2, 3)...), 2, 3, false},
		{"leb128 of 9 bytes", append([]byte{1<<3 | 0x02, 0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, reducedSeq(2, 3)...), 0, 0, true},
		{"leb128 past 32 bits", []byte{1<<3 | 0x02, 0x80, 0x80, 0x80, 0x80, 0x10}, 0, 0, true},
		{"leb128 truncated", []byte{1<<3 | 0x02, 0x80}, 0, 0, true},
		{"size past the data", []byte{1<<3 | 0x02, 9, 0}, 0, 0, true},
		{"truncated reduced", obu(1, reducedSeq(640, 480)[:3]), 0, 0, true},
		{"truncated full", obu(1, fullSeq(640, 480)[:20]), 0, 0, true},
		{"frame first", append(obu(6, []byte{0}), obu(1, reducedSeq(2, 3))...), 0, 0, true},
		{"forbidden bit", append([]byte{0x80 | 1<<3 | 0x02, 5}, reducedSeq(2, 3)...), 0, 0, true},
		{"no sequence header", td, 0, 0, true},
		{"empty", nil, 0, 0, true},
		{"truncated extension", []byte{1<<3 | 0x06}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSeqHeader(tt.p)
			if tt.err {
				assert.ErrorIs(t, err, ErrFormat)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, SeqHeader{MaxWidth: tt.w, MaxHeight: tt.h}, s)
		})
	}
}

// av1C is an av1C property with configOBUs.
func av1C(obus []byte) []byte { return mkbox("av1C", append([]byte{0x81, 0, 0x0c, 0}, obus...)) }

// withIloc builds f with an iloc (version 0, 4-byte offsets and lengths)
// locating item 1 (and 2) in the mdat, whose payload is data1 then data2.
func withIloc(f file, data1, data2 []byte) []byte {
	mdat := append(append([]byte{}, data1...), data2...)
	return assemble(f, mdat, func(mdatBody int) []byte {
		items := [][]byte{u16(1), u16(0), u16(1), u32(mdatBody), u32(len(data1))}
		n := 1
		if data2 != nil {
			items = append(items, u16(2), u16(0), u16(1), u32(mdatBody+len(data1)), u32(len(data2)))
			n = 2
		}
		return mkfull("iloc", 0, append([][]byte{{0x44, 0x00}, u16(n)}, items...)...)
	})
}

// assemble lays out f's boxes with an iloc made by loc once the mdat's
// payload offset is known (the iloc's size does not depend on it).
func assemble(f file, mdat []byte, loc func(mdatBody int) []byte) []byte {
	lay := func(iloc []byte) []byte {
		ipma := f.ipma()
		kids := [][]byte{mkfull("hdlr", 0, []byte("\x00\x00\x00\x00pict")), mkfull("pitm", 0, u16(1)), iloc}
		if f.alpha {
			kids = append(kids, mkfull("iref", 0, mkbox("auxl", u16(2), u16(1), u16(1))))
		}
		kids = append(kids, mkbox("iprp", mkbox("ipco", f.props...), ipma))
		return append(mkbox("ftyp", []byte(f.brands)), mkfull("meta", 0, kids...)...)
	}
	head := lay(loc(0))
	head = lay(loc(len(head) + 8))
	return append(head, mkbox("mdat", mdat)...)
}

func TestMaxFrame(t *testing.T) {
	t.Parallel()
	still := "avif\x00\x00\x00\x00mif1miaf"
	small, big := obu(1, reducedSeq(640, 480)), obu(1, fullSeq(4096, 2048))
	tests := []struct {
		name string
		data []byte
		w, h int
		err  bool
	}{
		{"av1C configOBUs", file{brands: still, props: [][]byte{ispe, av1C(small)}, assoc: map[int][]int{1: {1, 2}}}.build(), 640, 480, false},
		{"item data through iloc", withIloc(file{brands: still, props: [][]byte{ispe, av1C(nil)}, assoc: map[int][]int{1: {1, 2}}}, append(small, obu(6, []byte{1, 2, 3})...), nil), 640, 480, false},
		{"alpha item larger", file{brands: still, props: [][]byte{ispe, av1C(small), auxcAlpha, av1C(big)}, assoc: map[int][]int{1: {1, 2}, 2: {1, 3, 4}}, alpha: true}.build(), 4096, 2048, false},
		{"alpha item through iloc", withIloc(file{brands: still, props: [][]byte{ispe, av1C(small), auxcAlpha}, assoc: map[int][]int{1: {1, 2}, 2: {1, 3}}, alpha: true}, []byte("unused"), big), 4096, 2048, false},
		{"no av1C, no iloc", file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}}.build(), 0, 0, true},
		{"item data without a sequence header", withIloc(file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}}, obu(6, []byte{1}), nil), 0, 0, true},
		{"alpha without a sequence header", file{brands: still, props: [][]byte{ispe, av1C(small), auxcAlpha}, assoc: map[int][]int{1: {1, 2}, 2: {1, 3}}, alpha: true}.build(), 0, 0, true},
		{"not avif", []byte("\x00\x00\x00\x10ftypmif1\x00\x00\x00\x00"), 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, h, err := MaxFrame(tt.data)
			if tt.err {
				assert.ErrorIs(t, err, ErrFormat)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []int{tt.w, tt.h}, []int{w, h})
		})
	}
}

func TestItemData(t *testing.T) {
	t.Parallel()
	data := []byte("0123456789")
	idat := []Box{{Type: FourCC("idat"), Body: 2, End: 8}}
	tests := []struct {
		name string
		iloc []byte
		want string
		err  bool
	}{
		{"v0 first extent", append([]byte{0, 0, 0, 0, 0x44, 0x00}, append(u16(1), append(u16(1), append(u16(0), append(u16(2), append(u32(3), append(u32(2), append(u32(7), u32(1)...)...)...)...)...)...)...)...), "34", false},
		{"v1 idat with base offset", append([]byte{1, 0, 0, 0, 0x44, 0x40}, append(u16(1), append(u16(1), append(u16(1), append(u16(0), append(u32(1), append(u16(1), append(u32(1), u32(0)...)...)...)...)...)...)...)...), "4567", false},
		{"v2 with 32-bit ids and index", append([]byte{2, 0, 0, 0, 0x44, 0x04}, append(u32(1), append(u32(1), append(u16(0), append(u16(0), append(u16(1), append(u32(9), append(u32(5), u32(3)...)...)...)...)...)...)...)...), "567", false},
		{"method 2", append([]byte{1, 0, 0, 0, 0x44, 0x00}, append(u16(1), append(u16(1), append(u16(2), append(u16(0), append(u16(1), append(u32(1), u32(1)...)...)...)...)...)...)...), "", true},
		{"past the end", append([]byte{0, 0, 0, 0, 0x44, 0x00}, append(u16(1), append(u16(1), append(u16(0), append(u16(1), append(u32(10), u32(1)...)...)...)...)...)...), "", true},
		{"other item", append([]byte{0, 0, 0, 0, 0x44, 0x00}, append(u16(1), append(u16(2), append(u16(0), append(u16(1), append(u32(1), u32(1)...)...)...)...)...)...), "", true},
		{"short", []byte{0, 0, 0, 0, 0x44, 0x00, 0, 1, 0}, "", true},
		{"version 3", []byte{3, 0, 0, 0, 0x44, 0x00, 0, 0}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := itemData(data, idat, tt.iloc, 1)
			if tt.err {
				assert.ErrorIs(t, err, ErrFormat)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func FuzzMaxFrame(f *testing.F) {
	still := "avif\x00\x00\x00\x00mif1miaf"
	f.Add(obu(1, fullSeq(4000, 3000)))
	f.Add(obu(1, reducedSeq(1, 1)))
	f.Add(file{brands: still, props: [][]byte{ispe, av1C(obu(1, reducedSeq(64, 64))), auxcAlpha, av1C(obu(1, fullSeq(8, 8)))}, assoc: map[int][]int{1: {1, 2}, 2: {1, 3, 4}}, alpha: true}.build())
	f.Add(withIloc(file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}}, obu(1, fullSeq(9, 9)), nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := ParseSeqHeader(data); err == nil && (s.MaxWidth < 1 || s.MaxHeight < 1 || s.MaxWidth > 1<<16 || s.MaxHeight > 1<<16) {
			t.Fatalf("sequence header %+v", s)
		}
		if w, h, err := MaxFrame(data); err == nil && (w < 1 || h < 1) {
			t.Fatalf("max frame %dx%d", w, h)
		} else if err != nil && !assert.ErrorIs(t, err, ErrFormat) {
			t.FailNow()
		}
	})
}
