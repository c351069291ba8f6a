package jpegdec

import (
	"bytes"
	"errors"
)

// Meta is what a JPEG's marker segments before its first scan say about
// the image besides the pixels.
type Meta struct {
	// Config is the frame configuration, as DecodeConfig returns it.
	Config

	// EXIF is the TIFF-structured payload of the first APP1 segment
	// that starts with "Exif\x00\x00" (the bytes after those six), or
	// nil. It is a slice of the input.
	EXIF []byte

	// ICC is the ICC profile carried in APP2 "ICC_PROFILE\x00" chunks,
	// joined in the order of their sequence numbers, or nil if there is
	// none or the chunks are inconsistent (a sequence number missing,
	// repeated, 0 or above the count, or differing counts). A profile in
	// a single chunk is a slice of the input; one split over several
	// chunks is a new copy.
	ICC []byte

	// ICCColorSpace is the data colour space signature of ICC (header
	// bytes 16..19), e.g. "RGB ", "GRAY" or "CMYK"; empty if ICC is nil
	// or shorter than its header.
	ICCColorSpace string
}

// KeepICC reports whether ICC still describes the pixels Decode returns.
// It is false without a profile and for CMYK and YCCK files, which
// Decode converts to RGB: their profile (normally a "CMYK" one) no longer
// applies and should be dropped.
func (m *Meta) KeepICC() bool {
	return m.ICC != nil && m.ColorSpace != ColorCMYK && m.ColorSpace != ColorYCCK && m.ICCColorSpace != "CMYK"
}

// Metadata walks the marker segments of data up to the first scan
// header (SOS) and returns the frame configuration, the EXIF payload and
// the ICC profile. It decodes no entropy-coded data and allocates only
// to join a multi-chunk ICC profile. Data ending before the first scan
// is accepted if it has a frame header. For frames Decode does not
// handle at all (lossless, hierarchical) it returns
// that UnsupportedError (also for 12-bit frames) together with the EXIF
// and ICC found; Config is then zero.
func Metadata(data []byte) (Meta, error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != mSOI {
		return Meta{}, FormatError("missing SOI marker")
	}
	var ms metaState
	d := decoder{walker: walker{data: data, pos: 2}, meta: &ms}
	var unsupported error
	for {
		m, err := d.nextMarker()
		if err != nil || m == mSOS || m == mEOI {
			break
		}
		err = d.handleMarker(m, true)
		var ue UnsupportedError
		if errors.As(err, &ue) {
			// An unsupported frame: keep collecting metadata.
			if unsupported == nil {
				unsupported = err
			}
			err = nil
		}
		if err != nil {
			return Meta{}, err
		}
	}
	meta := Meta{EXIF: ms.exif, ICC: ms.icc()}
	if len(meta.ICC) >= 20 {
		meta.ICCColorSpace = string(meta.ICC[16:20])
	}
	if unsupported != nil {
		return meta, unsupported
	}
	if !d.sofSeen {
		return Meta{}, FormatError("no frame header before the first scan")
	}
	meta.Config = d.config()
	return meta, nil
}

// metaState collects APP1/APP2 metadata while Metadata walks the markers.
type metaState struct {
	exif     []byte
	exifSeen bool
	chunks   []iccChunk
	bad      bool // more ICC chunks than a count can describe
}

// iccChunk is one APP2 ICC_PROFILE segment.
type iccChunk struct {
	seq, count uint8
	data       []byte
}

var (
	exifPrefix = []byte("Exif\x00\x00")
	iccPrefix  = []byte("ICC_PROFILE\x00")
)

// app records the payload p of an APP1 or APP2 segment.
func (ms *metaState) app(m byte, p []byte) {
	switch {
	case m == mAPP1 && !ms.exifSeen && bytes.HasPrefix(p, exifPrefix):
		ms.exifSeen = true
		if len(p) > len(exifPrefix) {
			ms.exif = p[len(exifPrefix):len(p):len(p)]
		}
	case m == mAPP2 && len(p) >= len(iccPrefix)+2 && bytes.HasPrefix(p, iccPrefix):
		if len(ms.chunks) == 255 {
			ms.bad = true
			return
		}
		n := len(iccPrefix)
		ms.chunks = append(ms.chunks, iccChunk{seq: p[n], count: p[n+1], data: p[n+2 : len(p) : len(p)]})
	}
}

// icc joins the ICC chunks, or returns nil if they are inconsistent.
func (ms *metaState) icc() []byte {
	n := len(ms.chunks)
	if n == 0 || ms.bad || int(ms.chunks[0].count) != n {
		return nil
	}
	var order [256]int // chunk index + 1 by sequence number
	size := 0
	for i, c := range ms.chunks {
		if c.count != ms.chunks[0].count || c.seq == 0 || int(c.seq) > n || order[c.seq] != 0 {
			return nil
		}
		order[c.seq] = i + 1
		size += len(c.data)
	}
	if n == 1 {
		return ms.chunks[0].data
	}
	out := make([]byte, 0, size)
	for seq := 1; seq <= n; seq++ {
		out = append(out, ms.chunks[order[seq]-1].data...)
	}
	return out
}
