package imgproxy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

// Cache namespaces. Every key a Handler gives a cache tier (memory, disk,
// cluster, and the size entries) starts with its namespace, so that
// Handlers sharing a Cache, a DiskCache directory or a cluster never
// serve each other's pictures:
//
//	<namespace>/<options>/<path>   a variant, e.g. 3f9c2a7d0e41b865/150x-/a/b.jpg
//	<namespace>/=<path>            the size of the original at path
//
// The namespace is 16 hex digits of the SHA-256 of the Handler's identity:
// Handler.Namespace if set, else what decides the bytes of its pictures,
// the Fetcher's origin and the Resizer's settings (see Identifier). It is
// computed once, when the Handler is first used, and is the same in every
// process with the same configuration, so a disk cache survives restarts
// and the nodes of a cluster agree on their keys. The prefix a Handler is
// mounted at is not part of it: two Handlers of one origin and settings,
// at /image/ and /thumbs/, make the same bytes for the same key and may
// share them.

// Identifier is implemented by the parts of a Handler that can name what
// decides their output. HTTPFetcher (its base URL), DirFetcher (its
// absolute directory) and BildResizer (its output settings) implement it,
// as do the encoders of the webp and avif subpackages; the Handler's
// default Namespace is made from them. A Fetcher that does not implement
// it (a FetcherFunc, say) cannot be told from another: see
// Handler.Namespace for what the Handler then does. A Fetcher or Resizer
// that wraps another (to log or time it) should forward its Identity.
type Identifier interface {
	// Identity names everything that decides the bytes the part makes
	// of one input: two parts with equal identities must make the same
	// bytes. It must not change once the part is in use, and should be
	// the same in every process with the same configuration. "" means
	// the part cannot name it.
	Identity() string
}

var (
	_ Identifier = (*HTTPFetcher)(nil)
	_ Identifier = (*DirFetcher)(nil)
	_ Identifier = (*BildResizer)(nil)
)

// keyFormat versions the layout of keys. It is hashed into every
// namespace, so that a new layout turns old entries into misses rather
// than misreading them.
const keyFormat = "imgproxy keys v1"

// keySpace is a Handler's part of the cache key space, made once by init.
type keySpace struct {
	prefix string // "<namespace>/", which starts every key

	// made counts the variants this Handler has made and stored (its
	// flights that completed), and last is the latest of them: a request
	// that missed before a variant was made and starts its work after
	// (see madeSince) asks a tier again only if some was made meanwhile.
	made atomic.Uint64
	last atomic.Pointer[madeVariant]
}

// madeVariant is one variant made, under the flight key it was made for.
type madeVariant struct {
	n   uint64
	key string
	img *Image
}

// CacheNamespace returns the namespace that starts every cache key of h,
// 16 hex digits (see Handler.Namespace), initialising h if it is not
// yet; "" if h's configuration is invalid (see Validate) before the
// namespace could be made. Nodes of a cluster share pictures only when
// their namespaces are equal.
func (h *Handler) CacheNamespace() string {
	h.once.Do(h.init)
	return strings.TrimSuffix(h.keys.prefix, "/")
}

// newKeySpace returns the key space for the Handler's identity, or an
// error if it has none it can safely share (see Handler.Namespace).
func (h *Handler) newKeySpace() (keySpace, error) {
	id, err := h.identity(h.fetcher, h.resizer, h.cache)
	if err != nil {
		return keySpace{}, err
	}
	return keySpace{prefix: namespaceOf(id) + "/"}, nil
}

// namespaceOf hashes an identity into a namespace: 16 hex digits.
func namespaceOf(identity string) string {
	sum := sha256.Sum256([]byte(keyFormat + "\x00" + identity))
	return hex.EncodeToString(sum[:8])
}

// identity returns what names the pictures the Handler makes with
// fetcher, resizer and cache (nil meaning the Handler's defaults):
// Namespace if set, else the parts' identities.
func (h *Handler) identity(fetcher Fetcher, resizer Resizer, cache Cache) (string, error) {
	if h.Namespace != "" {
		return "namespace\x00" + h.Namespace, nil
	}
	if fetcher == nil {
		fetcher = &HTTPFetcher{}
	}
	if resizer == nil {
		resizer = &BildResizer{}
	}
	origin := identityOf(fetcher)
	if origin == "" {
		if shared := h.sharedTier(cache); shared != "" {
			return "", fmt.Errorf("imgproxy: Handler.Namespace is required: the Fetcher (%T) does not name its origin (imgproxy.Identifier) and %s may be shared", fetcher, shared)
		}
		// Only memory caches: a namespace of this Handler's own never
		// shares, and costs nothing since memory does not outlive it.
		origin = "handler\x00" + rand.Text()
	}
	return "origin\x00" + origin + "\x00resizer\x00" + identityOf(resizer), nil
}

