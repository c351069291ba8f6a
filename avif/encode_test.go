package avif

import (
	"bytes"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gavif "github.com/gen2brain/avif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// testICC is an n-byte (n >= 164) ICC v2 display profile with one tag,
// a D50 media white point, so that exiftool reads it.
func testICC(n int) []byte {
	icc := make([]byte, n)
	binary.BigEndian.PutUint32(icc, uint32(n))
	copy(icc[4:], "none")
	icc[8], icc[9] = 2, 0x10
	copy(icc[12:], "mntrRGB XYZ ")
	copy(icc[36:], "acsp")
	binary.BigEndian.PutUint32(icc[128:], 1) // tag count
	copy(icc[132:], "wtpt")
	binary.BigEndian.PutUint32(icc[136:], 144)
	binary.BigEndian.PutUint32(icc[140:], 20)
	copy(icc[144:], "XYZ ")
	for i, v := range []uint32{0xf6d6, 0x10000, 0xd32d} {
		binary.BigEndian.PutUint32(icc[152+4*i:], v)
	}
	return icc
}

func encode(t *testing.T, e *Encoder, p *picture.Picture) []byte {
	t.Helper()
	return codectest.Encode(t, e, p)
}

func TestEncode(t *testing.T) {
	t.Parallel()
	ycc := image.NewYCbCr(image.Rect(0, 0, 41, 31), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 100, 160
	}
	big := gradient(64, 48, false)
	tests := []struct {
		name    string
		m       image.Image
		icc     []byte
		minPSNR float64
	}{
		{"nrgba", gradient(40, 30, false), nil, 28},
		{"nrgba icc", gradient(40, 30, false), testICC(164), 28},
		{"alpha icc", gradient(40, 30, true), testICC(165), 28},
		{"ycbcr odd icc", ycc, testICC(200), 28},
		{"sub-image", big.SubImage(image.Rect(10, 8, 50, 38)), nil, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := encode(t, &Encoder{}, &picture.Picture{Image: tt.m, Meta: picture.Meta{ICC: tt.icc}})
			got, err := gavif.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Equal(t, tt.m.Bounds().Size(), got.Bounds().Size())
			assert.GreaterOrEqual(t, psnr(tt.m, got), tt.minPSNR)
			avifdec(t, out, tt.icc)
		})
	}
}

// avifdec decodes the file with libavif's avifdec (to Y4M: writing a
// PNG would have libpng vet our tag-less test profile) and checks with
// avifdec --info and exiftool that the ICC profile is there.
func avifdec(t *testing.T, data, icc []byte) {
	t.Helper()
	bin := tool(t, "avifdec")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.avif")
	require.NoError(t, os.WriteFile(in, data, 0o600))
	out, err := exec.Command(bin, in, filepath.Join(dir, "out.y4m")).CombinedOutput()
	require.NoError(t, err, "avifdec: %s", out)
	info, err := exec.Command(bin, "--info", in).CombinedOutput()
	require.NoError(t, err, "avifdec --info: %s", info)
	// Compare with runs of spaces collapsed.
	flat := strings.Join(strings.Fields(string(info)), " ")
	if icc == nil {
		assert.Contains(t, flat, "ICC Profile : Absent")
		return
	}
	assert.Contains(t, flat, "ICC Profile : Present ("+itoa(len(icc))+" bytes)")

	exif := tool(t, "exiftool")
	out, err = exec.Command(exif, "-b", "-ICC_Profile", in).Output()
	require.NoError(t, err, "exiftool -b -ICC_Profile")
	assert.Equal(t, icc, out, "exiftool -b -ICC_Profile")
	out, err = exec.Command(exif, "-icc_profile:all", in).CombinedOutput()
	require.NoError(t, err, "exiftool: %s", out)
	assert.Contains(t, string(out), "Display Device Profile")
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestEncodeFirstFrameOnly(t *testing.T) {
	t.Parallel()
	a, b := gradient(16, 16, false), gradient(16, 16, true)
	p := &picture.Picture{Image: a, Frames: []picture.Frame{{Image: a}, {Image: b}}}
	out := encode(t, &Encoder{}, p)
	all, err := gavif.DecodeAll(bytes.NewReader(out))
	require.NoError(t, err)
	require.Len(t, all.Image, 1)
	assert.GreaterOrEqual(t, psnr(a, all.Image[0]), 28.0)
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    *picture.Picture
	}{
		{"nil picture", nil},
		{"nil image", &picture.Picture{}},
		{"empty image", &picture.Picture{Image: image.NewNRGBA(image.Rect(0, 0, 3, 0))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := (&Encoder{}).Encode(&bytes.Buffer{}, tt.p, picture.EncodeOptions{})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "avif: "), err.Error())
		})
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	e := &Encoder{Quality: 50, Speed: 6}
	tests := []struct {
		e            *Encoder
		o            picture.EncodeOptions
		quality, spd int
	}{
		{&Encoder{}, picture.EncodeOptions{}, DefaultQuality, DefaultSpeed},
		{e, picture.EncodeOptions{}, 50, 6},
		{e, picture.EncodeOptions{Quality: 90}, 90, 6},
		{&Encoder{Speed: 40}, picture.EncodeOptions{Quality: 300}, 100, 10},
	}
	for _, tt := range tests {
		got := tt.e.options(tt.o)
		assert.Equal(t, tt.quality, got.Quality)
		assert.Equal(t, tt.spd, got.Speed)
	}
}

func TestConcurrentEncode(t *testing.T) {
	t.Parallel()
	p := &picture.Picture{Image: gradient(64, 64, true), Meta: picture.Meta{ICC: testICC(164)}}
	codectest.ConcurrentEncode(t, func() picture.Encoder { return &Encoder{} }, p, 4)
}
