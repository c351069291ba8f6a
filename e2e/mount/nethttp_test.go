package mount

import (
	"net/http"

	"github.com/imgproxy-go/imgproxy"
)

// readme:begin net/http
// serveMuxSite mounts images with net/http's ServeMux. The pattern is the
// Handler's Prefix; the ServeMux passes the request on untouched.
func serveMuxSite(images *imgproxy.Handler, home http.HandlerFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.Handle("/thumbs/", images) // not http.StripPrefix: it breaks every signed link
	return mux
}

// readme:end
