package vp8dec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rowCollector is a Rows that keeps copies of the rows it is given and
// counts those that come out of order or at the wrong width.
type rowCollector struct {
	w, cw     int
	y, cb, cr []byte
	ny, nc    int
	bad       int
}

func (c *rowCollector) Luma(y int, row []byte) {
	if y != c.ny || len(row) != c.w {
		c.bad++
	}
	c.ny++
	c.y = append(c.y, row...)
}

func (c *rowCollector) Chroma(y int, cb, cr []byte) {
	if y != c.nc || len(cb) != c.cw || len(cr) != c.cw {
		c.bad++
	}
	c.nc++
	c.cb = append(c.cb, cb...)
	c.cr = append(c.cr, cr...)
}

// streamed decodes data with DecodeRows into a rowCollector.
func streamed(d *Decoder, data []byte, opt Options) (*rowCollector, Config, error) {
	cfg, err := DecodeConfig(data)
	if err != nil {
		return nil, cfg, err
	}
	c := &rowCollector{w: cfg.Width, cw: (cfg.Width + 1) / 2}
	cfg, err = d.DecodeRows(context.Background(), data, opt, c)
	return c, cfg, err
}

// requireStreamMatches requires DecodeRows to hand over, once each and in
// order, exactly the rows of Decode's planes, with the filter and
// without, and to have held only its window.
func requireStreamMatches(t *testing.T, vp8 []byte) {
	t.Helper()
	for _, skip := range []bool{false, true} {
		opt := Options{SkipLoopFilter: skip}
		m, err := Decode(context.Background(), vp8, opt)
		require.NoError(t, err)
		wy, wu, wv := planes(m)
		var d Decoder
		c, cfg, err := streamed(&d, vp8, opt)
		require.NoError(t, err)
		w, h := m.Rect.Dx(), m.Rect.Dy()
		require.Equal(t, Config{w, h}, cfg)
		require.Zero(t, c.bad, "rows out of order or of the wrong width")
		require.Equal(t, h, c.ny)
		require.Equal(t, (h+1)/2, c.nc)
		name := fmt.Sprintf("skip=%v ", skip)
		requireSamePlanes(t, name+"Y", wy, c.y, w)
		requireSamePlanes(t, name+"Cb", wu, c.cb, (w+1)/2)
		requireSamePlanes(t, name+"Cr", wv, c.cr, (w+1)/2)
		require.Len(t, d.y, (windowTop+16)*d.yStride, "the luma window")
		require.Len(t, d.cb, (windowTop+8)*d.cStride, "the chroma window")
	}
}

// filterKind names the loop filter a decoded frame had.
func filterKind(d *Decoder) string {
	switch {
	case d.filter.level == 0:
		return "off"
	case d.filter.simple:
		return "simple"
	}
	return "normal"
}

// TestDecodeRowsMatchesDecode: streamed rows are Decode's planes bit for
// bit over filters (off, normal, simple, sharp), sizes with a side of 1
// to 17 or not a multiple of 16, pictures, and 2, 4 and 8 token
// partitions (testdata, made with libwebp's API, which cwebp does not
// expose).
func TestDecodeRowsMatchesDecode(t *testing.T) {
	t.Parallel()
	type tc struct {
		kind, args string
		w, h       int
		filter     string // the filter the frame must have
	}
	cases := []tc{
		{"photo", "-q 60 -f 0", 101, 77, "off"},
		{"photo", "-q 60 -strong -f 60", 101, 77, "normal"},
		{"photo", "-q 60 -nostrong -f 60", 101, 77, "simple"},
		{"photo", "-q 30 -strong -f 100 -sharpness 5", 203, 157, "normal"},
		{"noise", "-q 75 -nostrong -f 100", 96, 80, "simple"},
		{"flat", "-q 85 -f 50", 64, 48, ""},
	}
	for n := 1; n <= 17; n++ {
		args := []string{"-q 60 -strong -f 70", "-q 60 -nostrong -f 70", "-q 80 -f 0"}[n%3]
		cases = append(cases, tc{"photo", args, n, 18 - n, ""}, tc{"photo", args, n, 35, ""}, tc{"noise", args, 37, n, ""})
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%dx%d/%s", c.kind, c.w, c.h, strings.ReplaceAll(c.args, " ", "")), func(t *testing.T) {
			t.Parallel()
			vp8 := payload(t, cwebp(t, picture(t, c.kind, c.w, c.h), strings.Fields(c.args)...))
			requireStreamMatches(t, vp8)
			if c.filter != "" {
				var d Decoder
				_, _, err := streamed(&d, vp8, Options{})
				require.NoError(t, err)
				require.Equal(t, c.filter, filterKind(&d))
			}
		})
	}
	for _, c := range []struct {
		file   string
		parts  int
		filter string
	}{
		{"parts2-normal-61x77.webp", 2, "normal"},
		{"parts4-simple-100x150.webp", 4, "simple"},
		{"parts8-normal-100x150.webp", 8, "normal"},
		{"parts8-nofilter-33x130.webp", 8, "off"},
	} {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			file, err := os.ReadFile(filepath.Join("testdata", c.file))
			require.NoError(t, err)
			vp8 := payload(t, file)
			requireStreamMatches(t, vp8)
			var d Decoder
			_, _, err = streamed(&d, vp8, Options{})
			require.NoError(t, err)
			require.Equal(t, c.parts, d.npart)
			require.Equal(t, c.filter, filterKind(&d))
			if hasTool("dwebp") {
				compareWithDwebp(t, file)
			}
		})
	}
}

// TestDecodeRowsErrors: a damaged or cut frame fails streamed as it
// does whole, with the same error, and a done context stops it before
// any row.
func TestDecodeRowsErrors(t *testing.T) {
	t.Parallel()
	_, vp8 := sampleVP8(t)
	var d, whole Decoder
	for n := range len(vp8) {
		_, want := whole.Decode(context.Background(), vp8[:n], Options{})
		_, _, got := streamed(&d, vp8[:n], Options{})
		require.Equal(t, fmt.Sprint(want), fmt.Sprint(got), "cut at %d", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &rowCollector{}
	_, err := d.DecodeRows(ctx, vp8, Options{}, c)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, c.ny+c.nc)
}
