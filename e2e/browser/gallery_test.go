// Package browser_test drives the pages a newcomer looks at, the server's
// gallery and the examples/gallery site, in a real headless Chromium.
package browser_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// The log lines that name the listening address.
var (
	serverAddrRE = regexp.MustCompile(`listening"? addr=(\S+)`)
	siteAddrRE   = regexp.MustCompile(`listening on http://([^/\s]+)/`)
)

const secret = "gallery e2e secret"

// spot are sizes known independently of any formula: worked out by hand
// from the samples (landscape 2400x1600, portrait 1200x1800, sideways
// 1600x1200 upright, spinner 240x240).
var spot = map[string][2]int{
	"/image/100x100/landscape.jpg":      {100, 67},
	"/image/200x200/sideways.jpg":       {200, 150}, // 150x200 if EXIF were ignored
	"/image/200x200,r90/portrait.jpg":   {200, 133},
	"/image/300x100,crop/landscape.jpg": {300, 100},
	"/image/300x100,crop/spinner.gif":   {240, 100}, // never enlarged
	"/image/200x200,avif/badge.png":     {200, 200},
	"/image/200x200,webp/stripes.gif":   {200, 133},
}

// TestServerGallery: `imgproxy -upstream samples` serves at / a page whose
// every thumbnail loads in Chromium at its expected size; with -secret,
// every link is signed and verifies.
func TestServerGallery(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	bin := build(t, "./cmd/imgproxy")
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"unsigned", nil},
		{"signed", []string{"-secret", secret, "-gallery"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-upstream", root + "/samples", "-listen", "127.0.0.1:0"}, tt.args...)
			base := start(t, bin, serverAddrRE, nil, args...)
			imgs := load(t, ctx, base+"/", "gallery-"+tt.name+".png")
			assert.Len(t, imgs, 6*11, "6 samples, 11 thumbnails each")
			got := checkImages(t, imgproxy.DefaultPrefix, imgs)
			for path, want := range spot {
				assert.Equal(t, want, got[path], path)
			}
			signer := &imgproxy.SecureLinkMD5{Secret: secret}
			for _, img := range imgs {
				err := signer.Verify(httptest.NewRequest("GET", img.Src, nil))
				if tt.args == nil {
					assert.False(t, strings.Contains(img.Src, "auth="), img.Src)
				} else {
					assert.NoError(t, err, img.Src)
				}
			}
			if tt.args != nil {
				assertRefused(t, base+strings.Replace(imgs[0].Src, "100x100", "120x120", 1))
			}
			assertFormats(t, base, imgs)
		})
	}
}

// TestExampleSite: examples/gallery serves its own pages with thumbnails
// from imgproxy mounted at /thumbs/, through signed links that load in
// Chromium at their expected sizes; a changed link is refused.
func TestExampleSite(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	bin := build(t, "./examples/gallery")
	base := start(t, bin, siteAddrRE, []string{"GALLERY_SECRET=" + secret},
		"-listen", "127.0.0.1:0", "-pictures", root+"/samples")
	signer := &imgproxy.SecureLinkMD5{Secret: secret}
	for _, page := range []struct {
		path, shot string
		n          int
	}{{"/", "example-home.png", 6}, {"/about", "example-about.png", 1}} {
		imgs := load(t, ctx, base+page.path, strings.TrimSuffix(page.shot, ".png")+".png")
		require.Len(t, imgs, page.n, page.path)
		got := checkImages(t, "/thumbs/", imgs)
		for _, img := range imgs {
			assert.NoError(t, signer.Verify(httptest.NewRequest("GET", img.Src, nil)), img.Src)
		}
		if page.path == "/" {
			assert.Equal(t, [2]int{240, 160}, got["/thumbs/240x160,crop/spinner.gif"])
			assertRefused(t, base+strings.Replace(imgs[0].Src, "240x160", "2400x1600", 1))
			path, _, _ := strings.Cut(imgs[0].Src, "?")
			assertRefused(t, base+path)
		} else {
			assert.Equal(t, [2]int{200, 300}, got["/thumbs/200x300,sh50/portrait.jpg"])
		}
	}
}

// assertFormats asserts that each image whose URL names an output format
// (the ones the browser decoded above) is served in that format.
func assertFormats(t *testing.T, base string, imgs []shown) {
	t.Helper()
	n := 0
	for _, img := range imgs {
		path, _, _ := strings.Cut(img.Src, "?")
		segment := strings.Split(strings.TrimPrefix(path, imgproxy.DefaultPrefix), "/")[0]
		o, err := imgproxy.ParseOptions(segment)
		require.NoError(t, err, img.Src)
		if o.Format == imgproxy.FormatSource {
			continue
		}
		resp, err := http.Get(base + img.Src)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, o.Format.ContentType(), resp.Header.Get("Content-Type"), img.Src)
		n++
	}
	assert.Positive(t, n, "the page shows output formats")
}

// assertRefused asserts that the server refuses u with 403.
func assertRefused(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, u)
}
