// Package webp writes WebP pictures for imgproxy: stills (lossy or
// lossless, with the source's ICC profile) and animations (every frame of
// a GIF or animated WebP source). It encodes with libwebp through
// github.com/gen2brain/webp, which runs libwebp compiled to WebAssembly
// under wazero: no cgo. Importing this package is what links that
// runtime and gen2brain's embedded module (162 kB gzipped); a server that
// does not serve WebP does not pay for it. Note that gen2brain/webp
// registers its decoder with image.RegisterFormat in an init function.
//
// Register it with a resizer's table of encoders:
//
//	r := &imgproxy.BildResizer{
//		Encoders: map[imgproxy.Format]imgproxy.Encoder{
//			imgproxy.FormatWebP: &webp.Encoder{},
//		},
//	}
//
// # What is written
//
// A still picture without a profile is libwebp's output as it is (VP8 or
// VP8L, with VP8X and ALPH when it has transparency). With a profile the
// file is re-muxed into the extended format: VP8X (ICC flag, alpha flag if
// the image has an ALPH chunk or a VP8L alpha bit, canvas size), ICCP, then
// the image chunks.
//
// An animation (Picture.Animated) has each frame encoded as a still, whose
// ALPH and VP8/VP8L chunks become the frame's ANMF chunk: VP8X (animation
// flag, alpha flag if any frame has alpha, ICC flag), ICCP if any, ANIM
// (transparent background, loop count = Picture.LoopCount: 0 forever in
// both), and one ANMF per frame at (0, 0) covering the canvas, for the
// frame's delay rounded to the millisecond, with "do not blend" and no
// disposal, as the frames are already full-canvas composites. Every frame
// must have the size of the first.
//
// # libwebp: WebAssembly or the system library
//
// gen2brain/webp decides once, in its init, which libwebp it calls: if the
// executable is dynamically linked and dlopen (via purego) finds both
// "libwebp.so" and "libwebpdemux.so" (the unversioned names, installed by
// Debian's libwebp-dev), it calls that system library; otherwise the
// embedded WebAssembly build. The system library is faster but its version,
// and so its output, depends on the host. Build with
//
//	go build -tags nodynamic
//
// to always use the WebAssembly build (gen2brain/avif honours the same
// tag); github.com/gen2brain/webp.Dynamic() returns nil when the system
// library is in use.
//
// The WebAssembly runtime and compiled module are package state of
// gen2brain/webp, built once per process on the first call; every Encode
// then instantiates a fresh module (its own linear memory), so concurrent
// calls do not share state.
//
// # Cost
//
// Measured on a 2-core Intel Xeon (shared), WebAssembly build, thumbnails
// of samples/landscape.jpg at q80 (go test -run '^$' -bench . -benchtime
// 40x ./webp/); ms per thumbnail and file bytes by libwebp method:
//
//	method   150x150          640x480
//	0        2.2 ms  2380 B   17.8 ms  10600 B
//	1        2.8 ms  2074 B   24.3 ms   9022 B
//	2        3.4 ms  1690 B   30.4 ms   7868 B   <- DefaultMethod
//	3        7.2 ms  1586 B   76.0 ms   7404 B
//	4        7.4 ms  1584 B   76.0 ms   7426 B
//	JPEG q75 0.43 ms 2723 B    4.6 ms  16892 B   (internal/jpegenc)
//
// Method 2 is the knee: within 7% of method 4's bytes at less than half
// its time. Its PSNR is 32.4 dB (150x150) and 39.4 dB (640x480) against
// JPEG q75's 31.3 and 38.1 dB, at 62% and 47% of JPEG's bytes. Each
// encode allocates 0.94 MB (150x150) or 7.7 MB (640x480), mostly the
// module's memory.
//
// The first Encode in a process compiles the module: 0.25-0.6 s (2.4 s
// with other processes busy), then 4-12 ms for the next 150x150 encode;
// the process's VmRSS grows by 19-26 MB and runtime.MemStats.Sys by 18 MB
// (go run ./bench/codeccost -codec webp, which also says which build of
// libwebp was loaded). Call github.com/gen2brain/webp.Init at start-up to
// pay that before the first request.
package webp
