package imgproxy

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
)

// diskHotEntries bounds how many index records keep their file's head
// decoded (a diskMeta, a few hundred bytes each): about 2 MiB at most.
const diskHotEntries = 4096

// diskMeta is an entry file's head decoded: everything but the data,
// with the response header values already formatted. The index keeps one
// for each of the entries hit most recently, so that a hit on one checks
// that the file still starts with exactly these bytes and verifies its
// checksum, rather than parsing the head and formatting its header values
// again. A diskMeta is only a hint: whatever the file holds, diskVerify
// serves it only if it matches byte for byte and its checksum is right.
// Immutable once made.
type diskMeta struct {
	head         string // the file's bytes before the data, checksum field included
	size         int64  // the file's length
	contentType  string
	etag         string
	lastModified time.Time
	created      time.Time
	firstFrame   bool
	hdr          *imageHeaders
}

// newDiskMeta describes the entry file made of head and img.Data, which
// img was decoded from.
func newDiskMeta(img *Image, head []byte) *diskMeta {
	return &diskMeta{
		head: string(head), size: int64(len(head) + len(img.Data)),
		contentType: img.ContentType, etag: img.ETag,
		lastModified: img.LastModified, created: img.Created, firstFrame: img.FirstFrameOnly,
		hdr: img.headers(),
	}
}

// image returns the entry m describes with data as its Data.
func (m *diskMeta) image(data []byte) *Image {
	img := &Image{
		ContentType: m.contentType, ETag: m.etag, Data: data,
		LastModified: m.lastModified, Created: m.created, FirstFrameOnly: m.firstFrame,
	}
	img.hdr.Store(m.hdr)
	return img
}

// describes reports whether m describes the entry file b stored under
// key, checksum aside: b is as long and starts with m's head, which
// names key.
func (m *diskMeta) describes(b []byte, key string) bool {
	if int64(len(b)) != m.size || string(b[:len(m.head)]) != m.head {
		return false
	}
	keyEnd := diskHeaderLen + len(key)
	return binary.LittleEndian.Uint32(b[12:]) == uint32(len(key)) && len(m.head) >= keyEnd &&
		m.head[diskHeaderLen:keyEnd] == key
}

// diskSum returns the CRC-32C an entry file b must carry: of its bytes
// but the checksum field. b is at least diskHeaderLen long.
func diskSum(tab *crc32.Table, b []byte) uint32 {
	return crc32.Update(crc32.Checksum(b[:48], tab), tab, b[diskHeaderLen:])
}

// diskVerify is diskDecode for an entry file the index may know: when m
// (which may be nil) describes b, only the checksum is computed and the
// image shares m's values; else b is parsed in full and described by a
// new diskMeta. It returns the diskMeta that describes b.
func diskVerify(tab *crc32.Table, b []byte, key string, m *diskMeta) (*Image, *diskMeta, error) {
	if m != nil && m.describes(b, key) {
		if diskSum(tab, b) != binary.LittleEndian.Uint32(b[48:]) {
			return nil, nil, fmt.Errorf("%w: checksum mismatch", errDiskCorrupt)
		}
		return m.image(b[len(m.head):len(b):len(b)]), m, nil
	}
	img, err := diskDecode(tab, b, key)
	if err != nil {
		return nil, nil, err
	}
	return img, newDiskMeta(img, b[:len(b)-len(img.Data)]), nil
}

// setMeta keeps m on e, which must be in x, as one of the hot entries:
// when there are diskHotEntries already, the one that became hot the
// longest ago (in a ring) drops its diskMeta.
func (x *diskIndex) setMeta(e *diskEntry, m *diskMeta) {
	if e.hot == 0 {
		if len(x.hot) < diskHotEntries {
			x.hot = append(x.hot, e)
			e.hot = len(x.hot)
		} else {
			if old := x.hot[x.hotNext]; old != nil {
				old.meta, old.hot = nil, 0
			}
			x.hot[x.hotNext] = e
			e.hot = x.hotNext + 1
			x.hotNext = (x.hotNext + 1) % diskHotEntries
		}
	}
	e.meta = m
}

// dropMeta forgets e's diskMeta, if any, when e leaves x.
func (x *diskIndex) dropMeta(e *diskEntry) {
	if e.hot != 0 {
		x.hot[e.hot-1] = nil
		e.meta, e.hot = nil, 0
	}
}
