package icc

import (
	"image"
	"testing"
)

func BenchmarkApply(b *testing.B) {
	tr := adobeTransform(b)
	sizes := []struct {
		name string
		w, h int
	}{{"160x100", 160, 100}, {"640x480", 640, 480}}
	for _, sz := range sizes {
		r := image.Rect(0, 0, sz.w, sz.h)
		kinds := []struct {
			name string
			m    image.Image
		}{
			{"RGBA", toRGBA(noise(r, 1, 255))},
			{"RGBA-alpha", toRGBA(noise(r, 1, 255, 128))},
			{"NRGBA", noise(r, 1, 255)},
			{"YCbCr", image.NewYCbCr(r, image.YCbCrSubsampleRatio420)},
		}
		for _, k := range kinds {
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					tr.Apply(k.m)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sz.w*sz.h), "ns/px")
			})
		}
	}
}

func BenchmarkParseToSRGB(b *testing.B) {
	data := p3Profile().encode()
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.ToSRGB(); err != nil {
			b.Fatal(err)
		}
	}
}
