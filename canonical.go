package imgproxy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Canonical keys. Many URLs ask for one result: for a 2560x1600 source,
// "150x150", "150x-" and "150x9999" all plan a 150x94 thumbnail, and every
// box at least the source's size plans the source's size, as "-x-" does.
// Cached under the URL's options, each would be a key of its own, so a
// client could fill every cache tier with copies of one picture. Once the
// source's size is known, the Handler stores and looks up each variant
// under its canonical box instead: the simplest box that plans exactly
// the same geometry (see canonicalBox). The size is known after a fetch,
// and remembered per path in a small memo so that later requests are
// canonicalised before the cache lookup.

// SourceSizer is implemented by Resizers whose results depend on the box
// (Options.Width, Height and Fit) only through the geometry that nginx's
// image_filter rules plan for the source's size: fit inside (or cover
// and crop, centred), keep the aspect ratio, never enlarge, sides rounded
// to the nearest pixel. The Handler then keys variants by their canonical
// box. BildResizer implements it.
type SourceSizer interface {
	// SourceSize returns the size of src as the viewer sees it (after the
	// EXIF orientation the Resizer applies), reading no more than the
	// header. An error means the size is unknown: the request is then
	// keyed as it was asked, and Resize reports what is wrong.
	SourceSize(src *Source) (width, height int, err error)
}

// DefaultSizeMemo is the number of originals whose size a Handler
// remembers when Handler.SizeMemo is 0.
const DefaultSizeMemo = 4096

// maxMemoPath is the longest path the size memo keeps: with
// DefaultSizeMemo entries, at most 4 MiB of paths.
const maxMemoPath = 1024

// canonicalBox returns o with its box (Width, Height, Fit) replaced by
// the simplest one that plans exactly the same geometry for a w x h
// source: no box when the plan leaves the picture as it is, else a
// one-sided fit ("Wx-", then "-xH"), else a crop box of the result's
// size. The choice depends only on the planned geometry, so all boxes
// that plan the same geometry have the same canonical box; when none of
// them plans it exactly (a rounding corner), o is returned unchanged.
// Info ignores the box altogether. Every other option is kept.
func canonicalBox(w, h int, o Options) Options {
	free := o
	free.Width, free.Height, free.Fit = 0, 0, FitInside
	if o.Info {
		return free
	}
	g := planGeometry(w, h, o)
	candidates := [...]Options{free, free, free, free}
	candidates[1].Width = g.cropW
	candidates[2].Height = g.cropH
	candidates[3].Width, candidates[3].Height, candidates[3].Fit = g.cropW, g.cropH, FitCrop
	for _, c := range candidates {
		if c.Width <= MaxDimension && c.Height <= MaxDimension && planGeometry(w, h, c) == g {
			return c
		}
	}
	return o
}

// sizeMemo remembers the size of recently fetched originals by path, and
// when each was learnt. It holds at most max entries, of paths up to
// maxMemoPath bytes; when full, an arbitrary entry makes room (Go's map
// iteration order is randomised, so a client cannot choose which). Only a
// fetched picture whose header was read enters it, so missing paths cost
// nothing. The cache tiers keep the same sizes as small entries (see
// sizeKey), so that they outlive the memo and the process.
type sizeMemo struct {
	mu  sync.Mutex
	m   map[string]memoSize
	max int
}

type memoSize struct {
	w, h int32
	at   time.Time
	last *memoKey // the last canonicalisation made with this size
}

// memoKey is one canonicalisation: the options asked (after negotiation)
// and the canonical options and key they map to. Kept so that a hit
// repeated for the same URL skips canonicalBox and the key's allocation
// (measured with BenchmarkHitPath: 487 ns and 1 allocation without it).
// Never modified once stored.
type memoKey struct {
	asked, opts Options
	key         string
}

func (s *sizeMemo) get(path string) (w, h int, at time.Time, ok bool) {
	e, ok := s.entry(path)
	return int(e.w), int(e.h), e.at, ok
}

func (s *sizeMemo) entry(path string) (memoSize, bool) {
	if s.max <= 0 {
		return memoSize{}, false
	}
	s.mu.Lock()
	e, ok := s.m[path]
	s.mu.Unlock()
	return e, ok
}

// remember records k as the last canonicalisation under path's size, if
// the entry is still the one k was made with.
func (s *sizeMemo) remember(path string, at time.Time, k *memoKey) {
	s.mu.Lock()
	if e, ok := s.m[path]; ok && e.at.Equal(at) {
		e.last = k
		s.m[path] = e
	}
	s.mu.Unlock()
}

func (s *sizeMemo) add(path string, w, h int, at time.Time) {
	if s.max <= 0 || len(path) > maxMemoPath || w <= 0 || h <= 0 || w > 1<<30 || h > 1<<30 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]memoSize)
	}
	if _, ok := s.m[path]; !ok && len(s.m) >= s.max {
		for k := range s.m {
			delete(s.m, k)
			break
		}
	}
	s.m[path] = memoSize{w: int32(w), h: int32(h), at: at}
}

// canonicalKey returns the cache key of a request for opts at path, in
// the namespace whose key prefix is prefix.
func canonicalKey(prefix string, opts Options, path string) string {
	return prefix + opts.String() + "/" + path
}

// sizeType marks the cache entries that hold a source's size, under
// sizeKey(path); they are never served.
const sizeType = "application/x-imgproxy-size"

// sizeKey is the cache key of the size of the original at path. Variant
// keys have an options segment after the namespace, never "=".
func (h *Handler) sizeKey(path string) string { return h.keys.prefix + "=" + path }

