// Package imgproxy is an http.Handler that fetches images from an upstream
// origin, resizes them on the fly, caches the results and serves them: the
// nginx recipe of image_filter behind proxy_cache with secure_link in
// front, as one Go package that mounts beside a site's own routes:
//
//	mux.Handle("/image/", &imgproxy.Handler{
//		Fetcher: &imgproxy.HTTPFetcher{BaseURL: "https://upload.wikimedia.org/"},
//		Signer:  &imgproxy.SecureLinkMD5{Secret: "your_secret"},
//	})
//
// URLs have the form <prefix><options>/<path>; see ParseOptions for the
// options grammar. A Handler is composed of four parts, each an interface
// with a default: a Fetcher gets originals, a Resizer makes variants, a
// Cache keeps them and a Signer checks signed links.
//
// The package keeps no global state: any number of Handlers can live in one
// process without interacting.
package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"
)

// Handler defaults.
const (
	DefaultPrefix  = "/image/"
	DefaultMaxAge  = 30 * 24 * time.Hour // nginx recipe: proxy_cache_valid 200 30d
	DefaultTimeout = 60 * time.Second
)

// Handler serves resized images. Its zero value serves
// https://upload.wikimedia.org/ under /image/ with a 64 MiB memory cache
// and no signature check. Set fields before first use; a Handler must not
// be modified or copied after it has served a request.
type Handler struct {
	// Prefix is the URL path the handler is mounted at, with leading and
	// trailing "/". If empty, DefaultPrefix ("/image/").
	Prefix string
	// Fetcher gets originals. If nil, an HTTPFetcher for
	// https://upload.wikimedia.org/.
	Fetcher Fetcher
	// Resizer makes variants. If nil, a BildResizer with its defaults.
	Resizer Resizer
	// Cache keeps variants. If nil, a MemoryCache of 64 MiB; use NoCache{}
	// to turn caching off.
	Cache Cache
	// Signer, if set, must accept a request before anything else is done
	// with it. If nil, any URL is served (no signing).
	Signer Signer
	// MaxAge is the max-age sent in Cache-Control, and how long cached
	// variants stay fresh (nginx's proxy_cache_valid). If 0, DefaultMaxAge
	// (30 days); if negative, "no-cache" is sent and cached variants stay
	// fresh for DefaultMaxAge.
	MaxAge time.Duration
	// Timeout bounds the fetch and transform of one variant, which runs on
	// behalf of every request waiting for it. If 0, DefaultTimeout.
	Timeout time.Duration
	// Logger receives one record per failed request. If nil, nothing is
	// logged.
	Logger *slog.Logger
	// ErrorHandler, if set, is called for every failed request instead of
	// writing the standard response; the status comes from StatusCode(err).
	// The headers that belong to the status are already set when it is
	// called: "Cache-Control: no-store", "Allow" on a 405 and
	// "Retry-After" on a 503; it may change them.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Disk is a second, larger cache tier, asked after Cache and the
	// cluster and before the origin, typically a *DiskCache. If nil, none.
	Disk Cache
	// Cluster, if set, shares variants and originals with other nodes
	// through groupcache; see GroupCache. If nil, this node works alone.
	Cluster *GroupCache
	// StaleIfError serves a cached variant older than MaxAge, marked
	// "X-Cache-Status: STALE", when making a fresh one fails because the
	// origin failed or timed out (nginx's proxy_cache_use_stale error
	// timeout). If false, such failures are answered with their status.
	StaleIfError bool
	// NotFoundTTL is how long an upstream 404 is remembered, so that a
	// missing picture cannot hammer the origin. If 0,
	// DefaultNotFoundTTL (1 minute); if negative, 404s are not remembered.
	NotFoundTTL time.Duration
	// Now is the clock for cache freshness. If nil, time.Now.
	Now func() time.Time
	// Negotiate lists the formats offered, in order of preference, to
	// clients whose Accept header names them (FormatAVIF, FormatWebP),
	// for URLs that name no format: such a request is served the first
	// of them that the Resizer can write for the picture (see
	// Options.Auto), else the source's format. Every response to a URL
	// without a format then carries "Vary: Accept", and the chosen format
	// is part of the cache key in every tier. If nil, no negotiation:
	// the source's format, or the one the URL names.
	Negotiate []Format
	// MaxInFlight bounds the variants this node makes at once (fetch and
	// transform), so that the sources held in memory stay bounded: at
	// most MaxInFlight times the Fetcher's byte limit. Further misses wait
	// for a slot, up to Timeout, then fail with 503. If 0, twice
	// GOMAXPROCS: enough to fetch the next sources while the Resizer's
	// limiter keeps the cores busy.
	MaxInFlight int
	// Sizes, if not empty, lists the boxes URLs may ask for (a Size of
	// 0x0 is "-x-", the full size); any other box is ErrBadRequest (400),
	// unless SnapSizes. Info requests, which ignore the box, are not
	// checked. If nil, any box up to MaxDimension.
	Sizes []Size
	// SnapSizes serves a box that Sizes does not list as the nearest one
	// it does (see SnapSize) instead of refusing it. If false, 400.
	SnapSizes bool
	// SizeMemo is how many originals' sizes this Handler remembers in
	// memory, by path, so that requests whose box plans the same result
	// share one cache key before the source is fetched (see SourceSizer;
	// a path longer than 1 KiB is not remembered). The sizes are also
	// kept as small entries in Cache and Disk, asked when the memo does
	// not know; either is trusted while variants stay fresh (MaxAge). If
	// 0, DefaultSizeMemo (4096, at most 4 MiB of paths); if negative, no
	// memo: the tiers' entries alone, else a fetch of the original.
	SizeMemo int
	// Observer, if set, is told about every request once it is answered
	// (see Event): the tier that answered, status, bytes, durations and,
	// for failures, the reason. If nil, nothing is observed, at no cost.
	Observer Observer
	// MaxRanges bounds the parts of a Range request, as nginx's
	// max_ranges does: a request for more is answered with the whole
	// entity (200), so that a header of many tiny ranges cannot turn one
	// picture into a response many times its size. If 0,
	// DefaultMaxRanges (16); if negative, Range is ignored.
	MaxRanges int
	// Namespace names this Handler's pictures in every cache key, so that
	// Handlers sharing a Cache, a Disk directory or a cluster serve only
	// their own: keys are "<ns>/<options>/<path>" (and "<ns>/=<path>" for
	// a source's size), ns being 16 hex digits of a SHA-256 of Namespace.
	// Handlers with equal Namespaces must make the same bytes for the
	// same URL. If empty, ns is derived from what decides the bytes: the
	// Fetcher's origin and the Resizer's settings (see Identifier), not
	// the Prefix; it is the same in every process with the same
	// configuration. A Fetcher that cannot name its origin (a
	// FetcherFunc) then gets a namespace unique to this Handler when its
	// only tiers are MemoryCaches; with a Disk, a Cluster or another
	// Cache, which outlive it or are shared between processes, Namespace
	// is required (Validate reports it).
	Namespace string

	once         sync.Once
	prefix       string
	fetcher      Fetcher
	resizer      Resizer
	sizer        SourceSizer // the resizer, if it can tell source sizes
	sizes        sizeMemo
	allowed      []Size
	maxRanges    int
	cache        Cache
	lender       *DiskCache // the Disk, when hits may borrow its memory (see diskLoan)
	cacheControl []string
	values       headerValues
	timeout      time.Duration
	freshFor     time.Duration
	logger       *slog.Logger
	crc          *crc32.Table
	keys         keySpace
	initErr      error
	notFound     notFoundCache
	inFlight     *semaphore.Weighted
	flight       singleflight.Group // variants being made, by key
	srcFlight    singleflight.Group // originals being fetched, by path
	held         heldSources        // originals of the variants in flight, by path
	resizeFlight singleflight.Group // variants being resized, by canonical key

	warnedFetcher sync.Once   // the default-origin warning was logged
	warnedOutside atomic.Bool // the outside-Prefix warning was logged
}

