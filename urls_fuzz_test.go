package imgproxy_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/imgproxy-go/imgproxy"
)

// FuzzLink checks that every link Link makes for an arbitrary request
// path is pure ASCII without spaces, reaches the server as exactly that
// path, and is served (200) by a Handler whose origin has every picture;
// and that what Link refuses, the Handler refuses too.
func FuzzLink(f *testing.F) {
	for _, s := range []string{
		"/image/150x150/a/b.jpg", "/image/50x50/q?x.png", "/image/-x-/a b/ü%.jpg", "/image/1x1,crop/%41#",
		"/image/10x10//a", "/image/10x10/a/%2e%2e/b", "/image/10x10/@x", "/x/10x10/a", "/image/10x10,spin/a",
	} {
		f.Add(s)
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		f.Fatal(err)
	}
	origin := imgproxy.FetcherFunc(func(_ context.Context, p string) (*imgproxy.Source, error) {
		return &imgproxy.Source{Path: p, Data: pic.Bytes()}, nil
	})
	h := &imgproxy.Handler{Fetcher: origin, Cache: imgproxy.NoCache{}, Signer: &imgproxy.SecureLinkMD5{Secret: "your_secret"}}
	f.Fuzz(func(t *testing.T, p string) {
		link, err := h.Link(p)
		if err != nil {
			if strings.HasPrefix(p, "/") {
				// Signed directly, the Handler refuses it as Link did.
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, (&imgproxy.SecureLinkMD5{Secret: "your_secret"}).Sign(p), nil))
				if w.Code != imgproxy.StatusCode(err) {
					t.Fatalf("Link(%q): %v (%d) but the Handler answers %d", p, err, imgproxy.StatusCode(err), w.Code)
				}
			}
			return
		}
		for i := 0; i < len(link); i++ {
			if link[i] <= ' ' || link[i] >= 0x7f {
				t.Fatalf("Link(%q) = %q: byte %#x needs escaping", p, link, link[i])
			}
		}
		r := httptest.NewRequest(http.MethodGet, link, nil)
		if r.URL.Path != p {
			t.Fatalf("Link(%q) = %q reaches the server as %q", p, link, r.URL.Path)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("Link(%q) = %q is answered %d", p, link, w.Code)
		}
	})
}
