package jpegdec

import (
	"bytes"
	"errors"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stripDHTSegments removes every DHT segment before the first scan.
func stripDHTSegments(data []byte) []byte {
	out := []byte{0xFF, mSOI}
	w := walker{data: data, pos: 2}
	for {
		start := w.pos
		m, err := w.nextMarker()
		if err != nil {
			return out
		}
		if m == mSOS {
			return append(out, data[start:]...)
		}
		if _, err := w.segment(); err != nil {
			return out
		}
		if m != mDHT {
			out = append(out, data[start:w.pos]...)
		}
	}
}

// stdDHT is a DHT segment defining the four Annex K tables.
func stdDHT() []byte {
	var p []byte
	for tc, specs := range [2]*[2]stdTable{&stdDC, &stdAC} {
		for th := range specs {
			p = append(p, byte(tc<<4|th))
			p = append(p, specs[th].bits[:]...)
			p = append(p, specs[th].vals...)
		}
	}
	return app(mDHT, p)
}

// TestAnnexKTables checks that image/jpeg output (which codes with the
// Annex K tables) decodes identically without its DHT segments, and that
// the tables are well formed.
func TestAnnexKTables(t *testing.T) {
	t.Parallel()
	for _, spec := range []*stdTable{&stdDC[0], &stdDC[1], &stdAC[0], &stdAC[1]} {
		n := 0
		for _, b := range spec.bits {
			n += int(b)
		}
		require.Len(t, spec.vals, n)
		var counts [17]int
		for l, b := range spec.bits {
			counts[l+1] = int(b)
		}
		var h huffTable
		require.NoError(t, h.build(&counts, spec.vals, spec == &stdDC[0] || spec == &stdDC[1]))
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"colour", encodeJPEG(t, synthImage(83, 61, 3), 80)},
		{"gray", encodeJPEG(t, grayImage(synthImage(40, 33, 4)), 90)},
		{"test encoder", testEncode(encSpec{w: 30, h: 20, adobe: 2, q: 3, comps: []encComp{
			{1, 2, 2, bytes.Repeat([]byte{10, 200}, 300)}, {2, 1, 1, bytes.Repeat([]byte{90}, 600)},
			{3, 1, 1, bytes.Repeat([]byte{160}, 600)}, {4, 2, 2, bytes.Repeat([]byte{250, 3, 70}, 200)},
		}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bare := stripDHTSegments(tt.data)
			require.False(t, bytes.Contains(bare[:bytes.Index(bare, []byte{0xFF, mSOS})], []byte{0xFF, mDHT}))
			for _, s := range []int{1, 2, 4, 8} {
				want, err := Decode(tt.data, s, nil)
				require.NoError(t, err)
				got, err := Decode(bare, s, nil)
				require.NoError(t, err)
				require.Equal(t, want, got, "scale %d", s)
			}
		})
	}
	// Slots 2 and 3 have no default.
	bad := testEncode(encSpec{w: 8, h: 8, adobe: -1, q: 1, noDHT: true, comps: []encComp{{1, 1, 1, make([]byte, 64)}}})
	i := bytes.Index(bad, []byte{0xFF, mSOS})
	bad[i+6] = 0x22 // Td=Ta=2
	_, err := Decode(bad, 1, nil)
	var fe FormatError
	require.ErrorAs(t, err, &fe)
}

// app builds a marker segment.
func app(m byte, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	return append([]byte{0xFF, m, byte((len(p) + 2) >> 8), byte(len(p) + 2)}, p...)
}

// iccSeg builds an APP2 ICC_PROFILE chunk.
func iccSeg(seq, count byte, data string) []byte {
	return app(mAPP2, []byte("ICC_PROFILE\x00"), []byte{seq, count}, []byte(data))
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	profile := "0123456789abcdefCMYKxyz" // header bytes 16..19: "CMYK"
	exif := app(mAPP1, []byte("Exif\x00\x00MM\x00\x2a"))
	tests := []struct {
		name     string
		extra    [][]byte
		exif     string
		icc      string
		iccSpace string
	}{
		{"none", nil, "", "", ""},
		{"exif", [][]byte{exif}, "MM\x00\x2a", "", ""},
		{"first exif wins", [][]byte{app(mAPP1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")), exif, app(mAPP1, []byte("Exif\x00\x00II"))}, "MM\x00\x2a", "", ""},
		{"one chunk", [][]byte{iccSeg(1, 1, profile)}, "", profile, "CMYK"},
		{"three chunks out of order", [][]byte{iccSeg(2, 3, profile[5:12]), exif, iccSeg(3, 3, profile[12:]), iccSeg(1, 3, profile[:5])}, "MM\x00\x2a", profile, "CMYK"},
		{"short profile", [][]byte{iccSeg(1, 1, "tiny")}, "", "tiny", ""},
		{"missing chunk", [][]byte{iccSeg(1, 3, "a"), iccSeg(3, 3, "c")}, "", "", ""},
		{"duplicate seq", [][]byte{iccSeg(1, 2, "a"), iccSeg(1, 2, "b")}, "", "", ""},
		{"count mismatch", [][]byte{iccSeg(1, 2, "a"), iccSeg(2, 3, "b")}, "", "", ""},
		{"seq zero", [][]byte{iccSeg(0, 1, "a")}, "", "", ""},
		{"two single chunks", [][]byte{iccSeg(1, 1, "a"), iccSeg(1, 1, "a")}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := convPlanes(kCMYKAdobe, 16, 16)
			s := encSpec{w: 16, h: 16, adobe: 0, q: 4, extra: tt.extra}
			for i, p := range ps {
				s.comps = append(s.comps, encComp{byte(i + 1), 1, 1, p})
			}
			data := testEncode(s)
			m, err := Metadata(data)
			require.NoError(t, err)
			cfg, err := DecodeConfig(data)
			require.NoError(t, err)
			assert.Equal(t, cfg, m.Config)
			assert.Equal(t, ColorCMYK, m.ColorSpace)
			assert.Equal(t, tt.exif, string(m.EXIF))
			assert.Equal(t, tt.icc, string(m.ICC))
			assert.Equal(t, tt.iccSpace, m.ICCColorSpace)
			if tt.exif == "" {
				assert.Nil(t, m.EXIF)
			}
			if tt.icc == "" {
				assert.Nil(t, m.ICC)
			}
			assert.False(t, m.KeepICC(), "CMYK profiles do not survive the RGB conversion")
		})
	}
}

func TestMetadataErrors(t *testing.T) {
	t.Parallel()
	rgb := encodeJPEG(t, synthImage(9, 9, 1), 80)
	withICC := append(append([]byte{0xFF, mSOI}, iccSeg(1, 1, "0123456789abcdefRGB xyz")...), rgb[2:]...)
	m, err := Metadata(withICC)
	require.NoError(t, err)
	assert.True(t, m.KeepICC())
	assert.Equal(t, "RGB ", m.ICCColorSpace)
	assert.Equal(t, 9, m.Width)

	tests := []struct {
		name        string
		data        []byte
		unsupported bool
	}{
		{"empty", nil, false},
		{"no frame", append(append([]byte{0xFF, mSOI}, iccSeg(1, 1, "x")...), 0xFF, mEOI), false},
		{"bad length", []byte{0xFF, mSOI, 0xFF, mAPP1, 0, 40, 'E'}, false},
		{"arithmetic lossless", sofImage(0xCB, 8, []byte{1, 0x11, 0}, app(mAPP1, []byte("Exif\x00\x00II"))...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Metadata(tt.data)
			require.Error(t, err)
			var ue UnsupportedError
			assert.Equal(t, tt.unsupported, errors.As(err, &ue), "%v", err)
			if tt.unsupported {
				assert.Equal(t, "II", string(m.EXIF), "metadata of unsupported frames is still returned")
			}
		})
	}
	// Data ending before the first scan still has its metadata.
	i := bytes.Index(withICC, []byte{0xFF, mSOS})
	m, err = Metadata(withICC[:i])
	require.NoError(t, err)
	assert.Equal(t, 9, m.Height)
	assert.NotNil(t, m.ICC)
}

// grayImage converts m to *image.Gray.
func grayImage(m image.Image) *image.Gray {
	g := image.NewGray(m.Bounds())
	for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
		for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
			g.Set(x, y, m.At(x, y))
		}
	}
	return g
}