// canonicalise sets req's options and key to the canonical ones for a
// w x h source.
func (req *request) canonicalise(w, h int) {
	req.sized = true
	if c := canonicalBox(w, h, req.asked); c != req.opts {
		req.opts, req.key = c, canonicalKey(req.prefix, c, req.path)
	}
}

// canonicalisable reports whether req's key may change once its source's
// size is known.
func (h *Handler) canonicalisable(req *request) bool {
	return h.sizer != nil && !req.sized && !req.asked.Info
}

// remembered canonicalises req with the memo's size of its path, if it
// is fresh (learnt within the freshness period of variants), setting
// its key; else it leaves req as it was.
func (h *Handler) remembered(req *request) {
	if !h.canonicalisable(req) {
		return
	}
	e, ok := h.sizes.entry(req.path)
	if !ok || h.now().Sub(e.at) >= h.freshFor {
		return
	}
	if k := e.last; k != nil && k.asked == req.asked {
		req.sized, req.opts, req.key = true, k.opts, k.key
		return
	}
	req.canonicalise(int(e.w), int(e.h))
	req.key = canonicalKey(req.prefix, req.opts, req.path)
	h.sizes.remember(req.path, e.at, &memoKey{asked: req.asked, opts: req.opts, key: req.key})
}

// storedSize returns the size of the original at path from the memo or
// the cache tiers' size entries: a fresh one, or with anyAge one of any
// age (to find a stale variant when the origin fails).
func (h *Handler) storedSize(ctx context.Context, path string, anyAge bool) (w, ht int, ok bool) {
	w, ht, at, ok := h.sizes.get(path)
	if ok && (anyAge || h.now().Sub(at) < h.freshFor) {
		return w, ht, true
	}
	if len(path) > maxMemoPath {
		return 0, 0, false
	}
	key := h.sizeKey(path)
	for _, c := range [...]Cache{h.cache, h.Disk} {
		if c == nil {
			continue
		}
		e, found := c.Get(ctx, key)
		if !found || e.ContentType != sizeType || !(anyAge || h.fresh(e)) {
			continue
		}
		if w, ht, _, err := parseSizeData(string(e.Data)); err == nil {
			h.sizes.add(path, w, ht, e.Created)
			return w, ht, true
		}
	}
	return 0, 0, false
}

// learnSize records a fetched original's size in the memo and, unless
// the memo already had it fresh, in the cache tiers.
func (h *Handler) learnSize(ctx context.Context, path string, w, ht int) {
	now := h.now()
	if w0, h0, at, ok := h.sizes.get(path); ok && w0 == w && h0 == ht && now.Sub(at) < h.freshFor {
		return
	}
	h.sizes.add(path, w, ht, now)
	if len(path) > maxMemoPath {
		return
	}
	e := &Image{ContentType: sizeType, Data: fmt.Appendf(nil, "%dx%d", w, ht), Created: now}
	key := h.sizeKey(path)
	h.cache.Add(ctx, key, e)
	if h.Disk != nil {
		h.Disk.Add(ctx, key, e)
	}
}

// canonicalFor returns req canonicalised for the size of src, as the
// Resizer reads it, and records that size; ok is false when the Resizer
// cannot tell the size.
func (h *Handler) canonicalFor(ctx context.Context, src *Source, req request) (c request, w, ht int, ok bool) {
	if h.sizer == nil || req.asked.Info {
		return req, 0, 0, false
	}
	w, ht, err := h.sizer.SourceSize(src)
	if err != nil || w <= 0 || ht <= 0 {
		return req, 0, 0, false
	}
	h.learnSize(ctx, req.path, w, ht)
	req.sized = false
	req.canonicalise(w, ht)
	return req, w, ht, true
}

// aliasType marks a cluster entry that says "this key's variant is stored
// under another key": the owner of a non-canonical key answers with it
// instead of a copy of the picture, so minted keys cost the cluster's
// cache a few bytes each. It never reaches a client.
const aliasType = "application/x-imgproxy-alias"

// aliasImage is the cluster entry pointing to key, for a w x h source.
func aliasImage(key string, w, h int) *Image {
	return &Image{ContentType: aliasType, Data: fmt.Appendf(nil, "%dx%d/%s", w, h, key)}
}

// parseSizeData reads the "WxH" or "WxH/key" of a size or alias entry.
func parseSizeData(s string) (w, h int, key string, err error) {
	size, key, _ := strings.Cut(s, "/")
	ws, hs, ok := strings.Cut(size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, "", fmt.Errorf("%w: bad size entry %q", ErrUpstream, s)
	}
	return w, h, key, nil
}

// fromCluster gets the variant for req from the cluster, following one
// alias to the canonical key; it returns the key the variant is under.
func (h *Handler) fromCluster(ctx context.Context, req request) (*Image, string, error) {
	img, err := h.clusterVariant(ctx, req.key)
	if err != nil || img.ContentType != aliasType {
		return img, req.key, err
	}
	w, ht, key, err := parseSizeData(string(img.Data))
	if err != nil || key == "" {
		return nil, "", fmt.Errorf("%w: bad alias entry from the cluster", ErrUpstream)
	}
	h.sizes.add(req.path, w, ht, h.now())
	img, err = h.clusterVariant(ctx, key)
	if err == nil && img.ContentType == aliasType {
		err = fmt.Errorf("%w: the cluster's canonical key %q is an alias", ErrUpstream, key)
	}
	if err != nil {
		return nil, "", err
	}
	return img, key, nil
}
