package imgproxy_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// logBuffer is a slog destination that tests can read while Handlers log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func TestValidateNamesTheFieldAndValueOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	ok := &imgproxy.DirFetcher{Dir: dir}
	tests := []struct {
		name string
		h    *imgproxy.Handler
		want string
	}{
		{"prefix without trailing slash", &imgproxy.Handler{Fetcher: ok, Prefix: "/thumbs"}, `Prefix "/thumbs": must start and end with /`},
		{"prefix without leading slash", &imgproxy.Handler{Fetcher: ok, Prefix: "thumbs/"}, `Prefix "thumbs/"`},
		{"missing upstream directory", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: filepath.Join(dir, "gone")}}, `DirFetcher.Dir "` + filepath.Join(dir, "gone") + `": no such directory`},
		{"upstream is a file", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: file}}, `DirFetcher.Dir "` + file + `": not a directory`},
		{"no upstream directory", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{}}, "neither Dir nor FS"},
		{"bad base URL", &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "ftp://x/"}}, `BaseURL "ftp://x/"`},
		{"user agent with a newline", &imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "http://x/", UserAgent: "a\r\nX-Evil: 1"}}, "UserAgent"},
		{"cache under a file", &imgproxy.Handler{Fetcher: ok, Disk: &imgproxy.DiskCache{Dir: filepath.Join(file, "cache")}}, `DiskCache.Dir "` + filepath.Join(file, "cache") + `": cannot be created: not a directory`},
		{"cache is a file", &imgproxy.Handler{Fetcher: ok, Disk: &imgproxy.DiskCache{Dir: file}}, `DiskCache.Dir "` + file + `"`},
		{"negative cache size", &imgproxy.Handler{Fetcher: ok, Disk: &imgproxy.DiskCache{Dir: dir, MaxSize: -1}}, "DiskCache.MaxSize -1"},
		{"short secret", &imgproxy.Handler{Fetcher: ok, Signer: &imgproxy.SecureLinkMD5{Secret: "short"}}, "Secret is 5 bytes"},
		{"short HMAC key", &imgproxy.Handler{Fetcher: ok, Signer: &imgproxy.HMACSigner{Keys: [][]byte{[]byte("short")}}}, "Keys[0] is 5 bytes"},
		{"cluster without secret", &imgproxy.Handler{Fetcher: ok, Cluster: &imgproxy.GroupCache{Self: "http://a", Peers: []string{"http://a"}}}, "GroupCache: cluster: Secret is required"},
		{"negotiated JPEG", &imgproxy.Handler{Fetcher: ok, Negotiate: []imgproxy.Format{imgproxy.FormatJPEG}}, "Negotiate offers"},
		{"snap without sizes", &imgproxy.Handler{Fetcher: ok, SnapSizes: true}, "SnapSizes needs Sizes"},
		{"size listed twice", &imgproxy.Handler{Fetcher: ok, Sizes: []imgproxy.Size{{W: 1, H: 1}, {W: 1, H: 1}}}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.h.Validate()
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, tt.want)
			assert.True(t, strings.HasPrefix(msg, "imgproxy: "), msg)
			assert.Equal(t, 1, strings.Count(msg, "imgproxy:"), "the package prefix once: %s", msg)
			assert.NotContains(t, msg, "\n")
		})
	}
}

func TestValidateProbesTheCacheDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "cache")
	h := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: t.TempDir()}, Disk: &imgproxy.DiskCache{Dir: dir}}
	require.NoError(t, h.Validate())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "Validate creates the directory")
	assert.Empty(t, entries, "the probe file is removed")

	_, err = os.Stat(filepath.Join(dir, "x"))
	require.ErrorIs(t, (&imgproxy.DirFetcher{Dir: filepath.Join(dir, "x")}).Validate(), os.ErrNotExist, "errors.Is still sees a missing directory")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestValidateWarnsOfTheDefaultOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fetcher imgproxy.Fetcher
		warns   bool
	}{
		{"nil", nil, true},
		{"HTTPFetcher without BaseURL", &imgproxy.HTTPFetcher{}, true},
		{"HTTPFetcher with BaseURL", &imgproxy.HTTPFetcher{BaseURL: "https://example.com/"}, false},
		{"DirFetcher", &imgproxy.DirFetcher{Dir: t.TempDir()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			h := &imgproxy.Handler{Fetcher: tt.fetcher, Logger: logs.logger()}
			require.NoError(t, h.Validate())
			require.NoError(t, h.Validate())
			n := strings.Count(logs.String(), "default origin")
			if tt.warns {
				assert.Equal(t, 1, n, "one warning, however often Validate runs: %s", logs.String())
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), imgproxy.DefaultBaseURL)
			} else {
				assert.Zero(t, n, logs.String())
			}
		})
	}
}

