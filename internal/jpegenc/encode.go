package jpegenc

import (
	"errors"
	"image"
	"io"
)

// Options are the encoding parameters. A nil *Options means quality 75,
// baseline.
type Options struct {
	// Quality is 1..100 (higher is better); 0 means 75, values out of
	// range are clamped. It scales the T.81 Annex K tables with the IJG
	// formula (q < 50: 5000/q percent, else 200-2q percent).
	Quality int
	// Progressive selects a progressive (SOF2) file instead of a
	// baseline (SOF0) one.
	Progressive bool
	// ICC, if not empty, is an ICC profile to embed. It is written right
	// after the JFIF APP0 segment as APP2 "ICC_PROFILE\x00" chunks of at
	// most MaxICCChunk bytes each, numbered from 1 with their count (the
	// ICC.1 embedding). A profile needing more than 255 chunks (about
	// 16 MB) is an error. If nil, no profile is written.
	ICC []byte
}

// MaxICCChunk is the largest profile part one APP2 segment carries: the
// 65533 bytes of a segment's payload minus the 14 bytes of
// "ICC_PROFILE\x00", sequence number and count.
const MaxICCChunk = 65519

// DefaultQuality is used when Options.Quality is 0, as nginx image_filter.
const DefaultQuality = 75

// Progressive scan scripts (spectral selection only, see package doc).
// Splitting Y at 2/3 was the smallest of the splits we tried on photo
// thumbnails at q75 (1-2: 1930/14599 bytes for 150x94/640x400, 1-5:
// 1975/14845, 1-9: 1974/14927, no split: 1941/14818; optimised baseline:
// 1906/14753).
var (
	colourScript = []scan{{[]int{0, 1, 2}, 0, 0}, {[]int{0}, 1, 2}, {[]int{1}, 1, 63}, {[]int{2}, 1, 63}, {[]int{0}, 3, 63}}
	grayScript   = []scan{{[]int{0}, 0, 0}, {[]int{0}, 1, 2}, {[]int{0}, 3, 63}}
)

// Encode writes m as a JPEG file with the given options. Gray images
// (*image.Gray) are coded with one component, all others as YCbCr 4:2:0
// (see the package documentation for the conversions). The whole file is
// assembled in memory and written with a single Write call.
func Encode(w io.Writer, m image.Image, o *Options) error {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Quality == 0 {
		opt.Quality = DefaultQuality
	}
	r := m.Bounds()
	width, height := r.Dx(), r.Dy()
	if width <= 0 || height <= 0 {
		return errors.New("jpegenc: empty image")
	}
	if width > 0xFFFF || height > 0xFFFF {
		return errors.New("jpegenc: image is too large for JPEG (max 65535x65535)")
	}
	if len(opt.ICC) > 255*MaxICCChunk {
		return errors.New("jpegenc: ICC profile too large")
	}

	pct := scaleQuality(opt.Quality)
	qt := []*quantTable{newQuantTable(&baseLuma, pct)}
	ps := planes(m)
	mcu := 8 // MCU size in pixels: 8 for gray, 16 for 4:2:0 colour
	if len(ps) == 3 {
		mcu = 16
		qt = append(qt, newQuantTable(&baseChroma, pct))
	}
	mw, mh := (width+mcu-1)/mcu, (height+mcu-1)/mcu
	comps := make([]component, len(ps))
	for i, p := range ps {
		c := &comps[i]
		c.id, c.hs, c.vs, c.tq, c.p = byte(i+1), 1, 1, min(i, 1), p
		if i == 0 && len(ps) == 3 {
			c.hs, c.vs = 2, 2
		}
		c.bw, c.bh = mw*c.hs, mh*c.vs
		c.nbw, c.nbh = (p.w+7)/8, (p.h+7)/8
		c.transform(qt[c.tq])
	}

	e := &coder{comps: comps}
	e.buf = make([]byte, 0, width*height/4+1024+len(opt.ICC)+16*(len(opt.ICC)/MaxICCChunk+1))
	e.dc = [2]*huffTable{new(huffTable), new(huffTable)}
	e.ac = [2]*huffTable{new(huffTable), new(huffTable)}
	e.header(width, height, qt, opt.Progressive, opt.ICC)
	script := []scan{{[]int{0, 1, 2}[:len(comps)], 0, 63}}
	if opt.Progressive {
		script = colourScript
		if len(comps) == 1 {
			script = grayScript
		}
	}
	for _, s := range script {
		e.counting = true
		e.encodeScan(s)
		e.tables(s)
		e.sos(s)
		e.counting = false
		e.encodeScan(s)
	}
	e.buf = append(e.buf, 0xFF, 0xD9) // EOI
	_, err := w.Write(e.buf)
	return err
}

