package imgproxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"time"
)

// diskHeaderLen is the size of the fixed header of an entry file. An entry
// file (format version 1) is, with integers little-endian:
//
//	offset size field
//	     0    4 magic "IPXC"
//	     4    2 format version, 1
//	     6    2 content type length
//	     8    2 ETag length
//	    10    2 flags: bit 0 FirstFrameOnly; other bits zero
//	    12    4 key length
//	    16    8 LastModified, Unix seconds (math.MinInt64: zero time)
//	    24    4 LastModified, nanoseconds
//	    28    8 Created, Unix seconds (math.MinInt64: zero time)
//	    36    4 Created, nanoseconds
//	    40    8 data length
//	    48    4 CRC-32C (Castagnoli) of bytes 0-47 followed by bytes 52 to
//	            the end of the file
//	    52      key, content type, ETag, data
//
// The file is exactly as long as the header says.
const diskHeaderLen = 52

const diskMagic = "IPXC"

// diskFlagFirstFrame is the entry flag of Image.FirstFrameOnly.
const diskFlagFirstFrame = 1

// diskEncode returns the header, key, content type and ETag of img's entry
// file; img.Data follows them.
func diskEncode(tab *crc32.Table, key string, img *Image) ([]byte, error) {
	if len(img.ContentType) > math.MaxUint16 || len(img.ETag) > math.MaxUint16 || uint64(len(key)) > math.MaxUint32 {
		return nil, errors.New("imgproxy: disk cache entry: key, content type or ETag too long")
	}
	b := make([]byte, diskHeaderLen, diskHeaderLen+len(key)+len(img.ContentType)+len(img.ETag))
	le := binary.LittleEndian
	copy(b, diskMagic)
	le.PutUint16(b[4:], 1)
	le.PutUint16(b[6:], uint16(len(img.ContentType)))
	le.PutUint16(b[8:], uint16(len(img.ETag)))
	if img.FirstFrameOnly {
		le.PutUint16(b[10:], diskFlagFirstFrame)
	}
	le.PutUint32(b[12:], uint32(len(key)))
	diskPutTime(b[16:], img.LastModified)
	diskPutTime(b[28:], img.Created)
	le.PutUint64(b[40:], uint64(len(img.Data)))
	b = append(b, key...)
	b = append(b, img.ContentType...)
	b = append(b, img.ETag...)
	crc := crc32.Update(crc32.Checksum(b[:48], tab), tab, b[diskHeaderLen:])
	le.PutUint32(b[48:], crc32.Update(crc, tab, img.Data))
	return b, nil
}

// diskDecode parses the entry file b, which must be stored under key. The
// image's Data shares b.
func diskDecode(tab *crc32.Table, b []byte, key string) (*Image, error) {
	if len(b) < diskHeaderLen || string(b[:4]) != diskMagic {
		return nil, fmt.Errorf("%w: not an entry file", errDiskCorrupt)
	}
	le := binary.LittleEndian
	flags := le.Uint16(b[10:])
	if v := le.Uint16(b[4:]); v != 1 || flags&^diskFlagFirstFrame != 0 {
		return nil, fmt.Errorf("%w: unknown format version %d", errDiskCorrupt, v)
	}
	ctLen, etagLen, keyLen := uint64(le.Uint16(b[6:])), uint64(le.Uint16(b[8:])), uint64(le.Uint32(b[12:]))
	dataLen := le.Uint64(b[40:])
	if dataLen > uint64(len(b)) || diskHeaderLen+keyLen+ctLen+etagLen+dataLen != uint64(len(b)) {
		return nil, fmt.Errorf("%w: length %d does not match header", errDiskCorrupt, len(b))
	}
	if diskSum(tab, b) != le.Uint32(b[48:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errDiskCorrupt)
	}
	p := b[diskHeaderLen:]
	if string(p[:keyLen]) != key {
		return nil, fmt.Errorf("%w: stored under another key", errDiskCorrupt)
	}
	p = p[keyLen:]
	off := ctLen + etagLen
	lastMod, ok1 := diskTime(b[16:])
	created, ok2 := diskTime(b[28:])
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: bad time", errDiskCorrupt)
	}
	return &Image{
		ContentType:    diskContentType(p[:ctLen]),
		ETag:           string(p[ctLen:off]),
		Data:           p[off : off+dataLen : off+dataLen],
		LastModified:   lastMod,
		Created:        created,
		FirstFrameOnly: flags&diskFlagFirstFrame != 0,
	}, nil
}

// diskContentType returns b as a string without allocating for the usual
// types.
func diskContentType(b []byte) string {
	switch string(b) {
	case "image/jpeg":
		return "image/jpeg"
	case "image/png":
		return "image/png"
	case "image/gif":
		return "image/gif"
	case "image/webp":
		return "image/webp"
	}
	return string(b)
}

func diskPutTime(b []byte, t time.Time) {
	sec, nsec := int64(math.MinInt64), uint32(0)
	if !t.IsZero() {
		sec, nsec = t.Unix(), uint32(t.Nanosecond())
	}
	binary.LittleEndian.PutUint64(b, uint64(sec))
	binary.LittleEndian.PutUint32(b[8:], nsec)
}

func diskTime(b []byte) (time.Time, bool) {
	sec, nsec := int64(binary.LittleEndian.Uint64(b)), binary.LittleEndian.Uint32(b[8:])
	if sec == math.MinInt64 {
		return time.Time{}, nsec == 0
	}
	return time.Unix(sec, int64(nsec)).UTC(), nsec < 1e9
}
