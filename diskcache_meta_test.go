package imgproxy

import (
	"context"
	"fmt"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskReplaceEntry puts an entry file for key and img at path as another
// process sharing the directory would: renamed over it, or rewritten in
// place (the same inode).
func diskReplaceEntry(t *testing.T, path, key string, img *Image, inPlace bool) {
	t.Helper()
	head, err := diskEncode(crc32.MakeTable(crc32.Castagnoli), key, img)
	require.NoError(t, err)
	b := append(head, img.Data...)
	if inPlace {
		require.NoError(t, os.WriteFile(path, b, 0o600))
		return
	}
	tmp := filepath.Join(t.TempDir(), "entry")
	require.NoError(t, os.WriteFile(tmp, b, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// assertSameHeaders checks the response header values got carries
// against those want's own fields give.
func assertSameHeaders(t *testing.T, want, got *Image) {
	t.Helper()
	h := got.headers()
	assert.Equal(t, []string{want.ContentType}, h.contentType)
	assert.Equal(t, []string{want.ETag}, h.etag)
	assert.Equal(t, []string{strconv.Itoa(len(want.Data))}, h.contentLength)
	assert.Equal(t, []string{want.LastModified.UTC().Format(http.TimeFormat)}, h.lastModified)
}

// TestDiskCacheHotEntryReplaced: once an entry is hot (its head kept in
// the index, its file perhaps kept open), a file that another process or
// DiskCache puts in its place is what Get serves, headers included, and
// one removed is a miss.
func TestDiskCacheHotEntryReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const key = "w=150/photos/cat.jpg"
	old := diskTestImage(1, 800)
	newer := func(n, size int) *Image {
		img := diskTestImage(n, size)
		img.LastModified = old.LastModified.Add(time.Duration(n) * time.Hour)
		return img
	}
	sameHead := func(n int) *Image { // only the data differs
		img := diskTestImage(1, 800)
		img.Data = diskTestData(n, 800)
		return img
	}
	cases := []struct {
		name    string
		img     *Image // nil: the file is removed
		inPlace bool
		other   bool // put there by another DiskCache on the directory
	}{
		{"renamed, same length", newer(2, 800), false, false},
		{"renamed, longer", newer(3, 900), false, false},
		{"renamed, shorter", newer(4, 700), false, false},
		{"renamed, same head", sameHead(5), false, false},
		{"in place, same length", newer(6, 800), true, false},
		{"in place, longer", newer(7, 1000), true, false},
		{"in place, shorter", newer(8, 100), true, false},
		{"in place, same head", sameHead(9), true, false},
		{"another DiskCache", newer(10, 800), false, true},
		{"removed", nil, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := &DiskCache{Dir: dir}
			defer c.Close()
			c.Add(ctx, key, old)
			for range 3 {
				got, ok := c.Get(ctx, key)
				require.True(t, ok)
				assertSameImage(t, old, got)
				assertSameHeaders(t, old, got)
			}
			path := diskTestPath(dir, key)
			switch {
			case tc.img == nil:
				require.NoError(t, os.Remove(path))
			case tc.other:
				// c's start-up scan removes temporary files that are
				// not its own (a crash's leftovers): it must be over
				// before c2 writes one, or c2's write is lost (a miss,
				// see README "Caching").
				waitDiskScan(c)
				c2 := &DiskCache{Dir: dir}
				c2.Add(ctx, key, tc.img)
				require.NoError(t, c2.Close())
			default:
				diskReplaceEntry(t, path, key, tc.img, tc.inPlace)
			}
			for i := range 3 {
				got, ok := c.Get(ctx, key)
				if tc.img == nil {
					assert.False(t, ok, "removed entry served")
					continue
				}
				require.True(t, ok, "hit %d after the replacement", i)
				assertSameImage(t, tc.img, got)
				assertSameHeaders(t, tc.img, got)
			}
		})
	}
}

// TestDiskCacheHotEntryCorrupted: a hot entry's file corrupted in place
// is not served, and is removed.
func TestDiskCacheHotEntryCorrupted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		at   func(n int) int // the byte to flip in a file of n bytes
	}{
		{"data", func(n int) int { return n - 10 }},
		{"ETag", func(n int) int { return diskHeaderLen + 1 + len("image/png") + 3 }},
		{"checksum", func(int) int { return 49 }},
		{"key", func(int) int { return diskHeaderLen }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := &DiskCache{Dir: dir}
			defer c.Close()
			c.Add(ctx, "k", diskTestImage(1, 800))
			for range 3 {
				_, ok := c.Get(ctx, "k")
				require.True(t, ok)
			}
			path := diskTestPath(dir, "k")
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			b[tc.at(len(b))] ^= 1
			require.NoError(t, os.WriteFile(path, b, 0o600))
			_, ok := c.Get(ctx, "k")
			assert.False(t, ok)
			assert.NoFileExists(t, path)
			assert.Zero(t, c.Len())
		})
	}
}

// TestDiskIndexHotBound: at most diskHotEntries records keep a diskMeta,
// the ones made hot last, and a record leaving the index frees its place.
func TestDiskIndexHotBound(t *testing.T) {
	t.Parallel()
	var x diskIndex
	m := &diskMeta{}
	entries := make([]*diskEntry, diskHotEntries+10)
	for i := range entries {
		e := &diskEntry{sum: [16]byte{byte(i), byte(i >> 8)}}
		x.pushFront(e)
		x.setMeta(e, m)
		entries[i] = e
	}
	count := func() int {
		n := 0
		for _, e := range entries {
			if e.meta != nil {
				n++
			}
		}
		return n
	}
	assert.Equal(t, diskHotEntries, count())
	for _, e := range entries[:10] {
		assert.Nil(t, e.meta, "one of the first made hot kept its meta")
	}
	x.setMeta(entries[len(entries)-1], m) // already hot: nothing displaced
	assert.Equal(t, diskHotEntries, count())
	x.remove(entries[len(entries)-1])
	assert.Nil(t, entries[len(entries)-1].meta)
	assert.Equal(t, diskHotEntries-1, count())
	e := entries[0]
	x.setMeta(e, m) // takes the place of the oldest, not the freed one
	assert.Equal(t, diskHotEntries-1, count())
	assert.Nil(t, entries[10].meta)
	for i, e := range entries {
		if e.metaAt != 0 {
			assert.Same(t, e, x.metas.slots[e.metaAt-1], fmt.Sprint(i))
		}
	}
}
