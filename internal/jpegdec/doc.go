// Package jpegdec is a shrink-on-load JPEG decoder.
//
// It decodes baseline (SOF0/SOF1) and progressive (SOF2) Huffman-coded
// 8-bit JPEG images directly at 1/1, 1/2, 1/4 or 1/8 of their size by
// running a reduced ("scaled") inverse DCT on the low-frequency corner of
// every 8x8 block: 8, 4, 2 or 1 output samples per block side. Chroma is
// kept as subsampled planes in an *image.YCbCr, exactly as stored.
//
// Why not image/jpeg: the standard decoder always reconstructs the full
// image, which costs 31-1374 ms per photo of our corpus, even when the
// caller only needs a 150x150 thumbnail. It also has to entropy-decode
// every scan of a progressive file. This package
//
//   - decodes at 1/scale, skipping dequantisation and IDCT work for
//     coefficients that cannot influence the reduced output;
//   - in progressive files, skips whole AC scans that only carry
//     coefficients outside the needed low-frequency zone (at 1/8 only the
//     DC scans are entropy-decoded), by jumping to the next marker;
//   - optionally (Options.Approximate), at 1/2 and 1/4 of progressive
//     files, also skips AC refinement scans whose band reaches outside
//     that zone (an exact decode needs them whole), reconstructing the
//     in-zone coefficients they would refine at the middle of their
//     known interval;
//   - keeps, for progressive files, only the needed k×k corner of every
//     block's coefficients (plus, for exact decodes at 1/2 and 1/4, a
//     64-bit mask per block of which other coefficients are non-zero,
//     all that refinement scans need of them): at 1/4 a 16 MB photo
//     takes 11 MB (exact) or 7 MB (Approximate) instead of 74 MB;
//   - uses a 64-bit bit buffer and combined lookahead tables so that most
//     coefficients decode with a single table lookup.
//
// Inputs this package does not handle (arithmetic coding, lossless,
// hierarchical, 12-bit samples, CMYK/YCCK/RGB colour, unusual sampling
// factors) are reported as UnsupportedError; callers should fall back to
// image/jpeg only in that case. Malformed input is reported as FormatError.
//
// Truncated or corrupt data: a missing EOI is tolerated. When a scan's
// entropy-coded data runs out (end of input or an unexpected marker), the
// decoder stops decoding until the next restart marker: remaining blocks of
// a sequential scan are filled mid-grey, and a progressive scan keeps the
// coefficients decoded so far. Truncated files therefore decode to a
// partial image without error (image/jpeg fails on many of them); a file
// without any scan is a FormatError. Work is bounded by the frame size
// and the number of scans, so no input can loop forever.
package jpegdec
