package imgproxy

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskTestPath computes where nginx's levels=1:2 puts key under dir,
// independently of DiskCache.path.
func diskTestPath(dir, key string) string {
	sum := md5.Sum([]byte(key))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(dir, h[31:], h[29:31], h)
}

// diskTestData returns size bytes derived from n.
func diskTestData(n, size int) []byte {
	b := make([]byte, size)
	x := uint32(n)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func diskTestImage(n, size int) *Image {
	return &Image{
		Data:         diskTestData(n, size),
		ContentType:  "image/png",
		ETag:         fmt.Sprintf(`"%08x"`, n),
		LastModified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Created:      time.Date(2025, 6, 7, 8, 9, 10, 11, time.UTC),
	}
}

// diskTestSpace is the space an entry for key and img takes on disk, as
// DiskCache counts it: measured by writing one in a scratch directory.
func diskTestSpace(t testing.TB, key string, img *Image) int64 {
	t.Helper()
	fi, err := os.Stat(writeDiskEntry(t, t.TempDir(), key, img))
	require.NoError(t, err)
	return diskSpace(fi)
}

// writeDiskEntry writes an entry file directly, as a previous run would
// have left it.
func writeDiskEntry(t testing.TB, dir, key string, img *Image) string {
	t.Helper()
	head, err := diskEncode(crc32.MakeTable(crc32.Castagnoli), key, img)
	require.NoError(t, err)
	path := diskTestPath(dir, key)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, append(head, img.Data...), 0o600))
	return path
}

// waitDiskScan starts c if needed and waits for its start-up scan.
func waitDiskScan(c *DiskCache) {
	c.once.Do(c.init)
	<-c.ready
}

// diskUsage walks dir and returns the number of entry files, the space
// they take as DiskCache counts it (diskSpace), and the number of
// temporary files.
func diskUsage(t testing.TB, dir string) (files int, size int64, tmp int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if filepath.Base(filepath.Dir(path)) == "tmp" {
			tmp++
		} else {
			files++
			size += diskSpace(fi)
		}
		return nil
	})
	require.NoError(t, err)
	return files, size, tmp
}

// diskTestClock is a settable clock for DiskCache.Now.
type diskTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func (k *diskTestClock) Now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.t
}

func (k *diskTestClock) Advance(d time.Duration) {
	k.mu.Lock()
	k.t = k.t.Add(d)
	k.mu.Unlock()
}

func assertSameImage(t *testing.T, want, got *Image) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.Data, got.Data)
	assert.Equal(t, want.ContentType, got.ContentType)
	assert.Equal(t, want.ETag, got.ETag)
	assert.True(t, want.LastModified.Equal(got.LastModified), "LastModified %v != %v", want.LastModified, got.LastModified)
	assert.True(t, want.Created.Equal(got.Created), "Created %v != %v", want.Created, got.Created)
}

func TestDiskCacheLayout(t *testing.T) {
	t.Parallel()
	c := &DiskCache{Dir: t.TempDir() + "/"}
	defer c.Close()
	waitDiskScan(c)
	var sum [16]byte
	_, err := hex.Decode(sum[:], []byte("b7f54b2df7773722d382f4809d65029c"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(c.Dir, "c", "29", "b7f54b2df7773722d382f4809d65029c"), c.path(sum))
}

func TestDiskCacheRoundTripAndRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	keys := []string{"w=100/a/b.jpg", "ключ/画像.png?x=1", "", "k"}
	c := &DiskCache{Dir: dir}
	for i, k := range keys {
		c.Add(ctx, k, diskTestImage(i, 1000+i))
	}
	zero := &Image{Data: []byte{}, ContentType: "application/x-odd"}
	c.Add(ctx, "zero", zero)
	for i, k := range keys {
		got, ok := c.Get(ctx, k)
		require.True(t, ok, k)
		assertSameImage(t, diskTestImage(i, 1000+i), got)
		assert.FileExists(t, diskTestPath(dir, k))
	}
	got, ok := c.Get(ctx, "zero")
	require.True(t, ok)
	assertSameImage(t, zero, got)
	assert.Len(t, got.Data, 0)
	_, ok = c.Get(ctx, "missing")
	assert.False(t, ok)
	assert.Equal(t, len(keys)+1, c.Len())
	files, size, tmp := diskUsage(t, dir)
	assert.Equal(t, len(keys)+1, files)
	assert.Equal(t, size, c.Size())
	assert.Zero(t, tmp)
	require.NoError(t, c.Close())

	c2 := &DiskCache{Dir: dir}
	defer c2.Close()
	for i, k := range keys {
		got, ok := c2.Get(ctx, k)
		require.True(t, ok, k)
		assertSameImage(t, diskTestImage(i, 1000+i), got)
	}
	waitDiskScan(c2)
	assert.Equal(t, len(keys)+1, c2.Len())
	assert.Equal(t, size, c2.Size())
}

func TestDiskCacheReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	c := &DiskCache{Dir: dir}
	defer c.Close()
	c.Add(ctx, "k", diskTestImage(1, 500))
	c.Add(ctx, "k", diskTestImage(2, 700))
	got, ok := c.Get(ctx, "k")
	require.True(t, ok)
	assertSameImage(t, diskTestImage(2, 700), got)
	assert.Equal(t, 1, c.Len())
	assert.Equal(t, diskTestSpace(t, "k", diskTestImage(2, 700)), c.Size())
}

func TestDiskCacheBadFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tab := crc32.MakeTable(crc32.Castagnoli)
	cases := []struct {
		name  string
		spoil func(t *testing.T, path string, b []byte) []byte
	}{
		{"data byte flipped", func(_ *testing.T, _ string, b []byte) []byte { b[len(b)-10] ^= 1; return b }},
		{"content type byte flipped", func(_ *testing.T, _ string, b []byte) []byte { b[diskHeaderLen+6] ^= 0x20; return b }},
		{"checksum flipped", func(_ *testing.T, _ string, b []byte) []byte { b[49] ^= 1; return b }},
		{"truncated", func(_ *testing.T, _ string, b []byte) []byte { return b[:len(b)-7] }},
		{"truncated in header", func(_ *testing.T, _ string, b []byte) []byte { return b[:20] }},
		{"extended", func(_ *testing.T, _ string, b []byte) []byte { return append(b, 0) }},
		{"empty", func(_ *testing.T, _ string, b []byte) []byte { return nil }},
		{"garbage", func(_ *testing.T, _ string, b []byte) []byte { return diskTestData(9, len(b)) }},
		{"future version", func(_ *testing.T, _ string, b []byte) []byte { b[4] = 2; return b }},
		{"another key", func(t *testing.T, _ string, b []byte) []byte {
			head, err := diskEncode(tab, "other", diskTestImage(5, 800))
			require.NoError(t, err)
			return append(head, diskTestImage(5, 800).Data...)
		}},
	}
	for _, restart := range []bool{false, true} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/restart=%v", tc.name, restart), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				c := &DiskCache{Dir: dir}
				defer func() { c.Close() }()
				c.Add(ctx, "k", diskTestImage(1, 800))
				c.Add(ctx, "keep", diskTestImage(2, 800))
				path := diskTestPath(dir, "k")
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path, tc.spoil(t, path, b), 0o600))
				if restart {
					require.NoError(t, c.Close())
					c = &DiskCache{Dir: dir}
				}
				_, ok := c.Get(ctx, "k")
				assert.False(t, ok)
				assert.NoFileExists(t, path)
				_, ok = c.Get(ctx, "k")
				assert.False(t, ok)
				got, ok := c.Get(ctx, "keep")
				require.True(t, ok)
				assertSameImage(t, diskTestImage(2, 800), got)
				waitDiskScan(c)
				files, size, _ := diskUsage(t, dir)
				assert.Equal(t, 1, files)
				assert.Equal(t, 1, c.Len())
				assert.Equal(t, size, c.Size())
			})
		}
	}
}

func TestDiskCacheMaxSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	const maxSize = 20 << 10
	c := &DiskCache{Dir: dir, MaxSize: maxSize, MaxEntrySize: maxSize}
	defer c.Close()
	waitDiskScan(c)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 150 {
		key := fmt.Sprintf("key-%d", i)
		img := diskTestImage(i, 100+rng.IntN(4000))
		c.Add(ctx, key, img)
		files, size, tmp := diskUsage(t, dir)
		require.LessOrEqual(t, size, int64(maxSize), "after entry %d", i)
		require.Equal(t, c.Size(), size, "after entry %d", i)
		require.Equal(t, c.Len(), files, "after entry %d", i)
		require.Zero(t, tmp)
		got, ok := c.Get(ctx, key)
		require.True(t, ok, "newest entry %d evicted", i)
		assertSameImage(t, img, got)
	}

	// An entry larger than MaxSize is not stored, and takes the older
	// variant under its key with it.
	c.Add(ctx, "big", diskTestImage(1, 100))
	_, ok := c.Get(ctx, "big")
	require.True(t, ok)
	c.Add(ctx, "big", diskTestImage(1, maxSize))
	_, ok = c.Get(ctx, "big")
	assert.False(t, ok)
	assert.NoFileExists(t, diskTestPath(dir, "big"))
	_, size, _ := diskUsage(t, dir)
	assert.Equal(t, c.Size(), size)
}

func TestDiskCacheLRU(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	one := diskTestSpace(t, "a", diskTestImage(0, 1000))
	c := &DiskCache{Dir: dir, MaxSize: 3 * one, MaxEntrySize: one}
	defer c.Close()
	waitDiskScan(c)
	for i, k := range []string{"a", "b", "c"} {
		c.Add(ctx, k, diskTestImage(i, 1000))
	}
	_, ok := c.Get(ctx, "a") // a is now newer than b and c
	require.True(t, ok)
	c.Add(ctx, "d", diskTestImage(3, 1000))
	assert.NoFileExists(t, diskTestPath(dir, "b"))
	for _, k := range []string{"a", "c", "d"} {
		_, ok := c.Get(ctx, k)
		assert.True(t, ok, k)
	}
	_, ok = c.Get(ctx, "b")
	assert.False(t, ok)
	assert.Equal(t, 3, c.Len())
	assert.Equal(t, 3*one, c.Size())
}

func TestDiskCacheInactive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	clock := &diskTestClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &DiskCache{Dir: dir, Now: clock.Now} // Inactive: 40 days
	waitDiskScan(c)
	c.Add(ctx, "read", diskTestImage(1, 100))
	c.Add(ctx, "idle", diskTestImage(2, 100))
	c.Add(ctx, "late", diskTestImage(3, 100))
	clock.Advance(30 * 24 * time.Hour)
	_, ok := c.Get(ctx, "read")
	require.True(t, ok)
	c.Add(ctx, "late", diskTestImage(4, 100))
	clock.Advance(10 * 24 * time.Hour) // idle: 40 days; read, late: 10 days
	c.expire()
	assert.NoFileExists(t, diskTestPath(dir, "idle"))
	_, ok = c.Get(ctx, "idle")
	assert.False(t, ok)
	assert.Equal(t, 2, c.Len())
	require.NoError(t, c.Close())

	// File times carry last access across a restart.
	clock.Advance(20 * 24 * time.Hour) // read, late: 30 days
	c = &DiskCache{Dir: dir, Now: clock.Now}
	waitDiskScan(c)
	assert.Equal(t, 2, c.Len())
	_, ok = c.Get(ctx, "late")
	require.True(t, ok)
	require.NoError(t, c.Close())
	clock.Advance(15 * 24 * time.Hour) // read: 45 days, late: 15 days
	c = &DiskCache{Dir: dir, Now: clock.Now}
	defer c.Close()
	waitDiskScan(c)
	assert.Equal(t, 1, c.Len())
	assert.NoFileExists(t, diskTestPath(dir, "read"))
	_, ok = c.Get(ctx, "late")
	assert.True(t, ok)
}

func TestDiskCacheJanitor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	c := &DiskCache{Dir: dir, Inactive: 300 * time.Millisecond}
	defer c.Close()
	c.Add(ctx, "k", diskTestImage(1, 100))
	path := diskTestPath(dir, "k")
	require.FileExists(t, path)
	require.Eventually(t, func() bool {
		_, err := os.Stat(path)
		return os.IsNotExist(err) && c.Len() == 0 && c.Size() == 0
	}, 5*time.Second, 20*time.Millisecond)
}

func TestDiskCacheLeftoverTempFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	c := &DiskCache{Dir: dir}
	c.Add(ctx, "k", diskTestImage(1, 100))
	require.NoError(t, c.Close())
	tmp := filepath.Join(dir, "tmp")
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "XYZ-123"), []byte("half an entry"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "junk"), nil, 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "sub", "dir"), 0o700))
	// Files that are not entries are left alone and not counted.
	stray := filepath.Join(dir, "a", "bc", "README")
	require.NoError(t, os.MkdirAll(filepath.Dir(stray), 0o700))
	require.NoError(t, os.WriteFile(stray, []byte("mine"), 0o600))

	c = &DiskCache{Dir: dir}
	defer c.Close()
	waitDiskScan(c)
	des, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, des)
	assert.FileExists(t, stray)
	assert.Equal(t, 1, c.Len())
	assert.Equal(t, diskTestSpace(t, "k", diskTestImage(1, 100)), c.Size())
	_, ok := c.Get(ctx, "k")
	assert.True(t, ok)
}

func TestDiskCacheUnusableDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	for _, dir := range []string{file, filepath.Join(file, "sub"), ""} {
		t.Run(dir, func(t *testing.T) {
			var logs bytes.Buffer
			c := &DiskCache{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			c.Add(ctx, "k", diskTestImage(1, 100))
			_, ok := c.Get(ctx, "k")
			assert.False(t, ok)
			assert.Zero(t, c.Len())
			require.NoError(t, c.Close())
			assert.Contains(t, logs.String(), "unusable")
		})
	}
}

func TestDiskCacheDirLostWhileRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	var logs bytes.Buffer
	c := &DiskCache{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	c.Add(ctx, "k", diskTestImage(1, 100))
	waitDiskScan(c)
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.WriteFile(dir, []byte("now a file"), 0o600))
	for i := range 20 {
		c.Add(ctx, fmt.Sprint(i), diskTestImage(i, 100))
	}
	_, ok := c.Get(ctx, "k")
	assert.False(t, ok)
	_, ok = c.Get(ctx, "1")
	assert.False(t, ok)
	require.NoError(t, c.Close())
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("write failed")), "rate-limited:\n%s", logs.String())
}

func TestDiskCacheBackgroundScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	const n = 2000
	for i := range n {
		writeDiskEntry(t, dir, fmt.Sprintf("entry/%d", i), diskTestImage(i, 200+i%300))
	}
	c := &DiskCache{Dir: dir}
	defer c.Close()
	var wg sync.WaitGroup
	wg.Go(func() { // new entries and new variants while the scan runs
		for i := range 40 {
			c.Add(ctx, fmt.Sprintf("entry/%d", n-20+i), diskTestImage(i, 100))
		}
	})
	for i := range n - 20 {
		key := fmt.Sprintf("entry/%d", i)
		got, ok := c.Get(ctx, key)
		require.True(t, ok, key)
		require.Equal(t, diskTestData(i, 200+i%300), got.Data)
	}
	wg.Wait()
	waitDiskScan(c)
	files, size, _ := diskUsage(t, dir)
	assert.Equal(t, n+20, files)
	assert.Equal(t, n+20, c.Len())
	assert.Equal(t, size, c.Size())
	for i := range 40 {
		got, ok := c.Get(ctx, fmt.Sprintf("entry/%d", n-20+i))
		require.True(t, ok)
		require.Equal(t, diskTestData(i, 100), got.Data)
	}
}

func TestDiskCacheConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	c := &DiskCache{Dir: dir, MaxSize: 16 << 10, MaxEntrySize: 16 << 10}
	waitDiskScan(c)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 100 {
				n := rng.IntN(40)
				key := fmt.Sprint(n)
				if rng.IntN(2) == 0 {
					c.Add(ctx, key, diskTestImage(n, 300+n*20))
				} else if got, ok := c.Get(ctx, key); ok {
					assert.Equal(t, diskTestData(n, 300+n*20), got.Data)
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, c.Close())
	files, size, tmp := diskUsage(t, dir)
	assert.Equal(t, c.Len(), files)
	assert.Equal(t, c.Size(), size)
	assert.LessOrEqual(t, size, int64(16<<10))
	assert.Zero(t, tmp)
}

