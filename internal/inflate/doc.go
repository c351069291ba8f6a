// Package inflate decodes zlib streams (RFC 1950) of DEFLATE data (RFC
// 1951) held in memory, for internal/pngdec's IDAT chunks.
//
// We wrote our own because the libraries measured too slow for PNG
// sources: inflating the corpus PNG's image data (1920x1280 RGB, 7.4 MB
// inflated, read row by row) took 33.2 ms of thread CPU with
// compress/zlib, 27.4 ms with github.com/klauspost/compress/zlib and
// 13.7 ms with this package (pngdec's BenchmarkInflate, -count 6
// interleaved, benchstat, on the shared 2-core machine), when inflating
// was about 63% of the CPU of a 150x150 resize of that file.
//
// What makes it fast: the input is read in place from its pieces, with a
// 64-bit bit buffer refilled by one 8-byte load (bytes one by one only
// within 8 bytes of a piece's end); one table lookup resolves a literal,
// or a length or distance with its extra-bit count, whose bits then come
// out of the same buffer (codes over 11 or 8 bits go through subtables);
// up to three literals or one length-distance pair per refill; matches
// are copied 8 bytes at a time, short periods widened to 8 first; and
// Adler-32 is summed 32 bytes a turn in 16-bit lanes.
//
// Memory: a Reader decodes into a window of its own (32 KiB of history
// plus 128 KiB of output per fill, about 180 KiB in all with its tables),
// whatever the inflated size, so that pngdec keeps streaming rows: a
// whole-stream buffer would be the full filtered picture (200 MB for 50
// megapixels of RGBA). Each Read that finds the window drained decodes at
// most 128 KiB, so a caller checking its context between Reads stops
// soon.
//
// It accepts what compress/flate accepts: complete Huffman codes, a
// single one-bit code, an empty code (an error once used); it refuses
// oversubscribed and other incomplete codes, more than 286 length or 30
// distance codes, a repeat with nothing before it or past the end,
// reserved block types and symbols, stored blocks whose LEN and NLEN
// disagree, distances past the start of the output, and (zlib) a method
// other than DEFLATE, a window over 32 KiB, a bad header check, a preset
// dictionary and a wrong Adler-32. Truncation is io.ErrUnexpectedEOF.
package inflate
