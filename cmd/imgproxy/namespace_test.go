package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClusterNamespaces runs a cluster of two server processes whose
// upstreams are directories with an x.jpg each, red on one node and blue
// on the other: sharing the peer list, each node serves only its own
// picture, whichever node owns a key, because their keys are in other
// namespaces; the node asked for the other's key refuses it and logs why.
func TestClusterNamespaces(t *testing.T) {
	t.Parallel()
	colours := []color.RGBA{{200, 30, 30, 255}, {30, 30, 200, 255}}
	dirs := make([]string, len(colours))
	for i, c := range colours {
		dirs[i] = t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dirs[i], "x.jpg"), solidJPEG(t, c), 0o644))
	}
	nodes := startClusterOf(t, dirs)
	for i, n := range nodes {
		assert.Contains(t, n.logs.String(), "namespace="+serverNamespace(t, "-upstream", dirs[i]), "logged at start-up")
	}
	// Boxes of distinct canonical keys for the 64x48 pictures, so that
	// both nodes own some of them.
	sizes := []string{"10x10", "20x-", "-x30", "40x40,crop", "12x12", "-x-", "30x-,r90", "14x14", "16x-", "18x18"}
	for round := range 2 {
		for _, size := range sizes {
			for k := range nodes {
				i := (k + round) % len(nodes) // the other node first, in round 1
				resp, body := nodes[i].get(t, "/image/"+size+"/x.jpg")
				require.Equal(t, 200, resp.StatusCode, "%s on node %d", size, i)
				assert.True(t, nearColour(t, body, colours[i]), "%s on node %d", size, i)
			}
		}
	}
	refused := 0
	for _, n := range nodes {
		refused += strings.Count(n.logs.String(), "a key of another namespace")
	}
	assert.NotZero(t, refused, "some keys were owned by the other node, and refused")
}

// TestCacheNamespaceFlag: the namespace is derived from the upstream and
// the output settings, unless -cache-namespace names it.
func TestCacheNamespaceFlag(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	tests := []struct {
		name         string
		argsA, argsB []string
		same         bool
	}{
		{"other directories", []string{"-upstream", a}, []string{"-upstream", b}, false},
		{"one directory", []string{"-upstream", a}, []string{"-upstream", a + "/.", "-listen", ":1"}, true},
		{"other setting", []string{"-upstream", a}, []string{"-upstream", a, "-jpeg-quality", "90"}, false},
		{"other WebP setting", []string{"-upstream", a}, []string{"-upstream", a, "-webp-quality", "70"}, false},
		{"named", []string{"-upstream", a, "-cache-namespace", "pics"}, []string{"-upstream", b, "-cache-namespace", "pics"}, true},
		{"named apart", []string{"-upstream", a, "-cache-namespace", "pics"}, []string{"-upstream", a, "-cache-namespace", "v2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			na, nb := serverNamespace(t, tt.argsA...), serverNamespace(t, tt.argsB...)
			assert.Len(t, na, 16)
			assert.Equal(t, tt.same, na == nb, "%s and %s", na, nb)
		})
	}
}

// startClusterOf runs one node per upstream, sharing one peer list,
// retrying with other ports if one was taken meanwhile.
func startClusterOf(t *testing.T, upstreams []string) []*node {
	t.Helper()
	var lastErr error
	for range 3 {
		ports := freePorts(t, len(upstreams))
		peers := make([]string, len(ports))
		for i, p := range ports {
			peers[i] = "http://127.0.0.1:" + strconv.Itoa(p)
		}
		nodes := make([]*node, 0, len(ports))
		for i, up := range upstreams {
			s, err := tryStartServer(t, "-upstream", up, "-peer-listen", strings.TrimPrefix(peers[i], "http://"),
				"-peers", strings.Join(peers, ","), "-self", peers[i], "-peer-secret", testPeerSecret)
			if err != nil {
				lastErr = err
				for _, started := range nodes {
					started.cmd.Process.Kill()
				}
				nodes = nil
				break
			}
			nodes = append(nodes, &node{server: s, peer: peers[i]})
		}
		if nodes != nil {
			return nodes
		}
	}
	t.Fatalf("cluster did not start: %v", lastErr)
	return nil
}

// solidJPEG is a 64x48 JPEG of one colour.
func solidJPEG(t *testing.T, c color.RGBA) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := 0; i < len(m.Pix); i += 4 {
		copy(m.Pix[i:i+4], []uint8{c.R, c.G, c.B, c.A})
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// nearColour reports whether the centre of the picture in body is want,
// near enough for JPEG.
func nearColour(t *testing.T, body []byte, want color.RGBA) bool {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(body))
	require.NoError(t, err)
	b := m.Bounds()
	r, g, bl, _ := m.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	near := func(v uint32, w uint8) bool { return max(uint8(v>>8), w)-min(uint8(v>>8), w) < 40 }
	return near(r, want.R) && near(g, want.G) && near(bl, want.B)
}
