package imgproxy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestParseSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []imgproxy.Size
		err  bool
	}{
		{in: "", want: nil},
		{in: "150x150", want: []imgproxy.Size{{150, 150}}},
		{in: "150x150,640x480", want: []imgproxy.Size{{150, 150}, {640, 480}}},
		{in: "150x-, -x100 ,-x-", want: []imgproxy.Size{{150, 0}, {0, 100}, {0, 0}}},
		{in: "16384x16384", want: []imgproxy.Size{{16384, 16384}}},
		{in: "16385x1", err: true},
		{in: "0x10", err: true},
		{in: "010x10", err: true},
		{in: "150", err: true},
		{in: "150x150,", err: true},
		{in: "150x150,150x150", err: true},
		{in: "150X150", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := imgproxy.ParseSizes(tt.in)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			for _, s := range got {
				back, err := imgproxy.ParseSize(s.String())
				require.NoError(t, err)
				assert.Equal(t, s, back)
			}
		})
	}
}

func FuzzParseSizes(f *testing.F) {
	for _, s := range []string{"150x150,640x480", "-x-", "150x-,-x100", "16385x1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		sizes, err := imgproxy.ParseSizes(list)
		if err != nil {
			return
		}
		for _, s := range sizes {
			back, err := imgproxy.ParseSize(s.String())
			require.NoError(t, err)
			require.Equal(t, s, back)
		}
	})
}

func TestSnapSize(t *testing.T) {
	t.Parallel()
	allowed := []imgproxy.Size{{150, 150}, {320, 240}, {640, 480}, {1024, 0}}
	tests := []struct {
		name    string
		allowed []imgproxy.Size
		want    imgproxy.Size
		crop    bool
		got     imgproxy.Size
		ok      bool
	}{
		{"listed", allowed, imgproxy.Size{320, 240}, false, imgproxy.Size{320, 240}, true},
		{"smallest containing", allowed, imgproxy.Size{300, 200}, false, imgproxy.Size{320, 240}, true},
		{"tiny", allowed, imgproxy.Size{10, 10}, false, imgproxy.Size{150, 150}, true},
		{"one side over", allowed, imgproxy.Size{100, 300}, false, imgproxy.Size{640, 480}, true},
		{"free side wants a free side", allowed, imgproxy.Size{300, 0}, false, imgproxy.Size{1024, 0}, true},
		{"nothing contains: the largest", allowed, imgproxy.Size{2000, 0}, false, imgproxy.Size{1024, 0}, true},
		{"crop skips one-sided boxes", allowed, imgproxy.Size{2000, 2000}, true, imgproxy.Size{640, 480}, true},
		{"crop containing", allowed, imgproxy.Size{200, 200}, true, imgproxy.Size{320, 240}, true},
		{"full size, not listed", allowed, imgproxy.Size{}, false, imgproxy.Size{1024, 0}, true},
		{"full size, listed", []imgproxy.Size{{150, 150}, {}}, imgproxy.Size{}, false, imgproxy.Size{}, true},
		{"equal areas: first listed", []imgproxy.Size{{200, 100}, {100, 200}}, imgproxy.Size{50, 50}, false, imgproxy.Size{200, 100}, true},
		{"crop with no two-sided box", []imgproxy.Size{{150, 0}}, imgproxy.Size{150, 150}, true, imgproxy.Size{}, false},
		{"empty list", nil, imgproxy.Size{150, 150}, false, imgproxy.Size{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := imgproxy.SnapSize(tt.allowed, tt.want, tt.crop)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.got, got)
		})
	}
}

func TestHandlerSizesAllowlist(t *testing.T) {
	t.Parallel()
	f := &fakeFetcher{files: map[string][]byte{"p.jpg": []byte("picture")}}
	rz := &sizingResizer{w: 2000, h: 1500}
	allowed := []imgproxy.Size{{150, 150}, {640, 480}, {0, 100}}
	strict := &imgproxy.Handler{Fetcher: f, Resizer: rz, Sizes: allowed}
	snap := &imgproxy.Handler{Fetcher: f, Resizer: rz, Sizes: allowed, SnapSizes: true}
	tests := []struct {
		url        string
		strict     int
		snap       int
		snapToBody string // the options the snapped variant is made with
	}{
		{"/image/150x150/p.jpg", 200, 200, "150x-"},
		{"/image/640x480,crop,q50/p.jpg", 200, 200, "640x-,q50"}, // 4:3 into 4:3 cuts nothing
		{"/image/-x100/p.jpg", 200, 200, "133x-"},
		{"/image/300x200/p.jpg", 400, 200, "640x-"},
		{"/image/100x100,crop/p.jpg", 400, 200, "150x150,crop"},
		{"/image/-x-/p.jpg", 400, 200, "640x-"},
		{"/image/151x150/p.jpg", 400, 200, "640x-"},
		{"/image/5000x5000/p.jpg", 400, 200, "640x-"},
		{"/image/-x50/p.jpg", 400, 200, "133x-"},
		{"/image/5000x5000,info/p.jpg", 200, 200, "-x-,info"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.strict, get(t, strict, "GET", tt.url).Code, "strict")
			w := get(t, snap, "GET", tt.url)
			assert.Equal(t, tt.snap, w.Code, "snap")
			assert.Equal(t, tt.snapToBody, w.Body.String())
		})
	}
}

func TestValidateSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    *imgproxy.Handler
		ok   bool
	}{
		{"none", &imgproxy.Handler{}, true},
		{"some", &imgproxy.Handler{Sizes: []imgproxy.Size{{150, 150}, {0, 0}}, SnapSizes: true}, true},
		{"snap without sizes", &imgproxy.Handler{SnapSizes: true}, false},
		{"negative", &imgproxy.Handler{Sizes: []imgproxy.Size{{-1, 10}}}, false},
		{"too large", &imgproxy.Handler{Sizes: []imgproxy.Size{{imgproxy.MaxDimension + 1, 10}}}, false},
		{"twice", &imgproxy.Handler{Sizes: []imgproxy.Size{{10, 10}, {10, 10}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.h.Validate()
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			assert.Error(t, err)
			// A Handler not validated refuses to serve rather than
			// serving with a broken list.
			assert.Equal(t, 500, get(t, tt.h, "GET", "/image/10x10/p.jpg").Code)
		})
	}
}
