package jpegdec

import (
	"fmt"
	"testing"
)

// BenchmarkArith decodes a generated 2048x1536 picture (4:2:0, quality
// 85) at 1/1 and 1/8, Huffman-coded and transcoded to arithmetic coding
// by jpegtran (the same coefficients), sequential and progressive.
func BenchmarkArith(b *testing.B) {
	needTool(b, "jpegtran")
	src := encodeJPEG(b, synthImage(2048, 1536, 21), 85)
	dir := b.TempDir()
	for _, mode := range []string{"sequential", "progressive"} {
		var args []string
		if mode == "progressive" {
			args = []string{"-progressive"}
		}
		files := map[string][]byte{
			"huffman":    transcode(b, dir, src, args...),
			"arithmetic": transcode(b, dir, src, append([]string{"-arithmetic"}, args...)...),
		}
		for _, coding := range []string{"huffman", "arithmetic"} {
			for _, s := range []int{1, 8} {
				b.Run(fmt.Sprintf("%s/%s/scale=%d", mode, coding, s), func(b *testing.B) {
					benchDecode(b, files[coding], s)
				})
			}
		}
	}
}
