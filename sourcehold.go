package imgproxy

import (
	"bytes"
	"context"
	"sync"
	"time"
	"weak"
)

// sourceHoldAge bounds how old a held source may be and still be lent to
// a new request: a source is never served more than this after it was
// fetched, however long the transforms holding it keep it alive.
const sourceHoldAge = time.Second

// heldSources lends the sources of the variants this node is making to
// further requests for the same path, so that several sizes of one
// picture asked for within a transform's time (a page's srcset, or a
// burst of new widths) share one fetch and one copy of the bytes in
// memory, where srcFlight alone shares only the fetches that overlap.
// Only successful fetches are held, each while a request uses it and for
// at most sourceHoldAge after it was fetched; nothing outlives its last
// holder, so what it keeps is bounded by the variants in flight
// (MaxInFlight).
//
// The zero value holds nothing yet and is ready to use.
type heldSources struct {
	mu sync.Mutex
	m  map[string]*heldSource // by path: the newest source of each
}

// heldSource is one source and the requests using it.
type heldSource struct {
	src     *Source
	dup     weak.Pointer[Source] // the last fetch found the same as src: never kept alive
	at      time.Time            // when it (or dup) was fetched
	holders int
}

// lend returns the held source of path, if one fetched within
// sourceHoldAge of now is in use, with the function that gives it back.
func (s *heldSources) lend(path string, now time.Time) (*Source, func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[path]
	if e == nil || now.Sub(e.at) > sourceHoldAge || now.Before(e.at) {
		return nil, nil, false
	}
	e.holders++
	return e.src, s.releaser(path, e), true
}

// current returns the newest source held for path, whatever its age, or
// nil.
func (s *heldSources) current(path string) *Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.m[path]; e != nil {
		return e.src
	}
	return nil
}

// hold records src, fetched for path at now, as used by one more
// request, and returns the source to use and the function that gives it
// back. A fetch that brought the same bytes as the source held (the
// usual case once sourceHoldAge has passed) refreshes it and hands back
// the held copy, so that the new one is garbage at once: one copy stays
// in memory however long a picture stays in demand. A different source
// replaces the one held for future lends; the older one stays with its
// holders only.
func (s *heldSources) hold(path string, src *Source, now time.Time) (*Source, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[path]
	switch {
	case e != nil && (e.src == src || e.dup.Value() == src):
	case e != nil && sameSource(e.src, src):
		e.at, e.dup = now, weak.Make(src)
	default:
		e = &heldSource{src: src, at: now}
		if s.m == nil {
			s.m = make(map[string]*heldSource)
		}
		s.m[path] = e
	}
	e.holders++
	return e.src, s.releaser(path, e)
}

// sameSource reports whether a and b are the same source: the same
// bytes, type and modification time.
func sameSource(a, b *Source) bool {
	return a.ContentType == b.ContentType && a.LastModified.Equal(b.LastModified) && bytes.Equal(a.Data, b.Data)
}

// releaser returns the once-only function that gives e back, forgetting
// it when its last holder is gone.
func (s *heldSources) releaser(path string, e *heldSource) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			e.holders--
			if e.holders == 0 && s.m[path] == e {
				delete(s.m, path)
			}
		})
	}
}

// fetchHeld is fetch for a variant being made: a source another variant
// in flight holds is lent instead of fetched again; one held for longer
// than sourceHoldAge is fetched again, expected to be the same (see
// withExpected), so that the refetch holds no second copy. done must be
// called once the source is no longer needed.
func (h *Handler) fetchHeld(ctx context.Context, path string) (src *Source, done func(), err error) {
	if src, done, ok := h.held.lend(path, h.now()); ok {
		return src, done, nil
	}
	if old := h.held.current(path); old != nil {
		ctx = withExpected(ctx, old.Data)
	}
	src, err = h.fetch(ctx, path)
	if err != nil {
		return nil, func() {}, err
	}
	src, done = h.held.hold(path, src, h.now())
	return src, done, nil
}
