package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGCPercent(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tt := range []struct {
		live, scan, floor uint64
		want              int
	}{
		{1 * mib, 2 * mib, 32 * mib, 825},   // the runtime's minimum goal binds
		{7 * mib, 8 * mib, 32 * mib, 400},   // the scanned bytes bind
		{14 * mib, 16 * mib, 32 * mib, 200}, // likewise
		{30 * mib, 31 * mib, 32 * mib, 103}, // nearly GOGC=100
		{32 * mib, 33 * mib, 32 * mib, 100}, // from the floor on: GOGC=100
		{200 * mib, 201 * mib, 32 * mib, 100},
		{0, 0, 32 * mib, 100},
	} {
		got := gcPercent(tt.live, tt.scan, tt.floor)
		assert.Equal(t, tt.want, got, "live %d scan %d", tt.live, tt.scan)
		// The runtime's goal at that GOGC is about floor above live.
		goal := max(float64(tt.live)+float64(tt.scan)*float64(got)/100, runtimeHeapMinimum*float64(got)/100)
		if got > 100 {
			assert.InEpsilon(t, float64(tt.live+tt.floor), goal, 0.02, "live %d scan %d", tt.live, tt.scan)
		}
	}
}

// TestGCFloorTunes: the floor tunes after a real collection, and an
// operator's GOGC turns it off.
func TestGCFloorTunes(t *testing.T) {
	// Not parallel: it sets the process's GOGC.
	off, stop := startGCFloor(defaultGCFloor, func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	assert.Nil(t, off, "GOGC set: the operator's setting is kept")
	stop()
	g, stop := startGCFloor(defaultGCFloor, func(string) string { return "" })
	defer stop()
	deadline := time.After(30 * time.Second) // a hang guard only
	for done := false; !done; {
		runtime.GC()
		select {
		case <-g.tuned:
			done = true
		case <-deadline:
			require.FailNow(t, "no collection tuned GOGC")
		default:
		}
	}
	assert.GreaterOrEqual(t, g.percent.Load(), int32(100))

	// The runtime's next goal is about the floor above the live heap
	// (stacks and globals counted, as the runtime counts them).
	g2, stop2 := startGCFloor(defaultGCFloor, func(string) string { return "" })
	defer stop2()
	<-waitTuned(t, g2)
	runtime.GC() // collects with the GOGC just set
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	goal, live := s[0].Value.Uint64(), s[1].Value.Uint64()
	t.Logf("goal %d KiB, live %d KiB, GOGC %d", goal>>10, live>>10, g2.percent.Load())
	if live < defaultGCFloor/2 {
		assert.InDelta(t, float64(live+defaultGCFloor), float64(goal), defaultGCFloor/4,
			"goal %d MiB, live %d MiB", goal>>20, live>>20)
	}
}

// waitTuned collects until g has tuned once.
func waitTuned(t *testing.T, g *gcFloor) <-chan struct{} {
	deadline := time.After(30 * time.Second) // a hang guard only
	for {
		runtime.GC()
		select {
		case <-g.tuned:
			return g.tuned
		case <-deadline:
			require.FailNow(t, "no collection tuned GOGC")
		default:
		}
	}
}
