package imgproxy

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// admission is a BildResizer's limiter. A transform is admitted when it
// holds one CPU slot for its whole run (decode, transform, encode: the
// steps that use one core) and its weight, the bytes it will hold at its
// peak, within the memory budget. The parallel steps (resampling,
// sharpening, colour conversion) borrow the free slots around themselves
// only, and give them back as soon as the step ends, so that a slow
// transform holds one core's share, never every slot.
//
// Waiting is bounded twice: at most maxQueue transforms wait at once
// (one more is refused at once), and none waits longer than maxWait.
// Both golang.org/x/sync/semaphore queues are FIFO, so a heavy transform
// at the head is not starved by lighter ones behind it.
type admission struct {
	slots    *semaphore.Weighted
	n        int64 // CPU slots
	mem      *semaphore.Weighted
	budget   int64 // bytes; 0: no memory bound
	maxQueue int64 // transforms allowed to wait; 0: none
	maxWait  time.Duration
	waiting  atomic.Int64
}

func newAdmission(slots, budget int64, maxQueue int, maxWait time.Duration) *admission {
	a := &admission{slots: semaphore.NewWeighted(slots), n: slots, budget: max(budget, 0), maxWait: maxWait}
	if a.budget > 0 {
		a.mem = semaphore.NewWeighted(a.budget)
	}
	a.maxQueue = int64(max(maxQueue, 0))
	return a
}

// errQueueFull and errWaitedTooLong are why a transform was not admitted.
var (
	errQueueFull     = errors.New("the admission queue is full")
	errWaitedTooLong = errors.New("waited too long for admission")
)

// admit waits for one CPU slot and weight bytes of the budget. A weight
// over the whole budget is ErrTooLarge: it could never be admitted.
// Refusals for capacity (queue full, waited past maxWait or ctx's end)
// are ErrOverloaded.
func (a *admission) admit(ctx context.Context, weight int64) (release func(), err error) {
	if a.tooHeavy(weight) {
		return nil, fmt.Errorf("%w: the transform needs %d MiB, over the memory budget of %d MiB",
			ErrTooLarge, weight>>20, a.budget>>20)
	}
	if !a.tryMem(weight) {
		if err := a.wait(ctx, func(ctx context.Context) error { return a.mem.Acquire(ctx, weight) }); err != nil {
			return nil, err
		}
	}
	if !a.slots.TryAcquire(1) {
		if err := a.wait(ctx, func(ctx context.Context) error { return a.slots.Acquire(ctx, 1) }); err != nil {
			a.releaseMem(weight)
			return nil, err
		}
	}
	return func() {
		a.slots.Release(1)
		a.releaseMem(weight)
	}, nil
}

// tooHeavy reports whether weight is over the whole budget.
func (a *admission) tooHeavy(weight int64) bool { return a.mem != nil && weight > a.budget }

// wait runs acquire as one of the bounded queue, for at most maxWait.
func (a *admission) wait(ctx context.Context, acquire func(context.Context) error) error {
	if a.waiting.Add(1) > a.maxQueue {
		a.waiting.Add(-1)
		return fmt.Errorf("%w: %w", ErrOverloaded, errQueueFull)
	}
	defer a.waiting.Add(-1)
	wctx, cancel := context.WithTimeoutCause(ctx, a.maxWait, errWaitedTooLong)
	defer cancel()
	if err := acquire(wctx); err != nil {
		return fmt.Errorf("%w: waiting for admission: %w", ErrOverloaded, context.Cause(wctx))
	}
	return nil
}

// borrow takes the free CPU slots, up to want-1 more than the one the
// caller holds, for one parallel step; nothing while transforms are
// waiting, whose turn it is. It returns the workers the step may use
// (at least 1) and the function that gives the borrowed slots back.
func (a *admission) borrow(want int) (workers int, giveBack func()) {
	workers = 1
	if a.waiting.Load() == 0 {
		for workers < want && int64(workers) < a.n && a.slots.TryAcquire(1) {
			workers++
		}
	}
	if workers == 1 {
		return 1, func() {}
	}
	return workers, func() { a.slots.Release(int64(workers - 1)) }
}

// tryMem takes weight bytes of the budget if they are free now; with no
// budget, always.
func (a *admission) tryMem(weight int64) bool {
	return a.mem == nil || a.mem.TryAcquire(weight)
}

// releaseMem gives weight bytes back to the budget, if there is one.
func (a *admission) releaseMem(weight int64) {
	if a.mem != nil {
		a.mem.Release(weight)
	}
}
