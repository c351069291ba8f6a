package cluster

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/golang/groupcache"
	"github.com/golang/groupcache/consistenthash"
)

// A Pool is one node's membership in the cluster: it creates the node's
// groups, picks the owner of each key and serves peer requests. Create one
// per Handler with NewPool; any number may coexist in one process.
type Pool struct {
	self        string
	secretSum   [32]byte // SHA-256 of the shared secret
	secret      string
	basePath    string
	maxValue    int64  // bytes of a peer's response body
	namePrefix  string // "imgproxy/<pool id>/"
	client      *http.Client
	ownsClient  bool
	errorStatus func(error) int
	picker      *picker
	closed      atomic.Bool

	mu     sync.RWMutex
	groups map[string]*groupcache.Group // wire name -> group
}

// NewPool validates cfg and returns a Pool for it. It fails if cfg is invalid
// or if another groupcache peer picker is already registered in this
// process (see the package documentation).
func NewPool(cfg Config) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := global.install(groupcache.RegisterPerGroupPeerPicker); err != nil {
		return nil, err
	}
	p := &Pool{
		self:        cfg.Self,
		secretSum:   sum(cfg.Secret),
		secret:      cfg.Secret,
		basePath:    cfg.basePath(),
		maxValue:    cfg.maxValueBytes(),
		namePrefix:  global.namePrefix(),
		client:      cfg.Client,
		errorStatus: cfg.ErrorStatus,
		groups:      make(map[string]*groupcache.Group),
	}
	if p.client == nil {
		p.client, p.ownsClient = newDefaultClient(), true
	}
	p.picker = newPicker(p, cfg.Peers, cfg.replicas())
	return p, nil
}

// NewGroup creates a groupcache.Group of this pool, whose keys are shared
// with the groups of the same wireName on the other nodes. wireName (for
// example "originals" or "variants") is the name used between peers; the
// group's groupcache name, returned by its Name method, is made unique to
// this Pool. cacheBytes and getter are as for groupcache.NewGroup.
//
// NewGroup panics if wireName is empty or already used in this Pool, if
// getter is nil, or if the Pool is closed.
func (p *Pool) NewGroup(wireName string, cacheBytes int64, getter groupcache.Getter) *groupcache.Group {
	if wireName == "" {
		panic("cluster: empty group name")
	}
	if getter == nil {
		panic("cluster: nil Getter")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		panic("cluster: NewGroup on a closed Pool")
	}
	if _, dup := p.groups[wireName]; dup {
		panic("cluster: duplicate group " + wireName)
	}
	name := p.namePrefix + wireName
	// The picker must be findable before the group's first Get, which is
	// when groupcache looks it up; nobody can Get before NewGroup returns.
	global.add(name, p.picker)
	g := groupcache.NewGroup(name, cacheBytes, getter)
	p.groups[wireName] = g
	return g
}

// Close releases what the Pool can release: its groups stop consulting
// peers (they load locally from then on), ServeHTTP answers 503, and the
// idle connections of the Pool's own client are closed. The groups
// themselves, and their caches, stay registered with groupcache until the
// process exits, because groupcache offers no way to remove a group; this
// leak matters only to processes that create many Pools, such as tests.
// Close is idempotent.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Swap(true) {
		return
	}
	for wire := range p.groups {
		global.remove(p.namePrefix + wire)
	}
	if p.ownsClient {
		p.client.CloseIdleConnections()
	}
}

// group returns the group of p with the given wire name, or nil.
func (p *Pool) group(wireName string) *groupcache.Group {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.groups[wireName]
}

// wireName maps a group's internal groupcache name back to its wire name.
func (p *Pool) wireName(internalName string) (string, bool) {
	return strings.CutPrefix(internalName, p.namePrefix)
}

// picker chooses the owner of a key on a consistent-hash ring of all peers.
type picker struct {
	pool    *Pool
	ring    *consistenthash.Map // read-only once built
	getters map[string]*peerGetter
}

var _ groupcache.PeerPicker = (*picker)(nil)

// newPicker builds the ring of peers for p.
func newPicker(p *Pool, peers []string, replicas int) *picker {
	pk := &picker{
		pool:    p,
		ring:    consistenthash.New(replicas, nil),
		getters: make(map[string]*peerGetter, len(peers)),
	}
	pk.ring.Add(peers...)
	for _, peer := range peers {
		if peer != p.self {
			pk.getters[peer] = newPeerGetter(p, peer)
		}
	}
	return pk
}

// owner returns the base URL of the node that owns key.
func (pk *picker) owner(key string) string { return pk.ring.Get(key) }

// PickPeer returns the getter of the peer owning key, or nil, false if this
// node owns it or the Pool is closed.
func (pk *picker) PickPeer(key string) (groupcache.ProtoGetter, bool) {
	if pk.pool.closed.Load() {
		return nil, false
	}
	g, ok := pk.getters[pk.owner(key)]
	if !ok {
		return nil, false
	}
	return g, true
}
