package imgproxy

import (
	"errors"
	"net/url"
	"path"
	"strings"
	"testing"
)

// FuzzCleanPath checks that cleanPath never panics, never rewrites, and
// that whatever it accepts has no dot segment, no leading or doubled "/"
// and no backslash, in any percent-decoded form, and resolves below the
// HTTPFetcher's base URL, even for an origin that decodes again.
func FuzzCleanPath(f *testing.F) {
	for _, p := range fetchHostilePaths {
		f.Add(p)
	}
	for _, p := range []string{"a.jpg", "wikipedia/commons/a/a9/Example.jpg", "ünï/x y.jpg", "100%.jpg", "...", "a/b:c"} {
		f.Add(p)
	}
	const base = "http://origin.example/base/"
	h := &HTTPFetcher{BaseURL: base}
	if err := h.Validate(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := cleanPath(p)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) || got != "" {
				t.Fatalf("cleanPath(%q) = %q, %v", p, got, err)
			}
			return
		}
		if got != p {
			t.Fatalf("cleanPath(%q) rewrote it to %q", p, got)
		}
		for s, i := p, 0; ; i++ {
			if s == "" || strings.HasPrefix(s, "/") || strings.Contains(s, "//") || strings.ContainsAny(s, "\\?#@\x00") {
				t.Fatalf("accepted %q, decoded %d times %q", p, i, s)
			}
			for seg := range strings.SplitSeq(s, "/") {
				if seg == "." || seg == ".." {
					t.Fatalf("accepted %q with a dot segment, decoded %d times %q", p, i, s)
				}
			}
			if j := path.Join("/base", s); !strings.HasPrefix(j, "/base/") {
				t.Fatalf("accepted %q joins to %q", p, j)
			}
			d, changed := unescapeLoose(s)
			if !changed {
				break
			}
			s = d
		}
		u, err := h.resolve(p)
		if err != nil {
			t.Fatalf("resolve(%q): %v", p, err)
		}
		if u.Scheme != "http" || u.Host != "origin.example" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("resolve(%q) left the origin: %s", p, u)
		}
		if u.Path != "/base/"+p || !strings.HasPrefix(path.Clean(u.Path), "/base/") {
			t.Fatalf("resolve(%q) = %s", p, u)
		}
		// An origin or proxy that decodes the path once more still stays
		// below the base.
		again, err := url.PathUnescape(u.Path)
		if err == nil && !strings.HasPrefix(path.Clean(again), "/base/") {
			t.Fatalf("resolve(%q) = %s, decoded again %q", p, u, again)
		}
		if back, err := url.Parse(u.String()); err != nil || back.Path != u.Path || back.Host != u.Host {
			t.Fatalf("resolve(%q) = %s does not round-trip: %v", p, u, err)
		}
	})
}
