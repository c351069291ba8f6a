package imgproxy_test

import (
	"bytes"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

const urlHMACKey = "urls-test-key-0123456789abcdef!!"

// urlSigners are the Signers the URL builder is tried with; nil is none.
func urlSigners() map[string]imgproxy.Signer {
	return map[string]imgproxy.Signer{
		"unsigned": nil,
		"md5":      &imgproxy.SecureLinkMD5{Secret: slSecret},
		"hmac":     &imgproxy.HMACSigner{Keys: [][]byte{[]byte(urlHMACKey)}},
	}
}

// awkwardNames are picture names the Handler serves, each of which needs
// escaping in a link.
var awkwardNames = []string{
	"a b.jpg",
	"100%.jpg",
	"a%41.jpg", // a literal "%41", not "A"
	"ünï/çødé.jpg",
	"日本語.jpg",
	"a&auth=x.jpg",
	"a+b;c,d=e$.jpg",
	"[x] {y}.jpg",
	"it's (1)!*.jpg",
	"~~tilde.jpg",
}

// dirWith writes a 300x200 JPEG under each name in a new directory.
func dirWith(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	data := jpegBytes(t, 300, 200)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	return dir
}

// getURL fetches base+link over a real connection.
func getURL(t *testing.T, base, link string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(base + link)
	require.NoError(t, err, link)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// servableLink matches a link whose path needs no further escaping by
// a browser or curl: printable ASCII, no space, "?", "#", "[", "]", "{"
// or "}" before the query.
var servableLink = regexp.MustCompile(`^/[!$-/0-9:;=@A-Z_a-z~]*(\?[!-~]*)?$`)

// TestURLServesAwkwardNames makes links to files whose names need
// escaping and GETs each through a real server: every one is 200 with the
// variant asked for, with every Signer, and a tampered one is 403.
func TestURLServesAwkwardNames(t *testing.T) {
	t.Parallel()
	dir := dirWith(t, awkwardNames...)
	curl, _ := exec.LookPath("curl")
	for name, signer := range urlSigners() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Prefix: "/thumbs/", Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: signer}
			srv := httptest.NewServer(h)
			defer srv.Close()
			for _, n := range awkwardNames {
				link, err := h.URL(n, imgproxy.Options{Width: 60, Height: 60, Fit: imgproxy.FitCrop})
				require.NoError(t, err, n)
				assert.Regexp(t, servableLink, link, n)
				u, err := url.Parse(link)
				require.NoError(t, err)
				assert.Equal(t, "/thumbs/60x60,crop/"+n, u.Path, "the server sees the name")
				code, body := getURL(t, srv.URL, link)
				require.Equal(t, http.StatusOK, code, "%s: %s", link, body)
				_, w, hh := decodeSize(t, body)
				assert.Equal(t, [2]int{60, 60}, [2]int{w, hh}, link)
				if curl != "" { // pasted as printed, with no escaping of curl's own
					out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", srv.URL+link).Output()
					require.NoError(t, err, link)
					assert.Equal(t, "200", string(out), "curl %s", link)
				}
				if signer != nil {
					tampered := strings.Replace(link, "60x60", "61x61", 1)
					code, _ := getURL(t, srv.URL, tampered)
					assert.Equal(t, http.StatusForbidden, code, tampered)
				}
			}
			if curl == "" {
				t.Log("curl not found: links checked with net/http only")
			}
		})
	}
}

// TestURLExpires checks expiring links through a real server: good until
// their second, then 410, and refused when already past.
func TestURLExpires(t *testing.T) {
	t.Parallel()
	dir := dirWith(t, "a b.jpg")
	for name, signer := range urlSigners() {
		if signer == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: signer}
			srv := httptest.NewServer(h)
			defer srv.Close()
			until := time.Now().Add(time.Hour)
			link, err := h.URLExpires("a b.jpg", imgproxy.Options{Width: 50}, until)
			require.NoError(t, err)
			assert.Contains(t, link, "&expires="+strconv.FormatInt(until.Unix(), 10))
			code, _ := getURL(t, srv.URL, link)
			assert.Equal(t, http.StatusOK, code, link)

			_, err = h.URLExpires("a b.jpg", imgproxy.Options{Width: 50}, time.Unix(1000000000, 0))
			require.ErrorIs(t, err, imgproxy.ErrExpired, "a link already expired is refused")
			// The same link, signed directly, is what the Handler calls expired.
			past := signer.(imgproxy.ExpiringLinkSigner).SignExpires("/image/50x-/a b.jpg", time.Unix(1000000000, 0))
			code, _ = getURL(t, srv.URL, past)
			assert.Equal(t, http.StatusGone, code, past)
			assert.Equal(t, imgproxy.StatusCode(err), code)
		})
	}
}

