// Package avif writes AVIF pictures for imgproxy with libavif and libaom,
// and reads AVIF sources with libavif (see Decoder), through
// github.com/gen2brain/avif, which runs them compiled to
// WebAssembly under wazero: no cgo. Importing this package is what links
// that runtime and gen2brain's embedded modules (862 kB gzipped for the
// encoder, 287 kB for the decoder); a server that does not serve AVIF
// does not pay for them. Note that gen2brain/avif, like gen2brain/webp,
// registers its decoder with image.RegisterFormat in an init function.
//
// Register it with a resizer's table of encoders:
//
//	r := &imgproxy.BildResizer{
//		Encoders: map[imgproxy.Format]imgproxy.Encoder{
//			imgproxy.FormatAVIF: &avif.Encoder{},
//		},
//	}
//
// # Reading AVIF sources
//
// Decoder reads AVIF originals, registered with a resizer's table of
// decoders (the root package reads the header itself, in pure Go):
//
//	r := &imgproxy.BildResizer{
//		Decoders: map[imgproxy.Format]imgproxy.Decoder{
//			imgproxy.FormatAVIF: avif.Decoder{},
//		},
//	}
//
// It decodes the primary item (the first frame of a sequence) whole with
// gen2brain/avif's decoder module, instantiated afresh for each call, as
// *image.RGBA (8-bit) or *image.RGBA64 (10 and 12 bits, scaled to 16).
// Measured on 4000x3000 avifenc files (a throwaway program reading
// runtime.MemStats around Decode, WebAssembly build, shared 2-core Xeon):
// the Go heap in use rose by at most 51 bytes a pixel for 8-bit 4:2:0, 87
// for 10-bit 4:2:0 and 107 for 10-bit 4:4:4 (the module's linear memory,
// grown by doubling, holds the file, the planes and an RGB copy beside the
// result copied out), in 1.8-1.9 s, 3.1-4.5 s and 5.3-6.1 s; 9 MB were
// allocated for a 64x48 file. The root package charges 56 or 112 bytes a
// pixel plus 8 MiB at admission. The first decode in a process compiles
// the decoder module (0.7 s and 30 MB more); call
// github.com/gen2brain/avif.InitDecoder at start-up to pay it before.
//
// # What is written
//
// A single 8-bit YUV 4:2:0 image item (with an alpha auxiliary item when
// the picture has transparency). Only the first frame of an animation is
// written. libavif's output carries a colr box of type 'nclx'; when the
// picture has an ICC profile, this package adds a colr box of type 'prof'
// holding it: appended to the item property container (ipco), associated
// (non-essential) with the primary item in ipma (whose indices are widened
// from 7 to 15 bits if the new index needs it), with the sizes of iprp and
// meta fixed up and every absolute iloc offset past the meta box moved by
// the bytes it grew. avifdec --info reports the profile and exiftool
// -ICC_Profile returns its bytes unchanged.
//
// # libavif: WebAssembly or the system library
//
// gen2brain/avif decides once, in its init, as gen2brain/webp does: if the
// executable is dynamically linked and dlopen (via purego) finds
// "libavif.so" (the unversioned name, from Debian's libavif-dev), it uses
// the system library, whose version and codecs depend on the host;
// otherwise the embedded WebAssembly build. Build with -tags nodynamic to
// always use the WebAssembly build; github.com/gen2brain/avif.Dynamic()
// returns nil when the system library is in use. Its runtime and compiled
// encoder module are package state, built once per process; each Encode
// instantiates a fresh module.
//
// # Cost
//
// Measured on a 2-core Intel Xeon (shared), WebAssembly build, thumbnails
// of samples/landscape.jpg at q60 (go test -run '^$' -bench . -benchtime
// 10x ./avif/); ms per thumbnail and file bytes by libaom speed:
//
//	speed    150x150          640x480
//	6        103 ms  1264 B   789 ms  3630 B
//	8         42 ms  1428 B   332 ms  3964 B
//	9        8.9 ms  1641 B   144 ms  5922 B
//	10       8.0 ms  1641 B   109 ms  5922 B   <- DefaultSpeed
//
// Speed 10 gives the same bytes as 9 and is the fastest; at 640x480 it
// still costs 24 times our JPEG encoder (4.6 ms for 16892 B at q75), for
// 35% of JPEG's bytes at 38.6 dB PSNR (JPEG q75: 38.1 dB; 150x150: 32.2
// dB at 1641 B against JPEG's 31.3 dB at 2723 B). Each encode allocates
// 17 MB (150x150) or 55 MB (640x480), mostly the module's memory: AVIF
// should be behind the server's transform limiter.
//
// The first Encode in a process compiles the module: 3.0 s on a busy
// machine, 1.2 s on a quiet one, then 13-18 ms for the next 150x150
// encode; VmRSS grows by 53-87 MB and runtime.MemStats.Sys by 72-80 MB
// (go run ./bench/codeccost -codec avif, which also says which build of
// libavif was loaded). Call github.com/gen2brain/avif.InitEncoder at
// start-up to pay that before the first request.
package avif
