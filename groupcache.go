package imgproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/golang/groupcache"

	"github.com/imgproxy-go/imgproxy/internal/cluster"
)

// DefaultGroupCacheBytes is the budget of each of GroupCache's two groups
// when not set.
const DefaultGroupCacheBytes = 64 << 20

// GroupCache shares one cache among several nodes through
// github.com/golang/groupcache: every variant (and every original) has one
// owner node, chosen by consistent hashing of its key; the other nodes ask
// the owner, so each variant is fetched and resized once in the whole
// cluster. Originals and variants live in two groups with separate
// budgets, so N sizes of one picture cost one origin fetch per cluster.
//
// Every node runs with the same Peers and its own Self, and serves the
// peer protocol (GroupCache.ServeHTTP) on an address of its own, which
// refuses requests that lack the shared Secret: groupcache itself has no
// authentication and would otherwise let anyone bypass URL signing.
// Signatures are checked by the Handler before any cache tier is asked.
//
// groupcache has no expiry, so keys carry an epoch number that rolls every
// Handler.MaxAge: old entries are no longer asked for and age out of its
// LRU. Keys also carry the Handler's namespace (see Handler.Namespace):
// a node refuses the keys of another namespace (400, logged as a
// warning) and the asking node makes those pictures itself, so nodes of
// different upstreams or settings that share Peers stay correct, only
// less shared. A node that dies costs only its share of the cache: the others
// fetch its keys themselves until it is back.
//
// The peer protocol hands out only what a node needs: variants are made
// by the owner's Resizer, and originals only if they are pictures (JPEG,
// PNG, GIF or WebP by their first bytes) no larger than the Fetcher's
// MaxBytes (DefaultMaxBytes for Fetchers without one), so the secret
// does not open every file under the upstream.
//
// A GroupCache belongs to one Handler; set it as Handler.Cluster (a
// second Handler given the same one fails Validate). It must not be
// modified after the Handler's first use.
type GroupCache struct {
	// Self is this node's peer base URL exactly as listed in Peers, such
	// as "http://10.0.0.1:7001".
	Self string
	// Peers lists every node's peer base URL, Self included, in any
	// order; it must be the same on every node.
	Peers []string
	// Secret is shared by all nodes; peer requests without it are 403.
	// Required.
	Secret string
	// VariantsBytes and OriginalsBytes are the memory budgets of the two
	// groups on this node. If 0, DefaultGroupCacheBytes.
	VariantsBytes, OriginalsBytes int64
	// Client makes peer requests. If nil, one with short timeouts.
	Client *http.Client

	once      sync.Once
	err       error
	owner     *Handler // the Handler attached first, whose getters load
	pool      *cluster.Pool
	variants  *groupcache.Group
	originals *groupcache.Group
}

// Validate reports a configuration error without starting anything.
func (g *GroupCache) Validate() error {
	if err := g.config().Validate(); err != nil {
		return fmt.Errorf("imgproxy: GroupCache: %w", err)
	}
	return nil
}

func (g *GroupCache) config() cluster.Config {
	return cluster.Config{Self: g.Self, Peers: g.Peers, Secret: g.Secret, Client: g.Client, ErrorStatus: statusCode}
}

