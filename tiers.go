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

type madeFlag struct {
	made bool
	tier Tier // the tier of this node that answered; 0: none (the cluster did)
}

// result is what make hands to every request waiting for one variant.
type result struct {
	img    *Image
	status string
	tier   Tier
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
	obs := observationFrom(ctx)
	ch := h.flight.DoChan(req.key, func() (any, error) {
		obs.lead()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
		defer cancel()
		if img, tier, ok := h.madeSince(wctx, &req); ok {
			return result{img, statusHit, tier}, nil
		}
		flag := &madeFlag{}
		wctx = context.WithValue(wctx, madeKey{}, flag)
		var (
			img *Image
			key string
			err error
		)
		if h.Cluster != nil {
			began := h.now()
			img, key, err = h.fromCluster(wctx, req)
			// The owner node made it for us if it was created since: the
			// flag in our context does not travel to the owner.
			if err == nil && !img.Created.Before(began) {
				flag.made = true
			}
		} else {
			img, key, err = h.produce(wctx, req)
		}
		if err != nil {
			staleTier := req.tier
			if stale == nil {
				stale, staleTier = h.staleCopy(wctx, req)
			}
			if h.StaleIfError && stale != nil && staleAllowed(err) {
				return result{stale, statusStale, staleTier}, nil
			}
			return nil, err
		}
		h.cache.Add(wctx, key, img)
		h.madeVariant(req.key, img)
		status := statusHit
		if flag.made {
			status = statusMiss
		}
		if flag.tier == 0 {
			flag.tier = TierPeer // no tier of this node answered: the cluster did
		}
		return result{img, status, flag.tier}, nil
	})
	select {
	case res := <-ch:
		obs.waited()
		if res.Err != nil {
			return result{}, res.Err
		}
		return res.Val.(result), nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

// lookup returns req's variant from the memory tier, else the disk tier
// when there is no cluster (which reads the disk on the owner node), and
// whether it is fresh; a stale copy is returned too, to fall back on.
// When req's key is not known to be canonical and a tier knows the
// source's size, the canonical key is looked up as well.
func (h *Handler) lookup(ctx context.Context, req *request) (*Image, bool) {
	img, fresh := h.lookupKey(ctx, req.key, &req.tier, &req.loan)
	if fresh || !h.canonicalisable(req) {
		return img, fresh
	}
	w, ht, ok := h.storedSize(ctx, req.path, false)
	if !ok {
		return img, false
	}
	key := req.key
	req.canonicalise(w, ht)
	if req.key == key {
		return img, false
	}
	tier := req.tier
	c, fresh := h.lookupKey(ctx, req.key, &req.tier, &req.loan)
	if c == nil {
		c, req.tier = img, tier
	}
	return c, fresh
}

// lookupKey returns the memory tier's copy of key, else the disk's when
// there is no cluster, filling the memory tier with a fresh one; it sets
// *tier to the tier of the copy it returns. A fresh disk copy read into
// the lender's memory comes with its loan in *loan; a stale one is never
// lent (the request may fall back on it while its variant is made, and
// collapsed requests with it).
func (h *Handler) lookupKey(ctx context.Context, key string, tier *Tier, loan **diskLoan) (*Image, bool) {
	img, ok := h.cache.Get(ctx, key)
	if ok {
		*tier = TierMemory
		if h.fresh(img) {
			return img, true
		}
	}
	if h.Disk != nil && h.Cluster == nil {
		var (
			d *Image
			l *diskLoan
		)
		if h.lender != nil {
			d, l, ok = h.lender.lend(ctx, key)
		} else {
			d, ok = h.Disk.Get(ctx, key)
		}
		if ok {
			if h.fresh(d) {
				h.cache.Add(ctx, key, d)
				*tier, *loan = TierDisk, l
				return d, true
			}
			if img == nil {
				img, *tier = d, TierDisk
			}
		}
	}
	return img, false
}

// staleCopy looks for an expired copy of req's variant when making it
// failed: on disk under its key, else under the canonical key for the
// last size known of its source, however old. It returns the copy's tier.
func (h *Handler) staleCopy(ctx context.Context, req request) (*Image, Tier) {
	if h.Disk != nil && h.Cluster != nil { // without, lookup asked the disk
		if img, ok := h.Disk.Get(ctx, req.key); ok {
			return img, TierDisk
		}
	}
	if h.sizer == nil || req.asked.Info {
		return nil, 0
	}
	w, ht, ok := h.storedSize(ctx, req.path, true)
	if !ok {
		return nil, 0
	}
	key := req.key
	req.canonicalise(w, ht)
	if req.key == key {
		return nil, 0
	}
	for i, c := range [...]Cache{h.cache, h.Disk} {
		if c != nil {
			if img, ok := c.Get(ctx, req.key); ok {
				return img, [...]Tier{TierMemory, TierDisk}[i]
			}
		}
	}
	return nil, 0
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
// fresh copy, else from the original, storing the result on disk. It
// returns the key the variant is stored under: req's, or its canonical
// key once the source's size is known. On a cluster, where the caller
// asked the owner of req.key, it answers with an alias entry instead when
// the canonical key differs: the variant is then made by its owner.
func (h *Handler) produce(ctx context.Context, req request) (*Image, string, error) {
	if h.Cluster != nil { // without, lookup asked the disk
		if img := h.lookupDisk(ctx, req.key); img != nil {
			answered(ctx, TierDisk)
			return img, req.key, nil
		}
	}
	if h.Cluster != nil && h.canonicalisable(&req) {
		// The owner of a key that a size entry shows to be non-canonical
		// answers with an alias at once, without fetching the original.
		if w, ht, ok := h.storedSize(ctx, req.path, false); ok {
			c := req
			if c.canonicalise(w, ht); c.key != req.key {
				return aliasImage(c.key, w, ht), c.key, nil
			}
		}
	}
	obs := observationFrom(ctx)
	began := obs.start()
	if err := h.inFlight.Acquire(ctx, 1); err != nil {
		return nil, "", fmt.Errorf("%w: waiting for a slot to make a variant: %w", ErrOverloaded, err)
	}
	defer h.inFlight.Release(1)
	obs.since(StageQueue, began)
	began = obs.start()
	var src *Source
	var err error
	if h.Cluster != nil {
		src, err = h.clusterOriginal(ctx, req.path)
	} else {
		var done func()
		src, done, err = h.fetchHeld(ctx, req.path)
		defer done()
	}
	obs.since(StageFetch, began)
	if err != nil {
		return nil, "", err
	}
	if c, w, ht, ok := h.canonicalFor(ctx, src, req); ok && c.key != req.key {
		if h.Cluster != nil {
			return aliasImage(c.key, w, ht), c.key, nil
		}
		if img, ok := h.cache.Get(ctx, c.key); ok && h.fresh(img) {
			answered(ctx, TierMemory)
			return img, c.key, nil
		}
		if img := h.lookupDisk(ctx, c.key); img != nil {
			answered(ctx, TierDisk)
			return img, c.key, nil
		}
		req = c
	}
	v, err, _ := h.resizeFlight.Do(req.key, func() (any, error) {
		obs.resized()
		return h.resize(ctx, src, req)
	})
	if err != nil {
		return nil, "", err
	}
	obs.sharedResize()
	answered(ctx, TierOrigin)
	return v.(*Image), req.key, nil
}

// lookupDisk returns the disk tier's fresh copy of key, if any.
func (h *Handler) lookupDisk(ctx context.Context, key string) *Image {
	if h.Disk == nil {
		return nil
	}
	if img, ok := h.Disk.Get(ctx, key); ok && h.fresh(img) {
		return img
	}
	return nil
}

// resize makes req's variant from src and stores it on disk. Requests
// for the same canonical key share one call (resizeFlight), whatever
// URL each came with.
func (h *Handler) resize(ctx context.Context, src *Source, req request) (*Image, error) {
	img, err := h.resizer.Resize(ctx, src, req.opts)
	if err != nil {
		return nil, err
	}
	img.Created = h.now()
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
