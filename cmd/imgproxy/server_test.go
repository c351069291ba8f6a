package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the imgproxy command built once for the tests that run it as a
// real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imgproxy-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "imgproxy")
	out, err := exec.Command("go", "build", "-race", "-o", binary, ".").CombinedOutput()
	if err != nil {
		// Fall back to a build without the race detector.
		out, err = exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	}
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var listenRE = regexp.MustCompile(`listening"? addr=(\S+)`)

// server is a running imgproxy process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
	done chan error
}

// syncBuffer collects a process's log lines for concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the binary with args on a free loopback port and waits
// until it listens.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	s, err := tryStartServer(t, args...)
	require.NoError(t, err)
	return s
}

// startServerEnv is startServer with the process environment env (plus
// GORACE) instead of this process's.
func startServerEnv(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s, err := tryStartServerEnv(t, env, args...)
	require.NoError(t, err)
	return s
}

// tryStartServer is startServer that reports a process exiting before it
// listens (a peer port taken meanwhile) as an error rather than failing.
func tryStartServer(t *testing.T, args ...string) (*server, error) {
	t.Helper()
	return tryStartServerEnv(t, os.Environ(), args...)
}

func tryStartServerEnv(t *testing.T, env []string, args ...string) (*server, error) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append([]string{}, env...), "GORACE=halt_on_error=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteString(line + "\n")
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	select {
	case a := <-addr:
		s.base = "http://" + a
		return s, nil
	case err := <-s.done:
		s.done <- err // for the cleanup
		return nil, fmt.Errorf("exited before listening (%v): %s", err, s.logs)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("did not start: %s", s.logs)
	}
}

func (s *server) do(t *testing.T, method, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 80}))
	return buf.Bytes()
}

// origin serves generated images on loopback and counts requests.
// /slow.jpg announces itself on arrived and waits for release.
func origin(t *testing.T) (*httptest.Server, *atomic.Int32) {
	return gatedOrigin(t, nil, nil)
}

