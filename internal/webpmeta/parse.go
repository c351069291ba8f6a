package webpmeta

import (
	"encoding/binary"
	"fmt"
	"image"
)

// Info is what a WebP file says about itself.
type Info struct {
	// Width and Height are the canvas size: from the VP8X chunk, or from
	// the VP8/VP8L frame header of a simple file.
	Width, Height int
	// Alpha reports transparency: the VP8X alpha flag, an ALPH chunk, or
	// the alpha bit of a VP8L header (of any frame).
	Alpha bool
	// Animated reports the VP8X animation flag.
	Animated bool
	// Frames is the number of ANMF frames of an animation, 1 for a still.
	Frames int
	// Lossless reports that the image (for an animation, every frame) is
	// coded with the lossless VP8L bitstream.
	Lossless bool
	// ICC is the payload of the first ICCP chunk, nil if none.
	ICC []byte
	// EXIF is the raw payload of the first EXIF chunk, nil if none.
	EXIF []byte
	// LoopCount is the ANIM loop count: 0 forever, n > 0 n times.
	LoopCount int
}

// Parse reads the container of a WebP file and the headers of its
// bitstreams. ICC and EXIF alias data; nothing else is allocated.
func Parse(data []byte) (Info, error) {
	b, err := body(data)
	if err != nil {
		return Info{}, err
	}
	r := chunkReader{data: b}
	c, ok, err := r.next()
	if err != nil {
		return Info{}, err
	}
	if !ok {
		return Info{}, FormatError("no chunks")
	}
	switch c.fourCC {
	case fccVP8, fccVP8L:
		h, err := bitstreamHeader(c)
		if err != nil {
			return Info{}, err
		}
		return Info{Width: h.width, Height: h.height, Alpha: h.alpha, Frames: 1, Lossless: h.lossless}, nil
	case fccVP8X:
		return parseExtended(c.payload, &r)
	}
	return Info{}, FormatError(fmt.Sprintf("unexpected first chunk %q", c.raw[:4]))
}

// canvas reads the flags and canvas size of a VP8X payload.
func canvas(p []byte) (flags byte, w, h int, err error) {
	if len(p) < vp8xSize {
		return 0, 0, 0, FormatError("short VP8X chunk")
	}
	w, h = uint24(p[4:7])+1, uint24(p[7:10])+1
	if uint64(w)*uint64(h) > 1<<32-1 {
		return 0, 0, 0, FormatError("canvas too large")
	}
	return p[0], w, h, nil
}

func parseExtended(vp8x []byte, r *chunkReader) (Info, error) {
	flags, w, h, err := canvas(vp8x)
	if err != nil {
		return Info{}, err
	}
	info := Info{
		Width:    w,
		Height:   h,
		Alpha:    flags&FlagAlpha != 0,
		Animated: flags&FlagAnimation != 0,
		Lossless: true,
	}
	still := false
	for {
		c, ok, err := r.next()
		if err != nil {
			return Info{}, err
		}
		if !ok {
			break
		}
		switch c.fourCC {
		case fccICCP:
			if info.ICC == nil {
				info.ICC = c.payload
			}
		case fccEXIF:
			if info.EXIF == nil {
				info.EXIF = c.payload
			}
		case fccANIM:
			if len(c.payload) < 6 {
				return Info{}, FormatError("short ANIM chunk")
			}
			info.LoopCount = int(binary.LittleEndian.Uint16(c.payload[4:6]))
		case fccANMF:
			if !info.Animated {
				continue // not an animation: readers ignore the frame
			}
			f, err := parseFrame(c.payload, w, h)
			if err != nil {
				return Info{}, err
			}
			info.Frames++
			info.Alpha = info.Alpha || f.alph != nil || f.header.alpha
			info.Lossless = info.Lossless && f.header.lossless
		case fccALPH:
			if !info.Animated && !still {
				info.Alpha = true
			}
		case fccVP8, fccVP8L:
			if info.Animated || still {
				continue
			}
			bh, err := bitstreamHeader(c)
			if err != nil {
				return Info{}, err
			}
			if bh.width != w || bh.height != h {
				return Info{}, FormatError("bitstream size differs from the canvas")
			}
			still = true
			info.Frames = 1
			info.Alpha = info.Alpha || bh.alpha
			info.Lossless = bh.lossless
		}
	}
	if info.Frames == 0 {
		return Info{}, FormatError("no image data")
	}
	return info, nil
}

// header is what a VP8 or VP8L bitstream header says.
type header struct {
	width, height int
	alpha         bool
	lossless      bool
}

// bitstreamHeader reads the frame header of a VP8 or VP8L chunk.
func bitstreamHeader(c chunk) (header, error) {
	p := c.payload
	if c.fourCC == fccVP8L {
		if len(p) < 5 || p[0] != 0x2f {
			return header{}, FormatError("bad VP8L header")
		}
		v := binary.LittleEndian.Uint32(p[1:5])
		if v>>29 != 0 {
			return header{}, FormatError("unknown VP8L version")
		}
		return header{
			width:    int(v&0x3fff) + 1,
			height:   int(v>>14&0x3fff) + 1,
			alpha:    v>>28&1 == 1,
			lossless: true,
		}, nil
	}
	// A VP8 key frame: 3-byte frame tag, start code, 14-bit sizes.
	if len(p) < 10 || p[0]&1 != 0 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a {
		return header{}, FormatError("bad VP8 key frame header")
	}
	w := int(binary.LittleEndian.Uint16(p[6:8]) & 0x3fff)
	h := int(binary.LittleEndian.Uint16(p[8:10]) & 0x3fff)
	if w == 0 || h == 0 {
		return header{}, FormatError("zero VP8 frame size")
	}
	return header{width: w, height: h}, nil
}

// frame is one ANMF frame.
type frame struct {
	rect      image.Rectangle
	alph      []byte // the raw ALPH chunk, nil if none
	bitstream []byte // the raw VP8 or VP8L chunk
	header    header
}

// parseFrame reads an ANMF payload on a canvas of cw x ch.
func parseFrame(p []byte, cw, ch int) (frame, error) {
	if len(p) < anmfHeaderSize {
		return frame{}, FormatError("short ANMF chunk")
	}
	x, y := 2*uint24(p[0:3]), 2*uint24(p[3:6])
	w, h := uint24(p[6:9])+1, uint24(p[9:12])+1
	if x+w > cw || y+h > ch {
		return frame{}, FormatError("frame outside the canvas")
	}
	f := frame{rect: image.Rect(x, y, x+w, y+h)}
	r := chunkReader{data: p[anmfHeaderSize:]}
	for f.bitstream == nil {
		c, ok, err := r.next()
		if err != nil {
			return frame{}, err
		}
		if !ok {
			return frame{}, FormatError("frame without bitstream")
		}
		switch c.fourCC {
		case fccALPH:
			if f.alph == nil {
				f.alph = c.raw
			}
		case fccVP8, fccVP8L:
			bh, err := bitstreamHeader(c)
			if err != nil {
				return frame{}, err
			}
			if bh.width != w || bh.height != h {
				return frame{}, FormatError("frame bitstream size differs from its ANMF size")
			}
			f.bitstream, f.header = c.raw, bh
		}
	}
	if f.header.lossless {
		f.alph = nil // a VP8L frame carries its own alpha
	}
	return f, nil
}
