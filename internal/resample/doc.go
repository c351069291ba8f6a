// Package resample implements fast separable resampling (resizing) of
// images, specialised for the thumbnail workloads of the proxy.
//
// # Why our own resampler
//
// General-purpose Go resizers work on whole-image float RGBA copies:
// bild's transform.Resize with Lanczos takes about 1.0 s to bring a 4 MP
// photo down to 150x150, and x/image/draw's CatmullRom 0.3-0.6 s. A
// thumbnail proxy needs a few milliseconds. This package gets there by
//
//   - working on the planes the decoders produce (Y, Cb, Cr of
//     *image.YCbCr; 8-bit RGBA or Gray) without building an RGBA copy of a
//     YCbCr photo;
//   - separable two-pass filtering with precomputed 14-bit fixed-point
//     weight tables, int32 accumulation and 8-bit intermediates reused
//     through a sync.Pool;
//   - an integer box pre-reduction for large reduction factors (see
//     [Resize]), like libvips' shrink + reduce;
//   - splitting rows into bands over a caller-chosen number of goroutines.
//
// # Geometry
//
// Pixel centres are mapped exactly: output sample i (centre i+0.5) samples
// the input at (i+0.5)*in/out. Taps outside the image are dropped and the
// remaining weights renormalised (no edge-replication bias). Chroma planes
// of *image.YCbCr use the centred siting of image.YCbCr (chroma sample i of
// a 2x subsampled plane covers luma samples [2i, 2i+2)), including the
// phase shift of sub-images that start on an odd luma coordinate.
//
// The package also turns pictures upright ([Orient] for EXIF orientations,
// [Rotate] for quarter turns) plane by plane without converting YCbCr to
// RGB, converts YCbCr to RGB with smooth chroma upsampling
// ([YCbCrToRGBA]), sharpens like nginx's image_filter_sharpen ([Sharpen],
// luma only for YCbCr) and composites transparency over a background
// ([Flatten]).
//
// Quality helpers [PSNR] and [Reference] (a slow float64 Lanczos3 resize)
// are used by the tests and quality reports.
package resample
