package cluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/golang/groupcache"
	pb "github.com/golang/groupcache/groupcachepb"
	"github.com/golang/protobuf/proto"
)

// SecretHeader is the request header that carries Config.Secret from one
// node to another.
const SecretHeader = "X-Imgproxy-Peer-Secret"

// A PeerError reports that a peer answered a request with a status other
// than 200 OK.
type PeerError struct {
	Peer   string // the peer's base URL
	Status int    // the HTTP status it answered with
}

func (e *PeerError) Error() string {
	return fmt.Sprintf("cluster: peer %s answered %d %s", e.Peer, e.Status, http.StatusText(e.Status))
}

// peerStatusKey is the context key of a *peerStatus.
type peerStatusKey struct{}

// peerStatus holds the last non-200 status a peer answered with; 0 if none.
type peerStatus struct{ status atomic.Int32 }

// WithPeerStatus returns a context carrying a holder for peer statuses.
// After a Group.Get on it, PeerStatus reports the HTTP status a peer
// answered with, if any. This is meant for the group's Getter, which
// groupcache calls locally, with the same context, right after a failed
// peer load: a status means the key's owner answered definitively (for
// example 404 or 415, as mapped by its Config.ErrorStatus; 5xx means it
// failed), while no status means it could not be reached, and the Getter
// should load the value itself.
//
// Only the first of concurrent Gets of one key on a node reaches the peer,
// so only its context records a status; the others share its result. A
// Getter that calls other groups should pass them a context of its own
// from WithPeerStatus, so their peers' answers do not mix with its own.
func WithPeerStatus(ctx context.Context) context.Context {
	return context.WithValue(ctx, peerStatusKey{}, new(peerStatus))
}

// PeerStatus reports the last HTTP status other than 200 OK that a peer
// answered a request made with ctx, and whether there was one. It is
// always false for a context not derived from WithPeerStatus.
func PeerStatus(ctx context.Context) (status int, ok bool) {
	h, _ := ctx.Value(peerStatusKey{}).(*peerStatus)
	if h == nil {
		return 0, false
	}
	s := h.status.Load()
	return int(s), s != 0
}

// recordPeerStatus stores status in ctx's holder, if it has one.
func recordPeerStatus(ctx context.Context, status int) {
	if h, _ := ctx.Value(peerStatusKey{}).(*peerStatus); h != nil {
		h.status.Store(int32(status))
	}
}

// servingKey is the context key, in requests served for a peer, of the
// internal name of the group being served.
type servingKey struct{}

// peerGetter fetches values from one peer.
type peerGetter struct {
	pool *Pool
	peer string // base URL as in Config.Peers
	base string // peer without trailing slash, plus BasePath
}

var _ groupcache.ProtoGetter = (*peerGetter)(nil)

func newPeerGetter(p *Pool, peer string) *peerGetter {
	return &peerGetter{pool: p, peer: peer, base: strings.TrimSuffix(peer, "/") + p.basePath}
}

// Get fetches in.Key of group in.Group from the peer. A non-200 answer is
// returned as a *PeerError and recorded for PeerStatus; transport errors,
// and answers over Config.MaxValueBytes, record nothing.
func (g *peerGetter) Get(ctx context.Context, in *pb.GetRequest, out *pb.GetResponse) error {
	wire, ok := g.pool.wireName(in.GetGroup())
	if !ok {
		return fmt.Errorf("cluster: group %q does not belong to this pool", in.GetGroup())
	}
	if serving, _ := ctx.Value(servingKey{}).(string); serving == in.GetGroup() {
		// A peer asked us for a key it thinks we own, and we think
		// another node owns it: the nodes disagree on membership.
		// Forwarding could loop back to the asking peer and deadlock
		// in its singleflight; load locally instead.
		return fmt.Errorf("cluster: not forwarding a peer request for %s/%s: nodes disagree on the owner", wire, in.GetKey())
	}
	u := g.base + url.PathEscape(wire) + "/" + url.PathEscape(in.GetKey())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	req.Header.Set(SecretHeader, g.pool.secret)
	res, err := g.pool.client.Do(req)
	if err != nil {
		return fmt.Errorf("cluster: peer %s: %w", g.peer, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10)) // allow connection reuse
		recordPeerStatus(ctx, res.StatusCode)
		return &PeerError{Peer: g.peer, Status: res.StatusCode}
	}
	limit := g.pool.maxValue
	if res.ContentLength > limit {
		return fmt.Errorf("cluster: peer %s: response of %d bytes, over %d", g.peer, res.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return fmt.Errorf("cluster: peer %s: reading response: %w", g.peer, err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("cluster: peer %s: response over %d bytes", g.peer, limit)
	}
	if err := proto.Unmarshal(b, out); err != nil {
		return fmt.Errorf("cluster: peer %s: decoding response: %w", g.peer, err)
	}
	return nil
}
