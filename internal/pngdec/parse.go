package pngdec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/color"

	"github.com/imgproxy-go/imgproxy/internal/pngmeta"
)

// ErrFormat is what every error of this package wraps: the data is not
// a PNG file this package decodes (malformed, truncated, or a feature the
// specification allows but image/png refuses too).
var ErrFormat = errors.New("pngdec: invalid PNG")

func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

const signature = "\x89PNG\r\n\x1a\n"

// PNG is a parsed file: its header, palette and transparency, and where
// its image data lies. Parse fills it; its pixels are decoded on demand.
type PNG struct {
	// Width and Height are the size in pixels, at least 1.
	Width, Height int
	// Depth is the bit depth: 1, 2, 4, 8 or 16.
	Depth int
	// ColorType is 0 (grey), 2 (RGB), 3 (palette), 4 (grey and alpha)
	// or 6 (RGB and alpha).
	ColorType int
	// Interlaced reports Adam7 interlacing.
	Interlaced bool

	// palette holds 256 entries: those of PLTE (alpha from tRNS), then
	// opaque black, or black with a tRNS alpha past the end of PLTE.
	palette color.Palette
	palLen  int      // PLTE entries, extended by a longer tRNS
	trns    bool     // a tRNS chunk on a grey or RGB picture
	trnsKey [6]byte  // its sample values, as stored
	idat    [][]byte // the data of the first run of IDAT chunks
	idatEnd bool     // that run is over: later IDAT chunks are ignored
}

// chunk order stages, as image/png enforces them.
const (
	stageIHDR = iota + 1
	stagePLTE
	stageTRNS
	stageIDAT
	stageIEND
)

// Parse checks data's signature, chunk framing, CRCs and chunk order
// up to IEND and reads IHDR, PLTE and tRNS. A critical chunk with a bad
// CRC is an error; an ancillary one (tRNS included) is discarded, as if
// it were absent: libpng's default, so a file that nginx's image_filter
// (libgd on libpng) shows with a damaged text or colour chunk is not
// refused. It allocates nothing that
// depends on the picture's size; other chunks (metadata) are left to
// internal/pngmeta. Data after IEND is ignored.
func Parse(data []byte) (*PNG, error) {
	if len(data) < len(signature) || string(data[:len(signature)]) != signature {
		return nil, formatError("not a PNG file")
	}
	p := &PNG{}
	stage := 0
	for off := len(signature); stage != stageIEND; {
		if len(data)-off < 12 {
			return nil, formatError("truncated chunk")
		}
		n := binary.BigEndian.Uint32(data[off:])
		typ := string(data[off+4 : off+8])
		if n > 0x7fffffff || int64(n) > int64(len(data)-off-12) {
			return nil, formatError("truncated %q chunk", typ)
		}
		body := data[off+8 : off+8+int(n)]
		crcOK := crc32.ChecksumIEEE(data[off+4:off+8+int(n)]) == binary.BigEndian.Uint32(data[off+8+int(n):])
		off += 12 + int(n)
		if !crcOK {
			if ancillary(typ) {
				continue // discarded, as libpng does by default
			}
			return nil, formatError("bad CRC in %q", typ)
		}
		var err error
		stage, err = p.chunk(stage, typ, body)
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ancillary reports whether a chunk type has the ancillary bit (bit 5 of
// its first byte) set: a chunk a decoder may do without.
func ancillary(typ string) bool { return typ[0]&0x20 != 0 }

// chunk interprets one chunk at the given stage and returns the next.
func (p *PNG) chunk(stage int, typ string, body []byte) (int, error) {
	paletted := p.ColorType == 3
	switch typ {
	case "IHDR":
		if stage != 0 {
			return 0, formatError("chunk out of order: IHDR")
		}
		return stageIHDR, p.ihdr(body)
	case "PLTE":
		if stage != stageIHDR {
			return 0, formatError("chunk out of order: PLTE")
		}
		return stagePLTE, p.plte(body)
	case "tRNS":
		ok := stage == stageIHDR
		if paletted {
			ok = stage == stagePLTE
		} else if p.ColorType == 2 {
			ok = ok || stage == stagePLTE
		}
		if !ok {
			return 0, formatError("chunk out of order: tRNS")
		}
		return stageTRNS, p.tRNS(body)
	case "IDAT":
		if stage < stageIHDR || stage > stageIDAT || (stage == stageIHDR && paletted) {
			return 0, formatError("chunk out of order: IDAT")
		}
		if p.idatEnd {
			return stage, nil // a later IDAT, after another chunk: ignored
		}
		p.idat = append(p.idat, body)
		return stageIDAT, nil
	case "IEND":
		if stage != stageIDAT {
			return 0, formatError("chunk out of order: IEND")
		}
		if len(body) != 0 {
			return 0, formatError("bad IEND length")
		}
		return stageIEND, nil
	}
	if stage == 0 {
		return 0, formatError("chunk out of order: %q before IHDR", typ)
	}
	if stage == stageIDAT {
		p.idatEnd = true // as image/png, which ignores later IDAT chunks
	}
	return stage, nil
}

func (p *PNG) ihdr(b []byte) error {
	if len(b) != 13 {
		return formatError("bad IHDR length")
	}
	w, h := binary.BigEndian.Uint32(b[0:]), binary.BigEndian.Uint32(b[4:])
	if w == 0 || h == 0 || w > 0x7fffffff || h > 0x7fffffff {
		return formatError("bad size %dx%d", w, h)
	}
	if int64(w)*int64(h) > 1<<60 {
		return formatError("size overflow %dx%d", w, h)
	}
	p.Width, p.Height, p.Depth, p.ColorType = int(w), int(h), int(b[8]), int(b[9])
	if !pngmeta.ValidDepth(p.ColorType, p.Depth) {
		return formatError("bit depth %d, colour type %d", p.Depth, p.ColorType)
	}
	if b[10] != 0 || b[11] != 0 {
		return formatError("compression method %d, filter method %d", b[10], b[11])
	}
	if b[12] > 1 {
		return formatError("interlace method %d", b[12])
	}
	p.Interlaced = b[12] == 1
	return nil
}

func (p *PNG) plte(b []byte) error {
	np := len(b) / 3
	if len(b)%3 != 0 || np == 0 || np > 256 || np > 1<<p.Depth {
		return formatError("bad PLTE length")
	}
	switch p.ColorType {
	case 3:
	case 2, 6:
		return nil // a suggested palette: ignored
	default:
		return formatError("PLTE in colour type %d", p.ColorType)
	}
	p.palette = make(color.Palette, 256)
	for i := range p.palette {
		c := color.RGBA{A: 0xff}
		if i < np {
			c.R, c.G, c.B = b[3*i], b[3*i+1], b[3*i+2]
		}
		p.palette[i] = c
	}
	p.palLen = np
	return nil
}

func (p *PNG) tRNS(b []byte) error {
	switch p.ColorType {
	case 0, 2:
		want := 2
		if p.ColorType == 2 {
			want = 6
		}
		if len(b) != want {
			return formatError("bad tRNS length")
		}
		copy(p.trnsKey[:], b)
		p.trns = true
	case 3:
		if len(b) > 256 {
			return formatError("bad tRNS length")
		}
		for i, a := range b {
			c := p.palette[i].(color.RGBA)
			p.palette[i] = color.NRGBA{R: c.R, G: c.G, B: c.B, A: a}
		}
		p.palLen = max(p.palLen, len(b))
	default:
		return formatError("tRNS in colour type %d", p.ColorType)
	}
	return nil
}