func TestMountedOutsidePrefixWarnsOnce(t *testing.T) {
	t.Parallel()
	fetcher := &fakeFetcher{files: map[string][]byte{"a.jpg": jpegBytes(t, 40, 30)}}
	var logs logBuffer
	wrong := &imgproxy.Handler{Fetcher: fetcher, Logger: logs.logger()} // Prefix left at /image/
	mux := http.NewServeMux()
	mux.Handle("/thumbs/", wrong)
	mux.Handle("/", wrong)
	for _, stray := range []string{"/", "/favicon.ico", "/thumbs/", "/thumbs/a.jpg", "/a/b/c/d/20x20/a.jpg"} {
		assert.Equal(t, http.StatusNotFound, get(t, mux, "GET", stray).Code)
	}
	assert.NotContains(t, logs.String(), "outside Prefix", "no warning for paths that are no image URL")
	for range 3 {
		assert.Equal(t, http.StatusNotFound, get(t, mux, "GET", "/thumbs/20x20/a.jpg").Code)
	}
	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "image URL outside Prefix"), out)
	assert.Contains(t, out, "path=/thumbs/20x20/a.jpg")
	assert.Contains(t, out, "prefix=/image/")
	assert.Contains(t, out, "set Prefix")

	var stripped logBuffer
	behind := &imgproxy.Handler{Fetcher: fetcher, Logger: stripped.logger()}
	assert.Equal(t, http.StatusNotFound, get(t, http.StripPrefix("/thumbs", behind), "GET", "/thumbs/20x20/a.jpg").Code)
	assert.Contains(t, stripped.String(), "path=/20x20/a.jpg", "a Handler behind StripPrefix sees the path without the mount")

	right := &imgproxy.Handler{Prefix: "/thumbs/", Fetcher: fetcher, Logger: logs.logger()}
	mux = http.NewServeMux()
	mux.Handle(right.Pattern(), right)
	assert.Equal(t, http.StatusOK, get(t, mux, "GET", "/thumbs/20x20/a.jpg").Code)
	assert.Equal(t, imgproxy.DefaultPrefix, (&imgproxy.Handler{}).Pattern())
}

func TestValidateFieldErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		h            *imgproxy.Handler
		field, value string
	}{
		{&imgproxy.Handler{Prefix: "/x", Fetcher: &imgproxy.DirFetcher{Dir: "."}}, "Prefix", "/x"},
		{&imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: file}}, "DirFetcher.Dir", file},
		{&imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "http://a/?q"}}, "HTTPFetcher.BaseURL", "http://a/?q"},
		{&imgproxy.Handler{Fetcher: &imgproxy.HTTPFetcher{BaseURL: "http://a/", UserAgent: "\x00"}}, "HTTPFetcher.UserAgent", "\x00"},
		{&imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: "."}, Disk: &imgproxy.DiskCache{Dir: file + "/c"}}, "DiskCache.Dir", file + "/c"},
	}
	for _, tt := range tests {
		var fe *imgproxy.FieldError
		require.ErrorAs(t, tt.h.Validate(), &fe, tt.field)
		assert.Equal(t, tt.field, fe.Field)
		assert.Equal(t, tt.value, fe.Value)
		assert.NotContains(t, fe.Reason.Error(), tt.value, "the reason does not repeat the value")
	}
}

func ExampleHandler_Pattern() {
	h := &imgproxy.Handler{Prefix: "/thumbs/", Fetcher: &imgproxy.DirFetcher{Dir: "samples"}}
	mux := http.NewServeMux()
	mux.Handle(h.Pattern(), h) // the prefix, written once
	fmt.Println(h.Pattern())
	// Output: /thumbs/
}

func ExampleFieldError() {
	err := (&imgproxy.Handler{Prefix: "/thumbs", Fetcher: &imgproxy.DirFetcher{Dir: "samples"}}).Validate()
	var fe *imgproxy.FieldError
	if errors.As(err, &fe) {
		// A host names its own setting instead of the struct field.
		fmt.Printf("thumbs.prefix = %q: %v\n", fe.Value, fe.Reason)
	}
	// Output: thumbs.prefix = "/thumbs": must start and end with /
}
