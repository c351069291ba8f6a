package gifcodec

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"time"
)

// GIF disposal methods (GIF89a spec, section 23). 0 (unspecified) and the
// reserved values 4-7 are treated as disposalNone, as browsers do.
const (
	disposalNone       = 1
	disposalBackground = 2
	disposalPrevious   = 3
)

// DecodeFrames decodes the frames of a GIF one at a time and calls fn with
// each, composited onto the canvas as a browser shows it, and its delay.
//
// frame is the whole canvas (Info.Width x Info.Height, at the origin),
// composited as the GIF89a disposal methods say: the canvas starts fully
// transparent; each frame is drawn at its offset, clipped to the canvas,
// its transparent index leaving the pixels beneath unchanged; after it is
// shown, its disposal method applies to its rectangle: none (0, 1, and
// the reserved 4-7) keeps it, restore to background (2) makes it
// transparent (browsers ignore the background colour), restore to
// previous (3) puts back what was there before it was drawn. Pixel
// indexes beyond the colour table are transparent, as in browsers.
//
// frame is reused: it is only valid during the call, and fn must copy
// what it keeps. An error from fn stops decoding and is returned as is.
//
// delay is the frame's raw delay (GIF units of 1/100 s, so a multiple of
// 10 ms). It is not adjusted: note that browsers show frames whose delay
// is 0 or 10 ms for 100 ms instead, so an encoder should keep such delays
// rather than "fix" them.
//
// maxFrames > 0 stops after that many frames: the rest are only counted
// (Info.Frames is then the total in the file) and Info.Truncated is set.
// maxFrames <= 0 decodes them all.
//
// A frame that cannot be decoded (damaged blocks, corrupt LZW data, no
// colour table, a frame of more than max(4 x canvas, 2^20) pixels: it
// would be clipped away but costs its whole size to decode) is a FormatError if it is
// the first; later, it ends the animation there without an error, as
// browsers show what they could decode, and Info.Frames counts the frames
// delivered.
//
// Memory: the canvas (4 bytes a pixel), one frame's indexes (1 byte a
// pixel, at most the canvas area) and, if a frame uses disposal 3, a copy
// of its rectangle (at most 4 bytes a canvas pixel). Config tells the
// canvas size without decoding.
//
// ctx is checked before each frame and, while a frame's LZW data is
// decoded, before each data sub-block (255 bytes at most) is read: once
// ctx is done, DecodeFrames returns ctx.Err() itself (not a FormatError,
// and even after the first frame), with the frames delivered so far
// counted in Info.Frames.
func DecodeFrames(ctx context.Context, data []byte, maxFrames int, fn func(i int, frame *image.NRGBA, delay time.Duration) error) (Info, error) {
	s, err := newScanner(data)
	if err != nil {
		return Info{}, err
	}
	var (
		info Info
		c    *compositor
	)
	for {
		if err := ctx.Err(); err != nil {
			return info, err
		}
		f, ok, err := s.next()
		if err == nil && ok && c == nil {
			info.Width, info.Height = s.canvasSize(f)
			c = newCompositor(info.Width, info.Height)
			c.ctx = ctx
		}
		switch {
		case err != nil || !ok:
		case maxFrames > 0 && info.Frames >= maxFrames:
			info.Truncated = true // count the rest only
		default:
			err = c.draw(f)
			if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return info, cerr // not damage: the caller's deadline
				}
			} else if err := fn(info.Frames, c.canvas, time.Duration(f.delay)*10*time.Millisecond); err != nil {
				return info, err
			}
		}
		if err != nil || !ok {
			if info.Frames == 0 {
				if err == nil {
					err = FormatError("no image")
				}
				return Info{}, err
			}
			info.LoopCount = s.loopCount
			return info, nil
		}
		info.Frames++
		info.Pixels += int64(f.w) * int64(f.h)
	}
}

// maxFrameArea is the largest frame, in pixels, decoded on a canvas of
// the given area. Frames may extend beyond the canvas (they are clipped,
// as browsers do), but decoding one costs its whole area in memory and
// time, so a frame may not be much bigger than the canvas.
func maxFrameArea(canvas int) int { return max(4*canvas, 1<<20) }

// compositor keeps the canvas and what the previous frame's disposal
// needs.
type compositor struct {
	ctx      context.Context // ends a frame's LZW decoding
	canvas   *image.NRGBA
	disposal byte            // of the frame last drawn
	rect     image.Rectangle // the last frame's rectangle, clipped
	saved    []byte          // its rectangle before drawing, for disposal 3
	mini     []byte          // scratch single-frame GIF for image/gif
}

