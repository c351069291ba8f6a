package main

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGCPercent(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tt := range []struct {
		live, floor uint64
		want        int
	}{
		{1 * mib, 32 * mib, 3200},
		{2 * mib, 32 * mib, 1600},
		{16 * mib, 32 * mib, 200},
		{31 * mib, 32 * mib, 103},
		{32 * mib, 32 * mib, 100},
		{200 * mib, 32 * mib, 100},
		{0, 32 * mib, 100},
		{1 << 10, 32 * mib, maxGCPercent},
	} {
		got := gcPercent(tt.live, tt.floor)
		assert.Equal(t, tt.want, got, "live %d floor %d", tt.live, tt.floor)
		if tt.live > 0 && tt.live < tt.floor && got < maxGCPercent {
			// The next goal, live x (1 + GOGC/100), is about floor above live.
			assert.InEpsilon(t, float64(tt.live+tt.floor), float64(tt.live)*float64(100+got)/100, 0.01)
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
}
