package imgproxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		want  Options
		canon string // "" means in is canonical
	}{
		{in: "150x150", want: Options{Width: 150, Height: 150}},
		{in: "150x-", want: Options{Width: 150}},
		{in: "-x100", want: Options{Height: 100}},
		{in: "-x-", want: Options{}},
		{in: "150x150,crop", want: Options{Width: 150, Height: 150, Fit: FitCrop}},
		{in: "300x200,r90", want: Options{Width: 300, Height: 200, Rotate: 90}},
		{in: "300x200,r180", want: Options{Width: 300, Height: 200, Rotate: 180}},
		{in: "300x200,r270", want: Options{Width: 300, Height: 200, Rotate: 270}},
		{in: "640x480,q60", want: Options{Width: 640, Height: 480, Quality: 60}},
		{in: "640x480,q1", want: Options{Width: 640, Height: 480, Quality: 1}},
		{in: "640x480,q100", want: Options{Width: 640, Height: 480, Quality: 100}},
		{in: "640x480,png", want: Options{Width: 640, Height: 480, Format: FormatPNG}},
		{in: "640x480,gif", want: Options{Width: 640, Height: 480, Format: FormatGIF}},
		{in: "16384x1", want: Options{Width: 16384, Height: 1}},
		{in: "150x150,crop,r180,q90,jpeg", want: Options{Width: 150, Height: 150, Fit: FitCrop, Rotate: 180, Quality: 90, Format: FormatJPEG}},
		{in: "640x480,webp", want: Options{Width: 640, Height: 480, Format: FormatWebP}},
		{in: "640x480,avif", want: Options{Width: 640, Height: 480, Format: FormatAVIF}},
		{in: "640x480,auto-webp", want: Options{Width: 640, Height: 480, Auto: [2]Format{FormatWebP}}},
		{in: "640x480,auto-avif-webp", want: Options{Width: 640, Height: 480, Auto: [2]Format{FormatAVIF, FormatWebP}}},
		{in: "640x480,auto-webp-avif", want: Options{Width: 640, Height: 480, Auto: [2]Format{FormatWebP, FormatAVIF}}},
		{in: "300x300,bg0a1bff", want: Options{Width: 300, Height: 300, Background: Color{R: 0x0a, G: 0x1b, B: 0xff, Valid: true}}},
		{in: "300x300,sh50", want: Options{Width: 300, Height: 300, Sharpen: 50}},
		{in: "300x300,sh500", want: Options{Width: 300, Height: 300, Sharpen: 500}},
		{in: "-x-,info", want: Options{Info: true}},
		{in: "150x150,crop,r90,q80,auto-webp,bg000000,sh20,info", want: Options{Width: 150, Height: 150, Fit: FitCrop, Rotate: 90, Quality: 80,
			Auto: [2]Format{FormatWebP}, Background: Color{Valid: true}, Sharpen: 20, Info: true}},
		{in: "150x150,sh20,bg000000,auto-webp,crop", want: Options{Width: 150, Height: 150, Fit: FitCrop, Auto: [2]Format{FormatWebP},
			Background: Color{Valid: true}, Sharpen: 20}, canon: "150x150,crop,auto-webp,bg000000,sh20"},
		{in: "150x150,jpeg,q90,r180,crop", want: Options{Width: 150, Height: 150, Fit: FitCrop, Rotate: 180, Quality: 90, Format: FormatJPEG}, canon: "150x150,crop,r180,q90,jpeg"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOptions(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			assert.Equal(t, canon, got.String())
			again, err := ParseOptions(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again)
		})
	}
}

func TestParseOptionsErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "x", "150", "150x", "x150", "axb", "150x150x1", "0x100", "100x0", "-0x1",
		"+1x1", "01x1", "1x01", " 1x1", "1x1 ", "16385x1", "99999999999x1", "1.5x2",
		"150x150,", ",150x150", "150x150,,crop", "150x150,CROP", "150x150,crop,crop",
		"150x150,r45", "150x150,r0", "150x150,r360", "150x150,r90,r180", "150x150,q0",
		"150x150,q101", "150x150,q", "150x150,q07", "150x150,q-1", "150x150,jpg",
		"150x150,webp,avif", "150x150,png,gif", "150x150,webp,auto-webp", "150x150,auto-", "150x150,auto-png",
		"150x150,auto-webp-webp", "150x150,auto-webp-avif-webp", "150x150,auto-webp,auto-avif", "150x150,bg", "150x150,bgFFFFFF",
		"150x150,bg12345", "150x150,bg1234567", "150x150,bgxyzxyz", "150x150,sh0", "150x150,sh501", "150x150,sh05", "150x150,info,info",
		"150x150,Info", "150x150,sh", "150x-,crop", "-x-,crop", "150x150,q50,q60",
		"150x150;crop", "150×150",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseOptions(in)
			require.Error(t, err)
			var oe *OptionsError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, 400, statusCode(err))
			assert.Contains(t, err.Error(), "imgproxy: bad options")
		})
	}
}

func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{"150x150", "150x-", "-x100", "150x150,crop,r90,q80,png", "150x150,auto-avif-webp,bg102030,sh40,info", "axb", "1x1,q1", "-x-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOptions(s)
		if err != nil {
			return
		}
		canon := o.String()
		o2, err := ParseOptions(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if o2 != o {
			t.Fatalf("ParseOptions(%q) = %+v, want %+v", canon, o2, o)
		}
		if o2.String() != canon {
			t.Fatalf("String not stable: %q vs %q", o2.String(), canon)
		}
	})
}

func TestFormat(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "image/jpeg", FormatJPEG.ContentType())
	assert.Equal(t, "image/webp", FormatWebP.ContentType())
	assert.Equal(t, "image/avif", FormatAVIF.ContentType())
	assert.Equal(t, "", FormatSource.ContentType())
	assert.Equal(t, "Format(9)", Format(9).String())
	assert.Equal(t, "", Format(9).ContentType())
}
