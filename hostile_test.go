package imgproxy_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// The bad-input battery (issue 9): every body of internal/hostile, origins
// that misbehave, and request paths that try to leave the upstream, each
// answered with its documented status before a hang guard of ten times
// the Handler's Timeout (the bodies: a guard of minutes), with a normal thumbnail served right after each
// case, no panic, no request outside the upstream and no goroutine left.

// hostileTimeout is the battery Handler's Timeout: what a stalled origin
// costs. Timing is never asserted: the client's hang guard is minutes.
const hostileTimeout = 2 * time.Second

// hostileEnv is a front server running the Handler before a loopback
// origin serving the hostile bodies and behaviours below /img/.
type hostileEnv struct {
	origin, front *httptest.Server
	client        *http.Client
	release       chan struct{} // closed at the end: stalled origin handlers return
	outside       atomic.Int32  // origin requests outside /img/: must stay 0
	redirects     atomic.Int32
	panics        atomic.Int32
	okJPEG        []byte
}

func newHostileEnv(t *testing.T, cases []hostile.Case) *hostileEnv {
	e := &hostileEnv{release: make(chan struct{}), okJPEG: hostile.ValidJPEG(320, 240, false)}
	mux := http.NewServeMux()
	mux.Handle("/img/ok.jpg", hostileServe("image/jpeg", e.okJPEG))
	mux.Handle("/img/big.jpg", hostileServe("image/jpeg", hostile.ValidJPEG(1600, 1200, false)))
	for _, c := range cases {
		mux.Handle("/img/case/"+c.Name, hostileServe(c.ContentType, c.Body))
	}
	for name, h := range e.behaviours() {
		mux.Handle("/img/origin/"+name, h)
	}
	mux.HandleFunc("/img/", http.NotFound)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		e.outside.Add(1) // what a path escaping /img/ would reach
		io.WriteString(w, "secret")
	})
	e.origin = httptest.NewServer(mux)
	h := &imgproxy.Handler{
		Fetcher: &imgproxy.HTTPFetcher{BaseURL: e.origin.URL + "/img/", MaxBytes: 2 << 20},
		Resizer: &imgproxy.BildResizer{
			MemoryBudget: 64 << 20, MaxOutputPixels: 1_000_000, MaxOutputBytes: 32 << 10,
		},
		Cache:   imgproxy.NoCache{}, // every normal request is fetched and made afresh
		Timeout: hostileTimeout,
	}
	// The bodies are decoded by a Handler of its own whose Timeout is
	// only a hang guard: under -race beside the other tests a damaged
	// body's decode has taken longer than the 2 s that a stalled origin
	// is given, and a 504 would hide the answer the body must get.
	bodies := &imgproxy.Handler{Fetcher: h.Fetcher, Resizer: h.Resizer, Cache: h.Cache, Timeout: 5 * time.Minute}
	e.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				e.panics.Add(1)
				t.Errorf("panic serving %s: %v", r.URL, v)
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		if strings.Contains(r.URL.Path, "/case/") {
			bodies.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	e.client = &http.Client{Timeout: 6 * time.Minute, Transport: &http.Transport{}}
	return e
}

// close stops everything the env started.
func (e *hostileEnv) close() {
	e.client.CloseIdleConnections()
	e.front.Close()
	close(e.release)
	e.origin.Close()
}

