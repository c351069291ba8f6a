// Package pngmeta reads and writes the metadata chunks of PNG files (PNG
// specification, 3rd edition) without touching their pixels.
//
// Read walks the chunk structure from IHDR to the first IDAT and reports
// the header (size, bit depth, colour type, interlacing), whether a tRNS
// chunk adds transparency, and the colour and orientation metadata the
// pipeline must carry: the ICC profile of an iCCP chunk (decompressed),
// the EXIF block of an eXIf chunk, sRGB and gAMA. InsertICC writes a
// profile back into an encoded PNG.
//
// Why our own: image/png decodes pixels but exposes no ancillary chunk,
// so a profile or an EXIF orientation would be lost on the way through,
// and image/png.Encoder has no way to write one.
//
// Cost and worst cases: Read reads only chunk framing and the few small
// chunks it interprets; it never inflates IDAT data. The only allocation
// that depends on the input is the ICC profile, bounded by MaxICCSize
// (4 MiB) however small the compressed chunk (zip bombs are cut off after
// MaxICCSize+1 bytes of output), plus a copy of the eXIf payload (at most
// the input's size). CRCs are checked for IHDR and the ancillary chunks
// Read interprets (iCCP, sRGB, gAMA, tRNS, eXIf), not for PLTE, IDAT or
// unknown chunks: image/png checks them when it decodes. InsertICC copies
// the input once (O(len(png)) time and memory) plus the compressed
// profile. Measured with throwaway benchmarks of Read (one core of a
// 2-core Xeon): 20 MB of empty chunks before IDAT take 79 ms and make
// one 4-byte allocation per chunk (1.7 million, 7 MB of garbage); an
// iCCP chunk of 65 KB inflating to 64 MiB is cut off at MaxICCSize+1
// bytes in 6.6 ms, 10 MB allocated. Pixels are decoded by image/png,
// whose worst case the root package states at decodePNG.
//
// What the pipeline can rely on from image/png is pinned by
// TestStdlibDecodesEveryKind: every colour type (0, 2, 3, 4, 6) at every
// bit depth the spec allows (1, 2, 4, 8, 16), interlaced or not, with tRNS
// on grey, RGB and palette images, decodes to the exact colours written.
package pngmeta