// sharedTier names the first of the Handler's tiers that may hold
// entries of other processes or outlive this one, or "" if there is
// none: Disk, Cluster, or a Cache that is not a MemoryCache.
func (h *Handler) sharedTier(cache Cache) string {
	switch {
	case h.Disk != nil:
		return "Handler.Disk"
	case h.Cluster != nil:
		return "Handler.Cluster"
	}
	switch c := cache.(type) {
	case nil, *MemoryCache, NoCache, *NoCache:
		return ""
	default:
		return fmt.Sprintf("Handler.Cache (%T)", c)
	}
}

// identityOf returns the Go type of part followed by its Identity, if it
// has one; "" for a part that cannot name its output. A part without an
// Identity method is named by its type alone: a Resizer or Encoder has no
// origin of its own, so two of one type are taken to make the same bytes.
func identityOf(part any) string {
	v, ok := part.(Identifier)
	if !ok {
		if _, fetcher := part.(Fetcher); fetcher {
			return ""
		}
		return fmt.Sprintf("%T", part)
	}
	id := v.Identity()
	if id == "" {
		return ""
	}
	return fmt.Sprintf("%T\x00%s", part, id)
}

// Identity returns the base URL that paths are resolved against, as
// parsed (DefaultBaseURL if BaseURL is empty), or BaseURL as given if it
// does not parse.
func (f *HTTPFetcher) Identity() string {
	f.once.Do(f.init)
	if f.err != nil {
		return f.BaseURL
	}
	return f.base.String()
}

// Identity returns the absolute, cleaned Dir; "" if FS is set (a file
// system cannot be named) or Dir is empty.
func (d *DirFetcher) Identity() string {
	if d.FS != nil || d.Dir == "" {
		return ""
	}
	abs, err := filepath.Abs(d.Dir)
	if err != nil {
		return filepath.Clean(d.Dir)
	}
	return abs
}

// Identity names the settings that decide the bytes of a variant, with
// their defaults filled in: the default qualities, baseline JPEG, the
// background, KeepICC, NoAutoOrient, the animation budget and the
// encoders (their format, type and Identity). Limits that only refuse
// work (MaxPixels, MaxOutputBytes, the admission settings) are left out,
// and so are Decoders: a decoder only turns a source that was a 415
// (never cached) into a variant, and changes no variant that a Resizer
// without it makes, so Resizers with and without one can share a
// namespace.
func (r *BildResizer) Identity() string {
	bg := r.Background
	if !bg.Valid {
		bg = Color{R: 255, G: 255, B: 255, Valid: true}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "q=%d webpq=%d baseline=%t bg=%02x%02x%02x icc=%t noorient=%t anim=%d",
		r.quality(Options{}, FormatJPEG, FormatJPEG), r.quality(Options{}, FormatWebP, FormatJPEG), r.BaselineJPEG,
		bg.R, bg.G, bg.B, r.KeepICC, r.NoAutoOrient, r.maxAnimationPixels())
	formats := make([]Format, 0, len(r.Encoders))
	for f := range r.Encoders {
		formats = append(formats, f)
	}
	slices.Sort(formats)
	for _, f := range formats {
		fmt.Fprintf(&b, " %v=%s", f, identityOf(r.Encoders[f]))
	}
	return b.String()
}

// madeSince returns the variant of req's key if one was made after req
// looked in the tiers: the last one made, when it is req's, else what the
// memory tier (and the disk, when there is no cluster) hold now. It asks
// no tier when nothing was made since, which is the common case: one Get
// per tier and key on a miss.
func (h *Handler) madeSince(ctx context.Context, req *request) (*Image, Tier, bool) {
	if h.keys.made.Load() == req.made {
		return nil, 0, false
	}
	if last := h.keys.last.Load(); last != nil && last.n > req.made && last.key == req.key {
		return last.img, TierMemory, true
	}
	if img, ok := h.cache.Get(ctx, req.key); ok && h.fresh(img) {
		return img, TierMemory, true
	}
	if h.Cluster == nil {
		if img := h.lookupDisk(ctx, req.key); img != nil {
			return img, TierDisk, true
		}
	}
	return nil, 0, false
}

// madeVariant records img as made for the flight key key.
func (h *Handler) madeVariant(key string, img *Image) {
	n := h.keys.made.Add(1)
	h.keys.last.Store(&madeVariant{n: n, key: key, img: img})
}

// foreignKey reports, and logs, a peer's request for a key of another
// namespace: a node whose Handler has another identity (another origin,
// other settings or another Namespace) shares the peer list. The error
// is a 400 to the peer, which then makes the picture itself (any answer
// but 404, 410, 415, 502 and 504 means "not the picture's fault", see
// peerFailure); 403 would be taken for a wrong peer secret.
func (h *Handler) foreignKey(ctx context.Context, group, key string) error {
	h.logger.LogAttrs(ctx, slog.LevelWarn, "imgproxy: a peer asked for a key of another namespace: do the nodes differ in configuration?",
		slog.String("group", group), slog.String("key", key), slog.String("namespace", h.CacheNamespace()))
	return fmt.Errorf("%w: peer key of another namespace", ErrBadRequest)
}
