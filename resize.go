package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"

	"github.com/anthonynsimon/bild/transform"
	"golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"

	"github.com/imgproxy-go/imgproxy/internal/jpegdec"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// Defaults of BildResizer.
const (
	DefaultJPEGQuality = 75         // nginx image_filter_jpeg_quality
	DefaultMaxPixels   = 50_000_000 // 50 megapixels

	DefaultWebPAsJPEGQuality = 85
)

// BildResizer is the default Resizer. It decodes JPEG, PNG, GIF and WebP,
// fits the image to the requested box with nginx image_filter semantics,
// applies crop and rotation, and encodes JPEG (progressive by default,
// from YCbCr planes), PNG or GIF. Geometry
// (rotation) is done with github.com/anthonynsimon/bild on the already
// reduced image.
//
// The zero value is ready to use. A BildResizer must not be copied or
// modified after first use.
type BildResizer struct {
	// JPEGQuality is the quality of JPEG output when the URL names none.
	// If 0, DefaultJPEGQuality (75).
	JPEGQuality int
	// MaxPixels bounds width*height of a source, checked from the header
	// before anything is decoded; larger sources are ErrTooLarge. If 0,
	// DefaultMaxPixels.
	MaxPixels int64
	// WebPAsJPEGQuality is the JPEG quality for a WebP source written as
	// JPEG (there is no pure-Go WebP encoder here) when the URL names
	// none. If 0, DefaultWebPAsJPEGQuality (85): nginx writes such
	// thumbnails as WebP at quality 80, and JPEG needs about 85 for the
	// same fidelity (measured: 38.4 dB against nginx's 37.9 at 150x150,
	// where quality 75 gives 37.3).
	WebPAsJPEGQuality int
	// BaselineJPEG writes baseline JPEG. If false, JPEG output is
	// progressive, as nginx's "image_filter_interlace on" makes it.
	BaselineJPEG bool
	// Concurrency bounds the transforms in flight (and the goroutines
	// they use). Further requests wait for a slot, giving up with their
	// context. If 0, runtime.GOMAXPROCS(0) at first use.
	Concurrency int

	once sync.Once
	sem  *semaphore.Weighted
	n    int64
}

var _ Resizer = (*BildResizer)(nil)

func (r *BildResizer) init() {
	r.n = int64(r.Concurrency)
	if r.n <= 0 {
		r.n = int64(runtime.GOMAXPROCS(0))
	}
	r.sem = semaphore.NewWeighted(r.n)
}

func (r *BildResizer) quality(o Options, from Format) int {
	switch {
	case o.Quality != 0:
		return o.Quality
	case from == FormatWebP && r.WebPAsJPEGQuality != 0:
		return r.WebPAsJPEGQuality
	case from == FormatWebP:
		return DefaultWebPAsJPEGQuality
	case r.JPEGQuality != 0:
		return r.JPEGQuality
	}
	return DefaultJPEGQuality
}

func (r *BildResizer) maxPixels() int64 {
	if r.MaxPixels > 0 {
		return r.MaxPixels
	}
	return DefaultMaxPixels
}

// Resize implements Resizer.
func (r *BildResizer) Resize(ctx context.Context, src *Source, o Options) (*Image, error) {
	r.once.Do(r.init)
	format := sniffFormat(src.Data)
	if format == FormatSource {
		return nil, fmt.Errorf("%w: not a known image format", ErrUnsupported)
	}
	cfg, err := decodeConfig(format, src.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: empty image", ErrUnsupported)
	}
	if int64(cfg.Width)*int64(cfg.Height) > r.maxPixels() {
		return nil, fmt.Errorf("%w: %dx%d pixels", ErrTooLarge, cfg.Width, cfg.Height)
	}
	plan := planGeometry(cfg.Width, cfg.Height, o)
	out := o.Format
	if out == FormatSource {
		out = format
	}
	if plan.identity() && o.Rotate == 0 && o.Quality == 0 && out == format {
		return NewImage(src.Data, format.ContentType(), src.LastModified), nil
	}
	if err := r.sem.Acquire(ctx, 1); err != nil {
		return nil, fmt.Errorf("%w: waiting for a transform slot: %w", ErrOverloaded, err)
	}
	defer r.sem.Release(1)
	workers := 1
	for workers < int(r.n) && r.sem.TryAcquire(1) {
		workers++
	}
	defer r.sem.Release(int64(workers - 1))

	m, ext, err := decodeImage(format, src.Data, plan)
	if err != nil {
		return nil, err
	}
	m = r.transform(m, ext, plan, o, workers)
	if out == FormatWebP {
		out = webpFallback(m)
	}
	data, err := encode(m, out, r.quality(o, format), r.BaselineJPEG)
	if err != nil {
		return nil, err
	}
	return NewImage(data, out.ContentType(), src.LastModified), nil
}

// transform resizes, crops and rotates m as plan and o say.
func (r *BildResizer) transform(m image.Image, ext resample.Extent, plan geometry, o Options, workers int) image.Image {
	b := m.Bounds()
	if b.Dx() != plan.resizeW || b.Dy() != plan.resizeH {
		m = resampleImage(m, plan.resizeW, plan.resizeH, ext, workers)
	}
	if plan.cropW < plan.resizeW || plan.cropH < plan.resizeH {
		m = cropCenter(m, plan.cropW, plan.cropH)
	}
	if o.Rotate != 0 {
		// bild rotates clockwise for positive angles; nginx's (and our)
		// rotation is counter-clockwise.
		m = transform.Rotate(m, -float64(o.Rotate), &transform.RotationOptions{ResizeBounds: true})
	}
	return m
}

