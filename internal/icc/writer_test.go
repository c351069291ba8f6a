package icc

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// testProfile describes an ICC profile for the tests to encode.
type testProfile struct {
	major     byte          // 2 if zero
	class     string        // "mntr" if empty
	space     string        // "RGB " if empty
	pcs       string        // "XYZ " if empty
	colorants [3][3]float64 // rows X, Y, Z; columns r, g, b
	trc       [3][]byte     // encoded curve tags r, g, b
	extra     []testTag     // more tags, after the standard ones
	noMatrix  bool          // leave out rXYZ, gXYZ, bXYZ
}

type testTag struct {
	sig  string
	data []byte
}

// encode writes the profile: header, tag table, then each tag's data on a
// 4-byte boundary; tags with identical data share it, as real profiles do
// for their TRCs.
func (tp testProfile) encode() []byte {
	var tags []testTag
	tags = append(tags, testTag{"desc", descTag("test profile")}, testTag{"wtpt", xyzTag(0.9642, 1, 0.8249)})
	if !tp.noMatrix {
		for i, sig := range []string{"rXYZ", "gXYZ", "bXYZ"} {
			tags = append(tags, testTag{sig, xyzTag(tp.colorants[0][i], tp.colorants[1][i], tp.colorants[2][i])})
		}
	}
	for i, sig := range []string{"rTRC", "gTRC", "bTRC"} {
		if tp.trc[i] != nil {
			tags = append(tags, testTag{sig, tp.trc[i]})
		}
	}
	tags = append(tags, tp.extra...)

	var body bytes.Buffer
	tableEnd := 128 + 4 + 12*len(tags)
	type entry struct{ off, size int }
	entries := make([]entry, len(tags))
	for i, tg := range tags {
		shared := false
		for j := range i {
			if bytes.Equal(tags[j].data, tg.data) {
				entries[i], shared = entries[j], true
				break
			}
		}
		if shared {
			continue
		}
		entries[i] = entry{tableEnd + body.Len(), len(tg.data)}
		body.Write(tg.data)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	out := make([]byte, tableEnd, tableEnd+body.Len())
	out = append(out, body.Bytes()...)
	be := binary.BigEndian
	be.PutUint32(out[0:], uint32(len(out)))
	copy(out[4:], "none")
	major := tp.major
	if major == 0 {
		major = 2
	}
	out[8], out[9] = major, 0x10
	copy(out[12:], orDefault(tp.class, "mntr"))
	copy(out[16:], orDefault(tp.space, "RGB "))
	copy(out[20:], orDefault(tp.pcs, "XYZ "))
	copy(out[36:], "acsp")
	copy(out[68:], xyzTag(0.9642, 1, 0.8249)[8:]) // PCS illuminant
	be.PutUint32(out[128:], uint32(len(tags)))
	for i, tg := range tags {
		e := out[132+12*i:]
		copy(e, tg.sig)
		be.PutUint32(e[4:], uint32(entries[i].off))
		be.PutUint32(e[8:], uint32(entries[i].size))
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func s15(v float64) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(math.Round(v*65536))))
}

func xyzTag(x, y, z float64) []byte {
	b := []byte("XYZ \x00\x00\x00\x00")
	for _, v := range []float64{x, y, z} {
		b = append(b, s15(v)...)
	}
	return b
}

// descTag writes a v2 textDescriptionType: ASCII, empty Unicode and
// ScriptCode parts.
func descTag(s string) []byte {
	b := []byte("desc\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)+1))
	b = append(b, s...)
	b = append(b, 0)
	b = append(b, make([]byte, 4+4+2+1+67)...)
	return b
}

func curvTag(entries ...uint16) []byte {
	b := []byte("curv\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(entries)))
	for _, e := range entries {
		b = binary.BigEndian.AppendUint16(b, e)
	}
	return b
}

// curvGamma writes a one-entry curv: gamma as u8Fixed8Number.
func curvGamma(g float64) []byte { return curvTag(uint16(math.Round(g * 256))) }

// curvTable samples f at n points evenly spaced over [0, 1].
func curvTable(f func(float64) float64, n int) []byte {
	e := make([]uint16, n)
	for i := range e {
		e[i] = uint16(math.Round(65535 * f(float64(i)/float64(n-1))))
	}
	return curvTag(e...)
}

func paraTag(fn uint16, params ...float64) []byte {
	b := []byte("para\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint16(b, fn)
	b = append(b, 0, 0)
	for _, p := range params {
		b = append(b, s15(p)...)
	}
	return b
}

// srgbPara is the sRGB curve as para function type 3.
func srgbPara() []byte { return paraTag(3, 2.4, 1/1.055, 0.055/1.055, 1/12.92, 0.04045) }

func same3(b []byte) [3][]byte { return [3][]byte{b, b, b} }

// Colorants (D50 PCS) of the test profiles, as published in the common
// profiles.
var (
	adobeColorants = [3][3]float64{
		{0.60974, 0.20528, 0.14919},
		{0.31111, 0.62567, 0.06322},
		{0.01947, 0.06087, 0.74457},
	}
	p3Colorants = [3][3]float64{
		{0.51512, 0.29198, 0.15710},
		{0.24120, 0.69225, 0.06657},
		{-0.00105, 0.04189, 0.78407},
	}
)

func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func adobeDecode(v float64) float64 { return math.Pow(v, 563.0/256) }

// Test profiles, each with the decoding function it stands for.
func srgbProfile() testProfile {
	return testProfile{colorants: srgbD50, trc: same3(srgbPara())}
}

func srgbTableProfile() testProfile {
	return testProfile{colorants: srgbD50, trc: same3(curvTable(srgbDecode, 1024))}
}

func adobeProfile() testProfile {
	return testProfile{colorants: adobeColorants, trc: same3(curvGamma(563.0 / 256))}
}

func p3Profile() testProfile {
	return testProfile{major: 4, colorants: p3Colorants, trc: same3(srgbPara())}
}

func mustParse(tb testing.TB, b []byte) *Profile {
	tb.Helper()
	p, err := Parse(b)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return p
}
