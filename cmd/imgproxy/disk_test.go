package main

import (
	"bytes"
	"crypto/md5"
	endian "encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genOrigin serves a generated JPEG, distinct for every n, at /gen/<n>.jpg,
// counts requests per path, and answers 500 to everything while failing
// is set.
type genOrigin struct {
	srv     *httptest.Server
	failing atomic.Bool

	mu   sync.Mutex
	hits map[string]int
	imgs map[string][]byte
}

var genPathRE = regexp.MustCompile(`^/gen/([0-9]+)\.jpg$`)

// genSize is the size of the source /gen/<n>.jpg: always at least 480x360,
// so the thumbnails the tests ask for (at most 400x300) are reductions.
func genSize(n int) (w, h int) { return 480 + n%5*32, 360 + n%3*24 }

func newGenOrigin(t *testing.T) *genOrigin {
	t.Helper()
	o := &genOrigin{hits: map[string]int{}, imgs: map[string][]byte{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits[r.URL.Path]++
		o.mu.Unlock()
		if o.failing.Load() {
			http.Error(w, "origin down", http.StatusInternalServerError)
			return
		}
		m := genPathRE.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(m[1])
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		w.Write(o.image(n))
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// image returns the bytes of /gen/<n>.jpg, made once.
func (o *genOrigin) image(n int) []byte {
	key := strconv.Itoa(n)
	o.mu.Lock()
	b, ok := o.imgs[key]
	o.mu.Unlock()
	if ok {
		return b
	}
	w, h := genSize(n)
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(n)*2654435761 + 1
	for y := range h {
		for x := range w {
			// Diagonal stripes, their period and phase depending on n,
			// with some noise so the thumbnails do not compress to nothing.
			seed = seed*1664525 + 1013904223
			m.Y[y*m.YStride+x] = uint8((x+y)*(3+n%7)+n*37) ^ uint8(seed>>28)
		}
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(n * 53)
		m.Cr[i] = uint8(i + n*11)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.imgs[key]; ok {
		return b // made concurrently: keep serving one version
	}
	o.imgs[key] = buf.Bytes()
	return buf.Bytes()
}

// count returns how many requests the origin has had for path.
func (o *genOrigin) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[path]
}

// url returns the -upstream value for o.
func (o *genOrigin) url() string { return o.srv.URL + "/" }

// thumb is the URL path of a cropped w x h thumbnail of /gen/<n>.jpg;
// cropping makes the expected size exactly w x h.
func thumb(w, h, n int) string { return fmt.Sprintf("/image/%dx%d,crop/gen/%d.jpg", w, h, n) }

// stopServer sends SIGTERM and waits for the process to exit.
func stopServer(t *testing.T, s *server) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.done:
		require.NoError(t, err, "exit after SIGTERM; logs:\n%s", s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not exit after SIGTERM: %s", s.logs)
	}
	s.done <- nil // for startServer's cleanup
}

// killServer sends SIGKILL and waits for the process to be gone.
func killServer(t *testing.T, s *server) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Kill())
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not die after SIGKILL")
	}
	s.done <- nil // for startServer's cleanup
}

// get requests path from s, failing the test on a transport error.
func (s *server) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return s.do(t, http.MethodGet, path)
}

// entryFiles returns the size of every regular file under dir, outside
// dir/tmp, by path.
func entryFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	files := map[string]int64{}
	tmp := filepath.Join(dir, "tmp")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // removed while we walk
			}
			return err
		}
		if d.IsDir() && p == tmp {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		files[p] = fi.Size()
		return nil
	})
	require.NoError(t, err)
	return files
}

func totalSize(files map[string]int64) int64 {
	var n int64
	for _, s := range files {
		n += s
	}
	return n
}

// entryPath is where the disk cache keeps key (namespace, "/", canonical
// options, "/", upstream path): nginx's levels=1:2 layout of the key's
// MD5.
func entryPath(dir, key string) string {
	h := fmt.Sprintf("%x", md5.Sum([]byte(key)))
	return filepath.Join(dir, h[31:], h[29:31], h)
}

