package jpegdec

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sc is a single-component hostile.Scan.
func sc(c, ss, se, ah, al int) hostile.Scan {
	return hostile.Scan{Comps: []int{c}, Ss: ss, Se: se, Ah: ah, Al: al}
}

// dcAll is an interleaved DC scan of components 0..n-1.
func dcAll(n, ah, al int) hostile.Scan {
	s := hostile.Scan{Ah: ah, Al: al}
	for c := range n {
		s.Comps = append(s.Comps, c)
	}
	return s
}

// libjpegColour is the script of libjpeg's jpeg_simple_progression for
// YCbCr (cjpeg -progressive, jpegtran -progressive, ImageMagick
// -interlace Plane), written out by hand from its documented order.
var libjpegColour = []hostile.Scan{
	dcAll(3, 0, 1), sc(0, 1, 5, 0, 2), sc(2, 1, 63, 0, 1), sc(1, 1, 63, 0, 1), sc(0, 6, 63, 0, 2),
	sc(0, 1, 63, 2, 1), dcAll(3, 1, 0), sc(2, 1, 63, 1, 0), sc(1, 1, 63, 1, 0), sc(0, 1, 63, 1, 0),
}

// libjpegGray is the same for one component.
var libjpegGray = []hostile.Scan{
	sc(0, 0, 0, 0, 1), sc(0, 1, 5, 0, 2), sc(0, 6, 63, 0, 2), sc(0, 1, 63, 2, 1), sc(0, 0, 0, 1, 0), sc(0, 1, 63, 1, 0),
}

// mozLike is a script as deep as mozjpeg's scan search goes (luma AC
// from Al = 3, chroma from Al = 2, split bands).
var mozLike = []hostile.Scan{
	dcAll(3, 0, 0),
	sc(0, 1, 8, 0, 3), sc(0, 9, 63, 0, 3), sc(0, 1, 63, 3, 2), sc(0, 1, 63, 2, 1), sc(0, 1, 63, 1, 0),
	sc(1, 1, 8, 0, 2), sc(1, 9, 63, 0, 2), sc(2, 1, 8, 0, 2), sc(2, 9, 63, 0, 2),
	sc(1, 1, 63, 2, 1), sc(2, 1, 63, 2, 1), sc(1, 1, 63, 1, 0), sc(2, 1, 63, 1, 0),
}

// manyScans returns n valid single-coefficient first scans after the DC
// scans of a 4:4:4 three-component frame: cheap, but many.
func manyScans(n int) []hostile.Scan {
	ss := []hostile.Scan{dcAll(3, 0, 0)}
	for i := 0; len(ss) < n; i++ {
		ss = append(ss, sc(i%3, 1+i/3, 1+i/3, 0, 0))
	}
	return ss
}

// deepAC returns DC (Al = 0) and AC 1..63 coded from Al = top down to 0
// for component 0.
func deepAC(dcTop, top int) []hostile.Scan {
	ss := []hostile.Scan{sc(0, 0, 0, 0, dcTop)}
	for al := dcTop - 1; al >= 0; al-- {
		ss = append(ss, sc(0, 0, 0, al+1, al))
	}
	ss = append(ss, sc(0, 1, 63, 0, top))
	for al := top - 1; al >= 0; al-- {
		ss = append(ss, sc(0, 1, 63, al+1, al))
	}
	return ss
}

var (
	gray  = []byte{0x11}
	y420  = []byte{0x22, 0x11, 0x11}
	y444  = []byte{0x11, 0x11, 0x11}
	cmyk4 = []byte{0x22, 0x11, 0x11, 0x22}
)