// TestURLRefuses checks that what the Handler would refuse is refused
// with the same status, and, for the names, that a link signed directly
// is indeed refused by the Handler even though the file exists: refusing
// is the honest answer.
func TestURLRefuses(t *testing.T) {
	t.Parallel()
	unservable := []string{"q?x.png", "a#b.png", "a@b.png", `a\b.png`, "a%3Fb.png", "%2e%2e/b.png", "tab\t.png"}
	dir := dirWith(t, unservable...)
	sq := imgproxy.Options{Width: 50, Height: 50}
	md5 := &imgproxy.SecureLinkMD5{Secret: slSecret}
	tests := []struct {
		name string
		h    *imgproxy.Handler
		path string
		o    imgproxy.Options
		want error
	}{
		{"dot segments", &imgproxy.Handler{}, "a/../b.jpg", sq, imgproxy.ErrBadRequest},
		{"empty segment", &imgproxy.Handler{}, "a//b.jpg", sq, imgproxy.ErrBadRequest},
		{"leading slash", &imgproxy.Handler{}, "/b.jpg", sq, imgproxy.ErrBadRequest},
		{"empty path", &imgproxy.Handler{}, "", sq, imgproxy.ErrBadRequest},
		{"scheme-like", &imgproxy.Handler{}, "http:/x.jpg", sq, imgproxy.ErrBadRequest},
		{"not UTF-8", &imgproxy.Handler{}, "\xff.jpg", sq, imgproxy.ErrBadRequest},
		{"too long", &imgproxy.Handler{}, strings.Repeat("a", 2049), sq, imgproxy.ErrBadRequest},
		{"negative width", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Width: -1}, imgproxy.ErrBadRequest},
		{"too wide", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Width: imgproxy.MaxDimension + 1}, imgproxy.ErrBadRequest},
		{"rotate 45", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Rotate: 45}, imgproxy.ErrBadRequest},
		{"quality 101", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Quality: 101}, imgproxy.ErrBadRequest},
		{"crop one side", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Width: 10, Fit: imgproxy.FitCrop}, imgproxy.ErrBadRequest},
		{"auto without first", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Auto: [2]imgproxy.Format{0, imgproxy.FormatWebP}}, imgproxy.ErrBadRequest},
		{"colour not valid", &imgproxy.Handler{}, "b.jpg", imgproxy.Options{Background: imgproxy.Color{R: 1}}, imgproxy.ErrBadRequest},
		{"size not listed", &imgproxy.Handler{Sizes: []imgproxy.Size{{W: 100, H: 100}}}, "b.jpg", sq, imgproxy.ErrBadRequest},
		{"expiring md5 needs an expiry", &imgproxy.Handler{Signer: &imgproxy.SecureLinkMD5{Secret: slSecret, Expiring: true}}, "b.jpg", sq, imgproxy.ErrForbidden},
		{"hmac without a key", &imgproxy.Handler{Signer: &imgproxy.HMACSigner{}}, "b.jpg", sq, imgproxy.ErrForbidden},
		{"md5 without a secret", &imgproxy.Handler{Signer: &imgproxy.SecureLinkMD5{}}, "b.jpg", sq, imgproxy.ErrForbidden},
	}
	for _, n := range unservable {
		tests = append(tests, struct {
			name string
			h    *imgproxy.Handler
			path string
			o    imgproxy.Options
			want error
		}{"name " + n, &imgproxy.Handler{Signer: md5, Fetcher: &imgproxy.DirFetcher{Dir: dir}}, n, sq, imgproxy.ErrBadRequest})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			link, err := tt.h.URL(tt.path, tt.o)
			require.Error(t, err, "link %q", link)
			assert.Equal(t, imgproxy.StatusCode(tt.want), imgproxy.StatusCode(err), "%v", err)
			assert.Empty(t, link)
			if !strings.HasPrefix(tt.name, "name ") {
				return
			}
			_, err = md5.FuncMap()["signImage"].(func(string) (string, error))("/image/50x50/" + tt.path)
			require.ErrorIs(t, err, tt.want, "the signer's FuncMap refuses it too")
			w := get(t, tt.h, http.MethodGet, md5.Sign("/image/50x50/"+tt.path))
			assert.Equal(t, imgproxy.StatusCode(err), w.Code, "the Handler refuses the directly signed link")
		})
	}
}

