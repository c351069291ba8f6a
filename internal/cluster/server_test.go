package cluster

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	pb "github.com/golang/groupcache/groupcachepb"
	"github.com/golang/protobuf/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeHTTP(t *testing.T) {
	t.Parallel()
	nodes := newTestCluster(t, clusterOpts{n: 3})
	n := nodes[0]
	key := keyOwnedBy(t, n, n.url, "dir/")
	good := "/_groupcache/originals/" + url.PathEscape(key)

	tests := []struct {
		name, method, path, secret string
		want                       int
	}{
		{"no secret", http.MethodGet, good, "", http.StatusForbidden},
		{"wrong secret", http.MethodGet, good, "s3cres", http.StatusForbidden},
		{"longer secret", http.MethodGet, good, testSecret + "x", http.StatusForbidden},
		{"no secret, unknown group", http.MethodGet, "/_groupcache/nope/x", "", http.StatusForbidden},
		{"method", http.MethodPost, good, testSecret, http.StatusMethodNotAllowed},
		{"unknown group", http.MethodGet, "/_groupcache/nope/x", testSecret, http.StatusNotFound},
		{"outside base path", http.MethodGet, "/other/originals/x", testSecret, http.StatusNotFound},
		{"no key", http.MethodGet, "/_groupcache/originals", testSecret, http.StatusBadRequest},
		{"no group", http.MethodGet, "/_groupcache//x", testSecret, http.StatusBadRequest},
		{"getter error", http.MethodGet, "/_groupcache/originals/missing.jpg", testSecret, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, tt.method, n.url+tt.path, tt.secret)
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.StatusCode)
			assert.Equal(t, http.StatusText(tt.want)+"\n", string(body), "only the status text")
		})
	}
	orig, _ := totals(nodes)
	assert.EqualValues(t, 1, orig, "only the getter error case loads, once, on the owner")

	res := do(t, http.MethodGet, n.url+good, testSecret)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/x-protobuf", res.Header.Get("Content-Type"))
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out pb.GetResponse
	require.NoError(t, proto.Unmarshal(b, &out))
	assert.Equal(t, "orig:"+key, string(out.Value))
	orig, _ = totals(nodes)
	assert.EqualValues(t, 2, orig)
}

func TestParsePeerPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"originals/a%2Fb.jpg%7Cw=1": {"originals", "a/b.jpg|w=1"},
		"v%20x/":                    {"v x", ""},
		"variants/a/b":              {"variants", "a/b"},
	} {
		wire, key, ok := parsePeerPath(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, [2]string{wire, key}, in)
	}
	for _, in := range []string{"", "originals", "/key", "originals/%zz", "%zz/key"} {
		_, _, ok := parsePeerPath(in)
		assert.False(t, ok, in)
	}
}

func do(t *testing.T, method, u, secret string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
	require.NoError(t, err)
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}
