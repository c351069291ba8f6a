//go:build !linux

package imgproxy

import (
	"io"
	"io/fs"
	"os"
)

// diskFD would be an entry file kept open for hits; here, where a file
// kept open could not be told from one removed or replaced since, none
// is kept, and readEntry never returns one to keep.
type diskFD struct{}

func newDiskFD(int) *diskFD        { return &diskFD{} }
func (h *diskFD) acquire() *diskFD { return h }
func (*diskFD) release()           {}
func closeFD(int)                  {}

// readEntry reads the entry file at path() and hands its bytes to use
// before closing it; the open file h, the file's length as the index
// last saw it, keep and scratch are not used here, and nothing is kept. fi is
// the file's stat; the error wraps errDiskCorrupt if the file cannot be an
// entry (irregular, or over limit), or is the error of use.
func readEntry(path func() string, _ *diskFD, _, limit int64, _ bool, _ []byte, use func([]byte) error) (diskRead, error) {
	r := diskRead{kept: -1}
	f, err := os.Open(path())
	if err != nil {
		return r, err
	}
	defer f.Close()
	if r.fi, err = f.Stat(); err != nil {
		return r, err
	}
	if err := diskCheckStat(r.fi, r.fi.Size(), limit); err != nil {
		return r, err
	}
	buf := make([]byte, r.fi.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return r, err
	}
	if err := diskCheckStat(r.fi, int64(n), limit); err != nil {
		return r, err
	}
	return r, use(buf)
}

// sameFile reports whether a and b describe the same file.
func sameFile(a, b fs.FileInfo) bool { return os.SameFile(a, b) }