func gatedOrigin(t *testing.T, arrived chan<- struct{}, release <-chan struct{}) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	bomb := func() []byte {
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))))
		b := buf.Bytes()
		copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0}) // 100000 x 100000
		return b
	}()
	files := map[string][]byte{
		"/photo.jpg": testJPEG(t, 2560, 1600),
		"/small.jpg": testJPEG(t, 320, 200),
		"/big.jpg":   testJPEG(t, 3000, 3000),
		"/bomb.png":  bomb,
		"/text.txt":  []byte("not an image at all"),
		"/slow.jpg":  testJPEG(t, 640, 480),
		"/pixel.png": func() []byte {
			var b bytes.Buffer
			png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 2, 2)))
			return b.Bytes()
		}(),
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		data, ok := files[r.URL.Path]
		if !ok || data == nil {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/slow.jpg" && arrived != nil {
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func dims(t *testing.T, body []byte) (int, int) {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	require.NoError(t, err, "body %q", body[:min(len(body), 64)])
	return cfg.Width, cfg.Height
}

func TestServerEndToEnd(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	s := startServer(t, "-upstream", up.URL+"/", "-max-source-bytes", "1M")

	resp, body := s.do(t, "GET", "/image/150x150/photo.jpg")
	require.Equal(t, 200, resp.StatusCode, string(body))
	assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
	w, h := dims(t, body)
	assert.Equal(t, [2]int{150, 94}, [2]int{w, h})
	assert.Equal(t, "MISS", resp.Header.Get("X-Cache-Status"))

	resp2, body2 := s.do(t, "GET", "/image/150x150/photo.jpg")
	assert.Equal(t, "HIT", resp2.Header.Get("X-Cache-Status"))
	assert.Equal(t, body, body2)
	resp3, _ := s.do(t, "GET", "/image/150x150/photo.jpg", "If-None-Match", resp.Header.Get("ETag"))
	assert.Equal(t, 304, resp3.StatusCode)

	for path, want := range map[string][2]int{
		"/image/150x-/photo.jpg":        {150, 94},
		"/image/-x100/photo.jpg":        {160, 100},
		"/image/150x150,crop/photo.jpg": {150, 150},
		"/image/150x150,r90/photo.jpg":  {94, 150},
	} {
		resp, body := s.do(t, "GET", path)
		require.Equal(t, 200, resp.StatusCode, path)
		w, h := dims(t, body)
		assert.Equal(t, want, [2]int{w, h}, path)
	}

	_, orig := s.do(t, "GET", "/image/5000x5000/small.jpg")
	assert.Equal(t, testJPEG(t, 320, 200), orig, "an image that fits is served unchanged")

	for path, code := range map[string]int{
		"/image/150x150/text.txt":    415,
		"/image/150x150/missing.jpg": 404,
		"/image/150x150/big.jpg":     415, // over -max-source-bytes 1M
		"/image/150x150/bomb.png":    415,
		"/image/axb/x.jpg":           400,
		"/image/150x150/../etc/x":    400,
	} {
		resp, body := s.do(t, "GET", path)
		assert.Equal(t, code, resp.StatusCode, path)
		assert.Equal(t, http.StatusText(code)+"\n", string(body), path)
	}
	resp, _ = s.do(t, "POST", "/image/150x150/photo.jpg")
	assert.Equal(t, 405, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/healthz")
	assert.Equal(t, 200, resp.StatusCode, "the process stays up")
}

func TestServerSecureLink(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	s := startServer(t, "-upstream", up.URL+"/", "-secret", "your_secret")
	// echo -n '/image/150x150/photo.jpg your_secret' | openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =
	resp, _ := s.do(t, "GET", "/image/150x150/photo.jpg?auth=yRaHFZU1jTFJ-lF22JSUOw")
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/image/150x150/photo.jpg?auth=N1jadBh1oI7LO9yKdEQn5w")
	assert.Equal(t, 403, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/image/150x150/photo.jpg")
	assert.Equal(t, 403, resp.StatusCode)
	// Expiring form: echo -n '2000000000/image/150x150/photo.jpg your_secret' | openssl md5 ...
	resp, _ = s.do(t, "GET", "/image/150x150/photo.jpg?auth=GcpFrDuytADe_lII_RkCQQ&expires=2000000000")
	assert.Equal(t, 200, resp.StatusCode)
	// echo -n '1000000000/image/150x150/photo.jpg your_secret' | openssl md5 ... (2001: expired)
	resp, _ = s.do(t, "GET", "/image/150x150/photo.jpg?auth=_EwcwsEQa9NDCcsqKo_A7w&expires=1000000000")
	assert.Equal(t, 410, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/image/150x150/photo.jpg?auth=_EwcwsEQa9NDCcsqKo_A7w&expires=2000000000")
	assert.Equal(t, 403, resp.StatusCode)
}

func TestServerDirUpstreamAndDrain(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	up, _ := gatedOrigin(t, arrived, release)
	s := startServer(t, "-upstream", up.URL+"/", "-cache-memory", "0")
	result := make(chan int, 1)
	go func() {
		resp, err := http.Get(s.base + "/image/100x100/slow.jpg")
		if err != nil {
			result <- -1
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	<-arrived // the request is in flight, held by the origin
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return strings.Contains(s.logs.String(), "draining") }, 10*time.Second, 5*time.Millisecond)
	close(release)
	assert.Equal(t, 200, <-result, "the in-flight request completes")
	select {
	case err := <-s.done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit after SIGTERM")
	}
	s.done <- nil // for the cleanup

	// A directory upstream: the bundled samples.
	d := startServer(t, "-upstream", "../../samples")
	resp, body := d.do(t, "GET", "/image/150x150/landscape.jpg")
	require.Equal(t, 200, resp.StatusCode)
	w, h := dims(t, body)
	assert.Equal(t, [2]int{150, 100}, [2]int{w, h})
	resp, _ = d.do(t, "GET", "/image/150x150/nope.jpg")
	assert.Equal(t, 404, resp.StatusCode)
}
