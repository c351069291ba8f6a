package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/icc"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// Defaults of BildResizer.
const (
	DefaultJPEGQuality = 75         // nginx image_filter_jpeg_quality
	DefaultMaxPixels   = 50_000_000 // 50 megapixels

	DefaultWebPAsJPEGQuality = 85

	// DefaultMaxAnimationPixels bounds frames x output pixels of an
	// animated result: 250 frames of 300x300.
	DefaultMaxAnimationPixels = 22_500_000

	// DefaultMaxWait is how long a transform waits for admission.
	DefaultMaxWait = 10 * time.Second
	// DefaultMaxOutputPixels bounds a result's width*height: 25
	// megapixels, more than any screen shows at once.
	DefaultMaxOutputPixels = 25_000_000
	// DefaultMaxOutputBytes bounds a result's encoded size: the source
	// limit of the nginx recipe (image_filter_buffer 20M).
	DefaultMaxOutputBytes = 20 << 20
)

// Encoder writes pictures in one output format; see BildResizer.Encoders
// and the webp and avif subpackages, which provide them.
type Encoder = picture.Encoder

// BildResizer is the default Resizer. It decodes JPEG (baseline,
// progressive, grey, YCbCr, CMYK and YCCK), PNG (every colour type and
// depth), GIF (animated too), WebP and, given a decoder in Decoders,
// AVIF; turns the picture upright as its
// EXIF orientation says; fits it to the requested box with nginx
// image_filter semantics; applies crop, rotation and sharpening; and
// encodes JPEG (progressive by default, from YCbCr planes), PNG or GIF,
// plus any format given in Encoders (WebP, AVIF). Pictures with a
// matrix/TRC RGB ICC profile are converted to sRGB (see KeepICC); other
// profiles are embedded in the output (JPEG, PNG, WebP, AVIF), so that
// browsers colour-manage the thumbnail as they do the original.
// Transparency is kept where the output format has it and flattened onto
// Background where it has not (JPEG).
//
// The zero value is ready to use. A BildResizer must not be copied or
// modified after first use.
type BildResizer struct {
	// JPEGQuality is the quality of JPEG output when the URL names none.
	// If 0, DefaultJPEGQuality (75).
	JPEGQuality int
	// MaxPixels bounds width*height of a source, checked from the header
	// before anything is decoded; larger sources are ErrTooLarge. For an
	// animation, frames are only decoded while frames*width*height stays
	// under 4*MaxPixels. If 0, DefaultMaxPixels.
	MaxPixels int64
	// WebPAsJPEGQuality is the JPEG quality for a WebP source written as
	// JPEG because there is no WebP encoder in Encoders, when the URL
	// names none. If 0, DefaultWebPAsJPEGQuality (85): nginx writes such
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
	// Encoders adds output formats (or replaces the built-in JPEG, PNG and
	// GIF ones), typically
	//
	//	Encoders: map[imgproxy.Format]imgproxy.Encoder{
	//		imgproxy.FormatWebP: &webp.Encoder{},
	//		imgproxy.FormatAVIF: &avif.Encoder{},
	//	}
	//
	// with the github.com/imgproxy-go/imgproxy/webp and .../avif
	// subpackages, so that only programs that import them link the
	// codecs. If nil, only the built-in formats: WebP sources are then
	// written as JPEG (PNG if they have transparency) and a URL asking for
	// webp or avif is ErrUnsupported (415).
	Encoders map[Format]Encoder
	// Decoders adds source formats that need a decoder the root package
	// does not link: today FormatAVIF, with the avif subpackage's
	//
	//	Decoders: map[imgproxy.Format]imgproxy.Decoder{
	//		imgproxy.FormatAVIF: &avif.Decoder{},
	//	}
	//
	// Other formats' entries are ignored. If nil, an AVIF source is
	// ErrUnsupported (415), "not a known image format". An AVIF source
	// kept as AVIF without an AVIF encoder is written as JPEG (PNG if it
	// has transparency), at JPEGQuality.
	Decoders map[Format]Decoder
	// Background is what transparent pixels are flattened onto for formats
	// without alpha (JPEG) when the URL names no colour. If not Valid,
	// white, as browsers show a transparent picture on a white page.
	Background Color
	// KeepICC embeds the source's ICC profile in the output, leaving the
	// pixels in its colour space. If false (the default), pictures with a
	// matrix/TRC RGB profile (Adobe RGB, Display P3, ProPhoto and most
	// camera and display profiles) are converted to sRGB as soon as they
	// are decoded (at the reduced scale) and written without a profile:
	// every error made in a wide gamut (resampling, encoding) grows when
	// a browser converts it to the screen's sRGB (measured in
	// TestICCProfile: kept, 1.7-1.9 dB PSNR below a plain sRGB photo
	// against the colour-managed original at q75; converted, 0.6-0.8 dB),
	// and the thumbnail is right in viewers that do not colour-manage.
	// Other profiles (LUT-based, grey) are embedded as they are. Keeping
	// them trades that for the full gamut on wide-gamut screens.
	KeepICC bool
	// NoAutoOrient keeps the pixels as stored, ignoring the EXIF
	// orientation. If false (the default), pictures are turned upright
	// before the box is fitted, and the output carries no orientation.
	NoAutoOrient bool
	// MaxAnimationPixels bounds frames x output pixels of an animated
	// result. A larger animation, or one asked for in a format whose
	// encoder cannot animate, keeps its first frame only, and the
	// response says so in "X-Imgproxy-Animation: first-frame". If 0,
	// DefaultMaxAnimationPixels; if negative, animations always keep
	// their first frame only.
	MaxAnimationPixels int64

	// MemoryBudget bounds the bytes that transforms in flight hold at
	// their peak, each weighed from the source's header before anything
	// is decoded (see the README's "Hardening"). A transform waits until
	// its weight fits; one heavier than the whole budget is ErrTooLarge
	// (415). If 0, DefaultMemoryBudget(); if negative, no memory bound.
	MemoryBudget int64
	// MaxQueue bounds the transforms waiting for admission; one more is
	// ErrOverloaded (503 with Retry-After) at once. If 0, 8 times
	// Concurrency; if negative, no wait at all.
	MaxQueue int
	// MaxWait bounds how long a transform waits for admission before it
	// is ErrOverloaded (503). If 0, DefaultMaxWait (10 s); the request's
	// context may end it sooner.
	MaxWait time.Duration
	// MaxOutputPixels bounds width*height of a result (of every frame of
	// an animation); a request for more is ErrTooLarge (415: it depends
	// on the source), decided from the header before decoding. If 0,
	// DefaultMaxOutputPixels.
	MaxOutputPixels int64
	// MaxOutputBytes bounds the encoded size of a result; a larger one
	// is ErrTooLarge (415). If 0, DefaultMaxOutputBytes (20 MiB, the
	// source limit).
	MaxOutputBytes int64

	once     sync.Once
	adm      *admission
	encoders map[Format]Encoder
	decoders map[Format]Decoder
}