// TestProgressionRules decodes small progressive files with legal and
// illegal scan scripts at every scale; a file is accepted or refused
// alike at all of them, refusals are FormatErrors naming the rule.
func TestProgressionRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		hv    []byte
		scans []hostile.Scan
		want  string // error substring; "" accepts
	}{
		{"libjpeg colour", y420, libjpegColour, ""},
		{"libjpeg gray", gray, libjpegGray, ""},
		{"mozjpeg-like", y420, mozLike, ""},
		{"mozjpeg-like 444", y444, mozLike, ""},
		{"spectral only", y420, []hostile.Scan{dcAll(3, 0, 0), sc(0, 1, 2, 0, 0), sc(1, 1, 63, 0, 0), sc(2, 1, 63, 0, 0), sc(0, 3, 63, 0, 0)}, ""},
		{"dc only", y420, []hostile.Scan{dcAll(3, 0, 0)}, ""},
		{"incomplete progression", gray, []hostile.Scan{sc(0, 0, 0, 0, 2), sc(0, 1, 9, 0, 1)}, ""},
		{"component without scans", y420, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 63, 0, 0)}, ""},
		{"cmyk", cmyk4, []hostile.Scan{dcAll(4, 0, 1), sc(3, 1, 63, 0, 0), sc(0, 1, 63, 0, 0), dcAll(4, 1, 0)}, ""},
		{"dc al 3, ac al 3", gray, deepAC(3, 3), ""},
		{"100 scans", y444, manyScans(100), ""},

		{"probe: refinement without first scan", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 63, 1, 0)}, "refinement scan before the first"},
		{"ac before dc", gray, []hostile.Scan{sc(0, 1, 63, 0, 0), sc(0, 0, 0, 0, 0)}, "AC scan before the first DC"},
		{"ac before dc of its component", y420, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(1, 1, 63, 0, 0)}, "AC scan before the first DC"},
		{"dc refinement first", gray, []hostile.Scan{sc(0, 0, 0, 1, 0)}, "refinement scan before the first"},
		{"second first scan", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 63, 0, 0), sc(0, 5, 9, 0, 0)}, "second first scan"},
		{"second dc first scan", gray, []hostile.Scan{sc(0, 0, 0, 0, 1), sc(0, 0, 0, 0, 1)}, "second first scan"},
		{"refinement skips a bit", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 63, 0, 3), sc(0, 1, 63, 2, 1)}, "Ah differs"},
		{"refinement after complete", gray, []hostile.Scan{sc(0, 0, 0, 0, 1), sc(0, 0, 0, 1, 0), sc(0, 0, 0, 1, 0)}, "Ah differs"},
		{"band partly without first scan", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 5, 0, 1), sc(0, 1, 9, 1, 0)}, "refinement scan before the first"},
		{"band partly refined", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 5, 0, 1), sc(0, 6, 9, 0, 2), sc(0, 1, 9, 1, 0)}, "Ah differs"},
		{"interleaved dc refinement out of step", y420, []hostile.Scan{dcAll(3, 0, 1), sc(0, 0, 0, 1, 0), dcAll(3, 1, 0)}, "Ah differs"},
		{"al not ah-1", gray, []hostile.Scan{sc(0, 0, 0, 0, 2), sc(0, 0, 0, 2, 0)}, "bad progressive scan parameters"},
		{"dc with se", gray, []hostile.Scan{sc(0, 0, 5, 0, 0)}, "bad progressive scan parameters"},
		{"ss after se", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 9, 5, 0, 0)}, "bad progressive scan parameters"},
		{"se past 63", gray, []hostile.Scan{sc(0, 0, 0, 0, 0), sc(0, 1, 64, 0, 0)}, "bad progressive scan parameters"},
		{"ac of two components", y444, []hostile.Scan{dcAll(3, 0, 0), {Comps: []int{0, 1}, Ss: 1, Se: 63}}, "bad progressive scan parameters"},
		{"al past 13", gray, []hostile.Scan{sc(0, 0, 0, 0, 14)}, "bad progressive scan parameters"},
		{"unknown component", y420, []hostile.Scan{{Comps: []int{5}}}, "unknown scan component"},
		{"repeated component", y420, []hostile.Scan{{Comps: []int{0, 0}}}, "repeated scan component"},
		{"101 scans", y444, manyScans(101), "more than 100 scans"},
		{"deep bomb", gray, hostile.DeepScript(0), "work bound"},
		{"ac from al 4", gray, deepAC(0, 4), "work bound"},
		{"dc from al 4", gray, deepAC(4, 0), "work bound"},
		{"no scans", gray, nil, "no image data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := hostile.ProgressiveJPEG(61, 37, tt.hv, tt.scans)
			for _, s := range []int{1, 2, 4, 8, -2, -4} {
				opts := &Options{Approximate: s < 0}
				_, err := Decode(data, max(s, -s), opts)
				if tt.want == "" {
					assert.NoError(t, err, "scale %d", s)
					continue
				}
				var fe FormatError
				if assert.ErrorAs(t, err, &fe, "scale %d", s) {
					assert.Contains(t, err.Error(), tt.want, "scale %d", s)
				}
			}
		})
	}
}

// TestBombs checks that the probe's bombs are refused before any entropy
// decoding (by checkScript, from the headers), and that the worst files
// the admission lets through (worstScript, aimed at each scale) walk at
// most workPerBlock units per block: work counted by the decoder as it
// walks the scans (d.work), not timed.
func TestBombs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"probe 1000 scans", hostile.ScanBomb(2000, 2000, 1000), "refinement scan before the first"},
		{"probe 2 scans", hostile.ScanBomb(700, 700, 2), "refinement scan before the first"},
		{"deep", hostile.DeepBomb(2000, 2000), "work bound"},
	} {
		d := &decoder{walker: walker{data: tt.data}, scale: 1, k: 8}
		require.NoError(t, d.readHeaders(false))
		d.geometry()
		err := d.checkScript()
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
		assert.Zero(t, d.work, tt.name)
	}
	for _, kind := range []struct {
		name string
		hv   []byte
	}{{"gray", gray}, {"420", y420}, {"444", y444}, {"cmyk", cmyk4}} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			const w, h = 203, 157
			fd := frameDecoder(t, w, h, kind.hv)
			budget := newProgression(fd).budget
			for _, aim := range []int{1, 2, 4, 8} {
				for _, narrow := range []bool{false, true} {
					data := hostile.ProgressiveJPEG(w, h, kind.hv, worstScript(fd, 8/aim, narrow))
					for _, s := range []int{1, 2, 4, 8, -2, -4} {
						d, _, err := decodeCoefficients(context.Background(), data, max(s, -s), &Options{Approximate: s < 0})
						require.NoError(t, err, "aim %d narrow %v scale %d", aim, narrow, s)
						assert.LessOrEqual(t, d.work, budget, "aim %d narrow %v scale %d", aim, narrow, s)
						if s == 1 && aim == 1 && !narrow {
							// At full size every scan is walked: the
							// worst file for it uses most of the budget.
							assert.Greater(t, d.work, budget*3/4)
						}
					}
				}
			}
		})
	}
}

