// Package icc converts the pixels of images tagged with a matrix/TRC RGB
// ICC profile (Adobe RGB (1998), Display P3, ProPhoto RGB, most camera and
// display profiles) to sRGB, so that a thumbnail can be encoded in sRGB
// rather than in the wide-gamut space with the profile kept: lossy
// encoding errors made in a wide-gamut space are amplified when the
// viewer converts to the display's sRGB.
//
// Parse reads a profile (ICC.1, versions 2 and 4): the header (size,
// 'acsp', device class, data colour space, PCS, version) and the tag
// table, bounds-checked and overflow-safe, at most MaxTags tags. For an
// RGB profile with an XYZ PCS it decodes rXYZ, gXYZ, bXYZ (XYZType) and
// rTRC, gTRC, bTRC: curveType with no entries (identity), one (gamma,
// u8Fixed8Number) or a table of any length (linearly interpolated), and
// parametricCurveType of function types 0 to 4. Profile.ToSRGB builds a
// Transform; Transform.Apply converts an image; Transform.IsIdentity says
// the profile is sRGB within rounding and the caller may skip the work.
//
// Which profiles convert (Profile.MatrixTRC): data colour space 'RGB ',
// PCS 'XYZ ', version 2 to 4, device class display ('mntr'), input
// ('scnr') or colour space ('spac'), with all six tags. A display profile
// that also carries an A2B0 LUT is converted with its matrix/TRC, as
// browsers do; for an input profile the A2B0 LUT takes precedence, so one
// with a LUT is not converted. Not supported, and left for the caller to
// keep embedded: LUT-only profiles (mft1, mft2, mAB), Lab PCS, CMYK, grey
// and other colour spaces, output profiles, device links, curve types
// other than curv and para. A malformed profile is a FormatError; a
// well-formed one that cannot be converted gives an UnsupportedError from
// ToSRGB.
//
// The conversion is relative colorimetric, without black-point
// compensation: decode each channel with its curve, multiply by the
// profile's colorants (to the D50 PCS) and by the inverse of sRGB's D50
// colorants (those of the standard sRGB profiles, Bradford-adapted;
// TestSRGBColorants derives them), clip each channel to [0, 1] and encode
// with the sRGB curve. Out-of-gamut colours such as Adobe RGB's pure green
// clip channel by channel.
//
// Arithmetic: a 256-entry table per channel from the 8-bit value to
// linear light (16 fractional bits), a 3x3 matrix with 16 fractional bits
// in int64, and a 16385-entry table from linear light (14 bits) to 8-bit
// sRGB, built once per process. Measured over all 2^24 inputs against an
// exact float64 conversion (ICC_EXHAUSTIVE=1 go test -run TestAccuracy
// -v): Adobe RGB max error 0.62 of a level before rounding, mean 0.22;
// Display P3 max 0.66, mean 0.20; never more than 1 level from the
// rounded exact value. Against LittleCMS (ImageMagick 6.9.11 -profile,
// TestCrossCheckLCMS, skipped without it) the mean difference is 0.39 to
// 0.40 of a level, max 2; LittleCMS's own mean distance from the exact
// value on the same pixels is 0.40.
//
// Cost: building a Transform (with Parse) takes about 37 µs, 7 KiB.
// Apply allocates the output image and converts opaque pixels in about
// 6 ns each (go test -bench Apply, 160x100 and 640x480 RGBA and NRGBA of
// random colours, Intel Xeon, amd64); partly transparent premultiplied
// pixels cost about twice that: they are unpremultiplied to 8.8 fixed
// point and their linear values interpolated, because rounding the
// straight colour to 8 bits first put results up to 9.2 levels from the
// exact premultiplied value (TestApplyPremultiplied; now under 1). Other
// image types (*image.YCbCr, *image.Gray) are first drawn into an
// *image.RGBA with image/draw (8 ns a pixel in all for a uniform 4:2:0
// YCbCr image).
// Apply is single-threaded; the caller's limiter bounds concurrency.
//
// Worst cases: Parse reads at most MaxTags tag entries and keeps the
// tags as slices of the input; the only allocation that grows with the
// input is a curv table (2 bytes an entry, as many entries as the tag's
// bytes allow), once per TRC, and the three TRCs may share one tag's
// data: about 3x the profile's size at most. ToSRGB evaluates each curve
// at 256 points (a table curve by interpolation, constant time per
// point). A 4 MiB profile whose three TRCs share one curv of 2 million
// entries takes 12 ms and 12.6 MB for Parse and ToSRGB (a throwaway
// benchmark, 2-core Xeon); the callers bound the profile's size
// (pngmeta.MaxICCSize, 4 MiB, for PNG). Apply is linear in pixels and
// allocates only its output, 4 bytes a pixel.
//
// Why our own: the Go ecosystem's options do not fit a small, hot path.
// github.com/mandykoh/prism (v0.35.2 on pkg.go.dev) converts between the
// colour spaces it builds in, a package per space (its example converts
// with prism/adobergb and prism/srgb), so it would not follow an arbitrary
// embedded profile's own colorants and curves; github.com/mgilbir/golittlecms
// is a complete pure-Go port of LittleCMS, far more than the one
// matrix/TRC path needed here and a new dependency for the root module.
// The subset written here is a few hundred lines, allocation-free per
// pixel, and fuzzed (FuzzParse).
package icc