var _ Resizer = (*BildResizer)(nil)

func (r *BildResizer) init() {
	n := r.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	budget := r.MemoryBudget
	if budget == 0 {
		budget = DefaultMemoryBudget()
	}
	queue := r.MaxQueue
	if queue == 0 {
		queue = 8 * n
	}
	wait := r.MaxWait
	if wait <= 0 {
		wait = DefaultMaxWait
	}
	r.adm = newAdmission(int64(n), budget, queue, wait)
	r.encoders = map[Format]Encoder{
		FormatJPEG: &jpegEncoder{baseline: r.BaselineJPEG},
		FormatPNG:  pngEncoder{},
		FormatGIF:  gifEncoder{},
	}
	for f, e := range r.Encoders {
		if e != nil {
			r.encoders[f] = e
		}
	}
	if d := r.Decoders[FormatAVIF]; d != nil {
		r.decoders = map[Format]Decoder{FormatAVIF: d}
	}
}

func (r *BildResizer) maxPixels() int64 {
	if r.MaxPixels > 0 {
		return r.MaxPixels
	}
	return DefaultMaxPixels
}

func (r *BildResizer) maxAnimationPixels() int64 {
	if r.MaxAnimationPixels != 0 {
		return r.MaxAnimationPixels
	}
	return DefaultMaxAnimationPixels
}

