package resample

import (
	"fmt"
	"image"
)

// subFactors returns the horizontal and vertical chroma subsampling
// factors of ratio r.
func subFactors(r image.YCbCrSubsampleRatio) (sx, sy int, ok bool) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1, true
	case image.YCbCrSubsampleRatio422:
		return 2, 1, true
	case image.YCbCrSubsampleRatio420:
		return 2, 2, true
	case image.YCbCrSubsampleRatio440:
		return 1, 2, true
	case image.YCbCrSubsampleRatio411:
		return 4, 1, true
	case image.YCbCrSubsampleRatio410:
		return 4, 2, true
	}
	return 0, 0, false
}

// ResizeYCbCr resamples src to a w x h *image.YCbCr with chroma subsample
// ratio ratio (Resize keeps src's ratio; pass YCbCrSubsampleRatio420 to
// get the JPEG-typical output with less chroma work). Y, Cb and Cr planes
// are resampled separately; chroma sample centres are mapped through luma
// coordinates, so there is no chroma shift, also for sub-images starting
// on odd coordinates and for ratio conversions. workers and k are as for
// Resize. It panics on w or h <= 0 or an unknown subsample ratio.
func ResizeYCbCr(src *image.YCbCr, w, h int, ratio image.YCbCrSubsampleRatio, k Kernel, workers int) *image.YCbCr {
	return ResizeYCbCrExtent(src, w, h, Extent{}, ratio, k, workers)
}

// ResizeYCbCrExtent is ResizeYCbCr mapping the output onto ext of src
// (see Extent).
func ResizeYCbCrExtent(src *image.YCbCr, w, h int, ext Extent, ratio image.YCbCrSubsampleRatio, k Kernel, workers int) *image.YCbCr {
	isx, isy, ok1 := subFactors(src.SubsampleRatio)
	osx, osy, ok2 := subFactors(ratio)
	if w <= 0 || h <= 0 || !ok1 || !ok2 {
		panic(fmt.Sprintf("resample: invalid YCbCr resize %v %dx%d -> %v", src.SubsampleRatio, w, h, ratio))
	}
	k, workers = k.orDefault(), max(workers, 1)
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	r := src.Rect
	if r.Empty() {
		return dst
	}
	ax, ay := axes(r, w, h, ext)
	yin := plane{pix: src.Y[src.YOffset(r.Min.X, r.Min.Y):], stride: src.YStride, w: r.Dx(), h: r.Dy(), ch: 1}
	resamplePlane(yin, plane{dst.Y, dst.YStride, w, h, 1}, ax, ay, k, workers, false)

	ew, eh := ext.size(r)
	cx := chromaAxis(r.Min.X, r.Max.X, ew, w, isx, osx)
	cy := chromaAxis(r.Min.Y, r.Max.Y, eh, h, isy, osy)
	co := src.COffset(r.Min.X, r.Min.Y)
	for i, in := range [][]byte{src.Cb[co:], src.Cr[co:]} {
		out := [][]byte{dst.Cb, dst.Cr}[i]
		resamplePlane(plane{in, src.CStride, cx.in, cy.in, 1}, plane{out, dst.CStride, cx.out, cy.out, 1}, cx, cy, k, workers, false)
	}
	return dst
}

// chromaAxis maps one axis of a chroma plane: the source luma range
// [lo, hi), of which n luma samples are covered, subsampled by is, to out
// luma samples subsampled by os. Chroma
// sample j of the source covers luma [is*(lo/is + j), +is) (image.YCbCr's
// grid), so a sub-image starting off that grid has a phase.
func chromaAxis(lo, hi int, n float64, out, is, os int) axis {
	phase := lo - is*(lo/is)
	return axis{
		in:     (hi+is-1)/is - lo/is,
		out:    (out + os - 1) / os,
		scale:  float64(os) * n / float64(out) / float64(is),
		offset: float64(phase) / float64(is),
	}
}
