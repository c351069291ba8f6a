package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestConfigSizesAndRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		sizes     []imgproxy.Size
		snap      bool
		maxRanges int
		wantErr   string
	}{
		{name: "defaults", maxRanges: imgproxy.DefaultMaxRanges},
		{name: "sizes", args: []string{"-sizes", "150x150,640x480"}, sizes: []imgproxy.Size{{W: 150, H: 150}, {W: 640, H: 480}}, maxRanges: imgproxy.DefaultMaxRanges},
		{name: "free sides", args: []string{"-sizes", "640x-, -x-"}, sizes: []imgproxy.Size{{W: 640}, {}}, maxRanges: imgproxy.DefaultMaxRanges},
		{name: "from env", env: map[string]string{"IMGPROXY_SIZES": "100x100", "IMGPROXY_SNAP_SIZES": "true", "IMGPROXY_MAX_RANGES": "2"}, sizes: []imgproxy.Size{{W: 100, H: 100}}, snap: true, maxRanges: 2},
		{name: "snap", args: []string{"-sizes", "100x100", "-snap-sizes"}, sizes: []imgproxy.Size{{W: 100, H: 100}}, snap: true, maxRanges: imgproxy.DefaultMaxRanges},
		{name: "no ranges", args: []string{"-max-ranges", "0"}, maxRanges: -1},
		{name: "one range", args: []string{"-max-ranges", "1"}, maxRanges: 1},
		{name: "bad size", args: []string{"-sizes", "150"}, wantErr: `-sizes "150"`},
		{name: "bad side", args: []string{"-sizes", "150x0"}, wantErr: `-sizes "150x0"`},
		{name: "snap alone", args: []string{"-snap-sizes"}, wantErr: "-snap-sizes needs -sizes"},
		{name: "negative ranges", args: []string{"-max-ranges", "-1"}, wantErr: "-max-ranges -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(append([]string{"-upstream", "../../samples"}, tt.args...), func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			h, err := newHandler(c, slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			assert.Equal(t, tt.sizes, h.Sizes)
			assert.Equal(t, tt.snap, h.SnapSizes)
			assert.Equal(t, tt.maxRanges, h.MaxRanges)
		})
	}
}

func TestServerSizesAndRanges(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	strict := startServer(t, "-upstream", up.URL+"/", "-sizes", "150x150,-x100", "-max-ranges", "1")
	snap := startServer(t, "-upstream", up.URL+"/", "-sizes", "150x150", "-snap-sizes")
	for _, tt := range []struct {
		s      *server
		path   string
		status int
		dims   [2]int
	}{
		{strict, "/image/150x150/photo.jpg", 200, [2]int{150, 94}},
		{strict, "/image/-x100/photo.jpg", 200, [2]int{160, 100}},
		{strict, "/image/100x100/photo.jpg", 400, [2]int{}},
		{snap, "/image/100x100/photo.jpg", 200, [2]int{150, 94}},
	} {
		resp, body := tt.s.do(t, "GET", tt.path)
		require.Equal(t, tt.status, resp.StatusCode, tt.path)
		if tt.status == 200 {
			w, h := dims(t, body)
			assert.Equal(t, tt.dims, [2]int{w, h}, tt.path)
		}
	}
	resp, whole := strict.do(t, "GET", "/image/150x150/photo.jpg")
	require.Equal(t, 200, resp.StatusCode)
	resp, body := strict.do(t, "GET", "/image/150x150/photo.jpg", "Range", "bytes=0-1")
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, whole[:2], body)
	resp, body = strict.do(t, "GET", "/image/150x150/photo.jpg", "Range", "bytes=0-1,4-5")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "more parts than -max-ranges: the whole picture")
	assert.Equal(t, whole, body)
}
