package cluster

import (
	"net/url"
	"testing"
)

// FuzzParsePeerPath checks that the peer request path parser never panics
// and that what a peer sends (escaped group and key) parses back exactly.
func FuzzParsePeerPath(f *testing.F) {
	f.Add("variants/1/150x150/a.jpg", "variants", "1/150x150/a.jpg")
	f.Add("originals/%2F%2e%2e", "originals", "x y")
	f.Add("/", "", "")
	f.Fuzz(func(t *testing.T, rest, group, key string) {
		parsePeerPath(rest)
		if group == "" {
			return
		}
		g, k, ok := parsePeerPath(url.PathEscape(group) + "/" + url.PathEscape(key))
		if !ok || g != group || k != key {
			t.Fatalf("(%q, %q) came back as (%q, %q, %v)", group, key, g, k, ok)
		}
	})
}
