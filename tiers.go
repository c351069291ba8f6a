package imgproxy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Cache tiers, top to bottom: the Handler's Cache (memory), the cluster
// (GroupCache), the Disk cache, then the origin. A hit in a lower tier
// fills the tiers above it on its way up.

// Values of X-Cache-Status, nginx's $upstream_cache_status words.
const (
	statusHit   = "HIT"
	statusMiss  = "MISS"
	statusStale = "STALE"
)

// madeKey marks a context whose request made its variant from the origin.
type madeKey struct{}

type madeFlag struct{ made bool }

// result is what make hands to every request waiting for one variant.
type result struct {
	img    *Image
	status string
}

// fresh reports whether img is younger than the freshness period.
func (h *Handler) fresh(img *Image) bool {
	return img.Created.IsZero() || h.now().Sub(img.Created) < h.freshFor
}

// make produces the variant for req once, however many requests wait for
// it. The work runs detached from any one client, so a client hanging up
// does not fail the others, bounded by h.timeout. stale, if not nil, is an
// expired copy to fall back on.
func (h *Handler) make(ctx context.Context, req request, stale *Image) (result, error) {
	ch := h.flight.DoChan(req.key, func() (any, error) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
		defer cancel()
		if img, ok := h.cache.Get(wctx, req.key); ok && h.fresh(img) {
			return result{img, statusHit}, nil
		}
		flag := &madeFlag{}
		wctx = context.WithValue(wctx, madeKey{}, flag)
		var img *Image
		var err error
		if h.Cluster != nil {
			began := h.now()
			img, err = h.clusterVariant(wctx, req)
			// The owner node made it for us if it was created since: the
			// flag in our context does not travel to the owner.
			if err == nil && !img.Created.Before(began) {
				flag.made = true
			}
		} else {
			img, err = h.produce(wctx, req)
		}
		if err != nil {
			if stale == nil && h.Disk != nil {
				stale, _ = h.Disk.Get(wctx, req.key)
			}
			if h.StaleIfError && stale != nil && staleAllowed(err) {
				return result{stale, statusStale}, nil
			}
			return nil, err
		}
		h.cache.Add(wctx, req.key, img)
		status := statusHit
		if flag.made {
			status = statusMiss
		}
		return result{img, status}, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return result{}, res.Err
		}
		return res.Val.(result), nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

// staleAllowed reports whether err is the kind of failure for which nginx's
// "proxy_cache_use_stale error timeout" serves a stale entry: the origin
// could not be reached, failed, or timed out.
func staleAllowed(err error) bool {
	for _, e := range []error{ErrUpstream, ErrTimeout, ErrOverloaded, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// produce makes the variant on this node: from the disk tier if it has a
// fresh copy, else from the original, storing the result on disk.
func (h *Handler) produce(ctx context.Context, req request) (*Image, error) {
	if h.Disk != nil {
		if img, ok := h.Disk.Get(ctx, req.key); ok && h.fresh(img) {
			return img, nil
		}
	}
	if err := h.inFlight.Acquire(ctx, 1); err != nil {
		return nil, fmt.Errorf("%w: waiting for a slot to make a variant: %w", ErrOverloaded, err)
	}
	defer h.inFlight.Release(1)
	var src *Source
	var err error
	if h.Cluster != nil {
		src, err = h.clusterOriginal(ctx, req.path)
	} else {
		src, err = h.fetch(ctx, req.path)
	}
	if err != nil {
		return nil, err
	}
	img, err := h.resizer.Resize(ctx, src, req.opts)
	if err != nil {
		return nil, err
	}
	img.Created = h.now()
	if flag, ok := ctx.Value(madeKey{}).(*madeFlag); ok {
		flag.made = true
	}
	if h.Disk != nil {
		h.Disk.Add(ctx, req.key, img)
	}
	return img, nil
}

// fetch gets an original from the Fetcher, once for concurrent requests of
// the same path (several sizes of one new picture), remembering 404s for
// a while.
func (h *Handler) fetch(ctx context.Context, path string) (*Source, error) {
	if h.notFound.has(path) {
		return nil, ErrNotFound
	}
	v, err, _ := h.srcFlight.Do(path, func() (any, error) {
		src, err := h.fetcher.Fetch(ctx, path)
		if errors.Is(err, ErrNotFound) {
			h.notFound.add(path)
		}
		return src, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*Source), nil
}

// now is the Handler's clock.
func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
