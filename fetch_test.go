package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fetchHostilePaths are upstream paths that must never be fetched: each tries
// to leave the base, smuggle a host, a query or a NUL, directly or through
// percent-encoding. Paths reach cleanPath decoded (from r.URL.Path), so
// "%2e%2e" here is what a client sends as "%252e%252e".
var fetchHostilePaths = []string{
	"", "/", "/x", "x/", "//evil.com/x", "a//x",
	".", "..", "./x", "../x", "a/./x", "a/..", "a/../../x", "../../../../etc/passwd",
	"%2e%2e/x", "%2E%2E/x", "%2e./x", ".%2e/x", "%2e/x", "%252e%252e/x", "%25252e%25252e/x",
	"a%2f..%2f..%2fx", "a%2F..%2F..%2Fx", "%2fx", "%2F%2Fevil.com/x", "a%252f..%252f..%252fx",
	"\\evil", "\\\\evil\\x", "a\\..\\x", "a%5c..%5cx", "a%5C..%5Cx", "%255c%255cevil",
	"user@evil.com/x", "a%40evil.com/x", "user:pass@evil.com/x",
	"http://evil/x", "https:evil.com/x", "javascript:alert(1)", "c:/windows/x", "http%3a//evil/x", "%2f%2fevil.com/x",
	"x\x00", "x%00", "x%2500", "x\n", "x%0d%0aHost:%20evil", "\tx", "x\x7f",
	"a?b", "a#b", "a%3fb", "a%23b", "a%253fb",
	"\xc0\xae\xc0\xae/x", "%c0%ae%c0%ae/x", "\xff",
	"%2525252525252e%2525252525252e/x",
	strings.Repeat("a/", 1100) + "x",
}

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for _, p := range fetchHostilePaths {
		got, err := cleanPath(p)
		require.ErrorIs(t, err, ErrBadRequest, "cleanPath(%q) = %q", p, got)
		require.True(t, strings.HasPrefix(err.Error(), "imgproxy: "))
	}
	for _, p := range []string{
		"a.jpg", "wikipedia/commons/a/a9/Example.jpg", "a b.jpg", "ünï/çødé.jpg",
		"100%.jpg", "100%25.jpg", "%zz", "50%-off.png", "(x).jpg", "a+b,c;d=e!$&'*.jpg",
		"...", "..a", "a..", ".hidden/x", "a...b", "a/b:c.jpg", "~user/x", "%41.jpg",
	} {
		got, err := cleanPath(p)
		require.NoError(t, err, p)
		require.Equal(t, p, got, "cleanPath must not rewrite")
	}
}

// fetchOrigin is a loopback origin that counts its requests.
type fetchOrigin struct {
	*httptest.Server
	requests atomic.Int64
}

func newFetchOrigin(t *testing.T, h http.HandlerFunc) *fetchOrigin {
	o := &fetchOrigin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		h(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func TestHTTPFetcherOK(t *testing.T) {
	t.Parallel()
	lm := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte("not really a jpeg")
	var gotPath, gotRawURI, gotUA atomic.Value
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath.Store(r.URL.Path)
		gotRawURI.Store(r.RequestURI)
		gotUA.Store(r.UserAgent())
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Last-Modified", lm.Format(http.TimeFormat))
		_, _ = w.Write(body)
	})
	f := &HTTPFetcher{BaseURL: o.URL + "/base"} // "/" added
	require.NoError(t, f.Validate())
	src, err := f.Fetch(context.Background(), "a/b c.jpg")
	require.NoError(t, err)
	assert.Equal(t, &Source{Path: "a/b c.jpg", Data: body, ContentType: "image/jpeg", LastModified: lm}, src)
	assert.Equal(t, "/base/a/b c.jpg", gotPath.Load())
	assert.Equal(t, "/base/a/b%20c.jpg", gotRawURI.Load())
	assert.Equal(t, DefaultUserAgent, gotUA.Load())

	f = &HTTPFetcher{BaseURL: o.URL + "/", UserAgent: "test-agent/1"}
	src, err = f.Fetch(context.Background(), "x.jpg")
	require.NoError(t, err)
	assert.Equal(t, "test-agent/1", gotUA.Load())
	assert.Equal(t, "/x.jpg", gotPath.Load())
	assert.Equal(t, lm, src.LastModified)
}

func TestHTTPFetcherEscaping(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]bool{}
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = true
		mu.Unlock()
	})
	f := &HTTPFetcher{BaseURL: o.URL + "/sp ace/"}
	paths := []string{"a b.jpg", "ünï/çødé.jpg", "100%.jpg", "100%25.jpg", "%zz", "(x)+y;z=1.jpg", "a/b:c.jpg"}
	for _, p := range paths {
		_, err := f.Fetch(context.Background(), p)
		require.NoError(t, err, p)
	}
	for _, p := range paths {
		assert.True(t, seen["/sp ace/"+p], "origin did not see %q: %v", p, seen)
	}
}

