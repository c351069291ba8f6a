package pngmeta

import (
	"bytes"
	"compress/zlib"
	"errors"
)

// iccName is the profile name InsertICC writes. The spec allows any 1-79
// Latin-1 characters; decoders do not interpret it.
const iccName = "icc"

// InsertICC returns a copy of the PNG datastream png carrying icc as its
// colour profile: an iCCP chunk (profile name "icc", zlib-compressed)
// right after IHDR, where the spec requires it (before PLTE and IDAT).
// Chunks that would contradict or override it are dropped: any existing
// iCCP and sRGB chunk, and cICP (which, in the 3rd edition, takes
// precedence over iCCP). gAMA and cHRM are kept: decoders that understand
// iCCP ignore them in its presence, and older ones still use them.
//
// The rest of the datastream is copied chunk by chunk up to IEND (CRCs
// are not checked), then whatever follows IEND verbatim. InsertICC fails
// if png is not a PNG or a chunk is cut short, and if icc is empty or
// larger than MaxICCSize (Read would not accept it back).
func InsertICC(png []byte, icc []byte) ([]byte, error) {
	if len(icc) == 0 {
		return nil, errors.New("pngmeta: empty ICC profile")
	}
	if len(icc) > MaxICCSize {
		return nil, errors.New("pngmeta: ICC profile larger than MaxICCSize")
	}
	var m Meta
	off, err := readIHDR(png, &m)
	if err != nil {
		return nil, err
	}
	payload, err := iccpPayload(icc)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(png)+len(payload)+12)
	out = append(out, png[:off]...)
	out = appendChunk(out, "iCCP", payload)
	for {
		c, err := nextChunk(png, off)
		if err != nil {
			return nil, err
		}
		switch c.typ {
		case "iCCP", "sRGB", "cICP":
		default:
			out = append(out, png[off:c.end]...)
		}
		off = c.end
		if c.typ == "IEND" {
			return append(out, png[off:]...), nil
		}
	}
}

// iccpPayload builds the data of an iCCP chunk: name, NUL, compression
// method 0, zlib stream.
func iccpPayload(icc []byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(iccName)
	b.WriteByte(0) // name terminator
	b.WriteByte(0) // compression method: zlib deflate
	zw, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(icc); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
