//go:build unix

package imgproxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The crash test runs TestDiskCacheCrashHelper in a child process that
// writes entries as fast as it can, and kills it with SIGKILL.
const (
	diskCrashDirEnv   = "IMGPROXY_DISKCACHE_CRASH_DIR"
	diskCrashAfterEnv = "IMGPROXY_DISKCACHE_CRASH_AFTER"
	diskCrashKeys     = 300
	diskCrashMaxSize  = 256 << 10
)

// diskCrashImage is what the helper stores under key "k<n>".
func diskCrashImage(n int) *Image {
	return &Image{
		Data:        diskTestData(n, 500+n*13%4000),
		ContentType: "image/jpeg",
		ETag:        fmt.Sprintf(`"k%d"`, n),
		Created:     time.Unix(int64(n), 0),
	}
}

// TestDiskCacheCrashHelper is the child of TestDiskCacheCrash; run on its
// own it skips.
func TestDiskCacheCrashHelper(t *testing.T) {
	dir := os.Getenv(diskCrashDirEnv)
	if dir == "" {
		t.Skip("child process of TestDiskCacheCrash")
	}
	after, err := strconv.ParseInt(os.Getenv(diskCrashAfterEnv), 10, 64)
	require.NoError(t, err)
	ready := os.NewFile(3, "ready")
	c := &DiskCache{Dir: dir, MaxSize: diskCrashMaxSize}
	var count atomic.Int64
	for range 4 {
		go func() {
			for {
				i := count.Add(1)
				n := int(i % diskCrashKeys)
				c.Add(context.Background(), "k"+strconv.Itoa(n), diskCrashImage(n))
				if i == after {
					fmt.Fprintln(ready, "ready")
				}
			}
		}()
	}
	time.Sleep(time.Minute) // the parent kills us long before
	t.Fatal("not killed")
}

func TestDiskCacheCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	dir := t.TempDir()
	for round := range 5 {
		diskCrashChild(t, dir, 30+round*40)
	}

	// Every entry file in place is whole and holds what the child wrote.
	names := make(map[string]int, diskCrashKeys)
	for n := range diskCrashKeys {
		sum := md5.Sum([]byte("k" + strconv.Itoa(n)))
		names[hex.EncodeToString(sum[:])] = n
	}
	tab := crc32.MakeTable(crc32.Castagnoli)
	files, tmp := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Base(filepath.Dir(path)) == "tmp" {
			tmp++
			return nil
		}
		files++
		n, ok := names[d.Name()]
		require.True(t, ok, "unexpected file %s", path)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		got, err := diskDecode(tab, b, "k"+strconv.Itoa(n))
		require.NoError(t, err, path)
		assert.Equal(t, diskCrashImage(n).Data, got.Data, path)
		return nil
	})
	require.NoError(t, err)
	require.Positive(t, files)
	t.Logf("after 5 kills: %d entry files, %d temporary files", files, tmp)

	c := &DiskCache{Dir: dir, MaxSize: diskCrashMaxSize}
	defer c.Close()
	var misses []string
	for n := range diskCrashKeys {
		key := "k" + strconv.Itoa(n)
		got, ok := c.Get(context.Background(), key)
		if !ok {
			misses = append(misses, key)
			continue
		}
		require.Equal(t, diskCrashImage(n).Data, got.Data)
		require.Equal(t, diskCrashImage(n).ETag, got.ETag)
	}
	assert.Less(t, len(misses), diskCrashKeys)
	waitDiskScan(c)
	for _, key := range misses { // never written, or evicted to fit MaxSize
		assert.NoFileExists(t, diskTestPath(dir, key))
	}
	des, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	assert.Empty(t, des, "temporary files left after the scan")
	assert.LessOrEqual(t, c.Size(), int64(diskCrashMaxSize))
}

// diskCrashChild runs the helper on dir and kills it once it has started
// after entries.
func diskCrashChild(t *testing.T, dir string, after int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestDiskCacheCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), diskCrashDirEnv+"="+dir, diskCrashAfterEnv+"="+strconv.Itoa(after))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	require.NoError(t, cmd.Start())
	w.Close()
	require.NoError(t, r.SetReadDeadline(time.Now().Add(2*time.Minute)))
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper did not get going: %q, %v\n%s", line, err, out.String())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "helper: %v\n%s", err, out.String())
}
