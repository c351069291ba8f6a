package imgproxy_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/imgproxy-go/imgproxy"
)

// ExampleHandler mounts the handler beside a site's own routes, with an
// origin that serves one 1600x1200 photo.
func ExampleHandler() {
	photo := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for i := range photo.Pix {
		photo.Pix[i] = uint8(i)
	}
	photo.SetRGBA(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, photo, nil)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(buf.Bytes())
	}))
	defer origin.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "our site") })
	mux.Handle("/image/", &imgproxy.Handler{
		Fetcher: &imgproxy.HTTPFetcher{BaseURL: origin.URL + "/"},
	})
	site := httptest.NewServer(mux)
	defer site.Close()

	for range 2 {
		resp, err := http.Get(site.URL + "/image/150x150/photos/cat.jpg")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cfg, _, _ := image.DecodeConfig(bytes.NewReader(body))
		fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Cache-Status"), cfg.Width, cfg.Height)
	}
	// Output:
	// 200 image/jpeg MISS 150 113
	// 200 image/jpeg HIT 150 113
}

// ExampleParseOptions shows the canonical form of an options segment.
func ExampleParseOptions() {
	o, err := imgproxy.ParseOptions("150x150,q80,crop")
	fmt.Println(o.String(), err)
	_, err = imgproxy.ParseOptions("150x150,blur")
	fmt.Println(err)
	// Output:
	// 150x150,crop,q80 <nil>
	// imgproxy: bad options "150x150,blur": unknown option "blur"
}
