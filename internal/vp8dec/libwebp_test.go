package vp8dec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/corpus"
)

// TestMatchesLibwebp decodes cwebp's output over a matrix of encoder
// settings and sizes and requires the planes dwebp writes, sample for
// sample, with the loop filter and without.
func TestMatchesLibwebp(t *testing.T) {
	t.Parallel()
	type tc struct {
		kind string
		w, h int
		args string
	}
	var cases []tc
	for _, a := range []string{
		"-q 75", "-q 0", "-q 100", "-q 30 -m 0", "-q 90 -m 6", "-q 50 -m 2 -segments 1",
		"-q 60 -segments 2 -sns 100", "-q 40 -segments 3 -sns 0", "-q 70 -segments 4 -f 100 -sharpness 7",
		"-q 80 -f 60 -sharpness 3 -strong", "-q 50 -nostrong -f 40", "-q 50 -f 0", "-q 20 -partition_limit 100",
		"-q 50 -pass 6 -size 3000", "-q 75 -af", "-q 95 -sharpness 5 -f 80", "-q 10 -sns 80 -segments 4",
		"-q 50 -mt -partition_limit 50", "-q 75 -preset photo", "-q 75 -preset text", "-q 75 -preset icon",
	} {
		cases = append(cases, tc{"photo", 320, 240, a})
	}
	for _, s := range [][2]int{{1, 1}, {2, 3}, {15, 17}, {16, 16}, {33, 7}, {101, 77}, {255, 129}} {
		cases = append(cases, tc{"photo", s[0], s[1], "-q 60"}, tc{"flat", s[0], s[1], "-q 85 -f 50"})
	}
	for _, a := range []string{"-q 100", "-q 75 -segments 4", "-q 5 -f 100 -strong", "-q 90 -sns 0 -f 0"} {
		cases = append(cases, tc{"noise", 96, 80, a})
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%dx%d/%s", c.kind, c.w, c.h, strings.ReplaceAll(c.args, " ", "")), func(t *testing.T) {
			t.Parallel()
			file := cwebp(t, picture(t, c.kind, c.w, c.h), strings.Fields(c.args)...)
			compareWithDwebp(t, file)
		})
	}
}

// compareWithDwebp requires our planes to equal dwebp's, filtered and not.
func compareWithDwebp(t *testing.T, file []byte) {
	t.Helper()
	for _, nofilter := range []bool{false, true} {
		wy, wu, wv := dwebpYUV(t, file, nofilter)
		m := decodeFile(t, file, Options{SkipLoopFilter: nofilter})
		gy, gu, gv := planes(m)
		w := m.Rect.Dx()
		name := map[bool]string{false: "filtered", true: "unfiltered"}[nofilter]
		requireSamePlanes(t, name+" Y", wy, gy, w)
		requireSamePlanes(t, name+" U", wu, gu, (w+1)/2)
		requireSamePlanes(t, name+" V", wv, gv, (w+1)/2)
	}
}

// TestCorpusMatchesLibwebp does the same on the corpus's WebP files.
func TestCorpusMatchesLibwebp(t *testing.T) {
	t.Parallel()
	for _, f := range corpus.Files(t, "*.webp") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			compareWithDwebp(t, b)
		})
	}
}
