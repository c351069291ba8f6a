// Package picture is the decoded form of an image on its way from a
// decoder to an encoder: the pixels plus what must survive the trip
// (orientation, colour profile, animation frames and their delays). Each
// format's decoder fills a Picture; the pipeline orients, resizes, crops
// and rotates its frames; each format's encoder writes it.
package picture

import (
	"image"
	"io"
	"time"
)

// Meta is what travels beside the pixels.
type Meta struct {
	// Orientation is the EXIF orientation (1..8) of the pixels as decoded:
	// how they must be turned to show the picture upright. 0 or 1 means
	// upright. The pipeline applies it and resets it to 1; encoders never
	// write it.
	Orientation int
	// ICC is the embedded ICC colour profile of the pixels, nil if none
	// (sRGB). Encoders embed it, so that browsers colour-manage the
	// result as they do the source.
	ICC []byte
	// Format is the source format's name ("jpeg", "png", "gif", "webp", "avif").
	Format string
}

// Frame is one frame of an animation: a full-canvas picture, already
// composited over the frames before it as the format's disposal rules say.
type Frame struct {
	Image image.Image
	// Delay is how long the frame is shown.
	Delay time.Duration
}

// Picture is a decoded image.
type Picture struct {
	// Image is the picture, or the first frame of an animation.
	Image image.Image
	// Frames, when it holds more than one frame, is an animation whose
	// first frame is Image. Nil or a single frame: a still picture.
	Frames []Frame
	// LoopCount is how many times an animation plays: 0 forever, n > 0
	// n times.
	LoopCount int
	Meta
}

// Animated reports whether p has more than one frame.
func (p *Picture) Animated() bool { return len(p.Frames) > 1 }

// EncodeOptions are what the pipeline tells an encoder. The zero value
// means the encoder's defaults.
type EncodeOptions struct {
	// Quality is the lossy quality 1..100; 0 means the encoder's default.
	Quality int
	// Lossless asks an encoder that can write both (WebP) for its
	// lossless form: the source was lossless (PNG, GIF) and no quality
	// was asked for, so that a graphic is not given lossy artefacts it
	// did not have. Encoders with only a lossy form ignore it.
	Lossless bool
}

// Encoder writes pictures in one format.
type Encoder interface {
	// Encode writes p to w. Encoders that cannot write animations write
	// p.Image only.
	Encode(w io.Writer, p *Picture, o EncodeOptions) error
}

// EncoderFunc adapts a function to the Encoder interface.
type EncoderFunc func(w io.Writer, p *Picture, o EncodeOptions) error

// Encode calls f(w, p, o).
func (f EncoderFunc) Encode(w io.Writer, p *Picture, o EncodeOptions) error { return f(w, p, o) }
