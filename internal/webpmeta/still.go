package webpmeta

import (
	"fmt"
	"image"
)

// Still is the image data of a still WebP file, as chunks ready to be
// muxed into another file (for example into an ANMF frame, or after an
// ICCP chunk).
type Still struct {
	// Alpha is the raw ALPH chunk (header, payload, padding), nil if none.
	Alpha []byte
	// Bitstream is the raw VP8 or VP8L chunk.
	Bitstream []byte
	// Width and Height are the image size.
	Width, Height int
	// HasAlpha reports an ALPH chunk or a VP8L header's alpha bit.
	HasAlpha bool
	// Lossless reports a VP8L bitstream.
	Lossless bool
}

// ParseStill returns the image chunks of a still (not animated) WebP
// file, simple or extended. The chunks alias data.
func ParseStill(data []byte) (Still, error) {
	b, err := body(data)
	if err != nil {
		return Still{}, err
	}
	r := chunkReader{data: b}
	var s Still
	for first := true; ; first = false {
		c, ok, err := r.next()
		if err != nil {
			return Still{}, err
		}
		if !ok {
			return Still{}, FormatError("no image data")
		}
		switch c.fourCC {
		case fccVP8X:
			if !first {
				return Still{}, FormatError("VP8X chunk not first")
			}
			flags, _, _, err := canvas(c.payload)
			if err != nil {
				return Still{}, err
			}
			if flags&FlagAnimation != 0 {
				return Still{}, FormatError("animated file where a still was expected")
			}
		case fccALPH:
			if s.Alpha == nil {
				s.Alpha = c.raw
			}
		case fccVP8, fccVP8L:
			h, err := bitstreamHeader(c)
			if err != nil {
				return Still{}, err
			}
			s.Bitstream, s.Width, s.Height, s.Lossless = c.raw, h.width, h.height, h.lossless
			if h.lossless {
				s.Alpha = nil
			}
			s.HasAlpha = s.Alpha != nil || h.alpha
			return s, nil
		}
	}
}

// AppendStill appends a complete still WebP file holding s to dst: the
// simple format when s has no ALPH chunk, otherwise VP8X (alpha flag),
// ALPH and the bitstream.
func AppendStill(dst []byte, s Still) []byte {
	start := len(dst)
	dst = StartFile(dst)
	if s.Alpha != nil {
		dst = AppendVP8X(dst, FlagAlpha, s.Width, s.Height)
	}
	dst = AppendImage(dst, s)
	FinishFile(dst[start:])
	return dst
}

// AppendImage appends the image chunks of s (ALPH if any, then the
// bitstream) to dst, each padded to an even size.
func AppendImage(dst []byte, s Still) []byte {
	for _, c := range [][]byte{s.Alpha, s.Bitstream} {
		dst = append(dst, c...)
		if len(c)&1 == 1 {
			dst = append(dst, 0) // the file we read ended without its pad
		}
	}
	return dst
}

// FirstFrame returns the first frame of a WebP file as a still WebP file
// that golang.org/x/image/webp decodes, with where that frame sits on the
// canvas. A still file is returned as it is (up to its RIFF size), at
// offset (0, 0) of a canvas of its own size.
//
// The first frame of an animation may be smaller than the canvas: the
// caller places the decoded frame at offset on a transparent canvas of
// size canvas (both in pixels). The frame's own size is that of the
// decoded still. The still is a new slice, it does not alias data.
func FirstFrame(data []byte) (still []byte, offset, canvasSize image.Point, err error) {
	info, err := Parse(data)
	if err != nil {
		return nil, image.Point{}, image.Point{}, err
	}
	canvasSize = image.Pt(info.Width, info.Height)
	b, _ := body(data) // checked by Parse
	if !info.Animated {
		return data[:riffHeaderSize+len(b)], image.Point{}, canvasSize, nil
	}
	r := chunkReader{data: b}
	for {
		c, ok, err := r.next()
		if err != nil || !ok {
			// Parse found a frame, so neither happens.
			return nil, image.Point{}, image.Point{}, fmt.Errorf("webp: first frame: %w", FormatError("no frame"))
		}
		if c.fourCC != fccANMF {
			continue
		}
		f, err := parseFrame(c.payload, info.Width, info.Height)
		if err != nil {
			return nil, image.Point{}, image.Point{}, err
		}
		s := Still{
			Alpha:     f.alph,
			Bitstream: f.bitstream,
			Width:     f.rect.Dx(),
			Height:    f.rect.Dy(),
		}
		n := riffHeaderSize + len(s.Alpha) + len(s.Bitstream) + 2
		if s.Alpha != nil {
			n += chunkHeaderSize + vp8xSize
		}
		return AppendStill(make([]byte, 0, n), s), f.rect.Min, canvasSize, nil
	}
}