func hostileServe(ct string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{ct} // even "": no sniffing
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

// behaviours are the misbehaving origins, by path below /img/origin/.
func (e *hostileEnv) behaviours() map[string]http.HandlerFunc {
	ok := e.okJPEG
	wait := func(r *http.Request) {
		select {
		case <-e.release:
		case <-r.Context().Done():
		}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ok)
	zw.Close()
	pngBody := hostile.ValidPNG(320, 240)
	return map[string]http.HandlerFunc{
		"stall.jpg": func(w http.ResponseWriter, r *http.Request) { wait(r) },
		"stall-body.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(ok)))
			w.Write(ok[:len(ok)/2])
			w.(http.Flusher).Flush()
			wait(r)
		},
		"reset.jpg": hijack(func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }),
		"reset-body.jpg": hijack(func(c net.Conn) {
			rawHead(c, "image/jpeg", len(ok))
			c.Write(ok[:len(ok)/2])
			c.(*net.TCPConn).SetLinger(0)
		}),
		"close.jpg":   hijack(func(net.Conn) {}),
		"garbage.jpg": hijack(func(c net.Conn) { io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n\r\n") }),
		"cl-longer.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(ok)+1000))
			w.Write(ok)
		},
		// The whole body after a Content-Length of half of it (with
		// Connection: close, so that the rest cannot be taken for the
		// next response on a reused connection).
		"cl-shorter.png": hijack(func(c net.Conn) { rawHead(c, "image/png", len(pngBody)/2); c.Write(pngBody) }),
		"cl-huge.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.FormatInt(1<<40, 10))
			w.Write(ok)
			wait(r)
		},
		"endless.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Write(ok[:len(ok)/2])
			zeros := make([]byte, 32<<10)
			for {
				if _, err := w.Write(zeros); err != nil {
					return // the fetcher hung up
				}
			}
		},
		"redirect/": func(w http.ResponseWriter, r *http.Request) {
			e.redirects.Add(1)
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/img/origin/redirect/"))
			http.Redirect(w, r, fmt.Sprintf("/img/origin/redirect/%d", n+1), http.StatusFound)
		},
		"gzip.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(gz.Bytes())
		},
		"wrong-type.jpg": hostileServe("text/html", ok),
		"no-type.jpg":    hostileServe("", ok),
		"status-404.jpg": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) },
		"status-410.jpg": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) },
		"status-500.jpg": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) },
		"status-204.jpg": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
		"status-403.jpg": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
	}
}

// hijack takes the connection over, lets f misbehave on it, and closes it.
func hijack(f func(net.Conn)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		f(c)
		c.Close()
	}
}

func rawHead(c net.Conn, ct string, length int) {
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", ct, length)
}

// get asks the front for url with the hang guard; a request that does not
// complete fails the test.
func (e *hostileEnv) get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.front.URL+url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.client.Do(req)
	require.NoError(t, err, "%s did not complete", url)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err, url)
	return resp, body
}

// check asserts that a response has one of the wanted statuses and is
// well formed for it: a 200 is a picture fitting box, an error the status
// text alone (503 with Retry-After).
func hostileCheck(t *testing.T, what string, code int, hdr http.Header, body []byte, box int, want ...int) {
	t.Helper()
	if !assert.Contains(t, want, code, "%s: status", what) {
		return
	}
	if code != http.StatusOK {
		assert.Equal(t, http.StatusText(code)+"\n", string(body), "%s: an error body is the status text", what)
		if code == http.StatusServiceUnavailable {
			assert.NotEmpty(t, hdr.Get("Retry-After"), what)
		}
		return
	}
	w, h, err := hostileDecodeConfig(hdr.Get("Content-Type"), body)
	if assert.NoError(t, err, "%s: a 200 is a picture", what) && box > 0 {
		assert.True(t, w <= box && h <= box, "%s: %dx%d fits %d", what, w, h, box)
	}
}

func hostileDecodeConfig(ct string, b []byte) (int, int, error) {
	dec := map[string]func(io.Reader) (image.Config, error){
		"image/jpeg": jpeg.DecodeConfig, "image/png": png.DecodeConfig,
		"image/gif": gif.DecodeConfig, "image/webp": webp.DecodeConfig,
	}[ct]
	if dec == nil {
		return 0, 0, fmt.Errorf("content type %q", ct)
	}
	c, err := dec(bytes.NewReader(b))
	return c.Width, c.Height, err
}

// normal asserts that a valid thumbnail is served: the Handler still works
// after whatever came before.
func (e *hostileEnv) normal(t *testing.T) {
	t.Helper()
	resp, body := e.get(t, "/image/150x150/ok.jpg")
	hostileCheck(t, "normal request after", resp.StatusCode, resp.Header, body, 150, http.StatusOK)
}