var _ http.Handler = (*Handler)(nil)

// Validate reports a configuration error early, for hosts that want to
// fail at start-up rather than on the first request: a Prefix that no
// path can match, and each part's own Validate (a DirFetcher's missing
// directory, a DiskCache directory that cannot be written, a short
// secret...). It logs a warning to Logger if the Fetcher is left to the
// default third-party origin.
func (h *Handler) Validate() error {
	if err := validatePrefix(h.Prefix); err != nil {
		return err
	}
	h.warnDefaultFetcher()
	for _, f := range h.Negotiate {
		if f != FormatWebP && f != FormatAVIF {
			return fmt.Errorf("imgproxy: Negotiate offers %v: only webp and avif are negotiated", f)
		}
	}
	if err := validateSizes(h.Sizes, h.SnapSizes); err != nil {
		return err
	}
	if _, err := h.identity(h.Fetcher, h.Resizer, h.Cache); err != nil {
		return err
	}
	for _, part := range []any{h.Fetcher, h.Resizer, h.Cache, h.Disk, h.Signer} {
		if v, ok := part.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	if h.Cluster != nil {
		if err := h.Cluster.Validate(); err != nil {
			return err
		}
		h.once.Do(h.init)
		return h.initErr
	}
	return nil
}

func (h *Handler) init() {
	h.prefix = h.Prefix
	if h.prefix == "" {
		h.prefix = DefaultPrefix
	}
	h.fetcher = h.Fetcher
	h.warnDefaultFetcher()
	if h.fetcher == nil {
		h.fetcher = &HTTPFetcher{}
	}
	h.resizer = h.Resizer
	if h.resizer == nil {
		h.resizer = &BildResizer{}
	}
	h.sizer, _ = h.resizer.(SourceSizer)
	h.allowed = h.Sizes
	h.initErr = validateSizes(h.Sizes, h.SnapSizes)
	h.maxRanges = h.MaxRanges
	if h.maxRanges == 0 {
		h.maxRanges = DefaultMaxRanges
	}
	h.cache = h.Cache
	if h.cache == nil {
		h.cache = &MemoryCache{}
	}
	switch h.cache.(type) {
	case NoCache, *NoCache: // keeps nothing a disk hit hands it
		if d, ok := h.Disk.(*DiskCache); ok && d != nil && h.Cluster == nil {
			h.lender = d
		}
	}
	h.freshFor = h.MaxAge
	if h.freshFor > 0 {
		h.cacheControl = []string{"public, max-age=" + strconv.FormatInt(int64(h.freshFor/time.Second), 10)}
	} else {
		if h.MaxAge < 0 {
			h.cacheControl = []string{"no-cache"}
		} else {
			h.cacheControl = []string{"public, max-age=" + strconv.FormatInt(int64(DefaultMaxAge/time.Second), 10)}
		}
		h.freshFor = DefaultMaxAge
	}
	h.values = newHeaderValues()
	n := h.MaxInFlight
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	h.inFlight = semaphore.NewWeighted(int64(n))
	h.crc = crc32.MakeTable(crc32.Castagnoli)
	h.sizes = sizeMemo{max: h.SizeMemo}
	if h.sizes.max == 0 {
		h.sizes.max = DefaultSizeMemo
	}
	h.notFound = notFoundCache{ttl: h.NotFoundTTL, now: h.now}
	if h.notFound.ttl == 0 {
		h.notFound.ttl = DefaultNotFoundTTL
	}
	if h.initErr == nil {
		h.keys, h.initErr = h.newKeySpace()
	}
	if h.Cluster != nil && h.initErr == nil {
		h.initErr = h.Cluster.attach(h)
	}
	h.timeout = h.Timeout
	if h.timeout <= 0 {
		h.timeout = DefaultTimeout
	}
	h.logger = h.Logger
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
}

// request is one parsed image URL.
type request struct {
	opts  Options   // what to make: asked, canonicalised if the size is known
	asked Options   // the URL's options, snapped to Sizes, format negotiated
	path  string    // upstream path, no leading "/"
	key   string    // cache key: prefix + opts.String() + "/" + path
	vary  bool      // the format was negotiable: send Vary: Accept
	tier  Tier      // the tier lookup found its copy in
	sized bool      // opts are canonical for a known source size
	loan  *diskLoan // the lender's memory of a fresh disk hit, to give back once served

	prefix string // the Handler's namespace and "/", which starts every key
	made   uint64 // variants the Handler had made before its lookup (madeSince)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	if h.Observer != nil {
		h.observe(w, r, false) // observe.go
		return
	}
	h.handle(w, r, false)
}

