//go:build unix

package imgproxy

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskBlocks walks dir and returns the number of regular files and the
// sum of their st_blocks x 512: what du counts, directories aside.
func diskBlocks(t *testing.T, dir string) (files int, used int64) {
	t.Helper()
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		used += int64(fi.Sys().(*syscall.Stat_t).Blocks) * 512
		return nil
	})
	require.NoError(t, err)
	return files, used
}

// TestDiskCacheBoundInBlocks: many small entries under a small MaxSize
// take at most MaxSize on disk, counted in allocated blocks as du counts
// them, not in bytes; and so after a restart, when the index is rebuilt
// from the files. No slack is allowed: an Add removes its victims before
// it returns, so once the Adds are over the files fit.
func TestDiskCacheBoundInBlocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	const maxSize = 64 << 10
	c := &DiskCache{Dir: dir, MaxSize: maxSize}
	waitDiskScan(c)
	const n = 300 // 300 x ~170 bytes: would all fit a bound in bytes
	for i := range n {
		c.Add(ctx, fmt.Sprintf("k%d", i), diskTestImage(i, 100))
		if i%50 == 49 {
			_, used := diskBlocks(t, dir)
			require.LessOrEqual(t, used, int64(maxSize), "after %d entries", i+1)
		}
	}
	files, used := diskBlocks(t, dir)
	t.Logf("%d entries of %d bytes: %d files, %d bytes in blocks", n, 100, files, used)
	assert.LessOrEqual(t, used, int64(maxSize))
	assert.Equal(t, files, c.Len())
	assert.Less(t, files, n/2, "entries counted in bytes, not blocks")
	_, space, _ := diskUsage(t, dir)
	assert.Equal(t, space, c.Size())
	_, ok := c.Get(ctx, fmt.Sprintf("k%d", n-1))
	assert.True(t, ok, "newest entry evicted")
	require.NoError(t, c.Close())

	// Restart with half the bound: the scan counts blocks too.
	c = &DiskCache{Dir: dir, MaxSize: maxSize / 2}
	defer c.Close()
	waitDiskScan(c)
	files, used = diskBlocks(t, dir)
	assert.LessOrEqual(t, used, int64(maxSize/2))
	assert.Equal(t, files, c.Len())
	_, space, _ = diskUsage(t, dir)
	assert.Equal(t, space, c.Size())
	for i := range 50 {
		c.Add(ctx, fmt.Sprintf("again%d", i), diskTestImage(i, 100))
	}
	_, used = diskBlocks(t, dir)
	assert.LessOrEqual(t, used, int64(maxSize/2))
}
