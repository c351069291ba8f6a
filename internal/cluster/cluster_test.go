package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang/groupcache"
	pb "github.com/golang/groupcache/groupcachepb"
	"github.com/golang/protobuf/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "s3cret"

var errNotFound = errors.New("test: not found")

// node is one member of a test cluster: a Pool served on loopback with an
// "originals" and a "variants" group whose getters count their loads.
type node struct {
	pool      *Pool
	srv       *httptest.Server
	url       string
	originals *groupcache.Group
	variants  *groupcache.Group
	origLoads atomic.Int64
	varLoads  atomic.Int64
}

type clusterOpts struct {
	n        int
	tag      string                                   // prefixes values, to tell clusters apart
	client   *http.Client                             // nil: the Pool's default
	replicas func(i int) int                          // nil: default
	maxValue int64                                    // 0: default
	wrap     func(i int, h http.Handler) http.Handler // nil: serve the Pool as is
}

// newTestCluster starts o.n nodes. Loads of originals paths starting with
// "missing" fail with errNotFound, which ErrorStatus maps to 404; a getter
// whose context reports a 404 from the owner returns errNotFound without
// loading.
func newTestCluster(t *testing.T, o clusterOpts) []*node {
	t.Helper()
	nodes := make([]*node, o.n)
	peers := make([]string, o.n)
	for i := range nodes {
		srv := httptest.NewUnstartedServer(nil)
		nodes[i] = &node{srv: srv, url: "http://" + srv.Listener.Addr().String()}
		peers[i] = nodes[i].url
	}
	for i, n := range nodes {
		cfg := Config{Self: n.url, Peers: peers, Secret: testSecret, Client: o.client, ErrorStatus: testErrorStatus, MaxValueBytes: o.maxValue}
		if o.replicas != nil {
			cfg.Replicas = o.replicas(i)
		}
		p, err := NewPool(cfg)
		require.NoError(t, err)
		n.pool = p
		n.originals = p.NewGroup("originals", 1<<20, groupcache.GetterFunc(func(ctx context.Context, key string, dest groupcache.Sink) error {
			if st, ok := PeerStatus(ctx); ok && st == http.StatusNotFound {
				return errNotFound
			}
			n.origLoads.Add(1)
			if strings.HasPrefix(key, "missing") {
				return errNotFound
			}
			return dest.SetString(o.tag + "orig:" + key)
		}))
		n.variants = p.NewGroup("variants", 1<<20, groupcache.GetterFunc(func(ctx context.Context, key string, dest groupcache.Sink) error {
			if st, ok := PeerStatus(ctx); ok && st == http.StatusNotFound {
				return errNotFound
			}
			n.varLoads.Add(1)
			path, _, _ := strings.Cut(key, "|")
			var orig string
			if err := n.originals.Get(WithPeerStatus(ctx), path, groupcache.StringSink(&orig)); err != nil {
				return err
			}
			return dest.SetString("var:" + key + ":" + orig)
		}))
		var h http.Handler = p
		if o.wrap != nil {
			h = o.wrap(i, p)
		}
		n.srv.Config.Handler = h
		n.srv.Start()
		t.Cleanup(func() {
			n.srv.Close()
			p.Close()
		})
	}
	return nodes
}

