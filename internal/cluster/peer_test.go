package cluster

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPeerStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	recordPeerStatus(ctx, http.StatusNotFound) // no holder: no effect, no panic
	_, ok := PeerStatus(ctx)
	assert.False(t, ok)

	ctx = WithPeerStatus(ctx)
	_, ok = PeerStatus(ctx)
	assert.False(t, ok)

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			recordPeerStatus(ctx, http.StatusUnsupportedMediaType)
			PeerStatus(ctx)
		})
	}
	wg.Wait()
	st, ok := PeerStatus(ctx)
	assert.True(t, ok)
	assert.Equal(t, http.StatusUnsupportedMediaType, st)
}

func TestPeerError(t *testing.T) {
	t.Parallel()
	err := &PeerError{Peer: "http://10.0.0.2:7001", Status: http.StatusNotFound}
	assert.Equal(t, "cluster: peer http://10.0.0.2:7001 answered 404 Not Found", err.Error())
}
