package mount

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/imgproxy-go/imgproxy"
)

// TestMountPitfalls shows why the README mounts the way it does: each
// wrong way serves the site's signed links with an error.
func TestMountPitfalls(t *testing.T) {
	t.Parallel()
	dir := pictures(t)
	signer := &imgproxy.HMACSigner{Keys: [][]byte{testKey}}
	link := signer.Sign("/thumbs/150x150/summer 2024/beach.jpg")
	tests := []struct {
		name   string
		mux    func() http.Handler
		method string
		want   int
	}{
		{
			// The Handler sees "/150x150/...": the link was signed for
			// "/thumbs/150x150/...", as nginx's $uri would be.
			name: "StripPrefix breaks signatures",
			mux: func() http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/thumbs/", http.StripPrefix("/thumbs", &imgproxy.Handler{
					Prefix: "/", Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: signer,
				}))
				return mux
			},
			method: "GET", want: 403,
		},
		{
			name: "mounted without its Prefix",
			mux: func() http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/thumbs/", &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: signer})
				return mux
			},
			method: "GET", want: 404,
		},
		{
			name: "gin GET route takes no HEAD",
			mux: func() http.Handler {
				r := gin.New()
				r.GET("/thumbs/*path", gin.WrapH(&imgproxy.Handler{
					Prefix: "/thumbs/", Fetcher: &imgproxy.DirFetcher{Dir: dir}, Signer: signer,
				}))
				return r
			},
			method: "HEAD", want: 404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.mux())
			defer srv.Close()
			assert.Equal(t, tt.want, fetch(t, tt.method, srv.URL+link).code)
		})
	}
}
