package imgproxy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskOpenFiles returns the files under dir this process has open, as
// /proc/self/fd shows them (a removed one ends in " (deleted)").
func diskOpenFiles(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var open []string
	for _, de := range des {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", de.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			open = append(open, target)
		}
	}
	return open
}

// TestDiskCacheOpenFiles: a hot entry's file stays open for its hits,
// at most diskHotFDs of them, and is closed when the entry is evicted or
// replaced, and on Close.
func TestDiskCacheOpenFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	one := diskTestSpace(t, "k0", diskTestImage(0, 1000))
	const n = diskHotFDs + 20
	c := &DiskCache{Dir: dir, MaxSize: (n + 1) * one, MaxEntrySize: one}
	defer c.Close()
	waitDiskScan(c)
	hit := func(key string, img *Image) {
		t.Helper()
		for range 3 {
			got, ok := c.Get(ctx, key)
			require.True(t, ok, key)
			assertSameImage(t, img, got)
		}
	}
	for i := range n {
		c.Add(ctx, "k"+strconv.Itoa(i), diskTestImage(i, 1000))
		hit("k"+strconv.Itoa(i), diskTestImage(i, 1000))
	}
	open := diskOpenFiles(t, dir)
	assert.Len(t, open, diskHotFDs)
	assert.Contains(t, open, diskTestPath(dir, "k"+strconv.Itoa(n-1)))
	assert.NotContains(t, open, diskTestPath(dir, "k0"), "the first file opened was not let go")

	last := "k" + strconv.Itoa(n-1)
	c.Add(ctx, last, diskTestImage(99, 900)) // replaced: the old file is let go
	assert.NotContains(t, diskOpenFiles(t, dir), diskTestPath(dir, last)+" (deleted)")
	hit(last, diskTestImage(99, 900))
	assert.Contains(t, diskOpenFiles(t, dir), diskTestPath(dir, last))

	c.Add(ctx, "new1", diskTestImage(1000, 1000)) // evicts the oldest: k0, then k1
	c.Add(ctx, "new2", diskTestImage(1001, 1000))
	for _, f := range diskOpenFiles(t, dir) {
		assert.NotContains(t, f, "(deleted)")
	}
	require.NoError(t, c.Close())
	assert.Empty(t, diskOpenFiles(t, dir))
}

// TestDiskCacheHotConcurrent: hits on hot entries while the same keys are
// stored again, evicted, and replaced by another DiskCache on the same
// directory always serve an image as it was stored, and leave no file
// open once both are closed.
func TestDiskCacheHotConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	size := func(id int) int { return 300 + id%7*50 }
	c := &DiskCache{Dir: dir, MaxSize: 24 << 10, MaxEntrySize: 8 << 10}
	other := &DiskCache{Dir: dir, MaxSize: 24 << 10, MaxEntrySize: 8 << 10}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			for i := range 300 {
				key := strconv.Itoa(rng.IntN(8))
				id := g*1000 + i
				switch r := rng.IntN(10); {
				case r == 0:
					c.Add(ctx, key, diskTestImage(id, size(id)))
				case r == 1:
					other.Add(ctx, key, diskTestImage(id, size(id)))
				default:
					got, ok := c.Get(ctx, key)
					if !ok {
						continue
					}
					var stored int
					_, err := fmt.Sscanf(got.ETag, `"%08x"`, &stored)
					if assert.NoError(t, err, got.ETag) {
						assert.Equal(t, diskTestData(stored, size(stored)), got.Data, "key %s, ETag %s", key, got.ETag)
					}
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, c.Close())
	require.NoError(t, other.Close())
	assert.Empty(t, diskOpenFiles(t, dir))
}
