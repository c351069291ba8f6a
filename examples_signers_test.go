package imgproxy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// exampleOrigin serves one 640x480 photo at every path.
func exampleOrigin() imgproxy.Fetcher {
	photo := exampleJPEG(640, 480)
	return imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
		return &imgproxy.Source{Path: path, Data: photo}, nil
	})
}

// A Handler with a SecureLinkMD5 serves only the links an nginx front with
// secure_link_md5 "$uri your_secret" would: unsigned and forged links are
// 403, a good link past its expiry 410.
func ExampleSecureLinkMD5() {
	signer := &imgproxy.SecureLinkMD5{Secret: "your_secret"}
	h := &imgproxy.Handler{Fetcher: exampleOrigin(), Signer: signer}
	for _, url := range []string{
		"/image/150x150/a/b.jpg",
		"/image/150x150/a/b.jpg?auth=M1jadBh1oI7LO9yKdEQn5w", // forged
		signer.Sign("/image/150x150/a/b.jpg"),
		signer.SignExpires("/image/150x150/a/b.jpg", time.Unix(1700000000, 0)),
	} {
		fmt.Println(exampleGet(h, "GET", url).Code, url)
	}
	// Output:
	// 403 /image/150x150/a/b.jpg
	// 403 /image/150x150/a/b.jpg?auth=M1jadBh1oI7LO9yKdEQn5w
	// 200 /image/150x150/a/b.jpg?auth=N1jadBh1oI7LO9yKdEQn5w
	// 410 /image/150x150/a/b.jpg?auth=3ANzcQU-WNgrLlYnUinuYQ&expires=1700000000
}

// HMACSigner keys rotate: prepend the new key, so that links signed with
// the old one keep working, and drop the old key once its links are gone.
func ExampleHMACSigner() {
	oldKey := []byte("old key, 32 random bytes in life")
	newKey := []byte("new key, 32 random bytes in life")
	path := "/image/150x150/a/b.jpg"
	oldLink := (&imgproxy.HMACSigner{Keys: [][]byte{oldKey}}).Sign(path)

	rotating := &imgproxy.HMACSigner{Keys: [][]byte{newKey, oldKey}}
	fmt.Println(rotating.Validate())
	fmt.Println(rotating.Sign(path)) // signed with Keys[0], as the HMACSigner doc's openssl line signs it
	fmt.Println(rotating.Verify(httptest.NewRequest("GET", oldLink, nil)))

	rotated := &imgproxy.HMACSigner{Keys: [][]byte{newKey}}
	err := rotated.Verify(httptest.NewRequest("GET", oldLink, nil))
	fmt.Println(errors.Is(err, imgproxy.ErrForbidden), imgproxy.StatusCode(err))
	// Output:
	// <nil>
	// /image/150x150/a/b.jpg?sig=QleMFrD6MHo4Y7Wc53G5BQL0MQM7IOnGDSkwMkLtVxE
	// <nil>
	// true 403
}

// Expiring HMAC links carry their deadline, covered by the MAC; Now is the
// clock, here fixed.
func ExampleHMACSigner_SignExpires() {
	now := time.Unix(1700000000, 0)
	s := &imgproxy.HMACSigner{
		Keys: [][]byte{[]byte("a key of 32 random bytes in life")},
		Now:  func() time.Time { return now },
	}
	link := s.SignExpires("/image/150x150/a/b.jpg", now.Add(time.Hour))
	fmt.Println(s.Verify(httptest.NewRequest("GET", link, nil)))
	now = now.Add(2 * time.Hour)
	err := s.Verify(httptest.NewRequest("GET", link, nil))
	fmt.Println(errors.Is(err, imgproxy.ErrExpired), imgproxy.StatusCode(err))
	// Output:
	// <nil>
	// true 410
}