// countingCtx is a context whose Err starts returning err after limit
// calls (limit < 0: never); calls counts them. Done is never closed:
// the decoder only polls Err.
type countingCtx struct {
	context.Context
	limit, calls int
	err          error
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.limit >= 0 && c.calls > c.limit {
		return c.err
	}
	return nil
}

// TestDecodeContext checks that a context cancelled before the decode or
// after any number of checks stops it with an error wrapping the
// context's, and that long scans are checked at least every ctxRows
// rows: a progressive and a sequential file, converted (CMYK) or not.
func TestDecodeContext(t *testing.T) {
	t.Parallel()
	const w, h = 640, 480
	files := map[string][]byte{
		"baseline":    encodeJPEG(t, synthImage(w, h, 3), 80),
		"progressive": normalPhoto(t, w, h, false),
		"cmyk prog":   hostile.ProgressiveJPEG(w, h, cmyk4, []hostile.Scan{dcAll(4, 0, 0), sc(0, 1, 63, 0, 0)}),
	}
	checkContextStops(t, files, h)
}

// checkContextStops checks, for each file (h pixels high), that a
// context cancelled before the decode or after any number of checks
// stops it with the context's error, and that the decode checks at
// least once every ctxRows block rows, at scales 1 and 8.
func checkContextStops(t *testing.T, files map[string][]byte, h int) {
	t.Helper()
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := DecodeContext(ctx, data, 1, nil)
			require.ErrorIs(t, err, context.Canceled)
			for _, s := range []int{1, 8} {
				free := &countingCtx{Context: context.Background(), limit: -1}
				_, err := DecodeContext(free, data, s, nil)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, free.calls, h/8/ctxRows, "scale %d", s)
				for _, limit := range []int{0, 1, 2, free.calls / 2, free.calls - 1} {
					c := &countingCtx{Context: context.Background(), limit: limit, err: context.DeadlineExceeded}
					_, err := DecodeContext(c, data, s, nil)
					require.ErrorIs(t, err, context.DeadlineExceeded, "scale %d, cancelled after %d checks", s, limit)
					assert.Equal(t, limit+1, c.calls, "stops at the first check that fails")
				}
			}
		})
	}
}

// TestDecodeContextBombInterrupted cancels the worst admitted file for
// full-size decodes halfway through its checks.
func TestDecodeContextBombInterrupted(t *testing.T) {
	t.Parallel()
	fd := frameDecoder(t, 512, 512, gray)
	data := hostile.ProgressiveJPEG(512, 512, gray, worstScript(fd, 8, true))
	free := &countingCtx{Context: context.Background(), limit: -1}
	_, err := DecodeContext(free, data, 1, nil)
	require.NoError(t, err)
	c := &countingCtx{Context: context.Background(), limit: free.calls / 2, err: context.Canceled}
	_, err = DecodeContext(c, data, 1, nil)
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Equal(t, fmt.Sprintf("jpegdec: decoding interrupted: %v", context.Canceled), err.Error())
}

// TestDHTFlood checks that DHT segments are only stored when parsed and
// built for the scans that are decoded: a file of 65536 one-symbol DHT
// segments (1.3 MB) decodes, and a parsed table stays pending until a
// decoded scan uses it.
func TestDHTFlood(t *testing.T) {
	t.Parallel()
	// AC table 0 with one 1-bit code for symbol 0: class/id, 16 counts, 1 symbol.
	seg := append([]byte{0xFF, mDHT, 0, 20, 0x10, 1}, make([]byte, 15+1)...)
	base := hostile.ProgressiveJPEG(64, 64, nil, []hostile.Scan{sc(0, 0, 0, 0, 0)})
	data := append([]byte{}, base[:2]...)
	for range 1 << 16 {
		data = append(data, seg...)
	}
	data = append(data, base[2:]...)
	_, err := Decode(data, 1, nil)
	require.NoError(t, err)

	var d decoder
	require.NoError(t, d.parseDHT(seg[4:]))
	tab := &d.huff[1][0]
	assert.True(t, tab.defined)
	assert.True(t, tab.pending)
	assert.Equal(t, [lutSize]uint16{}, tab.lut, "not built yet")
	tab.ready()
	assert.False(t, tab.pending)
	assert.Equal(t, uint16(0x00<<8|1), tab.lut[0], "symbol 0, one bit")
}