// tmpFiles lists what is in dir/tmp.
func tmpFiles(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dir, "tmp"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// parseEntry checks an entry file as diskcache.go documents the format
// (the comment at diskHeaderLen) and returns its key and data.
func parseEntry(b []byte) (key string, data []byte, err error) {
	const headLen = 52
	if len(b) < headLen || string(b[:4]) != "IPXC" {
		return "", nil, fmt.Errorf("no entry header")
	}
	le := endian.LittleEndian
	ctLen, etagLen, keyLen := int64(le.Uint16(b[6:])), int64(le.Uint16(b[8:])), int64(le.Uint32(b[12:]))
	dataLen := int64(le.Uint64(b[40:]))
	if dataLen < 0 || headLen+keyLen+ctLen+etagLen+dataLen != int64(len(b)) {
		return "", nil, fmt.Errorf("length %d does not match the header", len(b))
	}
	tab := crc32.MakeTable(crc32.Castagnoli)
	crc := crc32.Update(crc32.Checksum(b[:48], tab), tab, b[headLen:])
	if crc != le.Uint32(b[48:]) {
		return "", nil, fmt.Errorf("checksum mismatch")
	}
	p := b[headLen:]
	return string(p[:keyLen]), p[keyLen+ctLen+etagLen:], nil
}

// checkEntryFiles parses every entry file under dir and decodes its image.
func checkEntryFiles(t *testing.T, dir string) int {
	t.Helper()
	files := entryFiles(t, dir)
	for p := range files {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		key, data, err := parseEntry(b)
		require.NoError(t, err, "entry file %s", p)
		if _, k, _ := strings.Cut(key, "/"); strings.HasPrefix(k, "=") {
			continue // a source's size (imgproxy's canonical keys), not an image
		}
		_, _, err = image.Decode(bytes.NewReader(data))
		assert.NoError(t, err, "entry file %s (key %q) holds an image", p, key)
	}
	return len(files)
}

func TestDiskCacheSurvivesRestart(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	dir := t.TempDir()
	args := []string{"-upstream", o.url(), "-cache-dir", dir, "-cache-memory", "0"}
	paths := []string{thumb(150, 100, 1), thumb(200, 150, 2), thumb(120, 120, 3), thumb(300, 200, 1)}

	s := startServer(t, args...)
	bodies := map[string][]byte{}
	for _, p := range paths {
		resp, body := s.get(t, p)
		require.Equal(t, 200, resp.StatusCode, p)
		assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"), p)
		bodies[p] = body
	}
	stopServer(t, s)
	require.Len(t, entryFiles(t, dir), len(paths)+3, "4 variants and the sizes of their 3 pictures")
	o.srv.Close()

	s = startServer(t, args...)
	for _, p := range paths {
		resp, body := s.get(t, p)
		require.Equal(t, 200, resp.StatusCode, p)
		assert.Equal(t, "HIT", resp.Header.Get("X-Cache-Status"), p)
		assert.Equal(t, bodies[p], body, p)
	}
	resp, _ := s.get(t, thumb(150, 100, 4))
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode, "never fetched, and the origin is gone")
	resp, _ = s.get(t, thumb(100, 100, 1))
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode, "a new size of a cached picture needs the origin")
}

func TestDiskCacheSizeBound(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	dir := t.TempDir()
	const maxSize = 200 << 10
	s := startServer(t, "-upstream", o.url(), "-cache-dir", dir, "-cache-max-size", "200K", "-cache-memory", "0")

	var largest, served int64
	for i := range 40 {
		// 40 distinct variants (i mod 5, 4 and 8 tell them apart) of
		// 8 pictures, up to 400x270.
		w, h := 200+i%5*50, 150+i%4*40
		p := thumb(w, h, 100+i%8)
		resp, body := s.get(t, p)
		require.Equal(t, 200, resp.StatusCode, p)
		gw, gh := dims(t, body)
		require.Equal(t, [2]int{w, h}, [2]int{gw, gh}, p)
		served += int64(len(body))

		files := entryFiles(t, dir)
		for _, size := range files {
			largest = max(largest, size)
		}
		total := totalSize(files)
		require.LessOrEqual(t, total, maxSize+largest,
			"after %d requests: %d entry files, %d bytes", i+1, len(files), total)
	}
	files := entryFiles(t, dir)
	t.Logf("served %d bytes of thumbnails; %d entry files of %d bytes remain; largest entry %d", served, len(files), totalSize(files), largest)
	require.Greater(t, served, int64(2*maxSize), "the stream must overflow the bound for the test to mean anything")
	assert.Less(t, len(files), 40, "entries were evicted")
	assert.Greater(t, totalSize(files), int64(maxSize/2), "the cache is not emptied either")
}

func TestDiskCacheInactive(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	dir := t.TempDir()
	s := startServer(t, "-upstream", o.url(), "-cache-dir", dir, "-cache-inactive", "2s", "-cache-memory", "0")
	ns := serverNamespace(t, "-upstream", o.url()) // the cache directory is no part of it

	var files []string
	for i := range 3 {
		p := thumb(160, 120, 200+i)
		resp, _ := s.get(t, p)
		require.Equal(t, 200, resp.StatusCode)
		f := entryPath(dir, ns+"/"+strings.TrimPrefix(p, "/image/"))
		require.FileExists(t, f, "the entry exists right after the request")
		files = append(files, f)
	}
	require.Eventually(t, func() bool {
		for _, f := range files {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				return false
			}
		}
		return true
	}, 15*time.Second, 20*time.Millisecond, "entries unused for -cache-inactive 2s are removed")
	// Not before their time: DiskCache's own tests check that on a fake clock.
	assert.Empty(t, entryFiles(t, dir))

	resp, _ := s.get(t, thumb(160, 120, 200))
	assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))
	assert.Equal(t, 2, o.count("/gen/200.jpg"))
}