func TestHTTPFetcherStatus(t *testing.T) {
	t.Parallel()
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimSuffix(r.URL.Path[1:], ".jpg"))
		if code == http.StatusFound {
			http.Redirect(w, r, "/200.jpg", code)
			return
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte("error page"))
	})
	f := &HTTPFetcher{BaseURL: o.URL}
	for code, want := range map[int]error{
		200: nil,
		404: ErrNotFound,
		410: ErrNotFound,
		500: ErrUpstream,
		503: ErrUpstream,
		403: ErrUpstream,
		204: ErrUpstream,
		206: ErrUpstream,
		302: ErrUpstream, // redirects are not followed
	} {
		_, err := f.Fetch(context.Background(), strconv.Itoa(code)+".jpg")
		if want == nil {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, want, "status %d", code)
		require.Equal(t, []error{want}, fetchSentinels(err), "status %d: %v", code, err)
	}
}

// fetchSentinels lists the sentinel errors err wraps.
func fetchSentinels(err error) []error {
	var got []error
	for _, e := range []error{ErrBadRequest, ErrNotFound, ErrTooLarge, ErrTimeout, ErrUpstream} {
		if errors.Is(err, e) {
			got = append(got, e)
		}
	}
	return got
}

// fetchBlockUntilGone is a handler that answers nothing until its client leaves.
func fetchBlockUntilGone(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestHTTPFetcherTimeouts(t *testing.T) {
	t.Parallel()
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("half"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	short := 50 * time.Millisecond
	for name, c := range map[string]struct {
		handler      http.HandlerFunc
		header, body time.Duration // the HTTPFetcher's HeaderTimeout, BodyTimeout
		deadline     bool          // the caller's context times out
	}{
		"header timeout":      {fetchBlockUntilGone, short, 0, false},
		"body timeout":        {slowBody, 0, short, false},
		"deadline on headers": {fetchBlockUntilGone, 0, 0, true},
		"deadline on body":    {slowBody, 0, 0, true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			origin := newFetchOrigin(t, c.handler) // one per case, to count its requests
			f := &HTTPFetcher{BaseURL: origin.URL, HeaderTimeout: c.header, BodyTimeout: c.body}
			ctx := context.Background()
			if c.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, short)
				defer cancel()
			}
			_, err := f.Fetch(ctx, "slow.jpg")
			require.ErrorIs(t, err, ErrTimeout)
			require.Equal(t, []error{ErrTimeout}, fetchSentinels(err), "%v", err)
			assert.LessOrEqual(t, origin.requests.Load(), int64(1), "a timed-out fetch is not retried")
		})
	}
}

func TestHTTPFetcherCancelled(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived // the request reached the origin: now the caller leaves
		cancel()
	}()
	_, err := (&HTTPFetcher{BaseURL: o.URL}).Fetch(ctx, "x.jpg")
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ErrTimeout)
}

func TestHTTPFetcherConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := (&HTTPFetcher{BaseURL: url}).Fetch(context.Background(), "x.jpg")
	require.ErrorIs(t, err, ErrUpstream)
	require.NotErrorIs(t, err, ErrTimeout)
}

// fetchBigBody serves total bytes, with or without a Content-Length, and
// reports on written how many the handler managed to write before the
// client went away.
func fetchBigBody(total int64, withLength bool, written chan<- int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var n int64
		defer func() { written <- n }()
		if withLength {
			w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
		}
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte{0xAB}, 32<<10)
		for n < total {
			m, err := w.Write(chunk[:min(int64(len(chunk)), total-n)])
			n += int64(m)
			if err != nil {
				return
			}
		}
	}
}

func TestHTTPFetcherTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	const total = 30 << 20
	for _, withLength := range []bool{true, false} {
		t.Run("Content-Length="+strconv.FormatBool(withLength), func(t *testing.T) {
			t.Parallel()
			written := make(chan int64, 1)
			o := newFetchOrigin(t, fetchBigBody(total, withLength, written))
			_, err := (&HTTPFetcher{BaseURL: o.URL, MaxBytes: limit}).Fetch(context.Background(), "big.jpg")
			require.ErrorIs(t, err, ErrTooLarge)
			require.Equal(t, []error{ErrTooLarge}, fetchSentinels(err), "%v", err)
			select {
			case n := <-written:
				t.Logf("origin wrote %d of %d bytes", n, total)
				require.Less(t, n, int64(total/2), "the fetcher read on after the limit")
			case <-time.After(20 * time.Second):
				t.Fatal("origin still writing: connection not closed")
			}
		})
	}
}

