package imgproxy

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Observer is told about every request a Handler answers, once the
// answer is written: set it as Handler.Observer. Observe runs on the
// request's goroutine, so it must be quick and safe for concurrent use;
// r is the request as the Handler got it, and ev is valid only during
// the call (copy what is to be kept).
type Observer interface {
	Observe(r *http.Request, ev *Event)
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(r *http.Request, ev *Event)

// Observe calls f(r, ev).
func (f ObserverFunc) Observe(r *http.Request, ev *Event) { f(r, ev) }

// Observers tells each of its Observers in turn.
type Observers []Observer

// Observe calls Observe of each Observer in order.
func (o Observers) Observe(r *http.Request, ev *Event) {
	for _, x := range o {
		x.Observe(r, ev)
	}
}

var (
	_ Observer = ObserverFunc(nil)
	_ Observer = Observers(nil)
)

// Event is what happened to one request.
type Event struct {
	// Start is when the Handler got the request; Duration is how long it
	// took to answer it, the body written included.
	Start    time.Time
	Duration time.Duration
	// Status is the HTTP status written: 200, 206 or 304 for a picture,
	// the error's status for a failure, and 499 (nginx's "client closed
	// request") when the client left before the answer.
	Status int
	// Bytes counts the body bytes written (none for HEAD or 304).
	Bytes int64
	// Cache is the X-Cache-Status sent: "HIT", "MISS" or "STALE"; empty
	// for a failure.
	Cache string
	// Tier is the tier that answered, sent as X-Cache-Tier; TierNone
	// for a failure.
	Tier Tier
	// Collapsed marks a request that missed the tiers and was answered
	// by work another request started: it waited for the same variant
	// (or for the same canonical resize) and reports no stages of its
	// own; the request that did the work reports them.
	Collapsed bool
	// Options and Path are the URL's options segment and upstream path
	// as the client wrote them; empty when the URL has no such parts.
	Options, Path string
	// Err is why the request failed; nil if it did not. Reason names its
	// kind, from the same table as its status: "bad_request",
	// "bad_signature", "expired", "not_found", "method", "unsupported",
	// "too_large", "overloaded", "timeout", "upstream", "internal", or
	// "canceled" when the client left.
	Err    error
	Reason string
	// Stages are the durations of the steps this request ran to make
	// its variant, indexed by Stage; 0 for a step it did not run (all of
	// them on a hit, or when Collapsed). A BildResizer reports decode,
	// resize and encode; other Resizers report none of them.
	Stages [NumStages]time.Duration
}

// Tier is a cache tier, or the origin.
type Tier uint8

// The tiers, top to bottom.
const (
	// TierNone: no tier answered (the request failed).
	TierNone Tier = iota
	// TierMemory is the Handler's Cache.
	TierMemory
	// TierPeer is the cluster (Handler.Cluster): the node owning the
	// variant, or this node's share of the cluster cache.
	TierPeer
	// TierDisk is the Handler's Disk.
	TierDisk
	// TierOrigin: the variant was made from the original.
	TierOrigin
	numTiers
)

// String returns the tier's name as X-Cache-Tier sends it: "memory",
// "peer", "disk" or "origin"; "" for TierNone.
func (t Tier) String() string {
	switch t {
	case TierMemory:
		return "memory"
	case TierPeer:
		return "peer"
	case TierDisk:
		return "disk"
	case TierOrigin:
		return "origin"
	}
	return ""
}

// tierHeaderValues returns the X-Cache-Tier values, by Tier.
func tierHeaderValues() [numTiers][]string {
	var v [numTiers][]string
	for t := TierMemory; t < numTiers; t++ {
		v[t] = []string{t.String()}
	}
	return v
}

// Stage is a step of making a variant.
type Stage uint8

// The stages, in the order they run.
const (
	// StageQueue is the wait for a slot: the Handler's MaxInFlight,
	// then the BildResizer's admission (CPU slot and memory budget).
	StageQueue Stage = iota
	// StageFetch is getting the original (from the Fetcher or the
	// cluster), waiting for another variant's fetch of it included.
	StageFetch
	// StageDecode is decoding the source.
	StageDecode
	// StageResize is the transform: colour conversion, resampling,
	// orientation, crop, rotation and sharpening.
	StageResize
	// StageEncode is encoding the result.
	StageEncode
	// NumStages is the number of stages.
	NumStages
)

// String returns the stage's name: "queue", "fetch", "decode", "resize"
// or "encode".
func (s Stage) String() string {
	switch s {
	case StageQueue:
		return "queue"
	case StageFetch:
		return "fetch"
	case StageDecode:
		return "decode"
	case StageResize:
		return "resize"
	case StageEncode:
		return "encode"
	}
	return ""
}

// observation collects, through the request's context, what the tiers
// and the Resizer did for one observed request. The work of a variant
// runs on a goroutine of its own on behalf of every request waiting for
// it, and reports to the observation of the request that started it.
type observation struct {
	stages   [NumStages]atomic.Int64 // nanoseconds
	leader   atomic.Bool             // started the work of make
	resizer  atomic.Bool             // ran the resize itself
	borrowed atomic.Bool             // its resize was another request's
	inMake   bool                    // waited for make's result
}

type observationKey struct{}

// observationFrom returns ctx's observation; nil if it is not observed.
func observationFrom(ctx context.Context) *observation {
	o, _ := ctx.Value(observationKey{}).(*observation)
	return o
}

// observing returns ctx carrying a new observation for the request that
// w answers, if it is observed; else ctx. Hits need none: it is made
// only when the tiers missed, where the work of make reports to it.
func observing(w http.ResponseWriter, ctx context.Context) context.Context {
	if o, ok := w.(*observedWriter); ok {
		o.obs = &observation{}
		return context.WithValue(ctx, observationKey{}, o.obs)
	}
	return ctx
}

// start returns the time a stage starts; zero if not observed.
func (o *observation) start() time.Time {
	if o == nil {
		return time.Time{}
	}
	return time.Now()
}

// since adds the time since began to stage s.
func (o *observation) since(s Stage, began time.Time) {
	if o != nil {
		o.add(s, time.Since(began))
	}
}

// add adds d to stage s; a stage that ran counts at least 1ns, so that
// 0 always means "did not run".
func (o *observation) add(s Stage, d time.Duration) {
	if o != nil {
		o.stages[s].Add(int64(max(d, 1)))
	}
}

func (o *observation) lead() {
	if o != nil {
		o.leader.Store(true)
	}
}

func (o *observation) waited() {
	if o != nil {
		o.inMake = true
	}
}

func (o *observation) resized() {
	if o != nil {
		o.resizer.Store(true)
	}
}

// sharedResize marks the resize just shared as another request's unless
// this one ran it.
func (o *observation) sharedResize() {
	if o != nil && !o.resizer.Load() {
		o.borrowed.Store(true)
	}
}

// answered records, in the madeFlag of ctx, which tier of this node
// answered make's work; TierOrigin also marks the variant as made.
func answered(ctx context.Context, t Tier) {
	if flag, ok := ctx.Value(madeKey{}).(*madeFlag); ok {
		flag.tier = t
		if t == TierOrigin {
			flag.made = true
		}
	}
}

// observedWriter is the ResponseWriter of an observed request: it counts
// the status and bytes written, and carries the Event that serve and
// fail fill in.
type observedWriter struct {
	http.ResponseWriter
	ev  Event
	obs *observation // made when the request misses every tier
}

// WriteHeader records the first final status.
func (w *observedWriter) WriteHeader(code int) {
	if w.ev.Status == 0 && code >= 200 {
		w.ev.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes.
func (w *observedWriter) Write(p []byte) (int, error) {
	if w.ev.Status == 0 {
		w.ev.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.ev.Bytes += int64(n)
	return n, err
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *observedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe serves r through an observedWriter and tells the Observer;
// with cachedOnly, only a hit (see ServeCached): it reports whether it
// served r.
func (h *Handler) observe(w http.ResponseWriter, r *http.Request, cachedOnly bool) bool {
	ow := &observedWriter{ResponseWriter: w}
	ev := &ow.ev
	ev.Start = time.Now()
	if rest, ok := strings.CutPrefix(r.URL.Path, h.prefix); ok {
		ev.Options, ev.Path, _ = strings.Cut(rest, "/")
	}
	if !h.handle(ow, r, cachedOnly) {
		return false
	}
	ev.Duration = time.Since(ev.Start)
	if ev.Err != nil {
		_, ev.Reason = classify(ev.Err)
		if ev.Status == 0 && errors.Is(ev.Err, context.Canceled) {
			ev.Status, ev.Reason = 499, "canceled"
		}
	}
	if ev.Status == 0 {
		ev.Status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	if o := ow.obs; o != nil {
		for s := range ev.Stages {
			ev.Stages[s] = time.Duration(o.stages[s].Load())
		}
		ev.Collapsed = o.inMake && (!o.leader.Load() || o.borrowed.Load())
	}
	h.Observer.Observe(r, ev)
	return true
}
