package webpmeta

import (
	"encoding/binary"
	"fmt"
)

// FormatError reports that the input is not a valid WebP file.
type FormatError string

func (e FormatError) Error() string { return "webp: invalid format: " + string(e) }

// VP8X flags (the feature byte of the VP8X chunk).
const (
	FlagICC       = 0x20
	FlagAlpha     = 0x10
	FlagEXIF      = 0x08
	FlagXMP       = 0x04
	FlagAnimation = 0x02
)

// Chunk FourCCs as little-endian uint32s, so they can be compared
// without building strings.
const (
	fccRIFF = 'R' | 'I'<<8 | 'F'<<16 | 'F'<<24
	fccWEBP = 'W' | 'E'<<8 | 'B'<<16 | 'P'<<24
	fccVP8  = 'V' | 'P'<<8 | '8'<<16 | ' '<<24
	fccVP8L = 'V' | 'P'<<8 | '8'<<16 | 'L'<<24
	fccVP8X = 'V' | 'P'<<8 | '8'<<16 | 'X'<<24
	fccALPH = 'A' | 'L'<<8 | 'P'<<16 | 'H'<<24
	fccICCP = 'I' | 'C'<<8 | 'C'<<16 | 'P'<<24
	fccANIM = 'A' | 'N'<<8 | 'I'<<16 | 'M'<<24
	fccANMF = 'A' | 'N'<<8 | 'M'<<16 | 'F'<<24
	fccEXIF = 'E' | 'X'<<8 | 'I'<<16 | 'F'<<24
)

const (
	riffHeaderSize  = 12 // "RIFF", size, "WEBP"
	chunkHeaderSize = 8  // FourCC, size
	vp8xSize        = 10
	anmfHeaderSize  = 16
	maxDimension    = 1 << 24 // 24-bit "minus one" fields
)

// chunk is one chunk of a RIFF list: its FourCC, its payload and the
// whole chunk as it appears in the file (header, payload, padding).
type chunk struct {
	fourCC  uint32
	payload []byte
	raw     []byte
}

// chunkReader walks the chunks of a byte range.
type chunkReader struct {
	data []byte
}

// next returns the next chunk; ok is false at the end of the data.
func (r *chunkReader) next() (c chunk, ok bool, err error) {
	if len(r.data) == 0 {
		return chunk{}, false, nil
	}
	if len(r.data) < chunkHeaderSize {
		return chunk{}, false, FormatError("truncated chunk header")
	}
	size := uint64(binary.LittleEndian.Uint32(r.data[4:8]))
	end := chunkHeaderSize + size
	if end > uint64(len(r.data)) {
		return chunk{}, false, FormatError(fmt.Sprintf("chunk %q overruns its container", r.data[:4]))
	}
	c = chunk{
		fourCC:  binary.LittleEndian.Uint32(r.data[:4]),
		payload: r.data[chunkHeaderSize:end:end],
	}
	// An odd-sized payload is followed by one padding byte; a missing
	// pad at the very end of the data is tolerated.
	if size&1 == 1 && end < uint64(len(r.data)) {
		end++
	}
	c.raw = r.data[:end:end]
	r.data = r.data[end:]
	return c, true, nil
}

// body checks the RIFF header and returns the chunks it holds. Bytes
// after the RIFF size are ignored.
func body(data []byte) ([]byte, error) {
	if len(data) < riffHeaderSize {
		return nil, FormatError("too short")
	}
	if binary.LittleEndian.Uint32(data[0:4]) != fccRIFF || binary.LittleEndian.Uint32(data[8:12]) != fccWEBP {
		return nil, FormatError("not a RIFF WEBP file")
	}
	size := uint64(binary.LittleEndian.Uint32(data[4:8]))
	if size < 4 {
		return nil, FormatError("RIFF size too small")
	}
	if size+8 > uint64(len(data)) {
		return nil, FormatError("truncated RIFF data")
	}
	return data[riffHeaderSize : size+8], nil
}

// AppendChunk appends a chunk with the given FourCC and payload to dst,
// with the padding byte an odd-sized payload needs.
func AppendChunk(dst []byte, fourCC string, payload []byte) []byte {
	dst = append(dst, fourCC[:4]...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = append(dst, payload...)
	if len(payload)&1 == 1 {
		dst = append(dst, 0)
	}
	return dst
}

// AppendVP8X appends a VP8X chunk with the given flags and canvas size.
// The caller ensures 1 <= width, height <= 1<<24.
func AppendVP8X(dst []byte, flags byte, width, height int) []byte {
	dst = append(dst, "VP8X"...)
	dst = binary.LittleEndian.AppendUint32(dst, vp8xSize)
	dst = append(dst, flags, 0, 0, 0)
	dst = appendUint24(dst, uint32(width-1))
	return appendUint24(dst, uint32(height-1))
}

// StartFile appends a RIFF header with a placeholder size; FinishFile
// sets the size once the chunks are appended.
func StartFile(dst []byte) []byte {
	return append(dst, "RIFF\x00\x00\x00\x00WEBP"...)
}

// FinishFile sets the RIFF size of file, which StartFile began at
// file[0]. The caller keeps the total under 4 GiB.
func FinishFile(file []byte) []byte {
	binary.LittleEndian.PutUint32(file[4:8], uint32(len(file)-8))
	return file
}

func appendUint24(dst []byte, v uint32) []byte {
	return append(dst, byte(v), byte(v>>8), byte(v>>16))
}

func uint24(b []byte) int {
	return int(b[0]) | int(b[1])<<8 | int(b[2])<<16
}