// TestHostile runs the battery. It is not parallel itself, so that its
// goroutine count (process-wide) is not disturbed by other tests: the
// parallel tests of the package wait until it is over. Its cases run in
// parallel with each other.
func TestHostile(t *testing.T) {
	before := runtime.NumGoroutine()
	cases := append(hostile.Cases(), hostileLossyWebP(t)...)
	e := newHostileEnv(t, cases)
	t.Run("bodies", func(t *testing.T) { e.testBodies(t, cases) })
	t.Run("origins", e.testOrigins)
	t.Run("paths", e.testPaths)
	t.Run("limits", e.testLimits)
	e.close()
	assert.Zero(t, e.panics.Load(), "panics")
	assert.Zero(t, e.outside.Load(), "origin requests outside the upstream")
	hostileNoLeak(t, before)
}

// hostileLossyWebP returns a lossy WebP made by cwebp, truncated and
// corrupted, if cwebp is installed: internal/hostile writes lossless
// WebP only.
func hostileLossyWebP(t *testing.T) []hostile.Case {
	b := cwebp(t, hostile.ValidPNG(640, 480), "-q", "80")
	if b == nil {
		return nil
	}
	return []hostile.Case{
		{Name: "truncated-half-webp-lossy.webp", ContentType: "image/webp", Body: hostile.Truncate(b, len(b)/2), Kind: hostile.Damaged},
		{Name: "truncated-last-byte-webp-lossy.webp", ContentType: "image/webp", Body: hostile.Truncate(b, len(b)-1), Kind: hostile.Damaged},
		{Name: "corrupt-tail-webp-lossy.webp", ContentType: "image/webp", Body: hostile.Corrupt(b, len(b)/3), Kind: hostile.Damaged},
	}
}

// hostileBodyWant is the documented answer to each kind of body:
// damaged pictures are refused (415) or, where the decoder recovers, a
// thumbnail; anything else that is no picture is 415; bombs are over the
// memory budget (415), but for PNG bombs, whose thumbnails are streamed
// (200, or 504 where the Timeout ends the decode); an animation of thousands of frames keeps its
// first frame (MaxAnimationPixels).
var hostileBodyWant = map[hostile.Kind][]int{
	hostile.Damaged:   {http.StatusOK, http.StatusUnsupportedMediaType},
	hostile.BadHeader: {http.StatusUnsupportedMediaType},
	hostile.NotImage:  {http.StatusUnsupportedMediaType},
	hostile.Empty:     {http.StatusUnsupportedMediaType},
	hostile.Bomb:      {http.StatusUnsupportedMediaType},
	hostile.Animation: {http.StatusOK},
}

func (e *hostileEnv) testBodies(t *testing.T, cases []hostile.Case) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			box := 150
			if c.Kind == hostile.Animation {
				box = 99 // under the frames' 100x100: not served as it is
			}
			want := hostileBodyWant[c.Kind]
			if c.Kind == hostile.Bomb && strings.HasPrefix(c.Name, "png-") {
				// A PNG streamed into its thumbnail never holds the
				// picture: a few MB however large (format_png.go). Its
				// half a second of inflate may outlast the Timeout on a
				// slow run (-race): then 504.
				want = []int{http.StatusOK, http.StatusGatewayTimeout}
			}
			resp, body := e.get(t, fmt.Sprintf("/image/%dx%d/case/%s", box, box, c.Name))
			hostileCheck(t, c.Kind.String(), resp.StatusCode, resp.Header, body, box, want...)
			if c.Kind == hostile.Animation {
				assert.Equal(t, "first-frame", resp.Header.Get("X-Imgproxy-Animation"))
			}
			if c.Kind == hostile.Bomb {
				// At its own size in its own format a source is served as
				// it is, never decoded (the browser shows the same).
				resp, body := e.get(t, "/image/-x-/case/"+c.Name)
				hostileCheck(t, "bomb -x-", resp.StatusCode, resp.Header, body, 0, http.StatusOK, http.StatusUnsupportedMediaType)
				if resp.StatusCode == http.StatusOK {
					assert.True(t, bytes.Equal(c.Body, body), "served as it is")
				}
			}
			e.normal(t)
		})
	}
}

