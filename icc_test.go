package imgproxy

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/pngmeta"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// A matrix/TRC RGB colour space, as Adobe RGB (1998) and Display P3
// profiles describe them: a transfer curve per channel and a matrix from
// linear RGB to CIE XYZ (D65).
type rgbSpace struct {
	name   string
	toXYZ  [3][3]float64
	decode func(float64) float64 // encoded -> linear
	encode func(float64) float64 // linear -> encoded
}

func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func srgbEncode(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

var (
	srgbToXYZ = [3][3]float64{{0.4124564, 0.3575761, 0.1804375}, {0.2126729, 0.7151522, 0.0721750}, {0.0193339, 0.1191920, 0.9503041}}
	xyzToSRGB = [3][3]float64{{3.2404542, -1.5371385, -0.4985314}, {-0.9692660, 1.8760108, 0.0415560}, {0.0556434, -0.2040259, 1.0572252}}

	adobeRGB = rgbSpace{
		name:   "Adobe RGB (1998)",
		toXYZ:  [3][3]float64{{0.5767309, 0.1855540, 0.1881852}, {0.2973769, 0.6273491, 0.0752741}, {0.0270343, 0.0706872, 0.9911085}},
		decode: func(v float64) float64 { return math.Pow(v, 563.0/256) },
		encode: func(v float64) float64 { return math.Pow(v, 256.0/563) },
	}
	displayP3 = rgbSpace{
		name:   "Display P3",
		toXYZ:  [3][3]float64{{0.4865709, 0.2656677, 0.1982173}, {0.2289746, 0.6917385, 0.0792869}, {0, 0.0451134, 1.0439444}},
		decode: srgbDecode,
		encode: srgbEncode,
	}
)

func mul(m [3][3]float64, v [3]float64) [3]float64 {
	var o [3]float64
	for i := range 3 {
		o[i] = m[i][0]*v[0] + m[i][1]*v[1] + m[i][2]*v[2]
	}
	return o
}

func inv3(m [3][3]float64) [3][3]float64 {
	a, b, c := m[0][0], m[0][1], m[0][2]
	d, e, f := m[1][0], m[1][1], m[1][2]
	g, h, i := m[2][0], m[2][1], m[2][2]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return [3][3]float64{
		{(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det},
		{(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det},
		{(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det},
	}
}

func to8(v float64) uint8 { return uint8(math.Round(255 * math.Min(1, math.Max(0, v)))) }

// convert maps every pixel of m from space from to space to (nil: sRGB).
func convert(m image.Image, from, to *rgbSpace) *image.NRGBA {
	dec, enc := srgbDecode, srgbEncode
	fwd, back := srgbToXYZ, xyzToSRGB
	if from != nil {
		dec, fwd = from.decode, from.toXYZ
	}
	if to != nil {
		enc, back = to.encode, inv3(to.toXYZ)
	}
	b := m.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := color.NRGBAModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			lin := [3]float64{dec(float64(c.R) / 255), dec(float64(c.G) / 255), dec(float64(c.B) / 255)}
			v := mul(back, mul(fwd, lin))
			out.SetNRGBA(x, y, color.NRGBA{to8(enc(v[0])), to8(enc(v[1])), to8(enc(v[2])), 255})
		}
	}
	return out
}

// iccProfile writes a small but well-formed ICC v2 display profile for
// the space: header, description, white point, colorants and one gamma
// curve per channel. Only its bytes matter to the pipeline (it must
// reach the output unchanged); the conversions above are what a
// colour-managing browser does with it.
func iccProfile(s rgbSpace) []byte {
	type tag struct {
		sig  string
		data []byte
	}
	xyz := func(x, y, z float64) []byte {
		b := []byte("XYZ \x00\x00\x00\x00")
		for _, v := range []float64{x, y, z} {
			b = binary.BigEndian.AppendUint32(b, uint32(int32(math.Round(v*65536))))
		}
		return b
	}
	// The transfer curve as a 1024-entry table of the space's decoding.
	curv := binary.BigEndian.AppendUint32([]byte("curv\x00\x00\x00\x00"), 1024)
	for i := range 1024 {
		curv = binary.BigEndian.AppendUint16(curv, uint16(math.Round(65535*s.decode(float64(i)/1023))))
	}
	desc := []byte("desc\x00\x00\x00\x00")
	desc = binary.BigEndian.AppendUint32(desc, uint32(len(s.name)+1))
	desc = append(append(desc, s.name...), 0)
	desc = append(desc, make([]byte, 4+4+2+1+67)...)
	// Colorants adapted to the D50 connection space (Bradford).
	brad := [3][3]float64{{1.0478112, 0.0228866, -0.0501270}, {0.0295424, 0.9904844, -0.0170491}, {-0.0092345, 0.0150436, 0.7521316}}
	var col [3][]byte
	for i := range 3 {
		v := mul(brad, [3]float64{s.toXYZ[0][i], s.toXYZ[1][i], s.toXYZ[2][i]})
		col[i] = xyz(v[0], v[1], v[2])
	}
	tags := []tag{{"desc", desc}, {"wtpt", xyz(0.9642, 1, 0.8249)}, {"rXYZ", col[0]}, {"gXYZ", col[1]}, {"bXYZ", col[2]},
		{"rTRC", curv}, {"gTRC", curv}, {"bTRC", curv}, {"cprt", []byte("text\x00\x00\x00\x00made by imgproxy tests\x00")}}
	off := 128 + 4 + 12*len(tags)
	var table, data []byte
	table = binary.BigEndian.AppendUint32(table, uint32(len(tags)))
	for _, t := range tags {
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
		table = append(table, t.sig...)
		table = binary.BigEndian.AppendUint32(table, uint32(off+len(data)))
		table = binary.BigEndian.AppendUint32(table, uint32(len(t.data)))
		data = append(data, t.data...)
	}
	h := make([]byte, 128)
	binary.BigEndian.PutUint32(h[0:], uint32(128+len(table)+len(data)))
	copy(h[8:], "\x02\x10\x00\x00mntrRGB XYZ ")
	copy(h[36:], "acsp")
	copy(h[68:], xyz(0.9642, 1, 0.8249)[8:])
	return append(append(h, table...), data...)
}

// withICC inserts the profile as one APP2 ICC_PROFILE segment after SOI.
func withICC(jpg, icc []byte) []byte {
	seg := append([]byte("ICC_PROFILE\x00\x01\x01"), icc...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE2, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// jpegICC reassembles the APP2 ICC_PROFILE chunks of a JPEG (test-side,
// independent of the decoder's own extractor).
func jpegICC(t testing.TB, b []byte) []byte {
	t.Helper()
	var icc []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xFF && b[i+1] != 0xDA; {
		n := int(b[i+2])<<8 | int(b[i+3])
		seg := b[i+4 : i+2+n]
		if b[i+1] == 0xE2 && bytes.HasPrefix(seg, []byte("ICC_PROFILE\x00")) {
			icc = append(icc, seg[14:]...)
		}
		i += 2 + n
	}
	return icc
}

// TestICCProfile: a photo in Adobe RGB or Display P3 with its profile
// embedded gives a thumbnail that, viewed colour-managed as a browser
// does, matches the colour-managed original as well as a plain sRGB
// photo's thumbnail matches its original: PSNR at least the sRGB one
// minus 1 dB. By default the thumbnail is converted to sRGB (and carries
// no profile); with KeepICC it carries the source's profile unchanged
// (and loses up to 3 dB: lossy errors made in the wide gamut grow on
// conversion), while viewing it without the profile (what dropping it
// would do) falls far below. A profile we cannot convert (no matrix/TRC
// tags) is kept.
func TestICCProfile(t *testing.T) {
	t.Parallel()
	srgb := photo(640, 400)
	thumb := func(r *BildResizer, data []byte, opts Options) (*Image, image.Image) {
		img, err := r.Resize(context.Background(), &Source{Data: data}, opts)
		require.NoError(t, err)
		m, _, err := image.Decode(bytes.NewReader(img.Data))
		require.NoError(t, err)
		return img, m
	}
	outICC := func(img *Image) []byte {
		if img.ContentType == "image/png" {
			md, err := pngmeta.Read(img.Data)
			require.NoError(t, err)
			return md.ICC
		}
		return jpegICC(t, img.Data)
	}
	box := Options{Width: 160, Height: 160}
	plainSrc := encodeJPEG(t, srgb, 95)
	plainOrig, err := jpeg.Decode(bytes.NewReader(plainSrc))
	require.NoError(t, err)
	_, plain := thumb(&BildResizer{}, plainSrc, box)
	base := resample.PSNR(plain, resample.Reference(plainOrig, 160, 100))
	for _, space := range []rgbSpace{adobeRGB, displayP3} {
		profile := iccProfile(space)
		src := withICC(encodeJPEG(t, convert(srgb, nil, &space), 95), profile)
		// The colour-managed original: the source decoded and converted
		// to sRGB as a browser shows it, then the float reference resize.
		orig, err := jpeg.Decode(bytes.NewReader(src))
		require.NoError(t, err)
		ref := resample.Reference(convert(orig, &space, nil), 160, 100)
		for _, opts := range []Options{box, {Width: 160, Height: 160, Format: FormatPNG}} {
			t.Run(space.name+"/"+opts.String(), func(t *testing.T) {
				img, m := thumb(&BildResizer{}, src, opts)
				assert.Empty(t, outICC(img), "converted to sRGB: no profile")
				converted := resample.PSNR(m, ref)

				kimg, km := thumb(&BildResizer{KeepICC: true}, src, opts)
				require.Equal(t, profile, outICC(kimg), "KeepICC: the profile reaches the output unchanged")
				managed := resample.PSNR(convert(km, &space, nil), ref)
				unmanaged := resample.PSNR(km, ref)
				t.Logf("%s: sRGB photo %.2f dB; converted %.2f dB; kept %.2f dB managed, %.2f dB unmanaged",
					space.name, base, converted, managed, unmanaged)
				assert.GreaterOrEqual(t, converted, base-1)
				assert.GreaterOrEqual(t, managed, base-3)
				assert.Less(t, unmanaged, base-3, "the test picture must show a missing profile")

				odd := bytes.Replace(profile, []byte("rXYZ"), []byte("zXYZ"), 1)
				img, _ = thumb(&BildResizer{}, withICC(encodeJPEG(t, convert(srgb, nil, &space), 95), odd), opts)
				assert.Equal(t, odd, outICC(img), "a profile that cannot be converted is kept")
			})
		}
	}
	t.Run("CMYK profiles are not put on RGB output", func(t *testing.T) {
		t.Parallel()
		cmyk := iccProfile(adobeRGB)
		copy(cmyk[16:], "CMYK")
		img, _ := thumb(&BildResizer{}, withICC(encodeJPEG(t, srgb, 90), cmyk), box)
		assert.Empty(t, jpegICC(t, img.Data))
	})
}
