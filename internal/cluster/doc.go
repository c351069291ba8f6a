// Package cluster shares the imgproxy caches between the nodes of a cluster
// with groupcache, without groupcache's process-global peer plumbing.
//
// Each node runs a [Pool]. [Pool.NewGroup] creates [groupcache.Group]s whose
// keys are spread over the nodes by consistent hashing: a Get on any node is
// answered from that node's caches, else forwarded to the key's owner, which
// loads the value at most once for the whole cluster (groupcache's
// singleflight) and keeps it in its main cache. [Pool.ServeHTTP] is the peer
// protocol server; the caller mounts it on its own peer listener. Peer
// requests carry the shared [Config.Secret] in the [SecretHeader] header and
// are refused with 403 without it, so the peer port cannot be used to bypass
// URL signing.
//
// # Why this package has global state
//
// groupcache was written for one cache per process. Three of its registries
// are process-global and write-once:
//
//   - groupcache.NewGroup records every group in a global map and panics on a
//     duplicate name, and a group can never be removed;
//   - groupcache.RegisterPeerPicker and groupcache.RegisterPerGroupPeerPicker
//     set the single function every group consults, lazily on its first Get,
//     to find its peers, and panic if called twice;
//   - groupcache.NewHTTPPool and NewHTTPPoolOpts call RegisterPeerPicker, so
//     they too work once per process, and NewHTTPPool also claims a route on
//     http.DefaultServeMux.
//
// The imgproxy Handler, by contrast, must be instantiable any number of times
// in one process (the tests run several Handlers, each acting as a node, side
// by side). This package therefore never uses HTTPPool and keeps exactly one
// package-level registry, the only package-level mutable state in the
// project. On the first [NewPool] it registers, once, a per-group peer picker
// with groupcache; that picker looks the group's name up in a
// mutex-protected map from process-internal group name to the owning Pool's
// picker. Every Pool takes a fresh id from an atomic counter, and every group
// it creates is given the internal name "imgproxy/<pool id>/<wire name>", so
// two Pools may both have an "originals" group without clashing. The wire
// name alone is used between nodes. [Pool.NewGroup] adds the map entry before
// the group exists, so it is in place before the group's first Get, which is
// when groupcache asks for the picker.
//
// Consequences worth knowing:
//
//   - If something else in the process has already registered a groupcache
//     peer picker (for example the host application uses
//     groupcache.NewHTTPPool), registration fails and [NewPool] returns an
//     error. Conversely, once a Pool exists, a later groupcache.NewHTTPPool
//     in the same process panics.
//   - groupcache groups not created through a Pool get no peers (they load
//     locally), since the registered picker does not know them.
//   - groupcache cannot forget a group: the groups of a Pool, and their
//     caches, live until the process exits even after [Pool.Close]. This only
//     matters for processes that create many Pools, that is tests.
package cluster