// ServeCached answers r as ServeHTTP would, observed as ServeHTTP would,
// if and only if the answer is a fresh copy already in the Handler's
// memory tier or on its Disk: a cache hit, with any conditional or Range
// header, never anything that would fetch, make, wait or fail. Otherwise
// it writes nothing, calls no Observer, and reports false; r is then
// for ServeHTTP, which looks it up again. It lets a server answer hits on
// a path of its own, as cmd/imgproxy's front does, and leave the rest to
// net/http. A Handler that cannot start (see Validate) answers nothing
// here.
func (h *Handler) ServeCached(w http.ResponseWriter, r *http.Request) bool {
	h.once.Do(h.init)
	if h.initErr != nil {
		return false
	}
	if h.Observer != nil {
		return h.observe(w, r, true)
	}
	return h.handle(w, r, true)
}

// handle serves r, observed or not; with cachedOnly, only a fresh hit,
// reporting whether it wrote anything.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request, cachedOnly bool) bool {
	if h.initErr != nil {
		h.fail(w, r, h.initErr)
		return true
	}
	req, err := h.parse(r, cachedOnly)
	if err != nil {
		if !cachedOnly {
			h.fail(w, r, err)
		}
		return !cachedOnly
	}
	ctx := r.Context()
	img, fresh := h.lookup(ctx, &req)
	if fresh {
		h.serve(w, r, &req, img, statusHit, req.tier)
		if req.loan != nil {
			h.lender.giveBack(req.loan) // served: nothing holds img now
		}
		return true
	}
	if cachedOnly {
		return false
	}
	if _, err := cleanPath(req.path); err != nil {
		h.fail(w, r, err)
		return true
	}
	res, err := h.make(observing(w, ctx), req, img)
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	h.serve(w, r, &req, res.img, res.status, res.tier)
	return true
}

