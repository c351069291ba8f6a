//go:build linux

package imgproxy

import (
	"io/fs"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// diskFD is an entry file kept open for hits (see diskHotFDs). refs
// counts the index's hold and each read in flight; the file is closed
// when the last of them lets go. Its zero value is not used: see
// newDiskFD.
type diskFD struct {
	fd   int
	refs atomic.Int32
}

func newDiskFD(fd int) *diskFD {
	h := &diskFD{fd: fd}
	h.refs.Store(1)
	return h
}

// acquire takes a hold on h (nil: none) for a read; the caller holds
// the DiskCache's mu, so the index still holds h.
func (h *diskFD) acquire() *diskFD {
	if h != nil {
		h.refs.Add(1)
	}
	return h
}

// release lets go of a hold on h (nil: none).
func (h *diskFD) release() {
	if h != nil && h.refs.Add(-1) == 0 {
		syscall.Close(h.fd)
	}
}

// closeFD closes a file readEntry kept open that the index did not take.
func closeFD(fd int) { syscall.Close(fd) }

// readEntry reads the entry file at path() and hands its bytes to use.
// length is the file's length as the index last saw it, or 0 if unknown.
// scratch, if length+1 bytes long, is where a read of that length goes
// (of h, or of the file just opened); else it reads into memory of its
// own.
//
// If h is an open file of the entry, it is read first: one read of
// length+1 bytes (to see the end of the file) and an fstat to check that
// the file is still linked, so that one another process removed, or
// renamed a new file over, is not served (it is reported stale). That is
// a hit on a hot entry: two system calls. If h is nil, stale or not as
// long, the file at path is opened and read: with length right, open,
// one read and close; or, when keep is set and use accepts the file, it
// stays open and is reported kept, for the caller to hand to the index.
// With length wrong or unknown, or when the read fails, the file is
// stat'd and read again as long as it is, refused if irregular or over
// limit. It is stat'd too when use fails, so that the caller can tell
// the file from one put in its place since. The error wraps
// errDiskCorrupt if the file cannot be an entry, or is the error of use.
//
// os.Open would add non-blocking set-up and a refused poller
// registration, doubling the calls. O_NONBLOCK keeps a FIFO in the cache
// from blocking the open.
func readEntry(path func() string, h *diskFD, length, limit int64, keep bool, scratch []byte, use func([]byte) error) (diskRead, error) {
	r := diskRead{kept: -1}
	if h != nil && length > 0 && length <= limit {
		b := scratch
		if int64(len(b)) != length+1 {
			b = make([]byte, length+1)
		}
		var st syscall.Stat_t
		n, err := preadFull(h.fd, b)
		if err == nil {
			err = syscall.Fstat(h.fd, &st)
		}
		switch {
		case err != nil || st.Nlink == 0:
			r.stale = true
		case int64(n) == length:
			if err := use(b[:n]); err != nil {
				r.fi = statInfo{name: path(), st: st}
				return r, err
			}
			return r, nil
		}
	}
	name := path()
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return r, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	r.fi, err = readFD(fd, name, length, limit, scratch, use)
	if err == nil && keep {
		r.kept = fd
		return r, nil
	}
	syscall.Close(fd)
	return r, err
}

// readFD is readEntry for the file just opened as fd.
func readFD(fd int, path string, length, limit int64, scratch []byte, use func([]byte) error) (fs.FileInfo, error) {
	var buf []byte
	if length > 0 && length <= limit {
		b := scratch
		if int64(len(b)) != length+1 {
			b = make([]byte, length+1)
		}
		if n, err := preadFull(fd, b); err == nil && int64(n) <= length {
			buf = b[:n] // the whole file
		}
	}
	var fi fs.FileInfo
	if buf == nil {
		var err error
		if fi, buf, err = statRead(fd, path, limit); err != nil {
			return fi, err
		}
	}
	if err := use(buf); err != nil {
		if fi == nil {
			var st syscall.Stat_t
			if syscall.Fstat(fd, &st) == nil {
				fi = statInfo{name: path, st: st}
			}
		}
		return fi, err
	}
	return fi, nil
}

// statRead stats the open file fd and reads it whole, from its start.
func statRead(fd int, path string, limit int64) (fs.FileInfo, []byte, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	fi := statInfo{name: path, st: st}
	if err := diskCheckStat(fi, st.Size, limit); err != nil {
		return fi, nil, err
	}
	buf := make([]byte, st.Size)
	n, err := preadFull(fd, buf)
	if err != nil {
		return fi, nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if err := diskCheckStat(fi, int64(n), limit); err != nil {
		return fi, nil, err
	}
	return fi, buf, nil
}

// preadFull reads from fd at offset 0 until b is full or the file ends,
// and returns the bytes read.
func preadFull(fd int, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := syscall.Pread(fd, b[n:], int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// statInfo is an fs.FileInfo from a raw stat.
type statInfo struct {
	name string
	st   syscall.Stat_t
}

func (s statInfo) Name() string       { return s.name }
func (s statInfo) Size() int64        { return s.st.Size }
func (s statInfo) ModTime() time.Time { return time.Unix(s.st.Mtim.Unix()) }
func (s statInfo) IsDir() bool        { return s.Mode().IsDir() }
func (s statInfo) Sys() any           { return &s.st }
func (s statInfo) Mode() fs.FileMode {
	m := fs.FileMode(s.st.Mode & 0o777)
	switch s.st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	default:
		m |= fs.ModeIrregular
	}
	return m
}

// sameFile reports whether a and b describe the same file, for infos
// from os.Stat and from readEntry alike.
func sameFile(a, b fs.FileInfo) bool {
	if os.SameFile(a, b) {
		return true
	}
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
