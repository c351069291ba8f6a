package avif

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// TestFirstCallCost measures, in a fresh process, the first Encode (which
// compiles the WebAssembly module) against the second, and the memory
// held afterwards. It runs only when asked:
//
//	IMGPROXY_COST=1 go test -count 1 -run TestFirstCallCost -v ./avif/
func TestFirstCallCost(t *testing.T) {
	if os.Getenv("IMGPROXY_COST") == "" {
		t.Skip("set IMGPROXY_COST=1 to measure (alone, in a fresh process)")
	}
	p := &picture.Picture{Image: photo(t, 150, 150)}
	e := &Encoder{}
	rss0, sys0 := vmRSS(t), sys()
	for i := range 3 {
		start := time.Now()
		if err := e.Encode(&bytes.Buffer{}, p, picture.EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		t.Logf("encode %d: %v; VmRSS %+d kB, MemStats.Sys %+d kB since start",
			i+1, time.Since(start).Round(100*time.Microsecond), vmRSS(t)-rss0, (sys()-sys0)/1024)
	}
}

func sys() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.Sys)
}

// vmRSS is the resident set size in kB from /proc/self/status.
func vmRSS(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")) {
				kb = kb*10 + int64(c-'0')
			}
			return kb
		}
	}
	t.Skip("no VmRSS")
	return 0
}