// Resize implements Resizer. It reads as the recipe: sniff, read the
// header, plan, choose the output, admit, decode at scale, transform
// (resize, orient, crop, rotate, sharpen), encode.
func (r *BildResizer) Resize(ctx context.Context, src *Source, o Options) (*Image, error) {
	r.once.Do(r.init)
	c := r.sniff(src.Data)
	if o.Info {
		return infoImage(c, src), nil
	}
	h, err := r.readHeader(c, src.Data)
	if err != nil {
		return nil, err
	}
	job := r.plan(c, &h, o)
	if job.passThrough(c.format, o) {
		// The browser shows the original, EXIF orientation and profile
		// included, exactly as the variant would look: serve it as it is.
		return NewImage(src.Data, c.format.ContentType(), src.LastModified), nil
	}
	if r.encoders[job.out] == nil && !(keptAsSource(job.out) && o.Format == FormatSource) {
		return nil, fmt.Errorf("%w: no encoder for %v", ErrUnsupported, job.out)
	}
	if px := int64(job.view.cropW) * int64(job.view.cropH); px > r.maxOutputPixels() {
		return nil, fmt.Errorf("%w: a %dx%d result is over the output limit", ErrTooLarge, job.view.cropW, job.view.cropH)
	}
	weight := r.weight(c, &h, &job)
	if r.adm.tooHeavy(weight) && o.Format == FormatSource && job.out != c.format {
		// A negotiated format is a preference: where its encoder would
		// need more than the whole budget, the source's format serves.
		job.out = c.format
		weight = r.weight(c, &h, &job)
	}
	job.obs = observationFrom(ctx)
	release, err := job.admit(ctx, weight)
	if err != nil {
		return nil, err
	}
	defer func() {
		if job.pending == nil {
			release()
			return
		}
		// A decode detached at the context's end still runs: its slot
		// and memory are given back when it ends.
		go func() {
			<-job.pending
			release()
		}()
	}()
	pic, err := r.decodePicture(ctx, c, src.Data, &h, &job)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := r.finalFormat(job.out, c.format, o, pic)
	data, err := r.encode(pic, out, &job, c.format)
	if err != nil {
		return nil, err
	}
	img := NewImage(data, out.ContentType(), src.LastModified)
	img.FirstFrameOnly = h.frames > 1 && !pic.Animated()
	return img, nil
}

