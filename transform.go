package imgproxy

import (
	"image"
	"image/color"

	"github.com/anthonynsimon/bild/transform"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// transform resizes m (in stored orientation) to the plan's size, turns
// it upright, crops it as the viewer sees it, rotates and sharpens it.
// Orientation is applied to the reduced pixels, never the source.
func (r *BildResizer) transform(m image.Image, ext resample.Extent, j *job) image.Image {
	b := m.Bounds()
	s := j.stored
	if b.Dx() != s.resizeW || b.Dy() != s.resizeH {
		j.parallel(func(workers int) { m = resampleImage(m, s.resizeW, s.resizeH, ext, workers) })
	}
	if j.orient > 1 {
		m = resample.Orient(m, j.orient)
	}
	v := j.view
	if v.cropW < v.resizeW || v.cropH < v.resizeH {
		m = cropCenter(m, v.cropW, v.cropH)
	}
	if j.opts.Rotate != 0 {
		m = resample.Rotate(m, j.opts.Rotate)
	}
	if j.opts.Sharpen > 0 {
		j.parallel(func(workers int) { m = resample.Sharpen(m, j.opts.Sharpen, workers) })
	}
	return m
}

// resampleImage scales ext of m to exactly w x h with Lanczos3, on its own
// planes, without a whole-image RGBA copy. YCbCr stays YCbCr with chroma
// resampled to full resolution (4:4:4); the JPEG encoder then averages it
// 2x2 into 4:2:0. Measured against a float reference of the corpus, that
// is 0.01-0.04 dB better than resampling chroma straight to 4:2:0.
func resampleImage(m image.Image, w, h int, ext resample.Extent, workers int) image.Image {
	if y, ok := m.(*image.YCbCr); ok {
		return resample.ResizeYCbCrExtent(y, w, h, ext, resizedChroma, resample.Lanczos3, workers)
	}
	return resample.ResizeExtent(m, w, h, ext, resample.Lanczos3, workers)
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

// prepareFor readies m for the encoder of out: a format without alpha
// (JPEG) gets the picture flattened onto bg; formats other than JPEG get
// YCbCr converted to RGB with smooth (triangle-filtered) chroma
// upsampling, as libjpeg-turbo and browsers do, never replicated.
func prepareFor(out Format, m image.Image, j *job) image.Image {
	bg := j.bg
	if out == FormatJPEG {
		if opaque(m) {
			return m
		}
		return resample.Flatten(m, color.NRGBA{R: bg.R, G: bg.G, B: bg.B, A: 255})
	}
	if y, ok := m.(*image.YCbCr); ok {
		j.parallel(func(workers int) { m = resample.YCbCrToRGBA(y, workers) })
	}
	return m
}

// iccFor returns the profile to embed in out for m: the source's where it
// describes m's colour space (RGB profiles for colour pictures, grey
// ones for grey) and out can carry one. A CMYK profile, after CMYK was
// converted to RGB, no longer applies and is dropped, as is any profile
// in GIF output, which has no standard place for one.
func iccFor(out Format, m image.Image, icc []byte) []byte {
	if len(icc) < 20 || out == FormatGIF {
		return nil
	}
	_, gray := m.(*image.Gray)
	switch string(icc[16:20]) {
	case "RGB ":
		if !gray {
			return icc
		}
	case "GRAY":
		if gray {
			return icc
		}
	}
	return nil
}
