package mount

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/imgproxy-go/imgproxy"
)

// readme:begin gin
// ginSite mounts images with gin. The wildcard only routes: gin.WrapH hands
// the Handler c.Request as it came, whole path included, so Prefix is the
// part before "*path". A GET route does not take HEAD: list both.
func ginSite(images *imgproxy.Handler, home http.HandlerFunc) http.Handler {
	r := gin.New()
	r.GET("/", gin.WrapF(home))
	r.Match([]string{http.MethodGet, http.MethodHead}, "/thumbs/*path", gin.WrapH(images))
	return r
}

// readme:end
