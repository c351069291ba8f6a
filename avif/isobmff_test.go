package avif

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/isobmff"
)

func mkbox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

func mkfull(typ string, version byte, flags uint32, payload ...[]byte) []byte {
	vf := []byte{version, byte(flags >> 16), byte(flags >> 8), byte(flags)}
	return mkbox(typ, append([][]byte{vf}, payload...)...)
}

func be(n int, v uint64) []byte {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// layout describes a synthetic file: one item (ID 1) whose data "DATA"
// sits in mdat after meta.
type layout struct {
	ilocVersion     byte
	offSize, base   int
	ipmaVersion     byte
	ipmaFlags       uint32
	props           int  // properties already in ipco
	primaryHasEntry bool // ipma has an entry for item 1
}

func (l layout) build(tb testing.TB) []byte {
	tb.Helper()
	ftyp := mkbox("ftyp", []byte("avif\x00\x00\x00\x00avifmif1"))
	var props [][]byte
	for range l.props {
		props = append(props, mkbox("free"))
	}
	ipco := mkbox("ipco", props...)
	var entries [][]byte
	count := 0
	if l.primaryHasEntry {
		count++
		e := append(be(2+2*int(l.ipmaVersion), 1), 1)
		if l.ipmaFlags&1 != 0 {
			e = append(e, be(2, 0x8001)...)
		} else {
			e = append(e, 0x81)
		}
		entries = append(entries, e)
	}
	// An entry for item 2, after item 1 in item order.
	count++
	e := append(be(2+2*int(l.ipmaVersion), 2), 1)
	if l.ipmaFlags&1 != 0 {
		e = append(e, be(2, 1)...)
	} else {
		e = append(e, 1)
	}
	entries = append(entries, e)
	ipma := mkfull("ipma", l.ipmaVersion, l.ipmaFlags, append([][]byte{be(4, uint64(count))}, entries...)...)
	iprp := mkbox("iprp", ipco, ipma)
	pitm := mkfull("pitm", 0, 0, be(2, 1))
	hdlr := mkfull("hdlr", 0, 0, []byte("\x00\x00\x00\x00pict\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))

	iloc := func(offset uint64) []byte {
		sizes := []byte{byte(l.offSize<<4 | 4), byte(l.base << 4)}
		idSize := 2
		if l.ilocVersion == 2 {
			idSize = 4
		}
		var item []byte
		item = append(item, be(idSize, 1)...)
		if l.ilocVersion > 0 {
			item = append(item, 0, 0) // construction method 0
		}
		item = append(item, 0, 0) // data reference 0
		extOff := offset
		if l.base > 0 {
			item = append(item, be(l.base, offset)...)
			extOff = 0
		}
		item = append(item, 0, 1) // one extent
		item = append(item, be(l.offSize, extOff)...)
		item = append(item, be(4, 4)...)
		return mkfull("iloc", l.ilocVersion, 0, sizes, be(idSize, 1), item)
	}
	metaLen := len(mkfull("meta", 0, 0, hdlr, pitm, iloc(0), iprp))
	offset := uint64(len(ftyp) + metaLen + 8)
	meta := mkfull("meta", 0, 0, hdlr, pitm, iloc(offset), iprp)
	return bytes.Join([][]byte{ftyp, meta, mkbox("mdat", []byte("DATA"))}, nil)
}

// itemData follows iloc to item 1's bytes, and returns the property
// indices associated with item 1.
func inspect(t *testing.T, file []byte) (data []byte, assoc []uint16, ipco []isobmff.Box) {
	t.Helper()
	top, err := isobmff.Boxes(file, 0, len(file))
	require.NoError(t, err)
	meta, ok := isobmff.Find(top, typMeta)
	require.True(t, ok)
	kids, err := isobmff.Boxes(file, meta.Body+4, meta.End)
	require.NoError(t, err)
	iloc, _ := isobmff.Find(kids, typIloc)
	p := file[iloc.Body:iloc.End]
	version := p[0]
	offSize, baseSize := int(p[4]>>4), int(p[5]>>4)
	r := ilocReader{p: p, pos: 6 + 2 + 2} // count, item ID
	if version == 2 {
		r.pos += 4
	}
	if version > 0 {
		r.uint(2)
	}
	r.uint(2)
	base := r.uint(baseSize)
	r.uint(2)
	off := r.uint(offSize)
	n := r.uint(4)
	require.False(t, r.err)
	data = file[base+off : base+off+n]

	iprp, _ := isobmff.Find(kids, typIprp)
	pk, err := isobmff.Boxes(file, iprp.Body, iprp.End)
	require.NoError(t, err)
	ic, _ := isobmff.Find(pk, typIpco)
	ipco, err = isobmff.Boxes(file, ic.Body, ic.End)
	require.NoError(t, err)
	im, _ := isobmff.Find(pk, typIpma)
	m, err := isobmff.ParseIpma(file[im.Body:im.End])
	require.NoError(t, err)
	for _, e := range m.Entries {
		if e.Item == 1 {
			assoc = e.Assoc
		}
	}
	require.Equal(t, len(top), 3)
	return data, assoc, ipco
}

func TestAddICC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    layout
		want []uint16
	}{
		{"v0 32-bit offsets", layout{offSize: 4, props: 3, primaryHasEntry: true}, []uint16{0x8001, 4}},
		{"v1 64-bit offsets", layout{ilocVersion: 1, offSize: 8, props: 3, primaryHasEntry: true}, []uint16{0x8001, 4}},
		{"base offset", layout{ilocVersion: 2, offSize: 0, base: 8, props: 1, primaryHasEntry: true}, []uint16{0x8001, 2}},
		{"no entry for primary", layout{offSize: 4, props: 2}, []uint16{3}},
		{"7-bit indices widened", layout{offSize: 4, props: 127, primaryHasEntry: true}, []uint16{0x8001, 128}},
		{"15-bit indices", layout{offSize: 4, props: 200, ipmaFlags: 1, primaryHasEntry: true}, []uint16{0x8001, 201}},
		{"32-bit item IDs", layout{offSize: 4, props: 1, ipmaVersion: 1, primaryHasEntry: true}, []uint16{0x8001, 2}},
	}
	icc := []byte("an odd-sized profile")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.l.build(t)
			data, _, _ := inspect(t, in)
			require.Equal(t, "DATA", string(data))
			out, err := addICC(in, icc)
			require.NoError(t, err)
			data, assoc, ipco := inspect(t, out)
			assert.Equal(t, "DATA", string(data))
			assert.Equal(t, tt.want, assoc)
			colr := ipco[len(ipco)-1]
			assert.Equal(t, append([]byte("prof"), icc...), out[colr.Body:colr.End])
			assert.Equal(t, len(in)+12+len(icc), len(out)-ipmaGrowth(tt.l))
		})
	}
}