// ServeHTTP serves the peer protocol. Mount it on this node's peer
// address, on its own (not behind a ServeMux, which would redirect keys
// containing "." segments).
func (g *GroupCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.pool == nil {
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	g.pool.ServeHTTP(w, r)
}

// attach creates the pool and groups, with getters that load through h.
// It runs once, from h's initialisation.
func (g *GroupCache) attach(h *Handler) error {
	g.once.Do(func() {
		g.owner = h
		g.pool, g.err = cluster.NewPool(g.config())
		if g.err != nil {
			return
		}
		g.originals = g.pool.NewGroup("originals", budget(g.OriginalsBytes), groupcache.GetterFunc(h.loadOriginal))
		g.variants = g.pool.NewGroup("variants", budget(g.VariantsBytes), groupcache.GetterFunc(h.loadVariant))
	})
	if g.owner != h {
		// Its getters load through the first Handler: a second would be
		// served the first one's pictures.
		return errors.New("imgproxy: a GroupCache belongs to one Handler, and this one is already another's Cluster")
	}
	return g.err
}

func budget(n int64) int64 {
	if n > 0 {
		return n
	}
	return DefaultGroupCacheBytes
}

// Close stops answering peers and frees the connections this node holds.
func (g *GroupCache) Close() {
	if g.pool != nil {
		g.pool.Close()
	}
}

// epochKey prefixes key with the number of the current max-age period.
func (h *Handler) epochKey(key string) string {
	epoch := h.now().Unix() / max(int64(h.freshFor.Seconds()), 1)
	return strconv.FormatInt(epoch, 10) + "/" + key
}

// peerFailure turns a definitive answer of the owner node about the image
// (not found, not an image, origin failed or timed out), recorded in ctx,
// into the error it stands for; it returns nil when this node should load
// the key itself (no answer, or an answer about the node, not the image).
func peerFailure(ctx context.Context) error {
	status, ok := cluster.PeerStatus(ctx)
	if !ok {
		return nil
	}
	switch status {
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("%w: answered by the owner node", ErrNotFound)
	case http.StatusUnsupportedMediaType:
		return fmt.Errorf("%w: answered by the owner node", ErrUnsupported)
	case http.StatusBadGateway:
		return fmt.Errorf("%w: answered by the owner node", ErrUpstream)
	case http.StatusGatewayTimeout:
		return fmt.Errorf("%w: answered by the owner node", ErrTimeout)
	}
	// Anything else (a 403 from a peer with another secret, a 500 or 503
	// from an unwell owner) says nothing about the image: load it here.
	return nil
}

// loadVariant is the variants group's getter: it runs on the node owning
// key ("<epoch>/<namespace>/<options>/<path>"), or on any node whose
// owner is down. A key of another namespace is refused (400), and the
// asking node then makes the variant itself.
func (h *Handler) loadVariant(ctx context.Context, key string, dest groupcache.Sink) error {
	if err := peerFailure(ctx); err != nil {
		return err
	}
	_, rest, _ := strings.Cut(key, "/")
	inner, ok := strings.CutPrefix(rest, h.keys.prefix)
	if !ok {
		return h.foreignKey(ctx, "variants", key)
	}
	segment, path, _ := strings.Cut(inner, "/")
	opts, err := ParseOptions(segment)
	if err != nil {
		return err
	}
	if path, err = cleanPath(path); err != nil {
		return err
	}
	req := request{opts: opts, asked: opts, path: path, key: rest, prefix: h.keys.prefix}
	img, _, err := h.produce(ctx, req)
	if err != nil {
		return err
	}
	return dest.SetBytes(h.encodeEntry(rest, img))
}

// loadOriginal is the originals group's getter, keyed
// "<epoch>/<namespace>/<path>".
// Since any holder of the peer secret can ask for any key, it hands out
// only what a node needs: a clean path under the upstream whose data is
// a picture of a format the Resizer reads (ErrUnsupported otherwise) and
// within the source limit (ErrTooLarge otherwise).
func (h *Handler) loadOriginal(ctx context.Context, key string, dest groupcache.Sink) error {
	if err := peerFailure(ctx); err != nil {
		return err
	}
	_, rest, _ := strings.Cut(key, "/")
	path, ok := strings.CutPrefix(rest, h.keys.prefix)
	if !ok {
		return h.foreignKey(ctx, "originals", key)
	}
	path, err := cleanPath(path)
	if err != nil {
		return err
	}
	src, err := h.fetch(ctx, path)
	if err != nil {
		return err
	}
	if err := h.shareable(src); err != nil {
		return err
	}
	img := &Image{Data: src.Data, ContentType: src.ContentType, LastModified: src.LastModified}
	return dest.SetBytes(h.encodeEntry(path, img))
}

// shareable reports whether src may travel to a peer: data that sniffs as
// one of the source formats and is no larger than the Fetcher's limit.
func (h *Handler) shareable(src *Source) error {
	if limit := sourceLimit(h.fetcher); int64(len(src.Data)) > limit {
		return fmt.Errorf("%w: original %q is over %d bytes", ErrTooLarge, src.Path, limit)
	}
	if !knownPicture(src.Data) {
		return fmt.Errorf("%w: original %q is not a picture", ErrUnsupported, src.Path)
	}
	return nil
}

// sourceLimit is the byte limit of the fetchers that have one, and
// DefaultMaxBytes for the others.
func sourceLimit(f Fetcher) int64 {
	switch f := f.(type) {
	case *HTTPFetcher:
		return maxBytesOr(f.MaxBytes)
	case *DirFetcher:
		return maxBytesOr(f.MaxBytes)
	}
	return DefaultMaxBytes
}

// clusterVariant gets the entry under key from the cluster: a variant,
// or an alias to its canonical key (see fromCluster).
func (h *Handler) clusterVariant(ctx context.Context, key string) (*Image, error) {
	var b []byte
	ctx = cluster.WithPeerStatus(ctx)
	if err := h.Cluster.variants.Get(ctx, h.epochKey(key), groupcache.AllocatingByteSliceSink(&b)); err != nil {
		return nil, err
	}
	return h.decodeEntry(b, key)
}

// clusterOriginal gets the original at path from the cluster.
func (h *Handler) clusterOriginal(ctx context.Context, path string) (*Source, error) {
	var b []byte
	ctx = cluster.WithPeerStatus(ctx)
	if err := h.Cluster.originals.Get(ctx, h.epochKey(h.keys.prefix+path), groupcache.AllocatingByteSliceSink(&b)); err != nil {
		return nil, err
	}
	img, err := h.decodeEntry(b, path)
	if err != nil {
		return nil, err
	}
	return &Source{Path: path, Data: img.Data, ContentType: img.ContentType, LastModified: img.LastModified}, nil
}

// encodeEntry serialises img as the disk cache stores it: a checksummed
// header naming key, then the data.
func (h *Handler) encodeEntry(key string, img *Image) []byte {
	head, err := diskEncode(h.crc, key, img)
	if err != nil {
		return nil // over 64 KiB of content type or ETag: decodeEntry refuses it
	}
	return append(head, img.Data...)
}

func (h *Handler) decodeEntry(b []byte, key string) (*Image, error) {
	img, err := diskDecode(h.crc, b, key)
	if err != nil {
		return nil, fmt.Errorf("%w: bad entry from the cluster: %w", ErrUpstream, err)
	}
	return img, nil
}