// cropCenter cuts a w x h window from the centre of m, without copying.
func cropCenter(m image.Image, w, h int) image.Image {
	b := m.Bounds()
	x0 := b.Min.X + (b.Dx()-w)/2
	y0 := b.Min.Y + (b.Dy()-h)/2
	type subImager interface {
		SubImage(image.Rectangle) image.Image
	}
	if s, ok := m.(subImager); ok {
		return s.SubImage(image.Rect(x0, y0, x0+w, y0+h))
	}
	return transform.Crop(m, image.Rect(x0, y0, x0+w, y0+h))
}

// sniffFormat tells the format from the leading bytes, FormatSource if none.
func sniffFormat(b []byte) Format {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return FormatJPEG
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return FormatPNG
	case len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return FormatGIF
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return FormatWebP
	}
	return FormatSource
}

func decodeConfig(f Format, data []byte) (image.Config, error) {
	rd := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		return jpeg.DecodeConfig(rd)
	case FormatPNG:
		return png.DecodeConfig(rd)
	case FormatGIF:
		return gif.DecodeConfig(rd)
	case FormatWebP:
		return webp.DecodeConfig(rd)
	}
	return image.Config{}, fmt.Errorf("no decoder for %v", f)
}

// minKernelReduction is the least reduction left to the resampling kernel
// after shrink-on-load at 1/4 or 1/8. Decoding at 1/8 straight to 1.1
// times the target size leaves the 8x8 block structure of the DCT-domain
// reduction in the thumbnail (measured: -0.85 dB against nginx's full
// decode on the 5640x3172 photo at 640x480); one scale finer, the kernel
// smooths it out. At 1/2 (8x8 blocks to 4x4) there is no such structure:
// any reduction left is enough, provided the decode is exact (see
// jpegScale).
const minKernelReduction = 1.5

// jpegScale picks the shrink-on-load factor for plan: the largest of 8 and
// 4 that leaves the kernel at least minKernelReduction on both sides, else
// 2 if the half-size image still covers the target, else 1. exact is set
// when the scale is 2 with less than minKernelReduction left: the decode
// must then not approximate (PSNR against the float reference, measured on
// the 1280x1024 progressive photo at 600x480: full decode 36.42 dB, exact
// 1/2 36.34, approximate 1/2 36.17, nginx 36.23; the exact 1/2 decode
// takes 13 ms against 29 ms for the full one: go test -bench
// 'BenchmarkCorpus/small.*/scale=[12]$' ./internal/jpegdec).
func jpegScale(plan geometry) (scale int, exact bool) {
	fits := func(s int, reduction float64) bool {
		return float64(plan.srcW) >= reduction*float64(s*plan.resizeW) &&
			float64(plan.srcH) >= reduction*float64(s*plan.resizeH)
	}
	for _, s := range []int{8, 4, 2} {
		if fits(s, minKernelReduction) {
			return s, false
		}
	}
	if fits(2, 1) {
		return 2, true
	}
	return 1, false
}

// decodeJPEG decodes with our shrink-on-load decoder at jpegScale (in
// progressive files at 1/2 and 1/4, approximately: refinement scans that
// would need skipped coefficients are skipped too, which costs a few
// hundredths of a dB after encoding and saves 60-80% of the time), and
// falls back to image/jpeg (at full size) only for files it reports as
// unsupported. The extent is the part of the decoded image that holds the
// picture: at 1/8, a 3172-row photo decodes to 397 rows of which 396.5
// are picture.
func decodeJPEG(data []byte, plan geometry) (image.Image, resample.Extent, error) {
	scale, exact := jpegScale(plan)
	m, err := jpegdec.Decode(data, scale, &jpegdec.Options{Approximate: !exact})
	var unsupported jpegdec.UnsupportedError
	if errors.As(err, &unsupported) {
		scale = 1
		m, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, resample.Extent{}, fmt.Errorf("%w: decoding jpeg: %v", ErrUnsupported, err)
	}
	ext := resample.Extent{W: float64(plan.srcW) / float64(scale), H: float64(plan.srcH) / float64(scale)}
	return m, ext, nil
}

// decodeImage decodes data; plan lets decoders that can work at reduced
// scale do so.
func decodeImage(f Format, data []byte, plan geometry) (image.Image, resample.Extent, error) {
	rd := bytes.NewReader(data)
	var (
		m   image.Image
		err error
	)
	switch f {
	case FormatJPEG:
		return decodeJPEG(data, plan)
	case FormatPNG:
		m, err = png.Decode(rd)
	case FormatGIF:
		m, err = gif.Decode(rd)
	case FormatWebP:
		m, err = webp.Decode(rd)
	}
	if err != nil {
		return nil, resample.Extent{}, fmt.Errorf("%w: decoding %v: %v", ErrUnsupported, f, err)
	}
	return m, resample.Extent{}, nil
}
