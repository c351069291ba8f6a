package imgproxy_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/imgproxy-go/imgproxy"
)

// An Observer sees every request once it is answered: which tier
// answered, the status and bytes, and for a failure its reason. The prom
// subpackage turns the same events into Prometheus metrics.
func ExampleObserverFunc() {
	photo := exampleJPEG(640, 480)
	h := &imgproxy.Handler{
		Fetcher: imgproxy.FetcherFunc(func(ctx context.Context, path string) (*imgproxy.Source, error) {
			if path != "cat.jpg" {
				return nil, imgproxy.ErrNotFound
			}
			return &imgproxy.Source{Path: path, Data: photo}, nil
		}),
		Observer: imgproxy.ObserverFunc(func(r *http.Request, ev *imgproxy.Event) {
			if ev.Err != nil {
				fmt.Println(ev.Status, ev.Reason, ev.Path)
				return
			}
			fmt.Println(ev.Status, ev.Cache, ev.Tier, ev.Options, ev.Path)
		}),
	}
	exampleGet(h, "GET", "/image/150x150/cat.jpg")
	exampleGet(h, "GET", "/image/150x150/cat.jpg")
	exampleGet(h, "GET", "/image/150x150/dog.jpg")
	exampleGet(h, "GET", "/image/huge/cat.jpg")
	// Output:
	// 200 MISS origin 150x150 cat.jpg
	// 200 HIT memory 150x150 cat.jpg
	// 404 not_found dog.jpg
	// 400 bad_request cat.jpg
}
