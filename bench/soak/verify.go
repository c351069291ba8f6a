package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// verify walks a disk cache (the server stopped) and checks every entry
// the way the server would read it: through imgproxy.DiskCache.Get,
// which verifies the entry's key and checksum, then by decoding the
// image. The key is read from the entry file itself (offset 52, length
// at offset 12; see DiskCache's file format), so that any file in the
// tree is asked for. Corrupt entries fail the check (Get also removes
// them, as the server would).
func verify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dir := fs.String("cache", "", "the disk cache directory (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("verify: -cache is required")
	}
	keys, err := entryKeys(*dir)
	if err != nil {
		return err
	}
	c := &imgproxy.DiskCache{Dir: *dir, MaxSize: 1 << 40}
	defer c.Close()
	bad, byType := 0, map[string]int{}
	for path, key := range keys {
		img, ok := c.Get(context.Background(), key)
		if !ok {
			fmt.Printf("  corrupt entry %s (key %.60q)\n", path, key)
			bad++
			continue
		}
		if img.ContentType == sizeEntry {
			byType["source sizes (checksum only)"]++
			continue
		}
		if err := decodes(img); err != nil {
			fmt.Printf("  entry %s (%s) does not decode: %v\n", path, img.ContentType, err)
			bad++
			continue
		}
		byType[img.ContentType]++
	}
	fmt.Printf("disk cache: %d entries %v, %d bad\n", len(keys), byType, bad)
	word := "PASS"
	if bad > 0 || len(keys) == 0 {
		word = "FAIL"
	}
	fmt.Printf("%s  every disk cache entry decodes (%d of %d)\n", word, len(keys)-bad, len(keys))
	if word == "FAIL" {
		return fmt.Errorf("verify: %d bad entries of %d", bad, len(keys))
	}
	return nil
}

// entryKeys reads the key of every entry file under dir (tmp/ aside).
// A file too short to hold its key is listed under its path, so that Get
// misses and counts it as corrupt.
func entryKeys(dir string) (map[string]string, error) {
	keys := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == "tmp" && filepath.Dir(p) == filepath.Clean(dir) {
			return filepath.SkipDir
		}
		if !e.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		key := p
		if len(b) >= 52 {
			if n := int(binary.LittleEndian.Uint32(b[12:])); 52+n <= len(b) {
				key = string(b[52 : 52+n])
			}
		}
		keys[p] = key
		return nil
	})
	return keys, err
}

// sizeEntry is the type of the entries where the Handler remembers a
// source's size (canonical keys); they hold no picture.
const sizeEntry = "application/x-imgproxy-size"

// decodes decodes img's data with the decoder of its content type: every
// frame of a GIF, the first frame of an animated WebP (which
// golang.org/x/image/webp does not read).
func decodes(img *imgproxy.Image) error {
	dec := map[string]func(io.Reader) (image.Image, error){
		"image/jpeg": jpeg.Decode, "image/png": png.Decode, "image/gif": decodeGIF, "image/webp": decodeWebP,
	}[img.ContentType]
	if dec == nil {
		return fmt.Errorf("no decoder for %q", img.ContentType)
	}
	_, err := dec(bytes.NewReader(img.Data))
	return err
}

func decodeGIF(r io.Reader) (image.Image, error) {
	g, err := gif.DecodeAll(r)
	if err != nil {
		return nil, err
	}
	return g.Image[0], nil
}

func decodeWebP(r io.Reader) (image.Image, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	still, _, _, err := webpmeta.FirstFrame(b)
	if err != nil {
		return nil, err
	}
	return webp.Decode(bytes.NewReader(still))
}
