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

// image returns the entry m describes with data as its Data, in into
// if not nil, else in a new Image.
func (m *diskMeta) image(data []byte, into *Image) *Image {
	img := into
	if img == nil {
		img = new(Image)
	}
	img.ContentType, img.ETag, img.Data = m.contentType, m.etag, data
	img.LastModified, img.Created, img.FirstFrameOnly = m.lastModified, m.created, m.firstFrame
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
// new diskMeta. It returns the diskMeta that describes b. The image of
// a described b is into, if not nil.
func diskVerify(tab *crc32.Table, b []byte, key string, m *diskMeta, into *Image) (*Image, *diskMeta, error) {
	if m != nil && m.describes(b, key) {
		if diskSum(tab, b) != binary.LittleEndian.Uint32(b[48:]) {
			return nil, nil, fmt.Errorf("%w: checksum mismatch", errDiskCorrupt)
		}
		return m.image(b[len(m.head):len(b):len(b)], into), m, nil
	}
	img, err := diskDecode(tab, b, key)
	if err != nil {
		return nil, nil, err
	}
	return img, newDiskMeta(img, b[:len(b)-len(img.Data)]), nil
}

// diskHotFDs bounds how many entry files the index keeps open for hits.
const diskHotFDs = 256

// diskRing is a ring of index records that hold something costly (a
// diskMeta, an open file), up to a bound: adding one to a full ring
// displaces the one added the longest ago. Its zero value is empty.
type diskRing struct {
	slots []*diskEntry // nil: a free place
	next  int          // the place to reuse next once full
}

// add puts e in r, which holds at most n, and returns 1 + its place and
// the record it displaced, if any.
func (r *diskRing) add(e *diskEntry, n int) (int, *diskEntry) {
	if len(r.slots) < n {
		r.slots = append(r.slots, e)
		return len(r.slots), nil
	}
	i := r.next
	old := r.slots[i]
	r.slots[i] = e
	r.next = (i + 1) % n
	return i + 1, old
}

// setMeta keeps m on e, which must be in x, as one of the hot entries:
// when there are diskHotEntries already, the one made hot the longest
// ago drops its diskMeta.
func (x *diskIndex) setMeta(e *diskEntry, m *diskMeta) {
	if e.metaAt == 0 {
		at, old := x.metas.add(e, diskHotEntries)
		if old != nil {
			old.meta, old.metaAt = nil, 0
		}
		e.metaAt = at
	}
	e.meta = m
}

// setFD keeps h open for hits on e, which must be in x and have none:
// when diskHotFDs files are open already, the one opened the longest ago
// is let go.
func (x *diskIndex) setFD(e *diskEntry, h *diskFD) {
	at, old := x.fds.add(e, diskHotFDs)
	if old != nil {
		old.fd.release()
		old.fd, old.fdAt = nil, 0
	}
	e.fd, e.fdAt = h, at
}

// dropFD lets go of e's open file, if any.
func (x *diskIndex) dropFD(e *diskEntry) {
	if e.fdAt != 0 {
		x.fds.slots[e.fdAt-1] = nil
		e.fd.release()
		e.fd, e.fdAt = nil, 0
	}
}

// dropHot forgets e's diskMeta and lets go of its open file, if any, when
// e leaves x.
func (x *diskIndex) dropHot(e *diskEntry) {
	if e.metaAt != 0 {
		x.metas.slots[e.metaAt-1] = nil
		e.meta, e.metaAt = nil, 0
	}
	x.dropFD(e)
}

// closeFDs lets go of every open file.
func (x *diskIndex) closeFDs() {
	for _, e := range x.fds.slots {
		if e != nil {
			x.dropFD(e)
		}
	}
}
