// Package vp8dec decodes VP8 key frames, the lossy bitstream of WebP,
// written here from RFC 6386: the frame header, the boolean entropy
// decoder, segmentation, token partitions, intra prediction (16x16, 4x4
// subblock modes with their contexts, chroma), coefficient tokens,
// dequantisation, the inverse WHT and DCT and the normal and simple loop
// filters. Its output is the frame's YCbCr 4:2:0 planes in VP8's video
// range, cropped to the frame's size; with the loop filter on they equal
// libwebp's (dwebp -yuv) sample for sample, which the tests check over a
// matrix of cwebp settings.
//
// It does not read the RIFF container (see internal/webpmeta), alpha
// (ALPH) or lossless (VP8L) data, nor inter frames (ErrUnsupported).
//
// Cost: the planes, 1.5 bytes a pixel of the frame rounded up to whole
// 16x16 macroblocks, allocated after the header passed Options.MaxPixels,
// plus about 50 bytes per macroblock column; DecodeRows holds a window of
// 20 luma and 2 x 12 chroma rows instead of the planes (32 bytes per
// pixel of width rounded up to 16: 128 KiB at 4096) and hands each row
// over as soon as it is final; time linear in macroblocks
// plus coefficient data (on one core of a loaded 2-core machine, a
// 4096x4096 photo of 4.2 MB takes 0.44 s of CPU, 0.29 s without the loop
// filter; x/image/webp 0.62 s). Most of it is the coefficient tokens: the
// boolean decoder keeps the range minus one, compares the 8-bit window
// with the split without shifting the split, normalises by table lookup
// rather than counting leading zeros, and reads coefficient signs without
// a branch; the token loop holds its state in registers. The loop filter
// is most of the rest. The context is checked before each macroblock
// row. Damaged input is an error wrapping ErrFormat; a partition that
// runs out is decoded as zeros for at most two bytes, then refused.
package vp8dec
