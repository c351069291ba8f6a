//go:build linux

package imgproxy

import (
	"io/fs"
	"os"
	"syscall"
	"time"
)

// readWhole reads the regular file at path in four system calls (open,
// fstat, read, close). os.Open would add non-blocking set-up and a
// refused poller registration, doubling the calls on the hot path of a
// disk cache hit. limit bounds the size read; a larger file is returned
// with a nil buffer for the caller to reject.
func readWhole(path string, limit int64) ([]byte, fs.FileInfo, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	fi := statInfo{name: path, st: st}
	if !fi.Mode().IsRegular() || st.Size > limit || st.Size < 0 {
		return nil, fi, nil
	}
	buf := make([]byte, st.Size)
	for n := 0; n < len(buf); {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fi, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			return buf[:n], fi, nil // shrank while read: the caller sees the short length
		}
		n += m
	}
	return buf, fi, nil
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
// from os.Stat and from readWhole alike.
func sameFile(a, b fs.FileInfo) bool {
	if os.SameFile(a, b) {
		return true
	}
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
