package mount

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/imgproxy-go/imgproxy"
)

// readme:begin chi
// chiSite mounts images with chi. Mount routes "/thumbs/..." to it and
// leaves r.URL.Path whole (chi routes sub-routers on its own context), so
// Prefix is the mount pattern plus "/".
func chiSite(images *imgproxy.Handler, home http.HandlerFunc) http.Handler {
	r := chi.NewRouter()
	r.Get("/", home)
	r.Mount("/thumbs", images)
	return r
}

// readme:end

// chiHandleSite is the other chi spelling the README names: a catch-all
// route, which leaves r.URL.Path whole too.
func chiHandleSite(images *imgproxy.Handler, home http.HandlerFunc) http.Handler {
	r := chi.NewRouter()
	r.Get("/", home)
	r.Handle("/thumbs/*", images)
	return r
}
