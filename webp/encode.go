package webp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	gwebp "github.com/gen2brain/webp"

	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/webpmeta"
)

// DefaultQuality is the quality used when neither the request nor
// Encoder.Quality sets one: nginx's image_filter_webp_quality default.
const DefaultQuality = 80

// DefaultMethod is the libwebp method used when Encoder.Method is 0. See
// the package documentation for the measurements behind it.
const DefaultMethod = 2

// maxDuration is the largest ANMF frame duration (24 bits of ms).
const maxDuration = 1<<24 - 1

// Encoder writes WebP files with libwebp (via github.com/gen2brain/webp).
// The zero value encodes lossy at DefaultQuality with DefaultMethod. An
// Encoder is safe for concurrent use.
type Encoder struct {
	// Quality is the lossy quality 1..100 used when the request gives
	// none (EncodeOptions.Quality 0). 0 means DefaultQuality.
	Quality int
	// Method is libwebp's speed/size trade-off, 0 (fast) .. 6 (small).
	// 0 means DefaultMethod; a negative value selects method 0.
	Method int
	// Lossless selects the lossless VP8L coding; Quality then sets the
	// effort instead of the fidelity.
	Lossless bool
}

var _ picture.Encoder = (*Encoder)(nil)

// Animates reports that Encode writes every frame of an animated picture
// (the pipeline then keeps animations animated in WebP).
func (e *Encoder) Animates() bool { return true }

func (e *Encoder) options(o picture.EncodeOptions) gwebp.Options {
	q := o.Quality
	if q <= 0 {
		q = e.Quality
	}
	if q <= 0 {
		q = DefaultQuality
	}
	lossless := e.Lossless || o.Lossless
	m := e.Method
	switch {
	case m == 0 && lossless:
		// Lossless effort is far dearer than lossy: on the 1920x1280
		// PNG of the corpus resized to 640x427, method 0 took 79 ms for
		// 250 KB, method 2 314 ms for 215 KB (150x100: 3.3 ms, 14.4 KB
		// against 12.8 ms, 11.8 KB). Thumbnails want the time.
		m = 0
	case m == 0:
		m = DefaultMethod
	case m < 0:
		m = 0
	}
	return gwebp.Options{Quality: min(q, 100), Method: min(m, 6), Lossless: lossless}
}

// Encode writes p to w as a WebP file: a still image, with its ICC
// profile if it has one, or an animation when p has several frames (see
// the package documentation for the layout). The file is assembled in

// memory and written with one Write call.
func (e *Encoder) Encode(w io.Writer, p *picture.Picture, o picture.EncodeOptions) error {
	if p == nil || p.Image == nil {
		return errors.New("webp: no image to encode")
	}
	opt := e.options(o)
	var (
		out []byte
		err error
	)
	if p.Animated() {
		out, err = encodeAnimation(p, opt)
	} else {
		out, err = encodeStill(p.Image, p.ICC, opt)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// encodeFrame encodes m as a still WebP file and returns its image chunks.
func encodeFrame(m image.Image, opt gwebp.Options) (webpmeta.Still, error) {
	if m.Bounds().Empty() {
		return webpmeta.Still{}, errors.New("webp: empty image")
	}
	var buf bytes.Buffer
	if err := gwebp.Encode(&buf, toNRGBA(m), opt); err != nil {
		return webpmeta.Still{}, fmt.Errorf("webp: %w", err)
	}
	s, err := webpmeta.ParseStill(buf.Bytes())
	if err != nil {
		return webpmeta.Still{}, fmt.Errorf("webp: libwebp output: %w", err)
	}
	return s, nil
}

// encodeStill encodes m, re-muxed into the extended format with an ICCP
// chunk when icc is not nil.
func encodeStill(m image.Image, icc []byte, opt gwebp.Options) ([]byte, error) {
	s, err := encodeFrame(m, opt)
	if err != nil {
		return nil, err
	}
	if icc == nil {
		return webpmeta.AppendStill(nil, s), nil
	}
	out := make([]byte, 0, 64+len(icc)+len(s.Alpha)+len(s.Bitstream))
	out = webpmeta.StartFile(out)
	out = webpmeta.AppendVP8X(out, webpmeta.FlagICC|alphaFlag(s.HasAlpha), s.Width, s.Height)
	out = webpmeta.AppendChunk(out, "ICCP", icc)
	out = webpmeta.AppendImage(out, s)
	return webpmeta.FinishFile(out), nil
}

func alphaFlag(alpha bool) byte {
	if alpha {
		return webpmeta.FlagAlpha
	}
	return 0
}

// encodeAnimation encodes each frame as a still and muxes the stills'
// chunks into ANMF frames covering the whole canvas.
func encodeAnimation(p *picture.Picture, opt gwebp.Options) ([]byte, error) {
	size := p.Frames[0].Image.Bounds().Size()
	frames := make([]webpmeta.Still, len(p.Frames))
	var flags byte = webpmeta.FlagAnimation
	n := 64 + len(p.ICC)
	for i, f := range p.Frames {
		if f.Image == nil || f.Image.Bounds().Size() != size {
			return nil, fmt.Errorf("webp: frame %d is not %dx%d like the first", i, size.X, size.Y)
		}
		s, err := encodeFrame(f.Image, opt)
		if err != nil {
			return nil, err
		}
		frames[i] = s
		flags |= alphaFlag(s.HasAlpha)
		n += 32 + len(s.Alpha) + len(s.Bitstream)
	}
	if p.ICC != nil {
		flags |= webpmeta.FlagICC
	}
	out := webpmeta.StartFile(make([]byte, 0, n))
	out = webpmeta.AppendVP8X(out, flags, size.X, size.Y)
	if p.ICC != nil {
		out = webpmeta.AppendChunk(out, "ICCP", p.ICC)
	}
	// ANIM: background colour (B, G, R, A: transparent black, unused as
	// every frame covers the canvas), loop count (0 = forever, as ours).
	out = append(out, "ANIM\x06\x00\x00\x00\x00\x00\x00\x00"...)
	out = binary.LittleEndian.AppendUint16(out, uint16(min(max(p.LoopCount, 0), 0xffff)))
	for i, s := range frames {
		out = appendFrame(out, s, p.Frames[i].Delay)
	}
	if uint64(len(out)) > 1<<32-2 {
		return nil, errors.New("webp: animation larger than 4 GiB")
	}
	return webpmeta.FinishFile(out), nil
}

// appendFrame appends an ANMF chunk at (0, 0) that replaces the canvas
// (do not blend, no disposal) for the given delay.
func appendFrame(dst []byte, s webpmeta.Still, delay time.Duration) []byte {
	start := len(dst)
	dst = append(dst, "ANMF\x00\x00\x00\x00"...)
	dst = append(dst, 0, 0, 0, 0, 0, 0) // frame X/2, Y/2
	dst = appendUint24(dst, s.Width-1)
	dst = appendUint24(dst, s.Height-1)
	ms := (delay + time.Millisecond/2) / time.Millisecond
	dst = appendUint24(dst, int(min(max(ms, 0), maxDuration)))
	dst = append(dst, 0x02) // blending: do not blend; disposal: none
	dst = webpmeta.AppendImage(dst, s)
	binary.LittleEndian.PutUint32(dst[start+4:], uint32(len(dst)-start-8))
	return dst
}

func appendUint24(dst []byte, v int) []byte {
	return append(dst, byte(v), byte(v>>8), byte(v>>16))
}
