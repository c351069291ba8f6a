// Package jpegenc is a pure-Go JPEG encoder that writes baseline (SOF0)
// or progressive (SOF2) files straight from *image.YCbCr planes.
//
// Why not image/jpeg: the standard encoder only writes baseline JPEG, while
// our defaults follow the nginx image_filter recipe (quality 75,
// "image_filter_interlace on", i.e. progressive output). It also converts
// every 8x8 block through the generic image.Image path, whereas our
// thumbnails already are 4:2:0 *image.YCbCr planes from internal/resample;
// this package reads those planes directly.
//
// Design (written from ITU-T T.81):
//
//   - Quantisation: the Annex K.1 example tables scaled with the usual IJG
//     quality formula, written as two 8-bit DQT tables (luma, chroma).
//   - Forward DCT: the Arai-Agui-Nakajima factorisation in float32 (5
//     multiplications per 8-point pass); its output scale factors are
//     folded into the reciprocal quantiser, so quantising is one
//     multiply-and-round per coefficient.
//   - All quantised coefficients of the image are kept in memory as int16
//     (2 bytes per coded sample: 3 bytes per pixel for 4:2:0 colour, e.g.
//     ~48 MB for 4000x4000, 0.8 MB for 640x400). This lets every scan,
//     baseline included, be entropy-coded twice: a first pass gathers
//     symbol statistics, from which optimal Huffman tables are built
//     (Annex K.2, code lengths limited to 16 bits); the second pass writes.
//   - Colour images are always coded as YCbCr 4:2:0 (H=V=2 for Y), like
//     libjpeg/libgd (nginx) and image/jpeg defaults. 4:2:0 *image.YCbCr
//     with an even origin is coded straight from its planes; other YCbCr
//     ratios (including 4:4:4, what internal/resample hands over) have
//     their chroma box-averaged to 4:2:0, and every other image type is
//     converted once to YCbCr 4:2:0. In both conversions each pixel's luma
//     is shifted to make up for the colour change the chroma averaging
//     causes (least squares over R, G, B; see lumaShift): 0 to +0.26 dB
//     PSNR on the corpus thumbnails (bench/quality, 150x150 and 640x480),
//     at the same file size within 1%.
//   - *image.Gray is coded as a single-component image.
//   - Options.ICC embeds an ICC profile as APP2 "ICC_PROFILE\x00"
//     segments right after the JFIF APP0: up to 65519 bytes
//     (MaxICCChunk) of profile per segment, sequence numbers from 1 and
//     the chunk count, as ICC.1 Annex B specifies; jpegdec.Metadata
//     reads them back.
//   - Alpha: like image/jpeg, colours are composited over black (RGBA
//     samples are used as stored, premultiplied; NRGBA and other types
//     are premultiplied by alpha first).
//   - Progressive mode uses spectral selection only (Ah=Al=0, no
//     successive approximation), with EOB runs: DC of all components
//     (interleaved), then Y 1-2, Cb 1-63, Cr 1-63, Y 3-63 (gray: DC, 1-2,
//     3-63). Every scan has its own optimal Huffman table. On our photo
//     thumbnails at q75 (150x94, 640x400) this gives 1930 and 14599 bytes
//     against 2128 and 14923 for libjpeg-turbo's cjpeg -progressive (whose
//     default script adds successive approximation) and 2323 and 17162
//     for image/jpeg baseline, at the same PSNR.
package jpegenc
