package imgproxy_test

import (
	"fmt"
	"html/template"
	"net/http"
	"os"

	"github.com/imgproxy-go/imgproxy"
)

// The prefix is written once, in the Handler; links come from it, signed,
// escaped and with the options in canonical order. The token is nginx's:
//
//	echo -n '/thumbs/150x150,crop,q80/a/b c.jpg your_secret' |
//		openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =
func ExampleHandler_URL() {
	h := &imgproxy.Handler{
		Prefix: "/thumbs/",
		Signer: &imgproxy.SecureLinkMD5{Secret: "your_secret"},
	}
	mux := http.NewServeMux()
	mux.Handle(h.Prefix, h)

	link, err := h.URL("a/b c.jpg", imgproxy.Options{Width: 150, Height: 150, Fit: imgproxy.FitCrop, Quality: 80})
	fmt.Println(link, err)
	// A name the Handler would refuse is an error, not a dead link.
	_, err = h.URL("q?x.png", imgproxy.Options{Width: 50, Height: 50})
	fmt.Println(imgproxy.StatusCode(err))
	// Output:
	// /thumbs/150x150,crop,q80/a/b%20c.jpg?auth=zXhE_Cxtq3fhecE_M5LJRg <nil>
	// 400
}

// In html/template, imageURL takes the options as a URL writes them (or an
// Options value) and the picture's path; the page stops with an error
// rather than show a link the Handler would refuse. The sig is
//
//	printf '%s\n%s' "" /image/150x150,crop/wikipedia/commons/0/01/Tiger.25.jpg |
//		openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -binary |
//		openssl base64 | tr +/ -_ | tr -d =
func ExampleHandler_FuncMap() {
	h := &imgproxy.Handler{Signer: &imgproxy.HMACSigner{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}}
	page := template.Must(template.New("page").Funcs(h.FuncMap()).Parse(
		`<img src="{{imageURL "150x150,crop" .}}" alt="">` + "\n"))
	if err := page.Execute(os.Stdout, "wikipedia/commons/0/01/Tiger.25.jpg"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <img src="/image/150x150,crop/wikipedia/commons/0/01/Tiger.25.jpg?sig=fnq1Zd4YwEWsoGg84pOpDWhz6JVkQDitqxptmy-O4Aw" alt="">
}
