package pngmeta

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

func iccpChunk(t testing.TB, name string, method byte, profile []byte) rawChunk {
	t.Helper()
	data := append([]byte(name), 0, method)
	return rawChunk{"iCCP", append(data, pngtest.Deflate(t, profile)...)}
}

// fakeICC is a stand-in profile: Read and InsertICC do not parse profiles.
func fakeICC(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 31 >> 3)
	}
	return b
}

var exifII = []byte("II*\x00\x08\x00\x00\x00\x00\x00")

// corruptCRC returns data with the CRC of the first chunk of type typ
// flipped.
func corruptCRC(t testing.TB, data []byte, typ string) []byte {
	t.Helper()
	out := bytes.Clone(data)
	for off := len(signature); ; {
		c, err := nextChunk(out, off)
		require.NoError(t, err)
		if c.typ == typ {
			out[c.end-1] ^= 0xff
			return out
		}
		off = c.end
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	icc := fakeICC(3000)
	gray := testPNG{w: 4, h: 3, depth: 8, ct: 0}
	with := func(before, after []rawChunk) []byte {
		p := gray
		p.before, p.after = before, after
		return p.encode(t)
	}
	base := Meta{Width: 4, Height: 3, BitDepth: 8, ColorType: 0}
	withICC := base
	withICC.ICC = icc
	full := with([]rawChunk{
		iccpChunk(t, "Display P3", 0, icc),
		{"gAMA", []byte{0, 0, 0xb1, 0x8f}},
		{"eXIf", exifII},
	}, nil)
	bomb := with([]rawChunk{iccpChunk(t, "big", 0, make([]byte, MaxICCSize+1))}, nil)
	tests := []struct {
		name string
		data []byte
		want Meta
	}{
		{"plain", with(nil, nil), base},
		{"iCCP gAMA eXIf", full, Meta{Width: 4, Height: 3, BitDepth: 8, ICC: icc, Gamma: 45455, EXIF: exifII}},
		{"sRGB", with([]rawChunk{{"sRGB", []byte{0}}}, nil), Meta{Width: 4, Height: 3, BitDepth: 8, SRGB: true}},
		{"bad sRGB intent", with([]rawChunk{{"sRGB", []byte{4}}}, nil), base},
		{"eXIf after IDAT", with(nil, []rawChunk{{"tEXt", []byte("a\x00b")}, {"eXIf", exifII}}), Meta{Width: 4, Height: 3, BitDepth: 8, EXIF: exifII}},
		{"eXIf not TIFF", with([]rawChunk{{"eXIf", []byte("Exif\x00\x00II*\x00")}}, nil), base},
		{"first iCCP counts", with([]rawChunk{iccpChunk(t, "a", 0, icc), iccpChunk(t, "b", 0, []byte("other"))}, nil), withICC},
		{"iCCP bad CRC", corruptCRC(t, full, "iCCP"), Meta{Width: 4, Height: 3, BitDepth: 8, Gamma: 45455, EXIF: exifII}},
		{"iCCP method 1", with([]rawChunk{iccpChunk(t, "a", 1, icc)}, nil), base},
		{"iCCP empty name", with([]rawChunk{iccpChunk(t, "", 0, icc)}, nil), base},
		{"iCCP name too long", with([]rawChunk{iccpChunk(t, string(make([]byte, 80)), 0, icc)}, nil), base},
		{"iCCP not zlib", with([]rawChunk{{"iCCP", []byte("a\x00\x00garbage")}}, nil), base},
		{"iCCP truncated zlib", with([]rawChunk{{"iCCP", append([]byte("a\x00\x00"), pngtest.Deflate(t, icc)[:50]...)}}, nil), base},
		{"iCCP zip bomb", bomb, base},
		{"tRNS on RGBA ignored", (&testPNG{w: 1, h: 1, depth: 8, ct: 6, before: []rawChunk{{"tRNS", make([]byte, 6)}}}).encode(t), Meta{Width: 1, Height: 1, BitDepth: 8, ColorType: 6}},
		{"prefix to IDAT header", full[:bytes.Index(full, []byte("IDAT"))+4], Meta{Width: 4, Height: 3, BitDepth: 8, ICC: icc, Gamma: 45455, EXIF: exifII}},
		{"Adam7 16-bit RGBA", (&testPNG{w: 9, h: 9, depth: 16, ct: 6, interlace: true}).encode(t), Meta{Width: 9, Height: 9, BitDepth: 16, ColorType: 6, Interlaced: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Read(tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m)
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	good := (&testPNG{w: 2, h: 2, depth: 8, ct: 2}).encode(t)
	ihdr := func(mut func(d []byte)) []byte {
		d := bytes.Clone(good[len(signature)+8 : len(signature)+8+13])
		mut(d)
		return append(appendChunk([]byte(signature), "IHDR", d), good[len(signature)+25:]...)
	}
	idat := bytes.Index(good, []byte("IDAT")) - 4
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not PNG", []byte("GIF89a..........................")},
		{"signature only", []byte(signature)},
		{"truncated IHDR", good[:20]},
		{"IHDR CRC", corruptCRC(t, good, "IHDR")},
		{"first chunk not IHDR", appendChunk([]byte(signature), "IDAT", make([]byte, 13))},
		{"zero width", ihdr(func(d []byte) { binary.BigEndian.PutUint32(d[0:], 0) })},
		{"huge height", ihdr(func(d []byte) { binary.BigEndian.PutUint32(d[4:], 1<<31) })},
		{"RGB depth 4", ihdr(func(d []byte) { d[8] = 4 })},
		{"palette depth 16", ihdr(func(d []byte) { d[8], d[9] = 16, 3 })},
		{"colour type 5", ihdr(func(d []byte) { d[9] = 5 })},
		{"compression 1", ihdr(func(d []byte) { d[10] = 1 })},
		{"interlace 2", ihdr(func(d []byte) { d[12] = 2 })},
		{"no IDAT", append(bytes.Clone(good[:idat]), appendChunk(nil, "IEND", nil)...)},
		{"ends before IDAT", good[:idat]},
		{"IDAT header cut", good[:idat+6]},
		{"bad chunk type", append(bytes.Clone(good[:idat]), appendChunk(nil, "a1cd", nil)...)},
		{"second IHDR", append(bytes.Clone(good[:idat]), good[len(signature):len(signature)+25]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Read(tt.data)
			var fe FormatError
			require.ErrorAs(t, err, &fe)
		})
	}
}
