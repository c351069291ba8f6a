package exif

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entry is one IFD entry; val is the raw 4-byte value field's number
// (a SHORT is stored left-justified by buildTIFF).
type entry struct {
	tag, typ uint16
	count    uint32
	val      uint32
}

// order is a byte order that can also append.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

var (
	le order = binary.LittleEndian
	be order = binary.BigEndian
)

// buildTIFF returns a TIFF payload with one IFD0 holding entries, placed
// at offset 8 (plus pad bytes), followed by a zero next-IFD offset.
func buildTIFF(bo order, pad int, entries ...entry) []byte {
	var b []byte
	if bo == be {
		b = append(b, "MM\x00*"...)
	} else {
		b = append(b, "II*\x00"...)
	}
	b = bo.AppendUint32(b, uint32(8+pad))
	b = append(b, make([]byte, pad)...)
	b = bo.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = bo.AppendUint16(b, e.tag)
		b = bo.AppendUint16(b, e.typ)
		b = bo.AppendUint32(b, e.count)
		if e.typ == typeShort && e.count == 1 {
			b = bo.AppendUint16(b, uint16(e.val))
			b = append(b, 0, 0)
		} else {
			b = bo.AppendUint32(b, e.val)
		}
	}
	return bo.AppendUint32(b, 0)
}

func orient(v uint16) entry { return entry{tagOrientation, typeShort, 1, uint32(v)} }

// typical is an IFD0 as cameras write it: make, model, orientation,
// resolutions, software, date, ... around the orientation tag.
func typical(bo order, o uint16) []byte {
	return buildTIFF(bo, 0,
		entry{0x010f, 2, 6, 200}, entry{0x0110, 2, 10, 210}, orient(o),
		entry{0x011a, 5, 1, 230}, entry{0x011b, 5, 1, 238}, entry{0x0128, typeShort, 1, 2},
		entry{0x0131, 2, 12, 246}, entry{0x0132, 2, 20, 258}, entry{0x013b, 2, 8, 278},
		entry{0x0213, typeShort, 1, 1}, entry{0x8298, 2, 8, 286}, entry{0x8769, typeLong, 1, 300},
		entry{0x8825, typeLong, 1, 400}, entry{0x9c9b, 1, 4, 0}, entry{0xa401, typeShort, 1, 0})
}

