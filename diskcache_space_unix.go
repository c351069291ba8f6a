//go:build unix

package imgproxy

import (
	"io/fs"
	"syscall"
)

// diskSpace returns the space the file described by fi takes on disk, as
// nginx's cache manager counts it (ngx_file_fs_size): st_blocks x 512
// when that is above the size but by less than eight file-system blocks,
// else the size. So a 100-byte entry counts 4096 on a 4 KiB-block file
// system, as du shows it, while a preallocation still held open (XFS's
// allocsize) or a file smaller on disk than its size (compression,
// delayed allocation) counts its size.
func diskSpace(fi fs.FileInfo) int64 {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return diskRoundUp(fi.Size())
	}
	size, used := fi.Size(), int64(st.Blocks)*512
	if used > size && used < size+8*int64(st.Blksize) {
		return used
	}
	return size
}