func TestHTTPFetcherExactlyMaxBytes(t *testing.T) {
	t.Parallel()
	const limit = 100 << 10
	for _, withLength := range []bool{true, false} {
		written := make(chan int64, 1)
		o := newFetchOrigin(t, fetchBigBody(limit, withLength, written))
		src, err := (&HTTPFetcher{BaseURL: o.URL, MaxBytes: limit}).Fetch(context.Background(), "x.jpg")
		require.NoError(t, err)
		require.Len(t, src.Data, limit)
		written2 := make(chan int64, 1)
		o2 := newFetchOrigin(t, fetchBigBody(limit+1, withLength, written2))
		_, err = (&HTTPFetcher{BaseURL: o2.URL, MaxBytes: limit}).Fetch(context.Background(), "x.jpg")
		require.ErrorIs(t, err, ErrTooLarge)
	}
}

func TestHTTPFetcherHostilePaths(t *testing.T) {
	t.Parallel()
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("secret"))
	})
	f := &HTTPFetcher{BaseURL: o.URL + "/base/"}
	t.Run("group", func(t *testing.T) {
		for _, p := range fetchHostilePaths {
			t.Run(strconv.Quote(p), func(t *testing.T) {
				t.Parallel()
				src, err := f.Fetch(context.Background(), p)
				require.ErrorIs(t, err, ErrBadRequest)
				require.Nil(t, src)
			})
		}
	})
	require.Zero(t, o.requests.Load(), "a hostile path reached the origin")
}

func TestHTTPFetcherValidate(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"upload.wikimedia.org/", "/just/a/path/", "ftp://host/", "file:///etc/", "http://", "http:opaque",
		"https://host/?q=1", "https://host/#frag", "https://host/?", "://x", "http://[::1",
	} {
		f := &HTTPFetcher{BaseURL: base}
		require.Error(t, f.Validate(), base)
		_, err := f.Fetch(context.Background(), "x.jpg")
		require.Error(t, err, base)
		require.True(t, strings.HasPrefix(err.Error(), "imgproxy: "), err.Error())
	}
	for base, want := range map[string]string{
		"":                             DefaultBaseURL,
		"https://upload.wikimedia.org": "https://upload.wikimedia.org/",
		"HTTP://Example.com/a/b":       "http://Example.com/a/b/",
		"http://127.0.0.1:8080/a%20b/": "http://127.0.0.1:8080/a%20b/",
		"https://user:pw@host/images/": "https://user:pw@host/images/",
	} {
		f := &HTTPFetcher{BaseURL: base}
		require.NoError(t, f.Validate(), base)
		require.Equal(t, want, f.base.String())
	}
}

// fetchCountingTransport is an http.RoundTripper that counts its calls.
type fetchCountingTransport struct {
	calls atomic.Int64
	next  http.RoundTripper
}

func (c *fetchCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return c.next.RoundTrip(r)
}

func TestHTTPFetcherClient(t *testing.T) {
	t.Parallel()
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("x")) })
	rt := &fetchCountingTransport{next: o.Client().Transport}
	client := &http.Client{Transport: rt}
	f := &HTTPFetcher{BaseURL: o.URL, Client: client, HeaderTimeout: time.Millisecond}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), "x.jpg")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, int64(8), rt.calls.Load())
	require.Equal(t, &http.Client{Transport: rt}, client, "the caller's client was modified")
}

func TestHTTPFetcherConcurrentDefaultClient(t *testing.T) {
	t.Parallel()
	o := newFetchOrigin(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) })
	f := &HTTPFetcher{BaseURL: o.URL}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			p := strconv.Itoa(i) + ".jpg"
			src, err := f.Fetch(context.Background(), p)
			if assert.NoError(t, err) {
				assert.Equal(t, "/"+p, string(src.Data))
			}
		})
	}
	wg.Wait()
}

// fetchDirFixture builds
//
//	outside-secret.txt
//	outside/secret.txt
//	root/a.jpg, root/sub/b.png, root/dir/, root/big.jpg
//	root/link-in -> a.jpg
//	root/link-out -> ../outside-secret.txt
//	root/link-abs -> <abs>/outside-secret.txt
//	root/linkdir-out -> ../outside
//	root/linkdir-up -> ..
//
// and returns the root and a.jpg's modification time.
func fetchDirFixture(t *testing.T, limit int64) (string, time.Time) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	write := func(name string, data []byte) {
		require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
		require.NoError(t, os.WriteFile(name, data, 0o644))
	}
	write(filepath.Join(base, "outside-secret.txt"), []byte("secret"))
	write(filepath.Join(base, "outside", "secret.txt"), []byte("secret"))
	write(filepath.Join(root, "a.jpg"), []byte("jpeg bytes"))
	write(filepath.Join(root, "sub", "b.png"), []byte("png bytes"))
	write(filepath.Join(root, "big.jpg"), make([]byte, limit+1))
	require.NoError(t, os.Mkdir(filepath.Join(root, "dir"), 0o755))
	mtime := time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)
	require.NoError(t, os.Chtimes(filepath.Join(root, "a.jpg"), mtime, mtime))
	for link, target := range map[string]string{
		"link-in":     "a.jpg",
		"link-out":    filepath.Join("..", "outside-secret.txt"),
		"link-abs":    filepath.Join(base, "outside-secret.txt"),
		"linkdir-out": filepath.Join("..", "outside"),
		"linkdir-up":  "..",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	return root, mtime
}

