// Command codeccost measures what the WebAssembly-backed encoders cost a
// process on first use: which build of the library gen2brain loaded (a
// system library through purego, or its embedded WebAssembly), the first
// Encode (which compiles the module) against the next ones, and the
// resident memory held afterwards. Run it alone, one codec a process:
//
//	go run ./bench/codeccost -codec webp
//	go run ./bench/codeccost -codec avif
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"os"
	"runtime"
	"strings"
	"time"

	gavif "github.com/gen2brain/avif"
	gwebp "github.com/gen2brain/webp"

	"github.com/imgproxy-go/imgproxy/avif"
	"github.com/imgproxy-go/imgproxy/internal/codectest"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/webp"
)

func main() {
	codec := flag.String("codec", "webp", "webp or avif")
	n := flag.Int("n", 3, "encodes to time")
	flag.Parse()
	var e picture.Encoder
	var dynamic error
	switch *codec {
	case "webp":
		e, dynamic = &webp.Encoder{}, gwebp.Dynamic()
	case "avif":
		e, dynamic = &avif.Encoder{}, gavif.Dynamic()
	default:
		fmt.Fprintln(os.Stderr, "codeccost: -codec webp or avif")
		os.Exit(2)
	}
	if dynamic != nil {
		fmt.Printf("%s: embedded WebAssembly build (no system library: %v)\n", *codec, dynamic)
	} else {
		fmt.Printf("%s: system library through purego (build with -tags nodynamic for WebAssembly)\n", *codec)
	}
	p := &picture.Picture{Image: photo(150, 150)}
	rss0, sys0 := vmRSS(), memSys()
	for i := range *n {
		start := time.Now()
		if err := e.Encode(&bytes.Buffer{}, p, picture.EncodeOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, "codeccost:", err)
			os.Exit(1)
		}
		runtime.GC()
		fmt.Printf("encode %d of a 150x150 photo: %v; VmRSS %+d kB, MemStats.Sys %+d kB since start\n",
			i+1, time.Since(start).Round(100*time.Microsecond), vmRSS()-rss0, (memSys()-sys0)/1024)
	}
}

// photo is samples/landscape.jpg scaled to w x h when run from the
// repository root, else a generated gradient.
func photo(w, h int) image.Image {
	if f, err := os.Open("samples/landscape.jpg"); err == nil {
		defer f.Close()
		if m, _, err := image.Decode(f); err == nil {
			return codectest.Scale(m, w, h)
		}
	}
	return codectest.Gradient(w, h, false)
}

func memSys() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.Sys)
}

// vmRSS is the resident set size in kB from /proc/self/status (0 where
// there is none).
func vmRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(v), &kb)
			return kb
		}
	}
	return 0
}
