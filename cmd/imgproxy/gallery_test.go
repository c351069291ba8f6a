package main

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// testGallery builds the Handler and the gallery of args as run does.
func testGallery(t *testing.T, args []string, env map[string]string) (*imgproxy.Handler, *gallery, error) {
	t.Helper()
	cfg, err := parseConfig(args, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		return nil, nil, err
	}
	h, err := newHandler(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	g, err := newGallery(cfg, h, slog.New(slog.DiscardHandler))
	return h, g, err
}

func TestGalleryWhenOn(t *testing.T) {
	t.Parallel()
	dir := []string{"-upstream", "../../samples"}
	remote := []string{"-upstream", "https://user:pw@example.com/"}
	secret := []string{"-secret", "gallery secret"}
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		on      bool
		signed  bool
		wantErr string
	}{
		{name: "directory", args: dir, on: true},
		{name: "directory, off", args: append(dir, "-gallery=false")},
		{name: "directory, off by env", args: dir, env: map[string]string{"IMGPROXY_GALLERY": "false"}},
		{name: "directory, signed: off unless asked", args: append(dir, secret...)},
		{name: "directory, signed, asked", args: append(append(dir, secret...), "-gallery"), on: true, signed: true},
		{name: "directory, signed, asked by env", args: append(dir, secret...), env: map[string]string{"IMGPROXY_GALLERY": "1"}, on: true, signed: true},
		{name: "http upstream", args: remote},
		{name: "http upstream, asked", args: append(remote, "-gallery"), wantErr: `-gallery: -upstream "https://user:xxxxx@example.com/" is not a directory`},
		{name: "http upstream, off", args: append(remote, "-gallery=false")},
		{name: "bad value", args: append(dir, "-gallery=maybe"), wantErr: `-gallery "maybe": want true or false`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, g, err := testGallery(t, tt.args, tt.env)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "pw@")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.on, g != nil)
			if g != nil {
				assert.Equal(t, tt.signed, g.sign != nil)
			}
		})
	}
}

var (
	imgSrcRE  = regexp.MustCompile(`<img src="([^"]+)"`)
	captionRE = regexp.MustCompile(`<a href="([^"]+)"><code>([^<]+)</code></a>`)
)

// galleryPage fetches the page of g and returns its body and the src of
// each of its <img>, unescaped.
func getGallery(t *testing.T, g http.Handler) (string, []string) {
	t.Helper()
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	body := w.Body.String()
	var srcs []string
	for _, m := range imgSrcRE.FindAllStringSubmatch(body, -1) {
		srcs = append(srcs, html.UnescapeString(m[1]))
	}
	return body, srcs
}

// serve asks h for the URL u and returns the status and content type.
func serve(h http.Handler, u string) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
	return w.Code, w.Header().Get("Content-Type")
}

// TestGalleryPage: the page lists the samples' pictures (not the text
// file), every variant of each, with each URL written under its picture
// as a link to itself; the thumbnails of one picture are served.
func TestGalleryPage(t *testing.T) {
	t.Parallel()
	for _, signed := range []bool{false, true} {
		t.Run(map[bool]string{false: "unsigned", true: "signed"}[signed], func(t *testing.T) {
			t.Parallel()
			args := []string{"-upstream", "../../samples"}
			if signed {
				args = append(args, "-secret", "gallery secret", "-gallery")
			}
			h, g, err := testGallery(t, args, nil)
			require.NoError(t, err)
			body, srcs := getGallery(t, g)

			names := map[string]int{}
			for _, src := range srcs {
				path, query, _ := strings.Cut(src, "?")
				assert.Equal(t, signed, strings.HasPrefix(query, "auth="), src)
				names[path[strings.LastIndex(path, "/")+1:]]++
			}
			want := map[string]int{}
			for _, n := range []string{"badge.png", "landscape.jpg", "portrait.jpg", "sideways.jpg", "spinner.gif", "stripes.gif"} {
				want[n] = len(galleryVariants)
			}
			assert.Equal(t, want, names)

			var captions []string
			for _, m := range captionRE.FindAllStringSubmatch(body, -1) {
				assert.Equal(t, m[1], m[2], "the link text is the URL it links to")
				captions = append(captions, html.UnescapeString(m[1]))
			}
			assert.Equal(t, srcs, captions, "each thumbnail's URL is written under it")

			for _, src := range srcs {
				if strings.Contains(src, "/landscape.jpg") {
					code, ct := serve(h, src)
					assert.Equal(t, 200, code, src)
					assert.True(t, strings.HasPrefix(ct, "image/"), "%s: %s", src, ct)
				}
			}
			if signed {
				code, _ := serve(h, strings.Replace(srcs[0], "100x100", "101x101", 1))
				assert.Equal(t, 403, code, "a changed signed link is refused")
			}
		})
	}
}

