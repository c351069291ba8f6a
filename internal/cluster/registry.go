package cluster

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/golang/groupcache"
)

// global is the process-wide registry described in the package
// documentation. It is the only package-level mutable state of the project.
var global registry

// registry maps process-internal groupcache group names to the peer picker
// of the Pool that created them.
type registry struct {
	once sync.Once
	err  error // result of the one registration attempt

	ids atomic.Uint64 // last Pool id handed out

	mu      sync.Mutex
	pickers map[string]groupcache.PeerPicker // internal group name -> picker
}

// install registers r's lookup with groupcache the first time it is called,
// using register (groupcache.RegisterPerGroupPeerPicker outside tests), and
// reports the outcome of that one attempt on every call.
func (r *registry) install(register func(func(string) groupcache.PeerPicker)) error {
	r.once.Do(func() {
		defer func() {
			if v := recover(); v != nil {
				r.err = fmt.Errorf("cluster: another groupcache peer picker is already registered in this process (does it use groupcache.NewHTTPPool?): %v", v)
			}
		}()
		register(r.lookup)
	})
	return r.err
}

// lookup is the per-group peer picker function registered with groupcache.
// A nil result makes groupcache use NoPeers.
func (r *registry) lookup(internalName string) groupcache.PeerPicker {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pickers[internalName]
}

// add registers pk for internalName.
func (r *registry) add(internalName string, pk groupcache.PeerPicker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pickers == nil {
		r.pickers = make(map[string]groupcache.PeerPicker)
	}
	r.pickers[internalName] = pk
}

// remove forgets internalName.
func (r *registry) remove(internalName string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.pickers, internalName)
}

// namePrefix returns a fresh prefix for the internal names of a new Pool's
// groups.
func (r *registry) namePrefix() string {
	return "imgproxy/" + strconv.FormatUint(r.ids.Add(1), 10) + "/"
}