// parse checks the method and signature and splits the URL; quiet, for
// ServeCached, it does not warn of a path outside the prefix (ServeHTTP
// will).
func (h *Handler) parse(r *http.Request, quiet bool) (request, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return request{}, ErrMethod
	}
	if h.Signer != nil {
		if err := h.Signer.Verify(r); err != nil {
			return request{}, err
		}
	}
	rest, ok := strings.CutPrefix(r.URL.Path, h.prefix)
	if !ok {
		if !quiet {
			h.warnOutside(r)
		}
		return request{}, fmt.Errorf("%w: path outside prefix %s", ErrNotFound, h.prefix)
	}
	segment, path, ok := strings.Cut(rest, "/")
	if !ok || path == "" {
		return request{}, fmt.Errorf("%w: want %s<options>/<path>", ErrBadRequest, h.prefix)
	}
	opts, err := ParseOptions(segment)
	if err != nil {
		return request{}, err
	}
	if opts, err = h.allowSize(opts); err != nil {
		return request{}, err
	}
	// The path is checked (cleanPath) only on a miss: cleanPath accepts a
	// path unchanged or refuses it, and only checked paths are stored, so
	// a cache hit proves the path safe.
	vary := false
	if len(h.Negotiate) > 0 && opts.Format == FormatSource && opts.Auto[0] == FormatSource && !opts.Info {
		vary = true
		opts.Auto = negotiate(h.Negotiate, r.Header["Accept"])
	}
	req := request{opts: opts, asked: opts, path: path, vary: vary, prefix: h.keys.prefix, made: h.keys.made.Load()}
	if opts.Info {
		req.opts = canonicalBox(0, 0, opts) // the box is ignored
	}
	if h.remembered(&req); req.key == "" {
		if req.opts.isCanonical(segment) {
			req.key = req.prefix + rest
		} else {
			req.key = canonicalKey(req.prefix, req.opts, path)
		}
	}
	return req, nil
}