func (e *hostileEnv) testOrigins(t *testing.T) {
	const (
		ok       = http.StatusOK
		tooLarge = http.StatusUnsupportedMediaType
		upstream = http.StatusBadGateway
		timeout  = http.StatusGatewayTimeout
	)
	for _, tc := range []struct {
		path string
		want []int
	}{
		{"stall.jpg", []int{timeout}},
		{"stall-body.jpg", []int{timeout}},
		{"reset.jpg", []int{upstream}},
		{"reset-body.jpg", []int{upstream}},
		{"close.jpg", []int{upstream}},
		{"garbage.jpg", []int{upstream}},
		{"cl-longer.jpg", []int{upstream}},
		// The first half of a PNG: refused, or what a decoder recovers.
		{"cl-shorter.png", []int{ok, tooLarge}},
		{"cl-huge.jpg", []int{tooLarge}}, // refused from Content-Length
		{"endless.jpg", []int{tooLarge}}, // refused at MaxBytes
		{"redirect/0", []int{upstream}},
		{"gzip.jpg", []int{tooLarge}}, // not decompressed: not an image
		{"wrong-type.jpg", []int{ok}}, // formats are sniffed, not believed
		{"no-type.jpg", []int{ok}},
		{"status-404.jpg", []int{http.StatusNotFound}},
		{"status-410.jpg", []int{http.StatusNotFound}},
		{"status-500.jpg", []int{upstream}},
		{"status-204.jpg", []int{upstream}},
		{"status-403.jpg", []int{upstream}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			redirects := e.redirects.Load()
			resp, body := e.get(t, "/image/150x150/origin/"+tc.path)
			hostileCheck(t, tc.path, resp.StatusCode, resp.Header, body, 150, tc.want...)
			if strings.HasPrefix(tc.path, "redirect/") {
				assert.Equal(t, redirects+1, e.redirects.Load(), "redirects are not followed")
			}
			e.normal(t)
		})
	}
}

