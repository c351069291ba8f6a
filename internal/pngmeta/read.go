package pngmeta

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// MaxICCSize is the largest decompressed ICC profile Read accepts. Real
// profiles are a few hundred bytes to a few hundred KiB; the bound keeps a
// small, highly compressed iCCP chunk (a zip bomb) from costing memory.
const MaxICCSize = 4 << 20

// Meta is what Read finds in a PNG's chunks.
type Meta struct {
	// Width and Height are the image size in pixels (IHDR), at least 1.
	Width, Height int
	// BitDepth is the bits per sample (or per palette index): 1, 2, 4, 8
	// or 16.
	BitDepth int
	// ColorType is the PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey
	// with alpha, 6 RGB with alpha.
	ColorType int
	// Interlaced reports Adam7 interlacing.
	Interlaced bool
	// HasTRNS reports a tRNS chunk on a grey, RGB or palette image: its
	// pixels may be transparent although the colour type has no alpha.
	HasTRNS bool
	// ICC is the decompressed profile of the iCCP chunk, nil if none or
	// if the chunk is unusable (see Read).
	ICC []byte
	// EXIF is the eXIf chunk's payload, a TIFF-structured EXIF block
	// starting "II*\x00" or "MM\x00*", nil if none.
	EXIF []byte
	// SRGB reports an sRGB chunk: the pixels are sRGB.
	SRGB bool
	// Gamma is the gAMA chunk's value, the image gamma times 100000
	// (45455 for 1/2.2), 0 if none.
	Gamma uint32
}

// Read parses the signature, IHDR and the chunks before the first IDAT of
// a PNG datastream, without decoding pixels. data may be a prefix of the
// file, as long as it reaches the first IDAT chunk's 8-byte header. data
// is not retained: ICC and EXIF are copies.
//
// Read fails (with a FormatError) only on what makes the file unreadable:
// a bad signature, a bad or missing IHDR (its CRC is checked), or a chunk
// cut short before the first IDAT. Like libpng with ancillary chunks, it
// ignores an unusable iCCP, sRGB, gAMA, tRNS or eXIf chunk: one with a bad
// CRC (the CRCs of those small chunks are checked; PLTE's, IDAT's and
// unknown chunks' are not), a malformed payload, an iCCP whose
// compression method is not 0, whose zlib stream is corrupt or whose
// profile exceeds MaxICCSize. Of repeated chunks the first counts.
//
// eXIf: the PNG 3rd edition requires it before IDAT, but writers that
// followed the 2017 extension (1.5.0) may put it after. If none was found
// before IDAT, Read skips over the remaining chunks (reading only their
// 12-byte framing, so the cost is one step per chunk, not per byte) up to
// IEND looking for one; problems after the first IDAT (truncation,
// garbage) end that search silently.
func Read(data []byte) (Meta, error) {
	var m Meta
	off, err := readIHDR(data, &m)
	if err != nil {
		return Meta{}, err
	}
	var seen struct{ iccp, srgb, gama, trns, exif bool }
	for {
		n, typ, err := chunkHeader(data, off)
		if err != nil {
			return Meta{}, err
		}
		if typ == "IDAT" {
			if !seen.exif {
				m.EXIF = findLateEXIF(data, off+12+int(n))
			}
			return m, nil
		}
		c, err := nextChunk(data, off)
		if err != nil {
			return Meta{}, err
		}
		off = c.end
		switch c.typ {
		case "IEND":
			return Meta{}, FormatError("no IDAT chunk")
		case "IHDR":
			return Meta{}, FormatError("duplicate IHDR chunk")
		case "iCCP":
			if !seen.iccp {
				seen.iccp = true
				m.ICC = parseICCP(c)
			}
		case "sRGB":
			if !seen.srgb {
				seen.srgb = true
				m.SRGB = len(c.data) == 1 && c.data[0] <= 3 && c.crcOK()
			}
		case "gAMA":
			if !seen.gama {
				seen.gama = true
				if len(c.data) == 4 && c.crcOK() {
					m.Gamma = binary.BigEndian.Uint32(c.data)
				}
			}
		case "tRNS":
			if !seen.trns {
				seen.trns = true
				m.HasTRNS = validTRNS(m.ColorType, len(c.data)) && c.crcOK()
			}
		case "eXIf":
			if !seen.exif {
				seen.exif = true
				m.EXIF = parseEXIF(c)
			}
		}
	}
}

