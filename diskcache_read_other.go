//go:build !linux

package imgproxy

import (
	"io"
	"io/fs"
	"os"
)

// readWhole reads the regular file at path; limit bounds the size read,
// and a larger or irregular file is returned with a nil buffer for the
// caller to reject.
func readWhole(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, fi, nil
	}
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF {
		err = nil // shrank while read: the caller sees the short length
	}
	return buf[:n], fi, err
}

// sameFile reports whether a and b describe the same file.
func sameFile(a, b fs.FileInfo) bool { return os.SameFile(a, b) }
