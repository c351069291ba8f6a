package imgproxy_test

import (
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// A link signed for an nginx front configured with
//
//	secure_link     $arg_auth;
//	secure_link_md5 "$uri your_secret";
//
// verifies here too, and the other way round.
func ExampleSecureLinkMD5_Sign() {
	s := &imgproxy.SecureLinkMD5{Secret: "your_secret"}
	link := s.Sign("/image/150x150/a/b.jpg")
	fmt.Println(link)
	fmt.Println(s.Verify(httptest.NewRequest("GET", link, nil)))
	// Output:
	// /image/150x150/a/b.jpg?auth=N1jadBh1oI7LO9yKdEQn5w
	// <nil>
}

// With Expiring set, links carry their expiry, as with nginx's
// secure_link $arg_auth,$arg_expires.
func ExampleSecureLinkMD5_SignExpires() {
	s := &imgproxy.SecureLinkMD5{Secret: "your_secret", Expiring: true}
	fmt.Println(s.SignExpires("/image/150x150/a/b.jpg", time.Unix(2147483647, 0)))
	// Output:
	// /image/150x150/a/b.jpg?auth=9-DvV2y_NTgTshiBa6vZsA&expires=2147483647
}
