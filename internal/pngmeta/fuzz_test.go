package pngmeta

import (
	"bytes"
	"image/color"
	"testing"
)

func fuzzSeeds(f *testing.F) [][]byte {
	pal := []color.RGBA{{1, 2, 3, 255}, {200, 100, 50, 255}}
	seeds := [][]byte{
		stdlibPNG(f),
		(&testPNG{w: 3, h: 2, depth: 1, ct: 3, plte: pal, trns: []byte{7}, before: []rawChunk{
			iccpChunk(f, "icc", 0, []byte("profile")), {"sRGB", []byte{1}}, {"gAMA", []byte{0, 0, 0xb1, 0x8f}},
		}}).encode(f),
		(&testPNG{w: 5, h: 5, depth: 16, ct: 6, interlace: true, after: []rawChunk{{"eXIf", exifII}}}).encode(f),
		(&testPNG{w: 2, h: 2, depth: 8, ct: 0, trns: []byte{0, 9}, before: []rawChunk{{"eXIf", exifII}}}).encode(f),
	}
	return seeds
}

// FuzzRead checks that Read neither panics nor hangs, that what it accepts
// has a valid header, and that a profile it returns is within bounds.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(data)
		if err != nil {
			return
		}
		if m.Width < 1 || m.Height < 1 || !ValidDepth(m.ColorType, m.BitDepth) {
			t.Fatalf("accepted bad header %+v", m)
		}
		if len(m.ICC) > MaxICCSize {
			t.Fatalf("profile of %d bytes", len(m.ICC))
		}
	})
}

// FuzzInsertICC checks that InsertICC neither panics nor hangs, and that
// when it succeeds on a PNG that Read accepts, Read returns the inserted
// profile and the same header.
func FuzzInsertICC(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, []byte("a profile"))
	}
	f.Fuzz(func(t *testing.T, data, icc []byte) {
		out, err := InsertICC(data, icc)
		if err != nil {
			return
		}
		before, err := Read(data)
		if err != nil {
			return // e.g. no IDAT: InsertICC only copies chunks
		}
		after, err := Read(out)
		if err != nil {
			t.Fatalf("Read after InsertICC: %v", err)
		}
		if !bytes.Equal(after.ICC, icc) {
			t.Fatalf("profile not round-tripped")
		}
		if before.Width != after.Width || before.Height != after.Height || before.ColorType != after.ColorType {
			t.Fatalf("header changed: %+v -> %+v", before, after)
		}
	})
}
