package imgproxy_test

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestRanges(t *testing.T) {
	t.Parallel()
	src := jpegBytes(t, 300, 200) // served as it is at -x-
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": src}}
	size := len(src)
	many := "bytes=" + strings.Repeat("0-0,", 199_999) + "0-0"
	tests := []struct {
		name      string
		maxRanges int
		rng       string
		code      int
		parts     int // of a multipart/byteranges answer
	}{
		{"one range", 0, "bytes=0-99", 206, 0},
		{"three ranges", 0, "bytes=0-9,100-199,-10", 206, 3},
		{"sixteen ranges", 0, "bytes=" + strings.Repeat("0-0,", 15) + "0-0", 206, 16},
		{"seventeen ranges: whole entity", 0, "bytes=" + strings.Repeat("0-0,", 16) + "0-0", 200, 0},
		{"200 000 ranges: whole entity", 0, many, 200, 0},
		{"empty parts do not count", 0, "bytes=0-9,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,10-19", 206, 2},
		{"overlapping past the size: whole entity", 0, "bytes=0-,0-", 200, 0},
		{"MaxRanges 2", 2, "bytes=0-9,100-199,-10", 200, 0},
		{"ranges off", -1, "bytes=0-99", 200, 0},
		{"past the end", 0, "bytes=" + strconv.Itoa(size) + "-", 416, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &imgproxy.Handler{Fetcher: f, MaxRanges: tt.maxRanges}
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, err := http.NewRequest("GET", srv.URL+"/image/-x-/p.jpg", nil)
			require.NoError(t, err)
			req.Header.Set("Range", tt.rng)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.code, resp.StatusCode)
			switch {
			case tt.code == 200:
				assert.Equal(t, src, body, "the whole entity")
			case tt.parts > 0:
				mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
				require.NoError(t, err)
				require.Equal(t, "multipart/byteranges", mt)
				mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
				n := 0
				for {
					_, err := mr.NextPart()
					if err == io.EOF {
						break
					}
					require.NoError(t, err)
					n++
				}
				assert.Equal(t, tt.parts, n)
				assert.Less(t, len(body), size+200*tt.parts, "bounded by the parts")
			case tt.code == 206:
				assert.Equal(t, src[:100], body)
			}
		})
	}
}
