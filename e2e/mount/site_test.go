package mount

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // quiet: no route listing on stdout
	os.Exit(m.Run())
}

// readme:begin images
// newImages is the Handler each site mounts at /thumbs/, and the signer its
// pages sign links with. Links are signed over the whole request path, so
// the router must hand the Handler r.URL.Path as it came.
func newImages(dir string, key []byte) (*imgproxy.Handler, *imgproxy.HMACSigner) {
	signer := &imgproxy.HMACSigner{Keys: [][]byte{key}}
	images := &imgproxy.Handler{
		Prefix:  "/thumbs/", // where the router mounts it, written out in full
		Fetcher: &imgproxy.DirFetcher{Dir: dir},
		Signer:  signer,
	}
	return images, signer
}

// home is a page of the site's own, with a signed thumbnail link.
func home(signer *imgproxy.HMACSigner) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		link := signer.Sign("/thumbs/150x150/summer 2024/beach.jpg")
		fmt.Fprintf(w, "<p>Our site</p><img src=\"%s\">\n", html.EscapeString(link))
	}
}

// readme:end

// testKey is the HMAC key of the test sites (32 bytes).
var testKey = []byte("0123456789abcdef0123456789abcdef")

// site builds a router with home at "/" and images under "/thumbs/".
type site func(images *imgproxy.Handler, home http.HandlerFunc) http.Handler

var sites = []struct {
	name  string
	build site
}{
	{"net/http", serveMuxSite},
	{"chi", chiSite},
	{"chi Handle", chiHandleSite},
	{"gin", ginSite},
}

// pictures writes a 1200x800 JPEG at "summer 2024/beach.jpg" (a name that
// must be escaped in a URL) under a new directory and returns it.
func pictures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := range 800 {
		for x := range 1200 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "summer 2024"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "summer 2024", "beach.jpg"), buf.Bytes(), 0o644))
	return dir
}

type response struct {
	code int
	hdr  http.Header
	body []byte
}

func fetch(t *testing.T, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, body}
}

var imgSrc = regexp.MustCompile(`<img src="([^"]+)">`)

// TestMount serves the site's own page and a signed thumbnail through each
// router: the link the page makes is the link that works.
func TestMount(t *testing.T) {
	t.Parallel()
	dir := pictures(t)
	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			images, signer := newImages(dir, testKey)
			require.NoError(t, images.Validate())
			srv := httptest.NewServer(s.build(images, home(signer)))
			defer srv.Close()

			page := fetch(t, "GET", srv.URL+"/")
			require.Equal(t, 200, page.code)
			assert.Contains(t, string(page.body), "Our site")
			m := imgSrc.FindSubmatch(page.body)
			require.NotNil(t, m, "no <img> in %q", page.body)
			link := html.UnescapeString(string(m[1]))
			assert.Contains(t, link, "/thumbs/150x150/summer%202024/beach.jpg?sig=")

			for i, status := range []string{"MISS", "HIT"} {
				r := fetch(t, "GET", srv.URL+link)
				require.Equal(t, 200, r.code, "GET %d: %s", i, r.body)
				assert.Equal(t, "image/jpeg", r.hdr.Get("Content-Type"))
				assert.Equal(t, status, r.hdr.Get("X-Cache-Status"))
				cfg, format, err := image.DecodeConfig(bytes.NewReader(r.body))
				require.NoError(t, err)
				assert.Equal(t, "jpeg", format)
				assert.Equal(t, [2]int{150, 100}, [2]int{cfg.Width, cfg.Height})
			}

			head := fetch(t, "HEAD", srv.URL+link)
			assert.Equal(t, 200, head.code, "HEAD reaches the Handler")
			assert.Empty(t, head.body)
			assert.NotEmpty(t, head.hdr.Get("Content-Length"))

			crop := signer.Sign("/thumbs/90x90,crop/summer 2024/beach.jpg")
			r := fetch(t, "GET", srv.URL+crop)
			require.Equal(t, 200, r.code)
			cfg, _, err := image.DecodeConfig(bytes.NewReader(r.body))
			require.NoError(t, err)
			assert.Equal(t, [2]int{90, 90}, [2]int{cfg.Width, cfg.Height})

			for _, bad := range []string{
				"/thumbs/150x150/summer%202024/beach.jpg",      // unsigned
				strings.Replace(link, "150x150", "300x300", 1), // another variant's signature
				forge(link),
			} {
				assert.Equal(t, 403, fetch(t, "GET", srv.URL+bad).code, bad)
			}
			assert.Equal(t, 404, fetch(t, "GET", srv.URL+"/elsewhere").code, "the router's own 404")
		})
	}
}

// forge returns link with the last character of its signature changed.
func forge(link string) string {
	last := link[len(link)-1]
	if last == 'A' {
		return link[:len(link)-1] + "B"
	}
	return link[:len(link)-1] + "A"
}
