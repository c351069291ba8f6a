package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// gen writes the soak's files under -out:
//
//	valid/    pictures to make thumbnails of: drawn here, the repository's
//	          samples/ and, if -corpus names a directory, its pictures of
//	          at most 5 MB (the larger ones would turn the soak into a
//	          benchmark of one decode)
//	hostile/  every body of internal/hostile
//	big/      noise.png, a 16 MB picture that does not compress: what
//	          clients that never read ask for
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write to (required)")
	samples := fs.String("samples", "samples", "the repository's samples directory")
	corpus := fs.String("corpus", "", "optional directory of more pictures (../shared/corpus)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("gen: -out is required")
	}
	files := map[string][]byte{
		"valid/drawn-2048x1536-progressive.jpg": hostile.ValidJPEG(2048, 1536, true),
		"valid/drawn-800x600.jpg":               hostile.ValidJPEG(800, 600, false),
		"valid/drawn-1024x768.png":              hostile.ValidPNG(1024, 768),
		"valid/drawn-320x240-animated.gif":      hostile.ValidGIF(320, 240, 10),
		"valid/drawn-1024x768.webp":             hostile.WebPChecker(1024, 768),
		"big/noise.png":                         noisePNG(2048, 2048),
	}
	for _, c := range hostile.Cases() {
		files["hostile/"+c.Name] = c.Body
	}
	for _, dir := range []string{*samples, *corpus} {
		if err := addPictures(files, dir); err != nil {
			return err
		}
	}
	for name, b := range files {
		p := filepath.Join(*out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// addPictures adds dir's JPEG, PNG, GIF and WebP files of at most 5 MB
// to files, under valid/. A dir that is empty or missing adds nothing.
func addPictures(files map[string][]byte, dir string) error {
	if dir == "" {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.Type().IsRegular() || !strings.Contains(".jpg.jpeg.png.gif.webp", ext) || ext == "" {
			continue
		}
		if fi, err := e.Info(); err != nil || fi.Size() > 5<<20 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		files["valid/"+e.Name()] = b
	}
	return nil
}

// noisePNG is a w x h opaque picture of xorshift noise, which no PNG
// filter compresses: about 4 bytes per pixel.
func noisePNG(w, h int) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint64(0x2545F4914F6CDD1D)
	for i := range m.Pix {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		m.Pix[i] = byte(x >> 24)
		if i&3 == 3 {
			m.Pix[i] = 255
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