// TestGalleryNames: only regular, visible picture files at the top of the
// directory that the Handler serves are listed, sorted, and names that
// need escaping make links the Handler serves.
func TestGalleryNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	png, err := os.ReadFile("../../samples/badge.png")
	require.NoError(t, err)
	for _, name := range []string{"b c.png", "é.png", "a#1.png", "q?.png", "p%3F.png", ".hidden.png", "sub/x.png", "z.png.txt"} {
		data := png
		if strings.HasSuffix(name, ".txt") {
			data = []byte("not a picture")
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	for _, signed := range []bool{false, true} {
		args := []string{"-upstream", dir, "-gallery"}
		if signed {
			args = append(args, "-secret", "gallery secret")
		}
		h, g, err := testGallery(t, args, nil)
		require.NoError(t, err)
		names, err := g.pictures()
		require.NoError(t, err)
		assert.Equal(t, []string{"b c.png", "é.png"}, names)
		_, srcs := getGallery(t, g)
		require.Len(t, srcs, 2*len(galleryVariants))
		for _, want := range []string{"/image/100x100/b%20c.png", "/image/100x100/%C3%A9.png"} {
			i := slices.IndexFunc(srcs, func(s string) bool { return strings.HasPrefix(s, want) })
			require.GreaterOrEqual(t, i, 0, "%s in %q", want, srcs)
			code, _ := serve(h, srcs[i])
			assert.Equal(t, 200, code, srcs[i])
		}
	}
}

func TestGalleryMethods(t *testing.T) {
	t.Parallel()
	_, g, err := testGallery(t, []string{"-upstream", "../../samples"}, nil)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
	assert.Equal(t, 405, w.Code)
	assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
	assert.NotContains(t, w.Body.String(), "<img")
}

// TestGalleryRoute: the server answers "/" with the gallery, and only
// "/" exactly; with -gallery=false "/" is the Handler's 404.
func TestGalleryRoute(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-upstream", "../../samples")
	resp, body := s.do(t, "GET", "/")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), `<img src="/image/100x100/landscape.jpg"`)
	resp, _ = s.do(t, "GET", "/index.html")
	assert.Equal(t, 404, resp.StatusCode)
	off := startServer(t, "-upstream", "../../samples", "-gallery=false")
	resp, body = off.do(t, "GET", "/")
	assert.Equal(t, 404, resp.StatusCode)
	assert.NotContains(t, string(body), "<img")
}

// TestGallerySigners: the page signs with whichever signer the Handler
// has, if it can make links; one that cannot is refused when asked for.
func TestGallerySigners(t *testing.T) {
	t.Parallel()
	cfg := &config{upstream: "../../samples", galleryConfig: galleryConfig{gallery: "true"}}
	hmacSigner := &imgproxy.HMACSigner{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}
	for _, tt := range []struct {
		name    string
		signer  imgproxy.Signer
		param   string
		wantErr string
	}{
		{name: "md5", signer: &imgproxy.SecureLinkMD5{Secret: "gallery secret"}, param: "auth="},
		{name: "hmac", signer: hmacSigner, param: "sig="},
		{name: "func", signer: imgproxy.SignerFunc(func(*http.Request) error { return nil }), wantErr: "-gallery: the signer imgproxy.SignerFunc cannot make links"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Signer: tt.signer}
			g, err := newGallery(cfg, h, slog.New(slog.DiscardHandler))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			_, srcs := getGallery(t, g)
			require.NotEmpty(t, srcs)
			for _, src := range srcs {
				assert.Contains(t, src, "?"+tt.param, src)
				assert.NoError(t, tt.signer.Verify(httptest.NewRequest("GET", src, nil)), src)
			}
		})
	}
}

// TestGalleryRefusedAtStart: -gallery with an http(s) upstream stops the
// server before it listens, with one line naming the flag, and status 2.
func TestGalleryRefusedAtStart(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary, "-upstream", "https://example.com/", "-gallery", "-listen", "127.0.0.1:0").CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Equal(t, "imgproxy: -gallery: -upstream \"https://example.com/\" is not a directory: an http(s) upstream cannot be listed\n", string(out))
}
