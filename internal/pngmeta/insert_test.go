package pngmeta

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chunkTypes lists the chunk types of a PNG in order, checking every CRC.
func chunkTypes(t testing.TB, data []byte) []string {
	t.Helper()
	var types []string
	for off := len(signature); off < len(data); {
		c, err := nextChunk(data, off)
		require.NoError(t, err)
		require.True(t, c.crcOK(), "CRC of %s", c.typ)
		types = append(types, c.typ)
		off = c.end
		if c.typ == "IEND" {
			break
		}
	}
	return types
}

func stdlibPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 13)
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func TestInsertICC(t *testing.T) {
	t.Parallel()
	icc := fakeICC(5000)
	pal := make([]color.RGBA, 4)
	for i := range pal {
		pal[i] = color.RGBA{byte(i * 60), 9, 200, 255}
	}
	tests := []struct {
		name  string
		png   []byte
		types []string // chunk types of the result
	}{
		{"stdlib encoder", stdlibPNG(t), []string{"IHDR", "iCCP", "IDAT", "IEND"}},
		{"replaces sRGB, iCCP, cICP; keeps gAMA", (&testPNG{w: 5, h: 4, depth: 8, ct: 2, before: []rawChunk{
			{"sRGB", []byte{0}}, {"gAMA", []byte{0, 0, 0xb1, 0x8f}}, iccpChunk(t, "old", 0, []byte("old profile")), {"cICP", []byte{1, 13, 0, 1}},
		}}).encode(t), []string{"IHDR", "iCCP", "gAMA", "IDAT", "IDAT", "IEND"}},
		{"palette with tRNS, interlaced, eXIf after IDAT", (&testPNG{w: 9, h: 9, depth: 2, ct: 3, interlace: true, plte: pal, trns: []byte{0, 128},
			after: []rawChunk{{"eXIf", exifII}}}).encode(t),
			[]string{"IHDR", "iCCP", "PLTE", "tRNS", "IDAT", "IDAT", "eXIf", "IEND"}},
		{"16-bit grey", (&testPNG{w: 3, h: 3, depth: 16, ct: 0}).encode(t), []string{"IHDR", "iCCP", "IDAT", "IDAT", "IEND"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := InsertICC(tt.png, icc)
			require.NoError(t, err)
			assert.Equal(t, tt.types, chunkTypes(t, out))

			m, err := Read(out)
			require.NoError(t, err)
			assert.Equal(t, icc, m.ICC)
			assert.False(t, m.SRGB)
			before, err := Read(tt.png)
			require.NoError(t, err)
			before.ICC, before.SRGB, m.ICC = nil, false, nil
			assert.Equal(t, before, m, "other metadata unchanged")

			want, err := png.Decode(bytes.NewReader(tt.png))
			require.NoError(t, err)
			got, err := png.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Equal(t, want, got, "image/png decodes the same pixels")

			again, err := InsertICC(out, []byte("second"))
			require.NoError(t, err)
			m, err = Read(again)
			require.NoError(t, err)
			assert.Equal(t, []byte("second"), m.ICC, "InsertICC replaces its own chunk")
			assert.Equal(t, tt.types, chunkTypes(t, again))
		})
	}
}

func TestInsertICCTrailingBytes(t *testing.T) {
	t.Parallel()
	in := append(stdlibPNG(t), "trailer"...)
	out, err := InsertICC(in, []byte("p"))
	require.NoError(t, err)
	assert.True(t, bytes.HasSuffix(out, []byte("IEND\xaeB`\x82trailer")))
}

func TestInsertICCErrors(t *testing.T) {
	t.Parallel()
	good := stdlibPNG(t)
	tests := []struct {
		name string
		png  []byte
		icc  []byte
	}{
		{"empty profile", good, nil},
		{"profile too large", good, make([]byte, MaxICCSize+1)},
		{"not PNG", []byte("not a png at all, really not"), []byte("p")},
		{"no IEND", good[:len(good)-12], []byte("p")},
		{"cut in IDAT", good[:len(good)-20], []byte("p")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := InsertICC(tt.png, tt.icc)
			require.Error(t, err)
		})
	}
}