// ipmaGrowth is how many bytes the ipma box grows by for layout l.
func ipmaGrowth(l layout) int {
	switch {
	case !l.primaryHasEntry:
		return 2 + 1 + 1
	case l.ipmaFlags&1 == 0 && l.props+1 > 127:
		return 2 + 1 + 1 // item 1 gets a 2-byte index, both old indices widen
	case l.ipmaFlags&1 != 0:
		return 2
	}
	return 1
}

func TestAddICCErrors(t *testing.T) {
	t.Parallel()
	good := layout{offSize: 4, props: 1, primaryHasEntry: true}.build(t)
	tests := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"no meta", mkbox("ftyp", []byte("avif"))},
		{"truncated", good[:len(good)-1]},
		{"truncated meta", good[:40]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := addICC(tt.file, []byte("icc"))
			require.Error(t, err)
		})
	}
}

func FuzzAddICC(f *testing.F) {
	for _, l := range []layout{
		{offSize: 4, props: 3, primaryHasEntry: true},
		{ilocVersion: 1, offSize: 8, props: 2},
		{ilocVersion: 2, base: 8, props: 1, ipmaFlags: 1, primaryHasEntry: true},
	} {
		f.Add(l.build(f))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		out, err := addICC(file, []byte("icc"))
		if err != nil {
			return
		}
		// The output must be a layout addICC reads again; only a
		// second shift may legitimately push an offset past its field
		// (testdata/fuzz/FuzzAddICC/c72579701ff575e1: an extent 12
		// bytes under 4 GiB with 4-byte offsets).
		if _, err := addICC(out, []byte("icc")); err != nil && !strings.Contains(err.Error(), "iloc offset overflows") {
			t.Fatalf("the output of addICC is refused: %v", err)
		}
	})
}
