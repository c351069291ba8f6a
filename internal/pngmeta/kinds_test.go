package pngmeta

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"
)

// pngKinds lists every colour type and allowed bit depth, each with and
// (for grey, RGB and palette) without tRNS.
func pngKinds() []testPNG {
	depths := map[int][]int{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
	var kinds []testPNG
	for _, ct := range []int{0, 2, 3, 4, 6} {
		for _, d := range depths[ct] {
			p := testPNG{depth: d, ct: ct}
			if ct == 3 {
				n := 1 << d
				if d == 8 {
					n = 200 // a palette shorter than 2^depth
				}
				for i := range n {
					p.plte = append(p.plte, color.RGBA{byte(i * 37), byte(255 - i*11), byte(i * 5), 255})
				}
			}
			kinds = append(kinds, p)
			switch ct {
			case 0:
				t := p
				v := uint16(1<<d - 1) // white is transparent
				t.trns = []byte{byte(v >> 8), byte(v)}
				kinds = append(kinds, t)
			case 2:
				t := p
				t.trns = []byte{0, 0x11, 0, 0x22, 0, 0x33}
				kinds = append(kinds, t)
			case 3:
				t := p
				// Shorter than the palette: the remaining entries are opaque.
				for i := range max(1, len(p.plte)-1) {
					t.trns = append(t.trns, byte(i*97))
				}
				kinds = append(kinds, t)
			}
		}
	}
	return kinds
}

// TestStdlibDecodesEveryKind documents what the pipeline relies on:
// image/png decodes every colour type and bit depth, interlaced or not,
// with tRNS for grey, RGB and palette images, to the exact intended
// colours (compared as 16-bit premultiplied RGBA). Sizes 1x1 and 3x2 leave
// some Adam7 passes empty.
func TestStdlibDecodesEveryKind(t *testing.T) {
	t.Parallel()
	for _, k := range pngKinds() {
		for _, il := range []bool{false, true} {
			for _, sz := range [][2]int{{13, 11}, {1, 1}, {3, 2}} {
				p := k
				p.interlace, p.w, p.h = il, sz[0], sz[1]
				name := fmt.Sprintf("ct%d/d%d/trns=%t/interlace=%t/%dx%d", p.ct, p.depth, p.trns != nil, il, p.w, p.h)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					data := p.encode(t)
					img, err := png.Decode(bytes.NewReader(data))
					require.NoError(t, err)
					require.Equal(t, p.w, img.Bounds().Dx())
					require.Equal(t, p.h, img.Bounds().Dy())
					for y := range p.h {
						for x := range p.w {
							wr, wg, wb, wa := p.want(x, y).RGBA()
							gr, gg, gb, ga := img.At(x, y).RGBA()
							require.Equal(t, [4]uint32{wr, wg, wb, wa}, [4]uint32{gr, gg, gb, ga}, "pixel %d,%d", x, y)
						}
					}
					m, err := Read(data)
					require.NoError(t, err)
					require.Equal(t, Meta{
						Width: p.w, Height: p.h, BitDepth: p.depth, ColorType: p.ct,
						Interlaced: il, HasTRNS: p.trns != nil,
					}, m)
				})
			}
		}
	}
}
