package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang/groupcache/consistenthash"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testPeerSecret = "cluster-test-secret"

// serverNamespace is the cache namespace of a server started with args
// (the one that starts its keys: see imgproxy.Handler.Namespace).
func serverNamespace(t *testing.T, args ...string) string {
	t.Helper()
	cfg, err := parseConfig(args, os.Getenv, io.Discard)
	require.NoError(t, err)
	h, err := newHandler(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	return h.CacheNamespace()
}

// node is one imgproxy process of a test cluster.
type node struct {
	*server
	peer string // its entry in -peers, "http://127.0.0.1:<port>"
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	lns := make([]net.Listener, n)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns[i] = ln
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// startCluster runs n nodes sharing upstream, on fresh loopback peer
// ports, retrying with other ports if one was taken meanwhile.
func startCluster(t *testing.T, n int, upstream string, extra ...string) []*node {
	t.Helper()
	var lastErr error
	for range 3 {
		ports := freePorts(t, n)
		peers := make([]string, n)
		for i, p := range ports {
			peers[i] = "http://127.0.0.1:" + strconv.Itoa(p)
		}
		nodes := make([]*node, n)
		for i := range nodes {
			args := append([]string{"-upstream", upstream,
				"-peer-listen", "127.0.0.1:" + strconv.Itoa(ports[i]),
				"-peers", strings.Join(peers, ","), "-self", peers[i],
				"-peer-secret", testPeerSecret}, extra...)
			s, err := tryStartServer(t, args...)
			if err != nil {
				lastErr = err
				for _, started := range nodes[:i] {
					started.cmd.Process.Kill()
				}
				nodes = nil
				break
			}
			nodes[i] = &node{server: s, peer: peers[i]}
		}
		if nodes != nil {
			return nodes
		}
	}
	t.Fatalf("cluster did not start: %v", lastErr)
	return nil
}

// fetched is one response, read by a goroutine.
type fetched struct {
	status int
	cache  string
	body   []byte
	err    error
}

func fetch(client *http.Client, url string) fetched {
	resp, err := client.Get(url)
	if err != nil {
		return fetched{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return fetched{status: resp.StatusCode, cache: resp.Header.Get("X-Cache-Status"), body: body, err: err}
}

// fetchAll requests every url concurrently and returns the responses in
// order.
func fetchAll(urls []string) []fetched {
	client := &http.Client{Timeout: 60 * time.Second}
	out := make([]fetched, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { out[i] = fetch(client, u) })
	}
	wg.Wait()
	return out
}

func TestClusterOneOriginFetch(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	nodes := startCluster(t, 3, o.url())

	// One new variant, asked of every node at once.
	const path = "/image/200x150,crop/gen/700.jpg"
	urls := make([]string, 60)
	for i := range urls {
		urls[i] = nodes[i%3].base + path
	}
	res := fetchAll(urls)
	misses := 0
	for i, r := range res {
		require.NoError(t, r.err, "request %d", i)
		require.Equal(t, 200, r.status, "request %d to node %d", i, i%3)
		assert.Equal(t, res[0].body, r.body, "request %d to node %d", i, i%3)
		if r.cache == "MISS" {
			misses++
		}
	}
	w, h := dims(t, res[0].body)
	assert.Equal(t, [2]int{200, 150}, [2]int{w, h})
	assert.Equal(t, 1, o.count("/gen/700.jpg"), "one origin fetch for the whole cluster")
	t.Logf("X-Cache-Status MISS on %d of 60 responses", misses)

	// Five sizes of one new picture: five variants, one original.
	urls = urls[:0]
	for i := range 5 {
		urls = append(urls, nodes[i%3].base+fmt.Sprintf("/image/%dx%d,crop/gen/701.jpg", 100+i*40, 80+i*30))
	}
	for i, r := range fetchAll(urls) {
		require.NoError(t, r.err, urls[i])
		require.Equal(t, 200, r.status, urls[i])
		w, h := dims(t, r.body)
		assert.Equal(t, [2]int{100 + i*40, 80 + i*30}, [2]int{w, h}, urls[i])
	}
	assert.Equal(t, 1, o.count("/gen/701.jpg"), "one origin fetch for five sizes across the cluster")

	// Every node now serves every size without the origin.
	for _, n := range nodes {
		for i := range 5 {
			resp, _ := n.get(t, fmt.Sprintf("/image/%dx%d,crop/gen/701.jpg", 100+i*40, 80+i*30))
			assert.Equal(t, 200, resp.StatusCode)
		}
	}
	assert.Equal(t, 1, o.count("/gen/701.jpg"))
	assert.Equal(t, 1, o.count("/gen/700.jpg"))
}

func TestClusterPeerAuth(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	nodes := startCluster(t, 1, o.url())
	u := nodes[0].peer + "/_groupcache/variants/anything"
	for _, secret := range []string{"", "wrong", testPeerSecret + "x", strings.ToUpper(testPeerSecret)} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		if secret != "" {
			req.Header.Set("X-Imgproxy-Peer-Secret", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "secret %q", secret)
		assert.Equal(t, "Forbidden\n", string(body), "secret %q", secret)
	}
	// The right secret gets past the check (to a 4xx for this bogus key).
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("X-Imgproxy-Peer-Secret", testPeerSecret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.NotEqual(t, http.StatusForbidden, resp.StatusCode)
	assert.Zero(t, o.count("/gen/anything"), "nothing fetched")
}

// pickOwnedURLs returns count thumbnail paths of new pictures (numbered
// from first) for each of three kinds, judged by the ring the nodes build
// (groupcache's consistent hash with cluster.DefaultReplicas points per
// node, keyed "<epoch>/<namespace>/<key>" with the default 30-day
// -max-age): variant owned by dead; original (but not variant) owned by
// dead; neither.
func pickOwnedURLs(peers []string, ns, dead string, first, count int) (paths []string, kinds [3]int) {
	ring := consistenthash.New(50, nil)
	ring.Add(peers...)
	epoch := strconv.FormatInt(time.Now().Unix()/int64(30*24*time.Hour/time.Second), 10)
	for n := first; n < first+1000 && len(paths) < 3*count; n++ {
		opts, orig := "160x120,crop", fmt.Sprintf("gen/%d.jpg", n)
		kind := 2
		switch {
		case ring.Get(epoch+"/"+ns+"/"+opts+"/"+orig) == dead:
			kind = 0
		case ring.Get(epoch+"/"+ns+"/"+orig) == dead:
			kind = 1
		}
		if kinds[kind] < count {
			kinds[kind]++
			paths = append(paths, "/image/"+opts+"/"+orig)
		}
	}
	return paths, kinds
}

func TestClusterNodeDeath(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	nodes := startCluster(t, 3, o.url())
	peers := []string{nodes[0].peer, nodes[1].peer, nodes[2].peer}
	dead, alive := nodes[0], nodes[1:]

	ns := serverNamespace(t, "-upstream", o.url())
	warm, kinds := pickOwnedURLs(peers, ns, dead.peer, 800, 4)
	t.Logf("warmed URLs owned by the node to die: %d variants, %d more originals; %d others", kinds[0], kinds[1], kinds[2])
	fresh, _ := pickOwnedURLs(peers, ns, dead.peer, 900, 2)
	urls := make([]string, len(warm))
	for i, p := range warm {
		urls[i] = nodes[i%3].base + p
	}
	for i, r := range fetchAll(urls) {
		require.NoError(t, r.err, urls[i])
		require.Equal(t, 200, r.status, urls[i])
	}

	killServer(t, dead.server)
	start := time.Now()
	client := &http.Client{Timeout: 20 * time.Second}
	for _, n := range alive {
		for _, p := range append(warm, fresh...) {
			r := fetch(client, n.base+p)
			require.NoError(t, r.err, p)
			require.Equal(t, 200, r.status, "%s from %s", p, n.base)
			w, h := dims(t, r.body)
			assert.Equal(t, [2]int{160, 120}, [2]int{w, h}, p)
		}
	}
	// No time bound asserted (it would flake on a loaded machine): the
	// client's timeout turns a survivor stuck on the dead node into an error.
	t.Logf("%d requests to the survivors took %v", 2*(len(warm)+len(fresh)), time.Since(start))
}

// TestClusterNegotiation: across a cluster of real processes, each
// format chosen from Accept is its own variant: every node serves AVIF
// to AVIF clients, WebP to WebP clients and JPEG to the rest, with Vary:
// Accept, and the origin is fetched once for all of them.
func TestClusterNegotiation(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	// The first AVIF a node makes compiles the WebAssembly encoder, which
	// under the race detector, beside the other tests, has taken more
	// than a minute: the bounds below only turn a hang into a failure.
	nodes := startCluster(t, 3, o.url(), "-negotiate", "avif,webp", "-timeout", "4m")
	client := &http.Client{Timeout: 5 * time.Minute}
	const path = "/image/120x90,crop/gen/640.jpg"
	bodies := map[string][]byte{}
	for round := range 2 {
		for i, c := range []struct{ accept, ctype string }{
			{"image/avif,image/webp,*/*", "image/avif"},
			{"image/webp,*/*", "image/webp"},
			{"*/*", "image/jpeg"},
		} {
			for j, n := range nodes {
				req, err := http.NewRequest(http.MethodGet, n.base+path, nil)
				require.NoError(t, err)
				req.Header.Set("Accept", c.accept)
				resp, err := client.Do(req)
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				require.Equal(t, 200, resp.StatusCode, "round %d accept %q node %d", round, c.accept, j)
				assert.Equal(t, c.ctype, resp.Header.Get("Content-Type"), "round %d accept %q node %d (case %d)", round, c.accept, j, i)
				assert.Equal(t, "Accept", resp.Header.Get("Vary"))
				if prev, ok := bodies[c.ctype]; ok {
					assert.Equal(t, prev, body, "one variant per format across the cluster")
				}
				bodies[c.ctype] = body
			}
		}
	}
	assert.Equal(t, 1, o.count("/gen/640.jpg"), "one origin fetch for every format on every node")
}

// TestClusterPeerServesOnlyPictures: a holder of the peer secret gets
// originals only if they are pictures within -max-source-bytes, and
// variants only of pictures; the rest of the upstream stays closed.
func TestClusterPeerServesOnlyPictures(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	nodes := startCluster(t, 1, up.URL+"/", "-max-source-bytes", "1M")
	ns := serverNamespace(t, "-upstream", up.URL+"/", "-max-source-bytes", "1M")
	tests := []struct {
		group, key string
		want       int
	}{
		{"originals", "1/NS/photo.jpg", http.StatusOK},
		{"originals", "1/NS/pixel.png", http.StatusOK},
		{"originals", "1/NS/text.txt", http.StatusUnsupportedMediaType},
		{"originals", "1/NS/big.jpg", http.StatusUnsupportedMediaType}, // over 1M
		{"originals", "1/NS/missing.jpg", http.StatusNotFound},
		{"originals", "1/NS/../text.txt", http.StatusBadRequest},
		{"originals", "1/NS//etc/passwd", http.StatusBadRequest},
		{"variants", "1/NS/100x100/photo.jpg", http.StatusOK},
		{"variants", "1/NS/100x100/text.txt", http.StatusUnsupportedMediaType},
		{"variants", "1/NS/-x-/text.txt", http.StatusUnsupportedMediaType},
		// Keys of another namespace (a node of other settings): refused.
		{"originals", "1/0123456789abcdef/photo.jpg", http.StatusBadRequest},
		{"variants", "1/0123456789abcdef/100x100/photo.jpg", http.StatusBadRequest},
	}
	for _, tt := range tests {
		key := strings.Replace(tt.key, "NS", ns, 1)
		u := nodes[0].peer + "/_groupcache/" + tt.group + "/" + url.PathEscape(key)
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		req.Header.Set("X-Imgproxy-Peer-Secret", testPeerSecret)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, tt.want, resp.StatusCode, "%s %s", tt.group, tt.key)
		if tt.want != http.StatusOK {
			assert.Equal(t, http.StatusText(tt.want)+"\n", string(body), "%s %s", tt.group, tt.key)
		}
		assert.NotContains(t, string(body), "not an image at all", "%s %s", tt.group, tt.key)
	}
}