func TestDirFetcher(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	root, mtime := fetchDirFixture(t, limit)
	f := &DirFetcher{Dir: root, MaxBytes: limit}
	require.NoError(t, f.Validate())

	src, err := f.Fetch(context.Background(), "a.jpg")
	require.NoError(t, err)
	require.Equal(t, "a.jpg", src.Path)
	require.Equal(t, []byte("jpeg bytes"), src.Data)
	require.Equal(t, "image/jpeg", src.ContentType)
	require.True(t, mtime.Equal(src.LastModified), "%v", src.LastModified)

	src, err = f.Fetch(context.Background(), "sub/b.png")
	require.NoError(t, err)
	require.Equal(t, "image/png", src.ContentType)

	src, err = f.Fetch(context.Background(), "link-in")
	require.NoError(t, err, "a symlink inside the root is followed")
	require.Equal(t, []byte("jpeg bytes"), src.Data)

	for p, want := range map[string]error{
		"missing.jpg":                        ErrNotFound,
		"dir":                                ErrNotFound,
		"sub":                                ErrNotFound,
		"a.jpg/x":                            ErrNotFound,
		"big.jpg":                            ErrTooLarge,
		"link-out":                           ErrNotFound,
		"link-abs":                           ErrNotFound,
		"linkdir-out/secret.txt":             ErrNotFound,
		"linkdir-up/outside-secret.txt":      ErrNotFound,
		"linkdir-up/root/a.jpg":              ErrNotFound,
		"../outside-secret.txt":              ErrBadRequest,
		"sub/../../outside-secret.txt":       ErrBadRequest,
		"%2e%2e/outside-secret.txt":          ErrBadRequest,
		"sub%2f..%2f..%2foutside-secret.txt": ErrBadRequest,
	} {
		src, err := f.Fetch(context.Background(), p)
		require.ErrorIs(t, err, want, p)
		require.Equal(t, []error{want}, fetchSentinels(err), "%s: %v", p, err)
		require.Nil(t, src, p)
	}
	for _, p := range fetchHostilePaths {
		_, err := f.Fetch(context.Background(), p)
		require.ErrorIs(t, err, ErrBadRequest, "%q", p)
	}
}

func TestDirFetcherFS(t *testing.T) {
	t.Parallel()
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &DirFetcher{MaxBytes: 4, FS: fstest.MapFS{
		"a/b.gif":   {Data: []byte("GIF8"), ModTime: mtime},
		"big.gif":   {Data: []byte("GIF89a")},
		"dir/x.gif": {Data: []byte("x")},
	}}
	require.NoError(t, f.Validate())
	src, err := f.Fetch(context.Background(), "a/b.gif")
	require.NoError(t, err)
	require.Equal(t, &Source{Path: "a/b.gif", Data: []byte("GIF8"), ContentType: "image/gif", LastModified: mtime}, src)
	_, err = f.Fetch(context.Background(), "big.gif")
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = f.Fetch(context.Background(), "dir")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = f.Fetch(context.Background(), "nope.gif")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = f.Fetch(context.Background(), "../a/b.gif")
	require.ErrorIs(t, err, ErrBadRequest)
}

func TestDirFetcherMisconfigured(t *testing.T) {
	t.Parallel()
	var zero DirFetcher
	require.Error(t, zero.Validate())
	_, err := zero.Fetch(context.Background(), "a.jpg")
	require.Error(t, err)
	require.Empty(t, fetchSentinels(err), "a configuration error is a 500: %v", err)

	missing := &DirFetcher{Dir: filepath.Join(t.TempDir(), "gone")}
	require.ErrorIs(t, missing.Validate(), fs.ErrNotExist)
	_, err = missing.Fetch(context.Background(), "a.jpg")
	require.ErrorIs(t, err, ErrUpstream)

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	require.Error(t, (&DirFetcher{Dir: file}).Validate())
}

func TestDirFetcherCancelled(t *testing.T) {
	t.Parallel()
	root, _ := fetchDirFixture(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&DirFetcher{Dir: root}).Fetch(ctx, "a.jpg")
	require.ErrorIs(t, err, context.Canceled)
}