func testErrorStatus(err error) int {
	if errors.Is(err, errNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func totals(nodes []*node) (orig, vars int64) {
	for _, n := range nodes {
		orig += n.origLoads.Load()
		vars += n.varLoads.Load()
	}
	return orig, vars
}

// keyOwnedBy returns a key with prefix whose owner, as seen by from, is
// owner.
func keyOwnedBy(t *testing.T, from *node, owner, prefix string) string {
	t.Helper()
	for i := range 10000 {
		k := fmt.Sprintf("%s%d.jpg", prefix, i)
		if from.pool.picker.owner(k) == owner {
			return k
		}
	}
	t.Fatalf("no key owned by %s", owner)
	return ""
}

func TestClusterLoadsOnce(t *testing.T) {
	t.Parallel()
	nodes := newTestCluster(t, clusterOpts{n: 3})
	ctx := context.Background()

	const key = "a/b.jpg|w=100"
	var wg sync.WaitGroup
	got := make([]string, 60)
	errs := make([]error, 60)
	for i := range got {
		wg.Go(func() {
			errs[i] = nodes[i%3].variants.Get(WithPeerStatus(ctx), key, groupcache.StringSink(&got[i]))
		})
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		assert.Equal(t, "var:"+key+":orig:a/b.jpg", got[i])
	}
	orig, vars := totals(nodes)
	assert.EqualValues(t, 1, vars, "variant loads across the cluster")
	assert.EqualValues(t, 1, orig, "original loads across the cluster")
}

func TestClusterVariantsShareOriginal(t *testing.T) {
	t.Parallel()
	nodes := newTestCluster(t, clusterOpts{n: 3})
	ctx := context.Background()

	var wg sync.WaitGroup
	got := make([]string, 5)
	errs := make([]error, 5)
	for i := range got {
		wg.Go(func() {
			key := fmt.Sprintf("p.jpg|w=%d", 10*(i+1))
			errs[i] = nodes[i%3].variants.Get(ctx, key, groupcache.StringSink(&got[i]))
		})
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		assert.Equal(t, fmt.Sprintf("var:p.jpg|w=%d:orig:p.jpg", 10*(i+1)), got[i])
	}
	orig, vars := totals(nodes)
	assert.EqualValues(t, 5, vars)
	assert.EqualValues(t, 1, orig)

	// Every node now answers every key without loading again.
	for _, n := range nodes {
		for i := range 5 {
			var v string
			key := fmt.Sprintf("p.jpg|w=%d", 10*(i+1))
			require.NoError(t, n.variants.Get(ctx, key, groupcache.StringSink(&v)))
			assert.Equal(t, "var:"+key+":orig:p.jpg", v)
		}
	}
	orig, vars = totals(nodes)
	assert.EqualValues(t, 5, vars)
	assert.EqualValues(t, 1, orig)
}

func TestClusterDefinitiveError(t *testing.T) {
	t.Parallel()
	nodes := newTestCluster(t, clusterOpts{n: 3})
	owner, other := nodes[0], nodes[1]
	key := keyOwnedBy(t, other, owner.url, "missing")

	ctx := WithPeerStatus(context.Background())
	var v string
	err := other.originals.Get(ctx, key, groupcache.StringSink(&v))
	require.ErrorIs(t, err, errNotFound)
	st, ok := PeerStatus(ctx)
	assert.True(t, ok)
	assert.Equal(t, http.StatusNotFound, st)
	assert.EqualValues(t, 1, owner.origLoads.Load())
	orig, _ := totals(nodes)
	assert.EqualValues(t, 1, orig, "only the owner loads")
}

func TestClusterDeadNode(t *testing.T) {
	t.Parallel()
	client := &http.Client{Timeout: 2 * time.Second}
	nodes := newTestCluster(t, clusterOpts{n: 3, client: client})
	dead := nodes[0]
	key := keyOwnedBy(t, nodes[1], dead.url, "dead")
	dead.srv.Close()

	for _, n := range nodes[1:] {
		ctx := WithPeerStatus(context.Background())
		var v string
		require.NoError(t, n.originals.Get(ctx, key, groupcache.StringSink(&v)))
		assert.Equal(t, "orig:"+key, v)
		_, ok := PeerStatus(ctx)
		assert.False(t, ok, "an unreachable peer records no status")
		assert.EqualValues(t, 1, n.origLoads.Load(), "loaded locally")
	}
	assert.Zero(t, dead.origLoads.Load())
}

func TestClusterStalledNode(t *testing.T) {
	t.Parallel()
	client := &http.Client{Timeout: 200 * time.Millisecond}
	var stalled atomic.Int32 // requests the stalled node received
	nodes := newTestCluster(t, clusterOpts{n: 2, client: client, wrap: func(i int, h http.Handler) http.Handler {
		if i != 0 {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			stalled.Add(1)
			<-r.Context().Done()
		})
	}})
	key := keyOwnedBy(t, nodes[1], nodes[0].url, "stall")

	var v string
	require.NoError(t, nodes[1].originals.Get(context.Background(), key, groupcache.StringSink(&v)))
	assert.Equal(t, "orig:"+key, v)
	assert.EqualValues(t, 1, stalled.Load(), "the owner was asked once, not retried")
	assert.EqualValues(t, 1, nodes[1].origLoads.Load(), "then the key was loaded locally")
}

func TestClustersAreIndependent(t *testing.T) {
	t.Parallel()
	a := newTestCluster(t, clusterOpts{n: 3, tag: "a:"})
	b := newTestCluster(t, clusterOpts{n: 3, tag: "b:"})
	ctx := context.Background()

	for i := range 3 {
		var va, vb string
		require.NoError(t, a[i].originals.Get(ctx, "same.jpg", groupcache.StringSink(&va)))
		require.NoError(t, b[i].originals.Get(ctx, "same.jpg", groupcache.StringSink(&vb)))
		assert.Equal(t, "a:orig:same.jpg", va)
		assert.Equal(t, "b:orig:same.jpg", vb)
	}
	origA, _ := totals(a)
	origB, _ := totals(b)
	assert.EqualValues(t, 1, origA)
	assert.EqualValues(t, 1, origB)
	assert.NotEqual(t, a[0].originals.Name(), b[0].originals.Name())
}

func TestClusterDisagreeingNodesDoNotLoop(t *testing.T) {
	t.Parallel()
	client := &http.Client{Timeout: 2 * time.Second}
	nodes := newTestCluster(t, clusterOpts{n: 2, client: client, replicas: func(i int) int { return 3 + 7*i }})
	var key string
	for i := range 10000 {
		k := fmt.Sprintf("k%d", i)
		if nodes[0].pool.picker.owner(k) == nodes[1].url && nodes[1].pool.picker.owner(k) == nodes[0].url {
			key = k
			break
		}
	}
	require.NotEmpty(t, key, "no key the two rings disagree on")

	var v string
	require.NoError(t, nodes[0].originals.Get(context.Background(), key, groupcache.StringSink(&v)))
	assert.Equal(t, "orig:"+key, v)
	assert.Zero(t, nodes[0].origLoads.Load())
	assert.EqualValues(t, 1, nodes[1].origLoads.Load(), "the asked node loads instead of forwarding back")
}

func TestPoolClose(t *testing.T) {
	t.Parallel()
	nodes := newTestCluster(t, clusterOpts{n: 2})
	n := nodes[0]
	key := keyOwnedBy(t, n, nodes[1].url, "closed")
	n.pool.Close()
	n.pool.Close()

	var v string
	require.NoError(t, n.originals.Get(context.Background(), key, groupcache.StringSink(&v)))
	assert.EqualValues(t, 1, n.origLoads.Load(), "a closed pool loads locally")
	assert.Zero(t, nodes[1].origLoads.Load())

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/_groupcache/originals/x", nil)
	req.Header.Set(SecretHeader, testSecret)
	n.pool.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)

	assert.Panics(t, func() { n.pool.NewGroup("more", 1, groupcache.GetterFunc(nil)) })
}

