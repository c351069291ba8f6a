package imgproxy_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// funcMapSigner is a signer whose template functions are under test, with
// the token its links must carry, computed here from the documented
// definitions (nginx's secure_link_md5; HMAC-SHA256 of expires "\n" path)
// rather than by the code under test.
type funcMapSigner struct {
	name   string
	signer interface {
		imgproxy.Signer
		FuncMap() template.FuncMap
	}
	param string                            // query parameter of the token
	token func(expires, path string) string // the token a link to path must carry
}

func funcMapSigners(now func() time.Time) []funcMapSigner {
	const secret, key = "your_secret", "funcmap-test-key-32-bytes-long!!"
	return []funcMapSigner{
		{"md5", &imgproxy.SecureLinkMD5{Secret: secret, Now: now}, "auth", func(expires, path string) string {
			sum := md5.Sum([]byte(expires + path + " " + secret))
			return base64.RawURLEncoding.EncodeToString(sum[:])
		}},
		{"hmac", &imgproxy.HMACSigner{Keys: [][]byte{[]byte(key)}, Now: now}, "sig", func(expires, path string) string {
			m := hmac.New(sha256.New, []byte(key))
			m.Write([]byte(expires + "\n" + path))
			return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		}},
	}
}

// TestFuncMapLinksVerify renders a page with each signer's FuncMap and
// checks every link it shows: it carries the right token, the signer
// verifies it, a Handler with that signer serves it, and a tampered copy
// is refused.
func TestFuncMapLinksVerify(t *testing.T) {
	t.Parallel()
	clk := newClock()
	until := clk.Now().Add(time.Hour)
	tmpl := `<img src="{{signImage .Path}}"><img src="{{signImageExpires .Path .Until}}">`
	paths := []struct {
		path string
		file string // what the Handler fetches; empty: the template refuses the path
	}{
		{"/image/150x150/a b.jpg", "a b.jpg"},
		{"/image/100x-,q80/dir/x.jpg", "dir/x.jpg"},
		{"/image/150x150/ü/100%.jpg", "ü/100%.jpg"},
		{"/image/150x150/what?.jpg", ""}, // the Handler answers 400
	}
	files := map[string][]byte{}
	for _, p := range paths {
		if p.file != "" {
			files[p.file] = jpegBytes(t, 300, 200)
		}
	}
	for _, s := range funcMapSigners(clk.Now) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Fetcher: &fakeFetcher{files: files}, Signer: s.signer, Now: clk.Now}
			page := template.Must(template.New(s.name).Funcs(s.signer.FuncMap()).Parse(tmpl))
			for _, p := range paths {
				var buf bytes.Buffer
				err := page.Execute(&buf, map[string]any{"Path": p.path, "Until": until})
				if p.file == "" {
					require.ErrorIs(t, err, imgproxy.ErrBadRequest, p.path)
					assert.Equal(t, http.StatusBadRequest, get(t, h, http.MethodGet, s.signer.(imgproxy.LinkSigner).Sign(p.path)).Code,
						"refusing is right: the Handler would not serve %q", p.path)
					continue
				}
				require.NoError(t, err)
				srcs := regexp.MustCompile(`src="([^"]*)"`).FindAllStringSubmatch(buf.String(), -1)
				require.Len(t, srcs, 2, buf.String())
				for i, m := range srcs {
					link := html.UnescapeString(m[1])
					expires := ""
					if i == 1 {
						expires = strconv.FormatInt(until.Unix(), 10)
					}
					u, err := url.Parse(link)
					require.NoError(t, err, link)
					require.Equal(t, p.path, u.Path, "link %q", link)
					q := u.Query()
					assert.Equal(t, s.token(expires, p.path), q.Get(s.param), "token of %q", link)
					assert.Equal(t, expires, q.Get("expires"), "expires of %q", link)

					r := httptest.NewRequest(http.MethodGet, link, nil)
					require.NoError(t, s.signer.Verify(r), "link %q", link)
					w := get(t, h, http.MethodGet, link)
					assert.Equal(t, http.StatusOK, w.Code, "link %q", link)

					// The same token on another path, or a changed token, is refused.
					other := strings.Replace(link, "150x150", "151x151", 1)
					other = strings.Replace(other, "100x-", "101x-", 1)
					require.NotEqual(t, link, other)
					assert.ErrorIs(t, s.signer.Verify(httptest.NewRequest(http.MethodGet, other, nil)), imgproxy.ErrForbidden, "%q", other)
					q.Set(s.param, s.token(expires, p.path+"x"))
					u.RawQuery = q.Encode()
					assert.ErrorIs(t, s.signer.Verify(httptest.NewRequest(http.MethodGet, u.String(), nil)), imgproxy.ErrForbidden, "%q", u)
				}
			}
		})
	}
}

// TestFuncMapExpiringLinkExpires checks that a link from signImageExpires
// stops verifying once its time has passed (fake clock), and only then.
func TestFuncMapExpiringLinkExpires(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"md5", "hmac"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			var s funcMapSigner
			for _, c := range funcMapSigners(clk.Now) {
				if c.name == name {
					s = c
				}
			}
			until := clk.Now().Add(time.Minute)
			page := template.Must(template.New(name).Funcs(s.signer.FuncMap()).Parse(`{{signImageExpires .Path .Until}}`))
			var buf bytes.Buffer
			require.NoError(t, page.Execute(&buf, map[string]any{"Path": "/image/10x10/a.jpg", "Until": until}))
			link := html.UnescapeString(buf.String())
			require.NoError(t, s.signer.Verify(httptest.NewRequest(http.MethodGet, link, nil)))
			clk.Advance(time.Minute) // the deadline's own second still verifies
			require.NoError(t, s.signer.Verify(httptest.NewRequest(http.MethodGet, link, nil)))
			clk.Advance(time.Second)
			err := s.signer.Verify(httptest.NewRequest(http.MethodGet, link, nil))
			assert.ErrorIs(t, err, imgproxy.ErrExpired, "%q", link)
		})
	}
}
