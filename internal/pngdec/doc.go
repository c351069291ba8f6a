// Package pngdec decodes the pixels of PNG files (PNG specification, 3rd
// edition; RFC 2083), written here from the specification.
//
// Parse checks the signature, the chunk framing and the CRC of every
// chunk up to IEND (a critical chunk's bad CRC is an error, an ancillary
// chunk with a bad CRC is discarded, as libpng does by default), the
// chunk order, and reads IHDR, PLTE and tRNS.
// Decode returns the whole picture in the type and with the pixels
// image/png returns for it; Rows hands a non-interlaced picture over row
// by row, so that a caller reducing it never holds the full-size image.
// Metadata chunks (iCCP, sRGB, gAMA, eXIf) are left to internal/pngmeta.
//
// Why our own: image/png holds the whole picture at its stored depth
// (up to 8 bytes a pixel, and each Adam7 pass again in an image of its
// own), offers no row hook, and reads its input through a 4 KiB buffer
// of its own.
//
// Cost and worst cases: time linear in the inflated data, height x (1 +
// width x bytes per pixel) bytes, whatever the file's size (deflate
// expands up to about 1000:1); the check function is called every 16 KiB
// of it. Memory: Parse allocates only the 256-entry palette and one slice
// header per IDAT chunk; Rows holds two raw rows and one converted row;
// Decode holds those plus its result (and one scratch row for Adam7),
// refusing a picture over its pixel limit before allocating anything.
package pngdec