// testPaths sends raw request lines, byte for byte as an attacker would:
// every traversal encoding is 400 and nothing reaches the origin outside
// the upstream (checked by TestHostile).
func (e *hostileEnv) testPaths(t *testing.T) {
	const bad = http.StatusBadRequest
	long := strings.Repeat("a/", 1600) + "ok.jpg"
	for _, tc := range []struct {
		name, target string
		want         []int
		netHTTP      bool // answered by net/http, not the Handler
	}{
		{"dotdot", "/image/150x150/../../secret", []int{bad}, false},
		{"dotdot-inside", "/image/150x150/case/../ok.jpg", []int{bad}, false},
		{"dot", "/image/150x150/./ok.jpg", []int{bad}, false},
		{"trailing-dotdot", "/image/150x150/ok.jpg/..", []int{bad}, false},
		{"encoded-dots", "/image/150x150/%2e%2e/%2e%2e/secret", []int{bad}, false},
		{"encoded-dots-upper", "/image/150x150/%2E%2E%2F%2E%2E%2Fsecret", []int{bad}, false},
		{"encoded-slash", "/image/150x150/..%2f..%2fsecret", []int{bad}, false},
		{"encoded-double-slash", "/image/150x150/%2f%2fevil.example/x.jpg", []int{bad}, false},
		{"encoded-backslash", "/image/150x150/..%5c..%5csecret", []int{bad}, false},
		{"backslash", `/image/150x150/..\..\secret`, []int{bad}, false},
		{"double-encoded", "/image/150x150/%252e%252e/%252e%252e/secret", []int{bad}, false},
		{"triple-encoded", "/image/150x150/%25252e%25252e/secret", []int{bad}, false},
		{"nul", "/image/150x150/ok.jpg%00.png", []int{bad}, false},
		{"raw-nul", "/image/150x150/ok.jpg\x00.png", []int{bad}, true},
		{"overlong-utf8", "/image/150x150/%c0%ae%c0%ae/secret", []int{bad}, false},
		{"overlong-utf8-3", "/image/150x150/%e0%80%ae%e0%80%ae/secret", []int{bad}, false},
		{"scheme", "/image/150x150/http:%2f%2fevil.example%2fx.jpg", []int{bad}, false},
		{"userinfo", "/image/150x150/@evil.example/x.jpg", []int{bad}, false},
		{"empty-segment", "/image/150x150//ok.jpg", []int{bad}, false},
		{"hash", "/image/150x150/ok.jpg%23.png", []int{bad}, false},
		{"bad-escape", "/image/150x150/%zz.jpg", []int{bad}, true},
		{"options-traversal", "/image/..%2f..%2f/ok.jpg", []int{bad}, false},
		{"options-dotdot", "/image/../ok.jpg", []int{bad}, false},
		{"long-path", "/image/150x150/" + long, []int{bad}, false},
		{"long-options", "/image/" + strings.Repeat("150x150,", 2000) + "/ok.jpg", []int{bad}, false},
		{"long-url-64k", "/image/150x150/" + strings.Repeat("x", 64<<10) + ".jpg", []int{bad}, false},
		// Over net/http's header limit (1 MiB by default; the server sets
		// its own): refused before the Handler is called.
		{"long-url-2m", "/image/150x150/" + strings.Repeat("x", 2<<20) + ".jpg",
			[]int{bad, http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge}, true},
		{"outside-prefix", "/elsewhere/150x150/ok.jpg", []int{http.StatusNotFound}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := e.raw(t, "GET", tc.target)
			if tc.netHTTP {
				assert.Contains(t, tc.want, code)
			} else {
				hostileCheck(t, tc.name, code, http.Header{}, body, 0, tc.want...)
			}
			e.normal(t)
		})
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		t.Run(m, func(t *testing.T) {
			t.Parallel()
			code, _ := e.raw(t, m, "/image/150x150/ok.jpg")
			assert.Equal(t, http.StatusMethodNotAllowed, code)
			e.normal(t)
		})
	}
}

// raw writes one request line to the front and reads the answer. The
// request is written while the answer is read, so that a server that
// answers before reading the whole of a huge line is heard.
func (e *hostileEnv) raw(t *testing.T, method, target string) (int, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", e.front.Listener.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*hostileTimeout))) // hang guard
	go fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: imgproxy.test\r\nConnection: close\r\n\r\n", method, target)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err, "no answer to %.80q", target)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// testLimits covers the output and Range limits.
func (e *hostileEnv) testLimits(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      int
	}{
		// 1600x1200 is over MaxOutputPixels (1 MP): refused from the header.
		// (Plain -x- is the source served as it is.)
		{"output-pixels", "/image/-x-,png/big.jpg", http.StatusUnsupportedMediaType},
		// 320x240 as PNG is over MaxOutputBytes (32 KiB); the thumbnails
		// of the battery are a few KiB.
		{"output-bytes", "/image/-x-,png/ok.jpg", http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := e.get(t, tc.url)
			hostileCheck(t, tc.name, resp.StatusCode, resp.Header, body, 0, tc.want)
			e.normal(t)
		})
	}
	t.Run("many-ranges", func(t *testing.T) {
		t.Parallel()
		whole, full := e.get(t, "/image/150x150/ok.jpg")
		require.Equal(t, http.StatusOK, whole.StatusCode)
		ranges := "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 2000), ",")
		resp, body := e.get(t, "/image/150x150/ok.jpg", "Range", ranges)
		// nginx's max_ranges: the whole entity, never a multipart
		// response many times its size.
		assert.Contains(t, []int{http.StatusOK, http.StatusRequestedRangeNotSatisfiable}, resp.StatusCode)
		assert.LessOrEqual(t, len(body), len(full))
		e.normal(t)
	})
}

// hostileNoLeak waits, generously, for the goroutine count to come back to
// what it was before the battery, and dumps the goroutines if it does not.
func hostileNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		<-tick.C
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the battery, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