// TestClusterOversizedAnswer: a peer's answer over MaxValueBytes, with or
// without a Content-Length, is not read whole; the asking node loads the
// key itself.
func TestClusterOversizedAnswer(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 4<<10)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			t.Parallel()
			nodes := newTestCluster(t, clusterOpts{n: 2, tag: big, maxValue: 1 << 10, wrap: func(i int, h http.Handler) http.Handler {
				if i != 0 || !chunked {
					return h
				}
				// A well-formed answer, sent in chunks without a length.
				body, err := proto.Marshal(&pb.GetResponse{Value: []byte(strings.Repeat(big, 64))})
				require.NoError(t, err)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusOK)
					for len(body) > 0 {
						n := min(len(body), 1<<10)
						_, _ = w.Write(body[:n])
						w.(http.Flusher).Flush()
						body = body[n:]
					}
				})
			}})
			key := keyOwnedBy(t, nodes[1], nodes[0].url, "big")
			ctx := WithPeerStatus(context.Background())
			var v string
			require.NoError(t, nodes[1].originals.Get(ctx, key, groupcache.StringSink(&v)))
			assert.Equal(t, big+"orig:"+key, v)
			assert.EqualValues(t, 1, nodes[1].origLoads.Load(), "loaded by the asking node")
			_, ok := PeerStatus(ctx)
			assert.False(t, ok, "an oversized answer says nothing about the key")
		})
	}
}
