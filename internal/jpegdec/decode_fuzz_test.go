package jpegdec

import (
	"bytes"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unsafe"
)

// FuzzDecode checks that no input makes Decode or DecodeConfig panic or
// hang, at every scale and with and without Options.Approximate, and that
// successful decodes have the promised bounds and image type (and that
// Metadata accepts them). Seeds: testdata files (including CMYK, YCCK,
// RGB, DHT-less and arithmetic-coded ones) and small generated JPEGs,
// including 4-component files with odd sampling factors and
// non-interleaved scans, and arithmetic-coded ones (sequential,
// progressive, with restarts) when jpegtran is installed.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jpg")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, sz := range [][2]int{{1, 1}, {9, 7}, {33, 17}} {
		f.Add(encodeJPEG(f, synthImage(sz[0], sz[1], 5), 75))
		g := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
		f.Add(encodeJPEG(f, g, 90))
	}
	for _, hv := range [][]byte{{0x12, 0x21, 0x11, 0x22}, {0x22, 0x11, 0x11, 0x11}} {
		ps := convPlanes(kCMYKAdobe, 19, 13)
		f.Add(convEncode(kCMYKAdobe, 19, 13, ps, hv, 8, false, false))
		f.Add(convEncode(kCMYKAdobe, 19, 13, ps, hv, 8, false, true))
		f.Add(convEncode(kCMYKAdobe, 19, 13, ps, hv, 8, true, false))
	}
	if _, err := exec.LookPath("jpegtran"); err == nil { // arithmetic coding (see arith_test.go)
		dir := f.TempDir()
		for _, src := range [][]byte{encodeJPEG(f, synthImage(33, 17, 5), 75), encodeJPEG(f, grayImage(synthImage(9, 7, 5)), 90)} {
			for _, args := range [][]string{{"-arithmetic"}, {"-arithmetic", "-progressive"},
				{"-arithmetic", "-restart", "1"}, {"-arithmetic", "-progressive", "-restart", "1"}} {
				f.Add(transcode(f, dir, src, args...))
			}
		}
	}
	// 512x512 at most: larger frames only cost time (every decode
	// visits all blocks even without data), which the shared fuzzing
	// machine does not have.
	opts := &Options{MaxPixels: 1 << 18}
	approx := &Options{MaxPixels: 1 << 18, Approximate: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := DecodeConfig(data)
		for _, s := range []int{1, 2, 4, 8, -2, -4} {
			// -2 and -4: scale 2 and 4 with Options.Approximate (it has
			// no effect at 1 and 8).
			o := opts
			if s < 0 {
				s, o = -s, approx
			}
			img, err := Decode(data, s, o)
			if err != nil {
				continue
			}
			if cfgErr != nil {
				t.Fatalf("Decode ok but DecodeConfig failed: %v", cfgErr)
			}
			if _, err := Metadata(data); err != nil {
				t.Fatalf("Decode ok but Metadata failed: %v", err)
			}
			if _, ok := img.(*image.RGBA); ok != cfg.RGBA {
				t.Fatalf("%T for colour space %v (Config.RGBA %v)", img, cfg.ColorSpace, cfg.RGBA)
			}
			if cfg.RGBA != (cfg.ColorSpace != ColorGray && (cfg.ColorSpace != ColorYCbCr || !standardRatio(data))) {
				t.Fatalf("Config.RGBA %v for colour space %v", cfg.RGBA, cfg.ColorSpace)
			}
			want := image.Rect(0, 0, ceilDiv(cfg.Width, s), ceilDiv(cfg.Height, s))
			if img.Bounds() != want {
				t.Fatalf("scale %d (approximate %v): bounds %v, want %v", s, o.Approximate, img.Bounds(), want)
			}
		}
	})
}

// standardRatio reports whether a YCbCr frame's sampling factors are
// one of image.YCbCr's six ratios, read from the frame header again.
func standardRatio(data []byte) bool {
	d := decoder{walker: walker{data: data}}
	if err := d.readHeaders(true); err != nil {
		return false
	}
	_, err := d.subsampling()
	return err == nil
}

// FuzzMetadata checks that Metadata never panics, that EXIF and a
// single-chunk ICC are slices of the input, that ICC is never longer
// than the input, and that it agrees with DecodeConfig. Seeds: testdata
// files and files with EXIF and (split) ICC segments.
func FuzzMetadata(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jpg")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	base := encodeJPEG(f, synthImage(9, 7, 2), 75)
	seg := func(parts ...[]byte) []byte {
		return append(append([]byte{0xFF, mSOI}, bytes.Join(parts, nil)...), base[2:]...)
	}
	f.Add(seg(app(mAPP1, []byte("Exif\x00\x00MM\x00*"))))
	f.Add(seg(iccSeg(2, 2, "def"), app(mAPP1, []byte("Exif\x00\x00II*\x00")), iccSeg(1, 2, "0123456789abcdefCMYK")))
	f.Add(seg(iccSeg(1, 1, "0123456789abcdefRGB ")))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Metadata(data)
		if err != nil {
			return
		}
		cfg, cfgErr := DecodeConfig(data)
		if cfgErr == nil && cfg != m.Config {
			t.Fatalf("Metadata config %+v, DecodeConfig %+v", m.Config, cfg)
		}
		if m.EXIF != nil && !within(data, m.EXIF) {
			t.Fatal("EXIF is not a slice of the input")
		}
		if len(m.ICC) > len(data) {
			t.Fatalf("ICC of %d bytes from %d bytes of input", len(m.ICC), len(data))
		}
		if (len(m.ICC) >= 20) != (m.ICCColorSpace != "") {
			t.Fatalf("ICCColorSpace %q for a %d-byte profile", m.ICCColorSpace, len(m.ICC))
		}
	})
}

// within reports whether s lies inside the memory of data.
func within(data, s []byte) bool {
	if len(s) == 0 {
		return true
	}
	p := uintptr(unsafe.Pointer(&s[0]))
	b := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	return p >= b && p+uintptr(len(s)) <= b+uintptr(len(data))
}
