package imgproxy_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// FuzzVerify checks that Verify never panics and only ever answers nil,
// ErrForbidden or ErrExpired on arbitrary requests, and that every link
// Sign or SignExpires makes for a path verifies once parsed as a server
// parses a request line.
func FuzzVerify(f *testing.F) {
	f.Add("/image/150x150/a/b.jpg", "auth=N1jadBh1oI7LO9yKdEQn5w", int64(2147483647))
	f.Add("/image/150x150/a/b.jpg", "auth=9-DvV2y_NTgTshiBa6vZsA&expires=2147483647", int64(0))
	f.Add("/image/150x150/a b.jpg", "sig=-yrsZEmtz9v7iP57Y6NHqunB2RrmnMASmH6SwaVRQc4&expires=", int64(-1))
	f.Add("//evil/x", "auth=%zz&&;expires=1", int64(1<<40))
	f.Add("/ü/%/?#", "sig=====&expires=99999999999999999999", int64(1))
	now := func() time.Time { return time.Unix(1800000000, 0) }
	md5 := &imgproxy.SecureLinkMD5{Secret: "your_secret", Now: now}
	md5exp := &imgproxy.SecureLinkMD5{Secret: "your_secret", Expiring: true, Now: now}
	hm := &imgproxy.HMACSigner{Keys: [][]byte{[]byte("new-key"), []byte("old-key")}, Now: now}
	f.Fuzz(func(t *testing.T, path, query string, expires int64) {
		// Arbitrary requests: no panic, only the two sentinels.
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path, RawQuery: query}}
		for _, s := range []imgproxy.Signer{md5, md5exp, hm} {
			if err := s.Verify(r); err != nil && !errors.Is(err, imgproxy.ErrForbidden) && !errors.Is(err, imgproxy.ErrExpired) {
				t.Fatalf("Verify(%q, %q) = %v", path, query, err)
			}
		}
		if !strings.HasPrefix(path, "/") {
			return // Sign takes request paths
		}
		until := time.Unix(1800000000+expires%(1<<32), 0)
		if until.Unix() <= 0 {
			return
		}
		expired := until.Unix() < 1800000000
		for _, c := range []struct {
			s       imgproxy.Signer
			link    string
			expires bool
		}{
			{md5, md5.Sign(path), false},
			{md5exp, md5exp.SignExpires(path, until), true},
			{hm, hm.Sign(path), false},
			{hm, hm.SignExpires(path, until), true},
		} {
			u, err := url.ParseRequestURI(c.link)
			if err != nil {
				t.Fatalf("link %q for %q does not parse: %v", c.link, path, err)
			}
			if u.Path != path || u.Host != "" {
				t.Fatalf("link %q for %q parses as host %q path %q", c.link, path, u.Host, u.Path)
			}
			err = c.s.Verify(&http.Request{Method: http.MethodGet, URL: u})
			if c.expires && expired {
				if !errors.Is(err, imgproxy.ErrExpired) {
					t.Fatalf("expired link %q: %v", c.link, err)
				}
			} else if err != nil {
				t.Fatalf("link %q for %q: %v", c.link, path, err)
			}
		}
	})
}