// readHeader reads and checks the source's header: a known format, a
// non-empty size within MaxPixels.
func (r *BildResizer) readHeader(c *codec, data []byte) (header, error) {
	if c == nil {
		return header{}, fmt.Errorf("%w: not a known image format", ErrUnsupported)
	}
	h, err := c.header(data)
	if err != nil {
		return header{}, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	if h.width <= 0 || h.height <= 0 {
		return header{}, fmt.Errorf("%w: empty image", ErrUnsupported)
	}
	if max(int64(h.width)*int64(h.height), int64(h.layout.frameW)*int64(h.layout.frameH)) > r.maxPixels() {
		return header{}, fmt.Errorf("%w: %dx%d pixels", ErrTooLarge, h.width, h.height)
	}
	if r.NoAutoOrient || h.meta.Orientation < 1 || h.meta.Orientation > 8 {
		h.meta.Orientation = 1
	}
	return h, nil
}

func (r *BildResizer) maxOutputPixels() int64 {
	if r.MaxOutputPixels > 0 {
		return r.MaxOutputPixels
	}
	return DefaultMaxOutputPixels
}

func (r *BildResizer) maxOutputBytes() int64 {
	if r.MaxOutputBytes > 0 {
		return r.MaxOutputBytes
	}
	return DefaultMaxOutputBytes
}

// SourceSize returns the size of src as the viewer sees it (after its
// EXIF orientation, unless NoAutoOrient), from its header alone.
func (r *BildResizer) SourceSize(src *Source) (width, height int, err error) {
	r.once.Do(r.init)
	h, err := r.readHeader(r.sniff(src.Data), src.Data)
	if err != nil {
		return 0, 0, err
	}
	if transposes(h.meta.Orientation) {
		return h.height, h.width, nil
	}
	return h.width, h.height, nil
}

// decodePicture decodes at the plan's scale and transforms the picture
// (an animation frame by frame, as it is decoded). A still picture with a
// wide-gamut profile is converted to sRGB first (unless KeepICC): every
// error made in a wide gamut (resampling, encoding) grows when the
// browser converts it to the screen's sRGB.
func (r *BildResizer) decodePicture(ctx context.Context, c *codec, data []byte, h *header, j *job) (*picture.Picture, error) {
	defer j.measure(StageDecode)()
	req := decodeRequest{plan: j.stored, maxFrames: j.frames, parallel: j.parallel, decoder: r.decoders[c.format]}
	req.whole = h.frames == 1 && r.convertsBeforeResize(h.meta.ICC)
	req.detach = func(done <-chan struct{}) { j.pending = done }
	req.frame = func(m image.Image) image.Image {
		j.timed(func() { m = r.transform(m, resample.Extent{}, j) })
		return m
	}
	pic, ext, err := c.decode(ctx, data, h, req)
	if err != nil {
		return nil, err
	}
	if !pic.Animated() {
		pic.Frames = nil
		j.timed(func() {
			if toSRGB, drop := r.srgbTransform(pic.ICC); drop {
				pic.ICC = nil
				if toSRGB != nil {
					j.parallel(func(workers int) { pic.Image = toSRGB.Apply(rgbOf(pic.Image, workers)) })
				}
			}
			pic.Image = r.transform(pic.Image, ext, j)
		})
	}
	pic.Orientation = 1
	return pic, nil
}

// job is the plan of one transform.
type job struct {
	view    geometry // as the viewer sees the picture (after orientation)
	stored  geometry // the same in the pixels' stored orientation
	orient  int      // EXIF orientation to apply after resizing
	out     Format   // output format, FormatWebP possibly to fall back
	frames  int      // frames to decode (1: the first only)
	opts    Options
	bg      Color
	adm     *admission
	pending <-chan struct{} // closed when a detached decode ends

	obs         *observation // the request's, if observed
	transformed int64        // nanoseconds of transform, if observed (atomic)
}

// admit waits for the job's admission, timed as StageQueue.
func (j *job) admit(ctx context.Context, weight int64) (release func(), err error) {
	defer j.measure(StageQueue)()
	return j.adm.admit(ctx, weight)
}

// measure starts timing stage s when the request is observed; the
// function it returns records it. The decode's time leaves out the
// transform's, which runs inside it (frame by frame for animations).
func (j *job) measure(s Stage) (done func()) {
	if j.obs == nil {
		return func() {}
	}
	began := time.Now()
	return func() {
		d := time.Since(began)
		if s == StageDecode {
			d -= time.Duration(atomic.LoadInt64(&j.transformed))
		}
		j.obs.add(s, d)
	}
}

// timed runs step, a part of the transform, adding its duration to the
// job's StageResize when the request is observed. Frames may be
// transformed on a detached decode's goroutine, hence the atomic sum.
func (j *job) timed(step func()) {
	if j.obs == nil {
		step()
		return
	}
	began := time.Now()
	step()
	d := max(time.Since(began), 1)
	atomic.AddInt64(&j.transformed, int64(d))
	j.obs.add(StageResize, d)
}

// parallel runs step with the CPU slots it can borrow for it, giving them
// back as soon as it returns.
func (j *job) parallel(step func(workers int)) {
	workers, giveBack := j.adm.borrow(runtime.GOMAXPROCS(0))
	defer giveBack()
	step(workers)
}

// plan computes the geometry in both orientations, the output format and
// how many frames to keep.
func (r *BildResizer) plan(c *codec, h *header, o Options) job {
	j := job{orient: h.meta.Orientation, opts: o, frames: 1, bg: o.Background, adm: r.adm}
	if !j.bg.Valid {
		j.bg = r.Background
	}
	if !j.bg.Valid {
		j.bg = Color{R: 255, G: 255, B: 255, Valid: true}
	}
	w, ht := h.width, h.height
	if transposes(j.orient) {
		w, ht = ht, w
	}
	j.view = planGeometry(w, ht, o)
	j.stored = j.view
	if transposes(j.orient) {
		s := &j.stored
		s.srcW, s.srcH = s.srcH, s.srcW
		s.resizeW, s.resizeH = s.resizeH, s.resizeW
		s.cropW, s.cropH = s.cropH, s.cropW
	}
	j.out = r.outputFormat(c.format, h, o)
	if h.frames > 1 && r.animates(j.out) {
		outPixels := int64(j.view.cropW) * int64(j.view.cropH) * int64(h.frames)
		srcPixels := int64(h.width) * int64(h.height) * int64(h.frames)
		if outPixels <= r.maxAnimationPixels() && srcPixels <= 4*r.maxPixels() {
			j.frames = h.frames
		}
	}
	return j
}

// passThrough reports whether the source can be served unchanged.
func (j *job) passThrough(src Format, o Options) bool {
	return j.view.identity() && o.Rotate == 0 && o.Quality == 0 && o.Sharpen == 0 && j.out == src
}

// outputFormat chooses the output format: the one asked for, else the
// first acceptable one of o.Auto that suits the picture, else the
// source's.
func (r *BildResizer) outputFormat(src Format, h *header, o Options) Format {
	if o.Format != FormatSource {
		return o.Format
	}
	for _, f := range o.Auto {
		if f == FormatSource || r.encoders[f] == nil {
			continue
		}
		if h.frames > 1 && !r.animates(f) && r.animates(src) {
			continue // keep the animation in the source's format
		}
		return f
	}
	return src
}

// animates reports whether f's encoder writes animations.
func (r *BildResizer) animates(f Format) bool {
	if f == FormatGIF {
		return true
	}
	a, ok := r.encoders[f].(interface{ Animates() bool })
	return ok && a.Animates()
}

// finalFormat resolves a WebP or AVIF source kept in its format without
// an encoder for it: PNG where the picture has transparency, JPEG otherwise.
func (r *BildResizer) finalFormat(out, src Format, o Options, p *picture.Picture) Format {
	if !keptAsSource(out) || r.encoders[out] != nil || o.Format != FormatSource {
		return out
	}
	if opaque(p.Image) {
		return FormatJPEG
	}
	return FormatPNG
}

// opaque reports whether m has no transparent pixel.
func opaque(m image.Image) bool {
	o, ok := m.(interface{ Opaque() bool })
	return !ok || o.Opaque()
}

// quality picks the lossy quality for out: the URL's, else the
// Resizer's default for JPEG (85 for WebP sources, which nginx would
// have kept as WebP), else the encoder's own default (0).
func (r *BildResizer) quality(o Options, src, out Format) int {
	switch {
	case o.Quality != 0:
		return o.Quality
	case out != FormatJPEG:
		return 0
	case src == FormatWebP && r.WebPAsJPEGQuality != 0:
		return r.WebPAsJPEGQuality
	case src == FormatWebP:
		return DefaultWebPAsJPEGQuality
	case r.JPEGQuality != 0:
		return r.JPEGQuality
	}
	return DefaultJPEGQuality
}

// encode prepares the frames for out (flattening alpha where it has none,
// converting YCbCr to RGB with smooth chroma where it is not JPEG),
// keeps the ICC profile only where out can carry it, and encodes.
func (r *BildResizer) encode(p *picture.Picture, out Format, j *job, src Format) ([]byte, error) {
	defer j.measure(StageEncode)()
	for i := range p.Frames {
		p.Frames[i].Image = prepareFor(out, p.Frames[i].Image, j)
	}
	if len(p.Frames) > 0 {
		p.Image = p.Frames[0].Image // the same picture: prepared once
	} else {
		p.Image = prepareFor(out, p.Image, j)
	}
	p.ICC = iccFor(out, p.Image, p.ICC)
	buf := limitedBuffer{limit: r.maxOutputBytes()}
	eo := picture.EncodeOptions{Quality: r.quality(j.opts, src, out)}
	eo.Lossless = eo.Quality == 0 && (src == FormatPNG || src == FormatGIF)
	if err := r.encoders[out].Encode(&buf, p, eo); err != nil || buf.over {
		if buf.over {
			return nil, fmt.Errorf("%w: the %v result is over %d bytes", ErrTooLarge, out, buf.limit)
		}
		return nil, fmt.Errorf("imgproxy: encoding %v: %w", out, err)
	}
	return buf.Bytes(), nil
}

// srgbTransform returns the conversion of pixels in profile to sRGB and
// whether the profile is then to be dropped. It keeps the profile (nil,
// false) for KeepICC, no profile, or a profile that is not a matrix/TRC
// RGB one; for an sRGB profile it drops it with nothing to convert.
func (r *BildResizer) srgbTransform(profile []byte) (*icc.Transform, bool) {
	if r.KeepICC || len(profile) == 0 {
		return nil, false
	}
	p, err := icc.Parse(profile)
	if err != nil || !p.MatrixTRC() {
		return nil, false
	}
	t, err := p.ToSRGB()
	if err != nil {
		return nil, false
	}
	if t.IsIdentity() {
		return nil, true
	}
	return t, true
}

// rgbOf returns m as RGB, converting YCbCr with smooth chroma.
func rgbOf(m image.Image, workers int) image.Image {
	if y, ok := m.(*image.YCbCr); ok {
		return resample.YCbCrToRGBA(y, workers)
	}
	return m
}

// DefaultMemoryBudget is the MemoryBudget of a BildResizer that sets
// none: a quarter of the Go runtime's memory limit (GOMEMLIMIT) when one
// is set, else 1 GiB.
func DefaultMemoryBudget() int64 {
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		return l / 4
	}
	return 1 << 30
}

// limitedBuffer is a bytes.Buffer that refuses to grow past limit, so
// that an encoder writing an oversized result stops at the first write
// over it (encoders return the writer's error).
type limitedBuffer struct {
	bytes.Buffer
	limit int64
	over  bool
}

var errOutputLimit = errors.New("output over the limit")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.limit {
		b.over = true
		return 0, errOutputLimit
	}
	return b.Buffer.Write(p)
}
