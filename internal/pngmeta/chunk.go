package pngmeta

import (
	"encoding/binary"
	"hash/crc32"
)

// signature is the 8-byte PNG file signature.
const signature = "\x89PNG\r\n\x1a\n"

// maxChunkLen is the largest chunk length the spec allows (2^31-1).
const maxChunkLen = 1<<31 - 1

// chunk is one chunk of a PNG datastream, its fields slicing the input.
type chunk struct {
	typ  string // the 4-byte chunk type
	data []byte // the chunk data
	crc  uint32 // the stored CRC
	end  int    // offset just after the chunk's CRC
}

// crcOK reports whether the stored CRC matches type and data.
func (c chunk) crcOK() bool {
	h := crc32.NewIEEE()
	h.Write([]byte(c.typ))
	h.Write(c.data)
	return h.Sum32() == c.crc
}

// chunkHeader reads the length and type of the chunk starting at off. It
// checks the length and that the type is four ASCII letters.
func chunkHeader(b []byte, off int) (n uint32, typ string, err error) {
	if len(b)-off < 8 {
		return 0, "", FormatError("truncated chunk")
	}
	n = binary.BigEndian.Uint32(b[off:])
	if n > maxChunkLen {
		return 0, "", FormatError("chunk length too large")
	}
	t := b[off+4 : off+8]
	for _, c := range t {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return 0, "", FormatError("bad chunk type")
		}
	}
	return n, string(t), nil
}

// nextChunk reads the whole chunk starting at off. It checks the framing,
// not the CRC.
func nextChunk(b []byte, off int) (chunk, error) {
	n, typ, err := chunkHeader(b, off)
	if err != nil {
		return chunk{}, err
	}
	start := off + 8
	if uint64(len(b)-start) < uint64(n)+4 {
		return chunk{}, FormatError("truncated chunk")
	}
	end := start + int(n)
	return chunk{
		typ:  typ,
		data: b[start:end],
		crc:  binary.BigEndian.Uint32(b[end:]),
		end:  end + 4,
	}, nil
}

// appendChunk appends a chunk of the given type and data, with its length
// and CRC, to dst.
func appendChunk(dst []byte, typ string, data []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
	start := len(dst)
	dst = append(dst, typ...)
	dst = append(dst, data...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}
