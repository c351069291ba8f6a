//go:build !linux

package imgproxy

import (
	"io"
	"io/fs"
	"os"
)

// readEntry reads the entry file at path and hands its bytes to use
// before closing it; length, the file's length as the index last saw it,
// is not needed here. fi is the file's stat; an error wraps
// errDiskCorrupt if the file cannot be an entry (irregular, or over
// limit), or is the error of use.
func readEntry(path string, _, limit int64, use func([]byte) error) (fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := diskCheckStat(fi, fi.Size(), limit); err != nil {
		return fi, err
	}
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fi, err
	}
	if err := diskCheckStat(fi, int64(n), limit); err != nil {
		return fi, err
	}
	return fi, use(buf)
}

// sameFile reports whether a and b describe the same file.
func sameFile(a, b fs.FileInfo) bool { return os.SameFile(a, b) }
