package cluster

import (
	"testing"

	"github.com/golang/groupcache"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistryInstallConflict(t *testing.T) {
	t.Parallel()
	var r registry
	calls := 0
	register := func(func(string) groupcache.PeerPicker) {
		calls++
		panic("RegisterPeerPicker called more than once")
	}
	err := r.install(register)
	require.ErrorContains(t, err, "another groupcache peer picker is already registered")
	assert.Equal(t, err, r.install(register), "the outcome is remembered")
	assert.Equal(t, 1, calls)
}

func TestRegistryLookup(t *testing.T) {
	t.Parallel()
	var r registry
	var got func(string) groupcache.PeerPicker
	require.NoError(t, r.install(func(fn func(string) groupcache.PeerPicker) { got = fn }))
	require.NotNil(t, got)

	assert.Nil(t, got("unknown"), "unknown groups get groupcache's NoPeers")
	pk := &picker{}
	r.add("imgproxy/1/originals", pk)
	assert.Same(t, pk, got("imgproxy/1/originals"))
	r.remove("imgproxy/1/originals")
	assert.Nil(t, got("imgproxy/1/originals"))

	assert.NotEqual(t, r.namePrefix(), r.namePrefix())
}

func TestGlobalPickerFindsPoolGroups(t *testing.T) {
	t.Parallel()
	const a, b = "http://127.0.0.1:1", "http://127.0.0.1:2"
	p, err := NewPool(Config{Self: a, Peers: []string{a, b}, Secret: "x"})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	g := p.NewGroup("originals", 1, groupcache.GetterFunc(func(groupcache.Context, string, groupcache.Sink) error { return nil }))
	assert.Same(t, p.picker, global.lookup(g.Name()))
	assert.Panics(t, func() { p.NewGroup("originals", 1, g) }, "duplicate wire name")
	assert.Panics(t, func() { p.NewGroup("", 1, g) })
	assert.Panics(t, func() { p.NewGroup("x", 1, nil) })
}