// serve writes img; http.ServeContent handles Range and the conditional
// headers against the ETag and Last-Modified.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, req *request, img *Image, status string, tier Tier) {
	hdr := w.Header()
	ih := img.headers()
	hdr["Content-Type"] = ih.contentType
	hdr["Etag"] = ih.etag
	hdr["Cache-Control"] = h.cacheControl
	hdr["X-Content-Type-Options"] = h.values.nosniff
	hdr["X-Cache-Status"] = h.values.status(status)
	hdr["X-Cache-Tier"] = h.values.tiers[tier]
	if o, ok := w.(*observedWriter); ok {
		o.ev.Cache, o.ev.Tier = status, tier
	}
	if req.vary {
		hdr["Vary"] = h.values.vary
	}
	if img.FirstFrameOnly {
		hdr["X-Imgproxy-Animation"] = h.values.firstFrame
	}
	if plainGet(r.Header) {
		// The common case, with nothing to negotiate: write it directly.
		if ih.lastModified != nil {
			hdr["Last-Modified"] = ih.lastModified
		}
		hdr["Content-Length"] = ih.contentLength
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(img.Data)
		}
		return
	}
	http.ServeContent(w, h.boundRanges(r), "", img.LastModified, bytes.NewReader(img.Data))
}

// headerValues are the constant header values of responses, made once per
// Handler and shared by its responses (net/http does not modify them).
type headerValues struct {
	nosniff, hit, miss, stale, vary, firstFrame []string
	tiers                                       [numTiers][]string // X-Cache-Tier, by Tier
}

func newHeaderValues() headerValues {
	return headerValues{
		nosniff: []string{"nosniff"}, vary: []string{"Accept"}, firstFrame: []string{"first-frame"},
		hit: []string{statusHit}, miss: []string{statusMiss}, stale: []string{statusStale},
		tiers: tierHeaderValues(),
	}
}

func (v *headerValues) status(s string) []string {
	switch s {
	case statusHit:
		return v.hit
	case statusStale:
		return v.stale
	}
	return v.miss
}

// plainGet reports whether a request has no conditional or range headers,
// so that http.ServeContent would answer 200 with the whole body.
func plainGet(h http.Header) bool {
	for _, k := range [...]string{"Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} {
		if _, ok := h[k]; ok {
			return false
		}
	}
	return true
}

// StatusCode returns the HTTP status the Handler answers err with.
func StatusCode(err error) int { return statusCode(err) }

// fail answers a failed request with its status and the status text only.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if o, ok := w.(*observedWriter); ok {
		o.ev.Err = err
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client left; nobody to answer
	}
	code := statusCode(err)
	level := slog.LevelInfo
	if code >= 500 {
		level = slog.LevelWarn
	}
	h.logger.LogAttrs(r.Context(), level, "imgproxy: request failed",
		slog.String("path", r.URL.Path), slog.Int("status", code), slog.Any("err", err))
	hdr := w.Header()
	if code == http.StatusMethodNotAllowed {
		hdr.Set("Allow", "GET, HEAD")
	}
	if code == http.StatusServiceUnavailable {
		hdr.Set("Retry-After", "1")
	}
	hdr.Set("Cache-Control", "no-store")
	if h.ErrorHandler != nil {
		h.ErrorHandler(w, r, err)
		return
	}
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		io.WriteString(w, http.StatusText(code)+"\n")
	}
}