// marker starts a marker segment with a length field for n payload bytes.
func (e *coder) marker(m byte, n int) {
	e.buf = append(e.buf, 0xFF, m, byte((n+2)>>8), byte(n+2))
}

// header writes SOI, the JFIF APP0 segment, the ICC profile (if any),
// DQT and SOF0/SOF2.
func (e *coder) header(width, height int, qt []*quantTable, progressive bool, icc []byte) {
	e.buf = append(e.buf, 0xFF, 0xD8) // SOI
	e.marker(0xE0, 14)                // APP0: JFIF 1.01, aspect ratio 1:1
	e.buf = append(e.buf, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0)
	e.icc(icc)
	e.marker(0xDB, 65*len(qt)) // DQT, 8-bit precision
	for i, t := range qt {
		e.buf = append(e.buf, byte(i))
		e.buf = append(e.buf, t.dqt[:]...)
	}
	sof := byte(0xC0)
	if progressive {
		sof = 0xC2
	}
	e.marker(sof, 6+3*len(e.comps))
	e.buf = append(e.buf, 8, byte(height>>8), byte(height), byte(width>>8), byte(width), byte(len(e.comps)))
	for _, c := range e.comps {
		e.buf = append(e.buf, c.id, byte(c.hs<<4|c.vs), byte(c.tq))
	}
}

// icc writes profile p as APP2 ICC_PROFILE chunks (len(p) is at most
// 255*MaxICCChunk, checked by Encode).
func (e *coder) icc(p []byte) {
	n := (len(p) + MaxICCChunk - 1) / MaxICCChunk
	for i := range n {
		part := p[i*MaxICCChunk : min((i+1)*MaxICCChunk, len(p))]
		e.marker(0xE2, 14+len(part))
		e.buf = append(e.buf, "ICC_PROFILE\x00"...)
		e.buf = append(e.buf, byte(i+1), byte(n))
		e.buf = append(e.buf, part...)
	}
}

// tables builds the Huffman tables used by scan s from the statistics of
// the counting pass and writes them in one DHT segment.
func (e *coder) tables(s scan) {
	type def struct {
		class, slot byte
		t           *huffTable
	}
	var defs []def
	used := [2][2]bool{}
	for _, ci := range s.comps {
		sl := slot(ci)
		if s.ss == 0 && !used[0][sl] {
			used[0][sl] = true
			defs = append(defs, def{0, byte(sl), e.dc[sl]})
		}
		if s.se > 0 && !used[1][sl] {
			used[1][sl] = true
			defs = append(defs, def{1, byte(sl), e.ac[sl]})
		}
	}
	n := 0
	for _, d := range defs {
		d.t.build()
		n += 17 + len(d.t.vals)
	}
	e.marker(0xC4, n)
	for _, d := range defs {
		e.buf = append(e.buf, d.class<<4|d.slot)
		e.buf = append(e.buf, d.t.bits[:]...)
		e.buf = append(e.buf, d.t.vals...)
	}
}

// sos writes the SOS header of scan s.
func (e *coder) sos(s scan) {
	e.marker(0xDA, 4+2*len(s.comps))
	e.buf = append(e.buf, byte(len(s.comps)))
	for _, ci := range s.comps {
		sl := byte(slot(ci))
		td, ta := sl, sl
		if s.ss > 0 {
			td = 0 // DC table unused in AC scans
		}
		if s.se == 0 {
			ta = 0 // AC table unused in DC scans
		}
		e.buf = append(e.buf, e.comps[ci].id, td<<4|ta)
	}
	e.buf = append(e.buf, byte(s.ss), byte(s.se), 0)
}