// readIHDR checks the signature and the IHDR chunk, fills m's header
// fields and returns the offset of the chunk after IHDR.
func readIHDR(data []byte, m *Meta) (int, error) {
	if len(data) < len(signature) || string(data[:len(signature)]) != signature {
		return 0, FormatError("not a PNG signature")
	}
	c, err := nextChunk(data, len(signature))
	if err != nil {
		return 0, err
	}
	if c.typ != "IHDR" || len(c.data) != 13 {
		return 0, FormatError("first chunk is not a 13-byte IHDR")
	}
	if !c.crcOK() {
		return 0, FormatError("IHDR CRC mismatch")
	}
	w := binary.BigEndian.Uint32(c.data[0:])
	h := binary.BigEndian.Uint32(c.data[4:])
	if w == 0 || h == 0 || w > maxChunkLen || h > maxChunkLen {
		return 0, FormatError("bad image size")
	}
	depth, ct := c.data[8], c.data[9]
	if !ValidDepth(int(ct), int(depth)) {
		return 0, FormatError("bad bit depth and colour type")
	}
	if c.data[10] != 0 || c.data[11] != 0 || c.data[12] > 1 {
		return 0, FormatError("bad compression, filter or interlace method")
	}
	m.Width, m.Height = int(w), int(h)
	m.BitDepth, m.ColorType = int(depth), int(ct)
	m.Interlaced = c.data[12] == 1
	return c.end, nil
}

// ValidDepth reports whether the PNG specification allows bit depth d
// for colour type ct (Table 11.1). internal/pngdec checks IHDR with it too.
func ValidDepth(ct, d int) bool {
	switch ct {
	case 0:
		return d == 1 || d == 2 || d == 4 || d == 8 || d == 16
	case 3:
		return d == 1 || d == 2 || d == 4 || d == 8
	case 2, 4, 6:
		return d == 8 || d == 16
	}
	return false
}

// validTRNS reports whether a tRNS chunk of n bytes is valid for colour
// type ct. Types 4 and 6 have an alpha channel and must not have one.
func validTRNS(ct, n int) bool {
	switch ct {
	case 0:
		return n == 2
	case 2:
		return n == 6
	case 3:
		return n >= 1 && n <= 256
	}
	return false
}

// parseICCP returns the decompressed profile of an iCCP chunk, or nil if
// it is unusable.
func parseICCP(c chunk) []byte {
	if !c.crcOK() {
		return nil
	}
	name, rest, ok := bytes.Cut(c.data, []byte{0})
	if !ok || len(name) < 1 || len(name) > 79 || len(rest) < 1 || rest[0] != 0 {
		return nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest[1:]))
	if err != nil {
		return nil
	}
	// Reading to EOF makes the zlib reader check its Adler-32 checksum.
	icc, err := io.ReadAll(io.LimitReader(zr, MaxICCSize+1))
	if err != nil || len(icc) > MaxICCSize || len(icc) == 0 {
		return nil
	}
	return icc
}

// parseEXIF returns a copy of an eXIf chunk's payload, or nil if it is
// unusable.
func parseEXIF(c chunk) []byte {
	if len(c.data) < 8 || !c.crcOK() {
		return nil
	}
	if h := string(c.data[:4]); h != "II*\x00" && h != "MM\x00*" {
		return nil
	}
	return bytes.Clone(c.data)
}

// findLateEXIF looks for an eXIf chunk from off (after the first IDAT) up
// to IEND, stopping silently at anything malformed.
func findLateEXIF(data []byte, off int) []byte {
	for off >= 0 && off < len(data) {
		c, err := nextChunk(data, off)
		if err != nil || c.typ == "IEND" {
			return nil
		}
		if c.typ == "eXIf" {
			return parseEXIF(c)
		}
		off = c.end
	}
	return nil
}