// TestURLSignerCannotSign checks that a Signer that cannot make links is
// an error, not an unsigned link.
func TestURLSignerCannotSign(t *testing.T) {
	t.Parallel()
	h := &imgproxy.Handler{Signer: imgproxy.SignerFunc(func(*http.Request) error { return nil })}
	_, err := h.URL("b.jpg", imgproxy.Options{})
	require.ErrorContains(t, err, "cannot sign links")
	_, err = h.URLExpires("b.jpg", imgproxy.Options{}, time.Now().Add(time.Hour))
	require.ErrorContains(t, err, "cannot sign expiring links")
	_, err = (&imgproxy.Handler{Prefix: "thumbs"}).URL("b.jpg", imgproxy.Options{})
	require.ErrorContains(t, err, "must start and end with /")
}

// TestLink checks that Link keeps the options as written and checks them,
// while URL writes them in canonical form, and that both use the prefix.
func TestLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		h    *imgproxy.Handler
		path string
		want string
		err  error
	}{
		{&imgproxy.Handler{}, "/image/150x150,q80,crop/a b.jpg", "/image/150x150,q80,crop/a%20b.jpg", nil},
		{&imgproxy.Handler{Prefix: "/t/"}, "/t/-x-/ü.jpg", "/t/-x-/%C3%BC.jpg", nil},
		{&imgproxy.Handler{Prefix: "/t/"}, "/image/-x-/a.jpg", "", imgproxy.ErrNotFound},
		{&imgproxy.Handler{}, "/image/150x150", "", imgproxy.ErrBadRequest},
		{&imgproxy.Handler{}, "/image/150x150,crop,crop/a.jpg", "", imgproxy.ErrBadRequest},
		{&imgproxy.Handler{Sizes: []imgproxy.Size{{W: 100, H: 100}}, SnapSizes: true}, "/image/90x90/a.jpg", "/image/90x90/a.jpg", nil},
		{&imgproxy.Handler{Sizes: []imgproxy.Size{{W: 100, H: 100}}}, "/image/-x-,info/a.jpg", "/image/-x-,info/a.jpg", nil},
	}
	for _, tt := range tests {
		got, err := tt.h.Link(tt.path)
		if tt.err != nil {
			require.Error(t, err, tt.path)
			assert.Equal(t, imgproxy.StatusCode(tt.err), imgproxy.StatusCode(err), "%s: %v", tt.path, err)
			continue
		}
		require.NoError(t, err, tt.path)
		assert.Equal(t, tt.want, got)
	}
	o, err := imgproxy.ParseOptions("150x150,q80,crop")
	require.NoError(t, err)
	got, err := (&imgproxy.Handler{}).URL("a.jpg", o)
	require.NoError(t, err)
	assert.Equal(t, "/image/150x150,crop,q80/a.jpg", got)
}

// TestHandlerFuncMap renders a page with the Handler's template functions
// and GETs every link on it.
func TestHandlerFuncMap(t *testing.T) {
	t.Parallel()
	dir := dirWith(t, "dir/a b.jpg")
	h := &imgproxy.Handler{Prefix: "/img/", Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: &imgproxy.HMACSigner{Keys: [][]byte{[]byte(urlHMACKey)}}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	page := template.Must(template.New("p").Funcs(h.FuncMap()).Parse(
		`<img src="{{imageURL "80x80,crop" .Path}}"><img src="{{imageURL .Opts .Path}}"><img src="{{imageURLExpires "40x-" .Path .Until}}">`))
	var buf bytes.Buffer
	require.NoError(t, page.Execute(&buf, map[string]any{
		"Path": "dir/a b.jpg", "Opts": imgproxy.Options{Width: 70, Height: 70}, "Until": time.Now().Add(time.Hour),
	}))
	srcs := regexp.MustCompile(`src="([^"]*)"`).FindAllStringSubmatch(buf.String(), -1)
	require.Len(t, srcs, 3, buf.String())
	wants := [][2]int{{80, 80}, {70, 47}, {40, 27}}
	for i, m := range srcs {
		link := html.UnescapeString(m[1])
		require.True(t, strings.HasPrefix(link, "/img/"), link)
		code, body := getURL(t, srv.URL, link)
		require.Equal(t, http.StatusOK, code, "%s: %s", link, body)
		_, w, hh := decodeSize(t, body)
		assert.Equal(t, wants[i], [2]int{w, hh}, link)
	}
	for _, bad := range []string{
		`{{imageURL "80x80" "q?x.jpg"}}`,
		`{{imageURL "80x80,spin" "a.jpg"}}`,
		`{{imageURL 80 "a.jpg"}}`,
		`{{imageURLExpires "80x80" "a.jpg" .Past}}`,
	} {
		page := template.Must(template.New("bad").Funcs(h.FuncMap()).Parse(bad))
		err := page.Execute(io.Discard, map[string]any{"Past": time.Unix(1000000000, 0)})
		assert.Error(t, err, bad)
	}
}
