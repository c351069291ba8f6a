package imgproxy_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// TestArithmeticJPEG: arithmetic-coded JPEGs (jpegtran -arithmetic, and
// with -progressive and restart markers) of internal/jpegdec's test
// picture take the normal JPEG path, served from a real directory: 200,
// image/jpeg, the size the Huffman-coded files of the same 203x157
// picture get (they were a 415 while jpegdec refused arithmetic coding).
func TestArithmeticJPEG(t *testing.T) {
	t.Parallel()
	h := &imgproxy.Handler{Fetcher: &imgproxy.DirFetcher{Dir: "internal/jpegdec/testdata"}}
	for _, size := range []string{"150x150", "40x40", "20x20"} {
		want := get(t, h, http.MethodGet, "/image/"+size+"/prog420.jpg")
		require.Equal(t, http.StatusOK, want.Code)
		_, ww, wh := decodeSize(t, want.Body.Bytes())
		for _, name := range []string{"arith.jpg", "arith_prog.jpg", "arith_restart.jpg", "arith_successive.jpg"} {
			url := "/image/" + size + "/" + name
			rec := get(t, h, http.MethodGet, url)
			require.Equal(t, http.StatusOK, rec.Code, url)
			assert.Equal(t, "image/jpeg", rec.Header().Get("Content-Type"), url)
			format, w, hh := decodeSize(t, rec.Body.Bytes())
			assert.Equal(t, "jpeg", format, url)
			assert.Equal(t, [2]int{ww, wh}, [2]int{w, hh}, url)
		}
	}
}