func TestDiskCacheKill9(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	dir := t.TempDir()
	args := []string{"-upstream", o.url(), "-cache-dir", dir, "-cache-max-size", "150K", "-cache-memory", "0"}
	const rounds, workers, perWorker = 3, 8, 3

	type want struct {
		path string
		w, h int
	}
	var all []want
	client := &http.Client{Timeout: 30 * time.Second}
	began := time.Now()
	for round := range rounds {
		s := startServer(t, args...)
		var done, inFlight atomic.Int32
		var wg sync.WaitGroup
		for g := range workers {
			urls := make([]want, perWorker)
			for j := range urls {
				// Distinct variants of a few pictures per round.
				n := 300 + round*10 + j
				urls[j] = want{thumb(120+g*20, 90+j*40, n), 120 + g*20, 90 + j*40}
			}
			all = append(all, urls...)
			wg.Go(func() {
				for _, u := range urls {
					inFlight.Add(1)
					resp, err := client.Get(s.base + u.path)
					inFlight.Add(-1)
					if err != nil {
						return // killed
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					done.Add(1)
				}
			})
		}
		require.Eventually(t, func() bool { return done.Load() >= 4 && len(entryFiles(t, dir)) >= 2 }, 30*time.Second, time.Millisecond)
		answered, pending := done.Load(), inFlight.Load()
		killServer(t, s)
		t.Logf("round %d: killed with %d requests answered, %d in flight; %d temp files left", round, answered, pending, len(tmpFiles(t, dir)))
		wg.Wait()
		assert.Less(t, int(answered), workers*perWorker, "killed mid-burst")
		n := checkEntryFiles(t, dir)
		t.Logf("round %d: %d entry files, all valid", round, n)
	}

	// A kill rarely lands between a temporary file's creation and its
	// rename, so leave one as such a kill would.
	planted := filepath.Join(dir, "tmp", "KILLEDWRITER-123456")
	require.NoError(t, os.WriteFile(planted, []byte("IPXC half an entry"), 0o600))

	t.Logf("kills done after %v", time.Since(began))
	s := startServer(t, args...)
	var wg sync.WaitGroup
	errs := make(chan error, len(all))
	sem := make(chan struct{}, 4)
	for _, u := range all {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			resp, err := client.Get(s.base + u.path)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("%s: status %d", u.path, resp.StatusCode)
				return
			}
			m, _, err := image.Decode(bytes.NewReader(body))
			if err != nil {
				errs <- fmt.Errorf("%s (%s): %w", u.path, resp.Header.Get("X-Cache-Status"), err)
				return
			}
			if b := m.Bounds(); b.Dx() != u.w || b.Dy() != u.h {
				errs <- fmt.Errorf("%s (%s): decoded %v", u.path, resp.Header.Get("X-Cache-Status"), b)
			}
		})
	}
	wg.Wait()
	t.Logf("%d URLs checked after %v", len(all), time.Since(began))
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	require.Eventually(t, func() bool { return len(tmpFiles(t, dir)) == 0 }, 15*time.Second, 20*time.Millisecond,
		"temporary files left by the kills are removed: %v", tmpFiles(t, dir))
	checkEntryFiles(t, dir)
	assert.NotContains(t, s.logs.String(), "corrupt", "no entry file was found damaged")
}

// untilNotHit asks s for p until the answer is not a fresh cache hit: the
// servers' clocks are real, so the test polls rather than sleeps.
func untilNotHit(t *testing.T, s *server, p string) (*http.Response, []byte) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(time.Minute) // a hang guard only
	for {
		resp, body := s.get(t, p)
		if resp.Header.Get("X-Cache-Status") != "HIT" {
			return resp, body
		}
		select {
		case <-tick.C:
		case <-giveUp:
			t.Fatalf("%s: still a fresh hit after a minute", p)
		}
	}
}

func TestStaleIfError(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	stale := startServer(t, "-upstream", o.url(), "-max-age", "1s", "-stale-if-error", "-cache-memory", "64M")
	strict := startServer(t, "-upstream", o.url(), "-max-age", "1s", "-cache-memory", "64M")
	p := thumb(150, 100, 400)

	resp, first := stale.get(t, p)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))
	resp, _ = strict.get(t, p)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))

	// The origin fails from now on: each server answers from its copy
	// until it grows older than -max-age, then the one with
	// -stale-if-error serves the old copy, the other the failure.
	o.failing.Store(true)
	resp, body := untilNotHit(t, stale, p)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "STALE", resp.Header.Get("X-Cache-Status"))
	assert.Equal(t, first, body)
	resp, _ = untilNotHit(t, strict, p)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode, "without -stale-if-error")
	assert.GreaterOrEqual(t, o.count("/gen/400.jpg"), 4, "both asked the origin again")

	o.failing.Store(false)
	resp, _ = stale.get(t, p)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"), "refreshed once the origin is back")
}

func TestNotFoundRemembered(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	s := startServer(t, "-upstream", o.url())
	for i := range 10 {
		resp, _ := s.get(t, fmt.Sprintf("/image/%dx100/gen/missing.jpg", 100+i%3*50))
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	assert.Equal(t, 1, o.count("/gen/missing.jpg"))
}