func TestDiskCacheSeparateDirs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c1 := &DiskCache{Dir: t.TempDir()}
	c2 := &DiskCache{Dir: t.TempDir()}
	defer c1.Close()
	defer c2.Close()
	c1.Add(ctx, "k", diskTestImage(1, 10))
	_, ok := c2.Get(ctx, "k")
	assert.False(t, ok)
	c2.Add(ctx, "k", diskTestImage(2, 10))
	got, ok := c1.Get(ctx, "k")
	require.True(t, ok)
	assert.Equal(t, diskTestData(1, 10), got.Data)
}

func TestDiskCacheClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	unused := &DiskCache{Dir: t.TempDir()}
	require.NoError(t, unused.Close())
	require.NoError(t, unused.Close())
	unused.Add(ctx, "k", diskTestImage(1, 10))
	_, ok := unused.Get(ctx, "k")
	assert.False(t, ok)

	dir := t.TempDir()
	c := &DiskCache{Dir: dir}
	c.Add(ctx, "k", diskTestImage(1, 10))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	c.Add(ctx, "k2", diskTestImage(2, 10))
	assert.NoFileExists(t, diskTestPath(dir, "k2"))
	_, ok = c.Get(ctx, "k")
	assert.False(t, ok)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	c = &DiskCache{Dir: dir}
	defer c.Close()
	_, ok = c.Get(canceled, "k")
	assert.False(t, ok)
	_, ok = c.Get(ctx, "k")
	assert.True(t, ok)
}

func TestDiskCacheValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, (&DiskCache{Dir: filepath.Join(t.TempDir(), "x")}).Validate())
	for _, c := range []*DiskCache{{}, {Dir: "x", MaxSize: -1}, {Dir: "x", MaxEntrySize: -1}, {Dir: "x", Inactive: -time.Second}} {
		err := c.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "imgproxy: ")
	}
}

func BenchmarkDiskCacheGet(b *testing.B) {
	ctx := context.Background()
	c := &DiskCache{Dir: b.TempDir()}
	defer c.Close()
	img := diskTestImage(1, 20<<10)
	c.Add(ctx, "w=300/photos/cat.jpg", img)
	waitDiskScan(c)
	b.SetBytes(int64(len(img.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Get(ctx, "w=300/photos/cat.jpg"); !ok {
			b.Fatal("miss")
		}
	}
}

// TestDiskCacheBigEntry: an entry over MaxEntrySize (by default an eighth
// of MaxSize) is not stored though it would fit, and the entries already
// there, files and index, survive it.
func TestDiskCacheBigEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const maxSize = 128 << 10 // default MaxEntrySize: 16 KiB
	cases := []struct {
		name    string
		entry   int64 // MaxEntrySize
		big     int   // data bytes of an entry not to store
		fitting int   // data bytes of an entry to store
	}{
		{"default eighth", 0, 20 << 10, 10 << 10},
		{"explicit", 40 << 10, 50 << 10, 30 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := &DiskCache{Dir: dir, MaxSize: maxSize, MaxEntrySize: tc.entry}
			defer c.Close()
			keys := []string{"a", "b", "c", "d"}
			for i, k := range keys {
				c.Add(ctx, k, diskTestImage(i, 1000))
			}
			files, before, _ := diskUsage(t, dir)
			require.Equal(t, len(keys), files)
			c.Add(ctx, "big", diskTestImage(9, tc.big))
			_, ok := c.Get(ctx, "big")
			assert.False(t, ok, "big entry stored")
			assert.NoFileExists(t, diskTestPath(dir, "big"))
			files, after, tmp := diskUsage(t, dir)
			assert.Equal(t, len(keys), files)
			assert.Equal(t, before, after)
			assert.Equal(t, after, c.Size())
			assert.Zero(t, tmp, "temporary file of the refused entry left")
			for i, k := range keys {
				got, ok := c.Get(ctx, k)
				require.True(t, ok, "%s evicted by a refused entry", k)
				assertSameImage(t, diskTestImage(i, 1000), got)
			}
			c.Add(ctx, "fits", diskTestImage(8, tc.fitting))
			_, ok = c.Get(ctx, "fits")
			assert.True(t, ok, "entry under the bound not stored")
			c.Add(ctx, "a", diskTestImage(7, tc.big)) // the older variant goes too
			assert.NoFileExists(t, diskTestPath(dir, "a"))
			_, ok = c.Get(ctx, "a")
			assert.False(t, ok)
		})
	}
}