func TestOrientation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []byte
		want int
		err  bool
	}{
		{"le 6", buildTIFF(le, 0, orient(6)), 6, false},
		{"be 8", buildTIFF(be, 0, orient(8)), 8, false},
		{"le typical 3", typical(le, 3), 3, false},
		{"be typical 5", typical(be, 5), 5, false},
		{"exif prefix", append([]byte("Exif\x00\x00"), typical(be, 7)...), 7, false},
		{"padded ifd offset", buildTIFF(le, 37, orient(2)), 2, false},
		{"absent", buildTIFF(le, 0, entry{0x010f, 2, 4, 0x41424300}), 1, false},
		{"no entries", buildTIFF(be, 0), 1, false},
		{"zero", buildTIFF(le, 0, orient(0)), 1, false},
		{"nine", buildTIFF(be, 0, orient(9)), 1, false},
		{"0xffff", buildTIFF(le, 0, orient(0xffff)), 1, false},
		{"long", buildTIFF(be, 0, entry{tagOrientation, typeLong, 1, 6}), 6, false},
		{"long out of range", buildTIFF(be, 0, entry{tagOrientation, typeLong, 1, 1<<16 | 6}), 1, false},
		{"wrong type", buildTIFF(le, 0, entry{tagOrientation, 2, 1, 6}), 1, false},
		{"count 2", buildTIFF(le, 0, entry{tagOrientation, typeShort, 2, 6}), 1, false},
		{"count 0", buildTIFF(le, 0, entry{tagOrientation, typeShort, 0, 6}), 1, false},
		{"unsorted", buildTIFF(le, 0, entry{0x8769, typeLong, 1, 300}, orient(4)), 4, false},
		{"empty", nil, 1, true},
		{"only prefix", []byte("Exif\x00\x00"), 1, true},
		{"short header", []byte("II*\x00\x08\x00"), 1, true},
		{"bad magic", []byte("II+\x00\x08\x00\x00\x00\x00\x00"), 1, true},
		{"mixed order", []byte("IM*\x00\x08\x00\x00\x00\x00\x00"), 1, true},
		{"offset into header", []byte("II*\x00\x04\x00\x00\x00\x00\x00"), 1, true},
		{"offset past end", []byte("II*\x00\x09\x00\x00\x00\x00\x00"), 1, true},
		{"offset huge", []byte("MM\x00*\xff\xff\xff\xf0\x00\x00"), 1, true},
		{"count beyond payload", []byte("II*\x00\x08\x00\x00\x00\xff\xff"), 1, true},
		{"truncated after tag", buildTIFF(le, 0, orient(6), entry{0x8769, typeLong, 1, 0})[:8+2+12+5], 6, false},
		{"truncated before tag", buildTIFF(le, 0, entry{0x0100, typeShort, 1, 1}, orient(6))[:8+2+12+11], 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Orientation(c.in)
			assert.Equal(t, c.want, got)
			if c.err {
				var fe FormatError
				require.ErrorAs(t, err, &fe)
				assert.Contains(t, err.Error(), "exif: invalid TIFF: ")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestOrientationAllValues(t *testing.T) {
	t.Parallel()
	for _, bo := range []order{le, be} {
		for v := range uint16(12) {
			got, err := Orientation(typical(bo, v))
			require.NoError(t, err)
			want := int(v)
			if v < 1 || v > 8 {
				want = 1
			}
			assert.Equal(t, want, got, "%v %d", bo, v)
		}
	}
}

func TestOrientationNoAlloc(t *testing.T) {
	// Not parallel: AllocsPerRun measures the whole process.
	in := typical(binary.LittleEndian, 6)
	bad := []byte("II*\x00\x09\x00\x00\x00\x00\x00")
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Orientation(in)
		_, _ = Orientation(bad)
	})
	assert.Zero(t, allocs)
}

func TestFormatErrorIs(t *testing.T) {
	t.Parallel()
	_, err := Orientation([]byte("not tiff at all"))
	var fe FormatError
	require.True(t, errors.As(err, &fe))
}

func FuzzOrientation(f *testing.F) {
	f.Add(typical(le, 6))
	f.Add(typical(be, 8))
	f.Add(append([]byte("Exif\x00\x00"), typical(le, 3)...))
	f.Add(buildTIFF(be, 3, orient(5)))
	f.Add(buildTIFF(le, 0, entry{tagOrientation, typeLong, 1, 7}))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\xff\xff"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Orientation(b)
		if v < 1 || v > 8 {
			t.Fatalf("orientation %d out of range", v)
		}
		if err != nil {
			if v != 1 {
				t.Fatalf("error %v with orientation %d", err, v)
			}
			var fe FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a FormatError", err)
			}
		}
		// The "Exif\0\0" prefix is transparent.
		v2, err2 := Orientation(append([]byte("Exif\x00\x00"), b...))
		if len(b) < 6 || string(b[:6]) != "Exif\x00\x00" {
			if v2 != v || (err2 == nil) != (err == nil) {
				t.Fatalf("prefix changed result: %d,%v vs %d,%v", v, err, v2, err2)
			}
		}
	})
}

func BenchmarkOrientation(b *testing.B) {
	for _, c := range []struct {
		name string
		bo   order
	}{{"le", le}, {"be", be}} {
		in := typical(c.bo, 6)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v, err := Orientation(in); v != 6 || err != nil {
					b.Fatal(v, err)
				}
			}
		})
	}
}
