// Package jpegdec is a shrink-on-load JPEG decoder.
//
// It decodes baseline (SOF0/SOF1) and progressive (SOF2) Huffman-coded
// and sequential (SOF9) and progressive (SOF10) arithmetic-coded 8-bit
// JPEG images directly at 1/1, 1/2, 1/4 or 1/8 of their size by
// running a reduced ("scaled") inverse DCT on the low-frequency corner of
// every 8x8 block: 8, 4, 2 or 1 output samples per block side. Chroma is
// kept as subsampled planes in an *image.YCbCr, exactly as stored.
//
// Colour spaces (Config.ColorSpace, decided as libjpeg does):
//
//   - 1 component: gray, an *image.Gray.
//   - 3 components: YCbCr (an *image.YCbCr with ratio 444, 422, 420,
//     440, 411 or 410), unless the file has an Adobe APP14 marker with
//     transform 0 and no JFIF marker, or component ids 'R', 'G', 'B':
//     then RGB, returned as an opaque *image.RGBA.
//   - 4 components: an opaque *image.RGBA (alpha 255, so the same bytes
//     are valid NRGBA) with the colours browsers show (Chromium and
//     Firefox decode with libjpeg-turbo). Adobe APP14 transform 0 is
//     Photoshop-style inverted CMYK: a stored sample s is 255 minus the
//     ink, so R = sC·sK/255, G = sM·sK/255, B = sY·sK/255. Any other
//     transform (2, or the undefined 1, which libjpeg also treats so) is
//     YCCK: the YCbCr samples are turned into R', G', B' with the JFIF
//     equations (R' = Y + 1.402 (Cr-128), G' = Y - 0.344136 (Cb-128) -
//     0.714136 (Cr-128), B' = Y + 1.772 (Cb-128)); the encoder coded the
//     inverted CMY as 255-R' etc., so R = (255-R')·sK/255 and so on,
//     with K stored inverted as in Adobe CMYK. Without an Adobe marker
//     the samples are plain ink amounts: R = (255-C)·(255-K)/255. Each
//     product is rounded to nearest. These match image/jpeg's
//     *image.CMYK converted with color.CMYKModel (which, unlike browsers,
//     rejects 4-component files without an Adobe marker) to a mean of
//     0.5 per channel; see TestDecodeConverted.
//
// Converted (RGBA) frames, which include YCbCr frames sampled other than
// as one of image.YCbCr's six ratios (Y 3x1 against chroma 1x1, chroma
// planes sampled unlike each other: libjpeg and browsers decode them,
// image/jpeg refuses them; converted with the JFIF equations), accept
// any sampling factors that divide the largest ones (a subsampled component is replicated, nearest
// neighbour, like image/jpeg does for CMYK; browsers interpolate) and
// are decoded at every scale with the same scaled IDCT. The component
// planes then hold only one MCU row at a time, converted as soon as it
// is complete, so the extra memory is a few rows: for progressive files
// always, for sequential files if the first scan interleaves all
// components (what encoders write). The worst case is a sequential file
// with one scan per component, which keeps the full planes (all
// components at 1/scale², as for YCbCr) beside the RGBA output
// (4 bytes per output pixel) until its last scan.
//
// Huffman tables: a scan that uses an undefined table 0 or 1 (files
// without DHT, such as Motion-JPEG frames) gets the typical tables of
// T.81 Annex K.3 (table 0 luminance, 1 chrominance), as in libjpeg.
//
// Metadata returns the EXIF payload and the ICC profile (joined from its
// APP2 chunks) by walking the marker segments before the first scan
// only; for CMYK files it reports the profile's colour space ("CMYK")
// so that callers drop it after the conversion to RGB (Meta.KeepICC).
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
//     block's coefficients, plus a 64-bit mask per block of which
//     coefficients are non-zero (all that exact refinement scans need of
//     those outside the corner, and what lets an end-of-band run of a
//     refinement pass a block with nothing to refine in one test): at
//     1/4 a 16 MB photo takes 11 MB instead of 79 MB;
//   - uses a 64-bit bit buffer and combined lookahead tables so that most
//     coefficients decode with a single table lookup.
//
// Inputs this package does not handle (lossless, hierarchical, 12-bit
// samples, sampling factors that do not divide the largest) are reported as UnsupportedError; callers should fall back to
// image/jpeg only in that case. Malformed input is reported as FormatError.
//
// Truncated or corrupt data: a missing EOI is tolerated. When a scan's
// entropy-coded data runs out (end of input or an unexpected marker), the
// decoder stops decoding until the next restart marker: remaining blocks of
// a sequential scan are filled mid-grey, and a progressive scan keeps the
// coefficients decoded so far. Truncated files therefore decode to a
// partial image without error (image/jpeg fails on many of them); a file
// without any scan is a FormatError. Arithmetic-coded scans cannot tell
// a cut from their end: T.81 D.2.6 lets an encoder drop the final zero
// bytes of a scan or restart interval, which the decoder reads as zeros
// after the marker (or the end of the input), so a truncated scan ends
// in what zeros decode to (usually flat blocks) instead of mid-grey.
// A value whose magnitude category or position overflows is a
// FormatError.
//
// # Arithmetic coding
//
// The QM-coder of T.81 Annex D (arith.go, with the probability estimation
// states of Table D.2) decodes the statistical models of F.1.4.4
// (sequential) and G.1.3 (progressive; arith_scan.go, arith_prog.go),
// conditioned as the DAC segments say (defaults L = 0, U = 1, Kx = 5).
// The statistics are reset at the start of every scan and restart
// interval, so the progressive scan plan, the k×k coefficient storage,
// the skipping of unneeded scans and Options.Approximate are those of
// Huffman-coded files: a file transcoded by jpegtran -arithmetic decodes
// to exactly the pixels of its Huffman-coded source at every scale, exact
// and approximate (TestArithmeticOracle). Scans are decoded one decision
// at a time, so there is no skipping of the AC coefficients of a
// sequential block at 1/8 and no end-of-band run: see BenchmarkArith for
// the cost against Huffman coding.
//
// # Hostile input and the worst case
//
// A progressive scan can code millions of blocks in a few bytes (one
// end-of-band run per 32767 blocks), so a small file of many scans costs
// as much as many large pictures: a 171 KB 7000x7000 file of one DC scan
// and 999 AC refinement scans (hostile.ScanBomb) made this decoder,
// before it had the bounds below, walk 48 billion coefficients (74 s).
// Before allocating anything, Decode walks the markers of a progressive
// file and admits its scan script, refusing it with a FormatError unless
//
//   - each scan obeys T.81 G.1.1.1 (as libjpeg does, fatally): DC scans
//     Ss = Se = 0, AC scans 1 <= Ss <= Se <= 63 of one component,
//     Al <= 13, and Al = Ah-1 in refinements (Ah > 0);
//   - the order obeys G.1.1.1.1-2, per component and coefficient, as an
//     error where libjpeg only warns: the component's DC before any AC,
//     each coefficient's first scan with Ah = 0 and every later one a
//     refinement whose Ah is the previous scan's Al (so nothing after
//     Al = 0);
//   - there are at most 100 scans (real encoders write 3 to 18);
//   - the work is bounded: with B the frame's blocks (8x8 blocks of all
//     components, MCU-padded: W·H/64 for grey, 1.5 times that for 4:2:0,
//     3 for 4:4:4, 4 for CMYK), the scans together code at most 320·B
//     units, where a scan costs 4 units per block it codes plus one per
//     coefficient of its band, and DC scans at most 4·B blocks.
//
// Real scripts use 24-67% of the work bound (libjpeg's default 52-67%,
// jpegtran -optimize the same, ImageMagick's CMYK 67%) and at most half
// the DC bound; a mozjpeg-like script 80-87%; coding every coefficient
// from Al = 3 down uses 90% and all of the DC bound (TestRealEncoders).
// T.81 itself would allow 896 units per block and 14 DC scans, which no
// encoder writes.
//
// The worst case of a decode is then, for an input of n bytes and a
// frame of B blocks: O(n) for the header walk and the reading of the
// entropy-coded data (skipped scans are searched for their end at memchr
// speed); at most 320·B units of scan walking, where the rest of an
// end-of-band run costs nothing per block in a first scan and one test of
// the block's non-zero mask in a refinement (plus a correction bit per
// non-zero coefficient, which the data must carry); at most 100 scan
// setups and 4·B DC block visits; one scaled IDCT per block. Huffman
// tables are built for decoded scans only (a DHT segment is just stored),
// so table segments cost what they weigh. Memory does not depend on the
// scans: the output planes and the coefficient storage given at
// Options.MaxPixels, plus one bool per scan. Sequential files decode at
// most one scan per component (further scans are skipped).
//
// Measured (BenchmarkScanBomb, CPU time of the decoding thread; worst of
// the files worstScript builds to sit right under the bounds for each
// scale): at 1/1, 1/2 and 1/4 the worst admitted 2000x2000 and
// 7000x7000 files (grey and 4:2:0) decode in 0.1-0.55 times the time of
// a photo-like file of the same size and sampling, written by cjpeg
// -progressive or by our encoder; at 1/8, where only DC scans are
// decoded, in 0.9-1.2 times that of cjpeg's file and 1.1-1.9 times that
// of our encoder's (which has a single DC scan). The probe's file and
// hostile.DeepBomb are refused in 10-40 µs.
//
// Arithmetic-coded progressive files (SOF10) are admitted by the same
// rules. Their scans have no end-of-band runs: every block a scan codes
// costs at least one decision of the QM-coder, which a run of similar
// blocks codes in a small fraction of a bit, so the bytes do not bound
// the work, the admission does. The worst scripts it admits that
// jpegtran can write (Al <= 10), transcoded to arithmetic coding, cost at
// 2000x2000 (grey and 4:2:0) at most 2.0 times an arithmetic-coded cjpeg
// -progressive photo at 1/2, 1.2 at 1/4, 0.45 at 1/1 and 0.25 at 1/8
// (BenchmarkArithBomb). Sequential arithmetic-coded data costs up to
// about 30 decisions per coefficient: uniform noise at quality 100 takes
// 8 times its Huffman-coded decode (BenchmarkArith).
//
// DecodeContext stops a decode when its context ends, checking before
// the decode, between scans and every 16 rows of blocks or 16384 blocks
// inside scans and the reconstruction.
package jpegdec
