package avif

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"

	gavif "github.com/gen2brain/avif"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// DefaultQuality is the quality used when neither the request nor
// Encoder.Quality sets one (libavif's quality scale, gen2brain's default).
const DefaultQuality = 60

// DefaultSpeed is the libaom speed used when Encoder.Speed is 0. See the
// package documentation for the measurements behind it.
const DefaultSpeed = 10

// Encoder writes AVIF files with libavif and libaom (via
// github.com/gen2brain/avif): 8-bit YUV 4:2:0, with the picture's ICC
// profile. Only the first frame of an animation is written. The zero
// value encodes at DefaultQuality and DefaultSpeed. An Encoder is safe
// for concurrent use.
type Encoder struct {
	// Quality is the quality 1..100 used when the request gives none
	// (EncodeOptions.Quality 0); 100 is lossless. 0 means DefaultQuality.
	Quality int
	// Speed is libaom's speed 1 (slow, small) .. 10 (fast). 0 means
	// DefaultSpeed.
	Speed int
}

var _ picture.Encoder = (*Encoder)(nil)

func (e *Encoder) options(o picture.EncodeOptions) gavif.Options {
	q := o.Quality
	if q <= 0 {
		q = e.Quality
	}
	if q <= 0 {
		q = DefaultQuality
	}
	s := e.Speed
	if s <= 0 {
		s = DefaultSpeed
	}
	q = min(q, 100)
	return gavif.Options{
		Quality:           q,
		QualityAlpha:      q,
		Speed:             min(s, 10),
		ChromaSubsampling: image.YCbCrSubsampleRatio420,
	}
}

// Encode writes p.Image (the first frame of an animation) to w as an
// AVIF file, with p.ICC as a colr 'prof' property of the image. The file
// is assembled in memory and written with one Write call.
func (e *Encoder) Encode(w io.Writer, p *picture.Picture, o picture.EncodeOptions) error {
	if p == nil || p.Image == nil {
		return errors.New("avif: no image to encode")
	}
	if p.Image.Bounds().Empty() {
		return errors.New("avif: empty image")
	}
	var buf bytes.Buffer
	if err := gavif.Encode(&buf, toRGBA(p.Image), e.options(o)); err != nil {
		return fmt.Errorf("avif: %w", err)
	}
	out := buf.Bytes()
	if p.ICC != nil {
		var err error
		if out, err = addICC(out, p.ICC); err != nil {
			return err
		}
	}
	_, err := w.Write(out)
	return err
}

// toRGBA returns m as a compact *image.RGBA (Stride == 4*width), the
// layout gen2brain/avif hands to libavif (as premultiplied RGBA).
func toRGBA(m image.Image) *image.RGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := m.(type) {
	case *image.RGBA:
		if m.Stride == 4*w {
			return m
		}
	case *image.NRGBA:
		if m.Stride == 4*w && m.Opaque() {
			return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Rect, m, b.Min, draw.Src) // fast paths for YCbCr, Gray, NRGBA
	return dst
}
