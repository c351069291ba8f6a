package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// defaultGCFloor is how much the heap may grow between two collections
// at least, while the live heap is small. A server answering hits keeps
// almost nothing live (a megabyte or two) and allocates a few kilobytes
// per request in net/http, so with GOGC=100 alone the runtime's 4 MiB
// minimum goal means a collection every few hundred requests: over a
// hundred a second, measured at 5-7% of the CPU of disk-tier hits. With
// the floor, a collection comes every ~32 MiB allocated; a live heap of
// 32 MiB or more (pictures being decoded) collects exactly as GOGC=100
// does, so the peak heap of large pictures does not move.
const defaultGCFloor = 32 << 20

// gcFloor keeps the goal of each collection about floor bytes above the
// live heap it found, by setting GOGC after every collection (see
// gcPercent). The memory limit (setMemoryLimit) still bounds it all.
// startGCFloor makes one; the zero value is not used.
type gcFloor struct {
	floor   uint64
	sample  []metrics.Sample
	percent atomic.Int32 // GOGC last set
	stopped atomic.Bool
	tuned   chan struct{} // closed after the first tune, for tests
	once    atomic.Bool
}

// gcSentinel is garbage whose finalizer runs after each collection; it
// holds a pointer, so it is not a tiny allocation (whose finalizer may
// never run).
type gcSentinel struct{ g *gcFloor }

// startGCFloor starts a gcFloor of floor bytes, unless GOGC is set (the
// operator's setting is kept) or floor is 0: then g is nil. stop ends it
// and restores GOGC=100.
func startGCFloor(floor uint64, getenv func(string) string) (g *gcFloor, stop func()) {
	if floor == 0 || getenv("GOGC") != "" {
		return nil, func() {}
	}
	g = &gcFloor{floor: floor, tuned: make(chan struct{}),
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}}
	g.percent.Store(100)
	g.arm()
	return g, func() {
		if !g.stopped.Swap(true) {
			debug.SetGCPercent(100)
		}
	}
}

// arm makes garbage whose finalizer tunes g after the next collection.
func (g *gcFloor) arm() {
	runtime.SetFinalizer(&gcSentinel{g: g}, func(s *gcSentinel) {
		if s.g.stopped.Load() {
			return
		}
		s.g.tune()
		s.g.arm()
	})
}

// tune sets GOGC for the live heap, stacks and globals the last
// collection found.
func (g *gcFloor) tune() {
	metrics.Read(g.sample)
	var v [3]uint64 // live heap, stacks, globals
	for i, s := range g.sample {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	p, last := gcPercent(v[0], v[0]+v[1]+v[2], g.floor), int(g.percent.Load())
	// Small changes are not worth the runtime's heap lock; once stopped,
	// GOGC stays as stop left it.
	if d := p - last; (d > last/8 || -d > last/8) && !g.stopped.Load() {
		debug.SetGCPercent(p)
		g.percent.Store(int32(p))
	}
	if !g.once.Swap(true) {
		close(g.tuned)
	}
}

// runtimeHeapMinimum is the Go runtime's smallest goal at GOGC=100; it
// scales with GOGC.
const runtimeHeapMinimum = 4 << 20

// gcPercent is the GOGC that puts the next goal about floor bytes above
// live, the live heap, for scan bytes of live heap, stacks and globals;
// never under 100. The runtime's goal is the larger of live + scan x
// GOGC/100 and 4 MiB x GOGC/100, so GOGC is the smaller of the values
// that put each at live + floor.
func gcPercent(live, scan, floor uint64) int {
	if scan == 0 || scan >= floor {
		return 100
	}
	p := min(100*floor/scan, 100*(live+floor)/runtimeHeapMinimum)
	return int(max(p, 100))
}