func newCompositor(w, h int) *compositor {
	return &compositor{canvas: image.NewNRGBA(image.Rect(0, 0, w, h))}
}

// draw disposes of the previous frame and composites f.
func (c *compositor) draw(f frameInfo) error {
	if f.palette == nil {
		return FormatError("no colour table")
	}
	b := c.canvas.Rect
	if f.w*f.h > maxFrameArea(b.Dx()*b.Dy()) {
		return FormatError("frame much larger than the canvas")
	}
	// Decode before disposing, so that a frame that fails leaves the
	// canvas as last shown.
	m, err := c.decode(f)
	if err != nil {
		return err
	}
	switch c.disposal {
	case disposalBackground:
		c.fill(c.rect, nil)
	case disposalPrevious:
		c.fill(c.rect, c.saved)
	}
	c.disposal = f.disposal
	c.rect = image.Rect(f.x, f.y, f.x+f.w, f.y+f.h).Intersect(b)
	if c.disposal == disposalPrevious {
		c.save(c.rect)
	}
	var pal [256][4]byte // NRGBA; alpha 0 marks "leave the canvas"
	for i := range len(f.palette) / 3 {
		pal[i] = [4]byte{f.palette[3*i], f.palette[3*i+1], f.palette[3*i+2], 0xff}
	}
	if f.transparent >= 0 {
		pal[f.transparent] = [4]byte{}
	}
	cv := c.canvas
	for y := c.rect.Min.Y; y < c.rect.Max.Y; y++ {
		src := m.Pix[(y-f.y)*m.Stride+c.rect.Min.X-f.x:][:c.rect.Dx()]
		dst := cv.Pix[y*cv.Stride+c.rect.Min.X*4:][:4*len(src)]
		for i, idx := range src {
			if p := &pal[idx]; p[3] != 0 {
				copy(dst[4*i:4*i+4], p[:])
			}
		}
	}
	return nil
}

// decode LZW-decodes f's indexes with image/gif, by handing it a
// single-frame GIF: f's image data at the origin with a 256-entry colour
// table, so that no index is out of range (draw makes those beyond the
// real table transparent).
func (c *compositor) decode(f frameInfo) (*image.Paletted, error) {
	if f.w == 0 || f.h == 0 {
		return image.NewPaletted(image.Rectangle{}, nil), nil
	}
	b := append(c.mini[:0], "GIF89a"...)
	b = append(b, byte(f.w), byte(f.w>>8), byte(f.h), byte(f.h>>8), flagColorTable|7, 0, 0)
	b = append(b, make([]byte, 3*256)...)
	b = append(b, blockImage, 0, 0, 0, 0, byte(f.w), byte(f.w>>8), byte(f.h), byte(f.h>>8))
	if f.interlaced {
		b = append(b, flagInterlace)
	} else {
		b = append(b, 0)
	}
	b = append(b, f.lzw...)
	b = append(b, blockTrailer)
	c.mini = b
	img, err := gif.Decode(&ctxReader{ctx: c.ctx, r: bytes.NewReader(b)})
	if err != nil {
		return nil, FormatError(fmt.Sprintf("frame data: %v", err))
	}
	m, ok := img.(*image.Paletted)
	if !ok || m.Rect != image.Rect(0, 0, f.w, f.h) {
		return nil, FormatError("frame data: unexpected image")
	}
	return m, nil
}

// ctxReader is a bytes.Reader that fails once ctx is done. image/gif
// uses it directly, as an io.ByteReader, and calls Read once per data
// sub-block, so a frame's LZW decoding stops within 255 input bytes of
// ctx's end. The check is one atomic load.
type ctxReader struct {
	ctx context.Context
	r   *bytes.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

func (r *ctxReader) ReadByte() (byte, error) { return r.r.ReadByte() }

// save copies r of the canvas into c.saved.
func (c *compositor) save(r image.Rectangle) {
	c.saved = c.saved[:0]
	cv := c.canvas
	for y := r.Min.Y; y < r.Max.Y; y++ {
		c.saved = append(c.saved, cv.Pix[y*cv.Stride+r.Min.X*4:][:r.Dx()*4]...)
	}
}

// fill sets r of the canvas from src (rows of r, as save wrote them), or
// to transparent if src is nil.
func (c *compositor) fill(r image.Rectangle, src []byte) {
	cv := c.canvas
	n := r.Dx() * 4
	for y := r.Min.Y; y < r.Max.Y; y++ {
		dst := cv.Pix[y*cv.Stride+r.Min.X*4:][:n]
		if src == nil {
			clear(dst)
		} else {
			copy(dst, src[(y-r.Min.Y)*n:])
		}
	}
}
