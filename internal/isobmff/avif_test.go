package isobmff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mkbox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	return append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), append([]byte(typ), body...)...)
}

func mkfull(typ string, version byte, payload ...[]byte) []byte {
	return mkbox(typ, append([][]byte{{version, 0, 0, 0}}, payload...)...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// file is the layout of a synthetic AVIF.
type file struct {
	brands string // major, minor version and compatible brands
	props  [][]byte
	assoc  map[int][]int // item -> 1-based property indices
	alpha  bool          // item 2 is an auxl alpha of item 1 (props must hold auxC)
	moov   []byte
}

// ipma associates each item of f with its properties (all essential).
func (f file) ipma() []byte {
	var entries [][]byte
	for item := 1; item <= 2; item++ {
		a, ok := f.assoc[item]
		if !ok {
			continue
		}
		e := append(u16(item), byte(len(a)))
		for _, i := range a {
			e = append(e, byte(i)|0x80)
		}
		entries = append(entries, e)
	}
	return mkfull("ipma", 0, append([][]byte{u32(len(entries))}, entries...)...)
}

func (f file) build() []byte {
	ipma := f.ipma()
	kids := [][]byte{mkfull("hdlr", 0, []byte("\x00\x00\x00\x00pict")), mkfull("pitm", 0, u16(1))}
	if f.alpha {
		kids = append(kids, mkfull("iref", 0, mkbox("auxl", u16(2), u16(1), u16(1))))
	}
	kids = append(kids, mkbox("iprp", mkbox("ipco", f.props...), ipma))
	out := append(mkbox("ftyp", []byte(f.brands)), mkfull("meta", 0, kids...)...)
	if f.moov != nil {
		out = append(out, f.moov...)
	}
	return append(out, mkbox("mdat", []byte("DATA"))...)
}

var (
	ispe      = mkfull("ispe", 0, u32(640), u32(480))
	pixi10    = mkfull("pixi", 0, []byte{3, 10, 10, 10})
	auxcAlpha = mkfull("auxC", 0, []byte("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha\x00"))
	auxcDepth = mkfull("auxC", 0, []byte("urn:mpeg:hevc:2015:auxid:2\x00"))
	colrProf  = mkbox("colr", []byte("profICCDATA"))
	colrNclx  = mkbox("colr", []byte("nclx\x00\x01\x00\x0d\x00\x06\x80"))
)

func irot(a byte) []byte { return mkbox("irot", []byte{a}) }
func imir(a byte) []byte { return mkbox("imir", []byte{a}) }

func moov(samples int) []byte {
	stsz := mkfull("stsz", 0, u32(0), u32(samples))
	return mkbox("moov", mkbox("trak", mkbox("mdia", mkbox("minf", mkbox("stbl", stsz)))))
}

func TestParseAVIF(t *testing.T) {
	t.Parallel()
	still := "avif\x00\x00\x00\x00mif1miaf"
	tests := []struct {
		name string
		f    file
		want AVIF
	}{
		{"plain", file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}},
			AVIF{Width: 640, Height: 480, Orientation: 1, Frames: 1}},
		{"compatible brand", file{brands: "mif1\x00\x00\x00\x00mif1avif", props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}},
			AVIF{Width: 640, Height: 480, Orientation: 1, Frames: 1}},
		{"depth, nclx then prof", file{brands: still, props: [][]byte{ispe, pixi10, colrNclx, colrProf}, assoc: map[int][]int{1: {1, 2, 3, 4}}},
			AVIF{Width: 640, Height: 480, Depth: 10, ICC: []byte("ICCDATA"), Orientation: 1, Frames: 1}},
		{"alpha", file{brands: still, props: [][]byte{ispe, auxcAlpha}, assoc: map[int][]int{1: {1}, 2: {1, 2}}, alpha: true},
			AVIF{Width: 640, Height: 480, Alpha: true, Orientation: 1, Frames: 1}},
		{"depth map is not alpha", file{brands: still, props: [][]byte{ispe, auxcDepth}, assoc: map[int][]int{1: {1}, 2: {1, 2}}, alpha: true},
			AVIF{Width: 640, Height: 480, Orientation: 1, Frames: 1}},
		{"irot 1", file{brands: still, props: [][]byte{ispe, irot(1)}, assoc: map[int][]int{1: {1, 2}}},
			AVIF{Width: 640, Height: 480, Orientation: 8, Frames: 1}},
		{"irot 3", file{brands: still, props: [][]byte{ispe, irot(3)}, assoc: map[int][]int{1: {1, 2}}},
			AVIF{Width: 640, Height: 480, Orientation: 6, Frames: 1}},
		{"imir 0", file{brands: still, props: [][]byte{ispe, imir(0)}, assoc: map[int][]int{1: {1, 2}}},
			AVIF{Width: 640, Height: 480, Orientation: 4, Frames: 1}},
		{"irot 1 then imir 0", file{brands: still, props: [][]byte{ispe, irot(1), imir(0)}, assoc: map[int][]int{1: {1, 2, 3}}},
			AVIF{Width: 640, Height: 480, Orientation: 5, Frames: 1}},
		{"imir 0 then irot 1", file{brands: still, props: [][]byte{ispe, irot(1), imir(0)}, assoc: map[int][]int{1: {1, 3, 2}}},
			AVIF{Width: 640, Height: 480, Orientation: 7, Frames: 1}},
		{"another item's irot", file{brands: still, props: [][]byte{ispe, irot(1)}, assoc: map[int][]int{1: {1}, 2: {2}}},
			AVIF{Width: 640, Height: 480, Orientation: 1, Frames: 1}},
		{"sequence", file{brands: "avis\x00\x00\x00\x00avifavismsf1", props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}, moov: moov(12)},
			AVIF{Width: 640, Height: 480, Orientation: 1, Frames: 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.f.build()
			require.True(t, IsAVIF(data))
			got, err := ParseAVIF(data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAVIFRefuses(t *testing.T) {
	t.Parallel()
	still := "avif\x00\x00\x00\x00mif1miaf"
	good := file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}}.build()
	tests := []struct {
		name string
		data []byte
	}{
		{"heic brand", file{brands: "heic\x00\x00\x00\x00mif1heic", props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}}.build()},
		{"no ispe", file{brands: still, props: [][]byte{pixi10}, assoc: map[int][]int{1: {1}}}.build()},
		{"no property", file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{2: {1}}}.build()},
		{"index past ipco", file{brands: still, props: [][]byte{ispe}, assoc: map[int][]int{1: {5}}}.build()},
		{"huge ispe", file{brands: still, props: [][]byte{mkfull("ispe", 0, u32(1<<31), u32(2))}, assoc: map[int][]int{1: {1}}}.build()},
		{"ftyp only", good[:24]},
		{"truncated meta", good[:60]},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseAVIF(tt.data)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrFormat), "%v", err)
		})
	}
}

func FuzzParseAVIF(f *testing.F) {
	still := "avif\x00\x00\x00\x00mif1miaf"
	f.Add(file{brands: still, props: [][]byte{ispe, pixi10, colrProf, irot(1), imir(0), auxcAlpha}, assoc: map[int][]int{1: {1, 2, 3, 4, 5}, 2: {1, 6}}, alpha: true}.build())
	f.Add(file{brands: "avis\x00\x00\x00\x00avifavis", props: [][]byte{ispe}, assoc: map[int][]int{1: {1}}, moov: moov(3)}.build())
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAVIF(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if a.Width <= 0 || a.Height <= 0 || a.Orientation < 1 || a.Orientation > 8 || a.Frames < 1 {
			t.Fatalf("implausible %+v", a)
		}
		if len(a.ICC) > len(data) {
			t.Fatalf("ICC longer than the file")
		}
	})
}
