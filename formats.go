package imgproxy

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/imgproxy-go/imgproxy/internal/exif"
	"github.com/imgproxy-go/imgproxy/internal/jpegdec"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// A codec is all the pipeline knows of one source format: how to
// recognise it, what its header says, and how to decode it at the
// reduction the plan allows. Each format's codec lives in its own file
// (format_jpeg.go, format_png.go, format_gif.go, format_webp.go); adding a
// source format is adding a file and a row of sourceCodecs.
type codec struct {
	format Format
	// sniff reports whether data starts like this format.
	sniff func(data []byte) bool
	// header reads the size and metadata without decoding pixels.
	header func(data []byte) (header, error)
	// decode decodes data. req carries the geometry in stored
	// orientation, so that a decoder that can shrink on load does so. A
	// still picture comes back as decoded; an animation comes back with
	// every frame already passed through req.frame, so that only the
	// transformed frames are ever held, never all the full-size ones.
	decode func(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error)
}

// header is what a codec reads from a source's headers.
type header struct {
	width, height int // as stored, before orientation
	frames        int // 1 for a still picture
	alpha         bool
	meta          picture.Meta
	layout        layout // how the decoder will store the pixels
}

// layout is what the header says of the decoder's storage, for the
// admission weight (weight.go), so that nothing is parsed twice.
type layout struct {
	jpeg     *jpegdec.Config // nil where jpegdec cannot read the frame
	pngDepth int             // PNG bit depth, 0 for other formats
	pngColor int             // PNG colour type
	pngLaced bool            // Adam7-interlaced PNG
	lossless bool            // VP8L WebP
	depth    int             // AVIF bits per channel, 0 if not given
	// frameW, frameH are the largest AV1 frame an AVIF's sequence
	// headers allow (see avifFrame), 0 for other formats.
	frameW, frameH int
}

// decodeRequest is what the pipeline asks of a decoder.
type decodeRequest struct {
	plan      geometry // in stored orientation
	maxFrames int      // decode at most this many frames (at least 1)
	// frame transforms one full-size frame of an animation into the
	// result's frame. It may return its argument, which the decoder then
	// copies if it reuses the buffer.
	frame func(image.Image) image.Image
	// detach, if set, is told of a decode left running past the end of
	// the request's context; done is closed when it ends.
	detach func(done <-chan struct{})
	// whole asks for the picture at its stored size (a decoder that can
	// shrink on load may still): it is converted to sRGB before resizing.
	whole bool
	// parallel, if set, runs step with the CPU slots the job can borrow.
	parallel func(step func(workers int))
	// decoder is the Resizer's Decoder for the source's format, if any.
	decoder Decoder
}

// detachable runs decode, returning when it does or when ctx ends,
// whichever is first. In the second case the decode runs on and
// req.detach is told when it will end (or, without detach, detachable
// waits for it), so that its caller keeps the resources it holds.
func detachable(ctx context.Context, req decodeRequest, decode func() (image.Image, error)) (image.Image, error) {
	type result struct {
		m   image.Image
		err error
	}
	ch := make(chan result, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m, err := decode()
		ch <- result{m, err}
	}()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-ctx.Done():
		if req.detach == nil {
			<-done
		} else {
			req.detach(done)
		}
		return nil, ctx.Err()
	}
}

// sourceCodecs is the fixed table of source formats, tried in order. It is
// never modified.
var sourceCodecs = [...]*codec{&jpegCodec, &pngCodec, &gifCodec, &webpCodec}

// sniffCodec returns the codec for data, nil if no format matches.
func sniffCodec(data []byte) *codec {
	for _, c := range sourceCodecs {
		if c.sniff(data) {
			return c
		}
	}
	return nil
}

// orientationOf reads the EXIF orientation from a TIFF block; 1 when there
// is none or it is malformed (a broken EXIF block must not cost the
// picture).
func orientationOf(tiff []byte) int {
	if len(tiff) == 0 {
		return 1
	}
	o, err := exif.Orientation(tiff)
	if err != nil {
		return 1
	}
	return o
}

// transposes reports whether EXIF orientation o swaps width and height.
func transposes(o int) bool { return o >= 5 && o <= 8 }

// decodeFailed wraps a decoder's error as ErrUnsupported.
func decodeFailed(f Format, err error) error {
	return fmt.Errorf("%w: decoding %v: %v", ErrUnsupported, f, err)
}

// errNoFrames is a GIF without a single image.
var errNoFrames = errors.New("no image in the file")
