//go:build !unix

package imgproxy

import "io/fs"

// diskSpace returns the space the file described by fi is taken to use on
// disk: its size rounded up to 4 KiB, the usual block size, where the
// platform does not report allocated blocks.
func diskSpace(fi fs.FileInfo) int64 { return diskRoundUp(fi.Size()) }
