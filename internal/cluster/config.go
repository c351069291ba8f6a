package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by [NewPool] to zero [Config] fields.
const (
	DefaultBasePath = "/_groupcache/"
	DefaultReplicas = 50
	// DefaultMaxValueBytes bounds a peer's answer: room for the largest
	// source (20 MiB) with its header, and more.
	DefaultMaxValueBytes = 64 << 20
)

// Config describes this node's view of the cluster. Every node must be given
// the same Peers, Secret, BasePath and Replicas; only Self differs.
type Config struct {
	// Self is this node's base URL, exactly as it appears in Peers, for
	// example "http://127.0.0.1:7001".
	Self string

	// Peers lists every node's base URL, Self included. Each is an absolute
	// http or https URL with a host and no query, fragment or user
	// information; a path is allowed (the peer server is then expected
	// under it). The strings are hashed as given, so they must be spelled
	// identically on every node.
	Peers []string

	// Secret is the shared secret sent in the SecretHeader header of every
	// peer request; requests without it are answered 403. Required.
	Secret string

	// BasePath is the path under which peer requests are served. A missing
	// leading or trailing slash is added. If empty, DefaultBasePath.
	BasePath string

	// Replicas is the number of consistent-hash points per node. If zero,
	// DefaultReplicas. Negative values are invalid.
	Replicas int

	// MaxValueBytes bounds the response read from a peer; a larger one
	// is an error, and the key is loaded locally. If zero,
	// DefaultMaxValueBytes. Negative values are invalid.
	MaxValueBytes int64

	// Client makes the requests to peers. If nil, each Pool builds its own
	// client with a 30s overall timeout, a 2s dial timeout and no proxy.
	Client *http.Client

	// ErrorStatus maps the error of a group's Get, made on behalf of a peer,
	// to the HTTP status answered to that peer, which the peer reports via
	// PeerStatus. Typically the host Handler's status table. If nil, every
	// error is answered 500.
	ErrorStatus func(error) int
}

// Validate reports whether c is usable by NewPool.
func (c Config) Validate() error {
	if c.Secret == "" {
		return errors.New("cluster: Secret is required")
	}
	if c.Replicas < 0 {
		return fmt.Errorf("cluster: Replicas is negative (%d)", c.Replicas)
	}
	if c.MaxValueBytes < 0 {
		return fmt.Errorf("cluster: MaxValueBytes is negative (%d)", c.MaxValueBytes)
	}
	if len(c.Peers) == 0 {
		return errors.New("cluster: Peers is empty")
	}
	seen := make(map[string]bool, len(c.Peers))
	for _, p := range c.Peers {
		if err := checkPeerURL(p); err != nil {
			return err
		}
		if seen[p] {
			return fmt.Errorf("cluster: peer %q is listed twice", p)
		}
		seen[p] = true
	}
	if !seen[c.Self] {
		return fmt.Errorf("cluster: Self %q is not in Peers", c.Self)
	}
	return nil
}

// checkPeerURL reports whether s is an acceptable peer base URL.
func checkPeerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("cluster: peer %q: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("cluster: peer %q: scheme must be http or https", s)
	case u.Host == "":
		return fmt.Errorf("cluster: peer %q: no host", s)
	case u.User != nil:
		return fmt.Errorf("cluster: peer %q: user information is not allowed (use Secret)", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("cluster: peer %q: query and fragment are not allowed", s)
	}
	return nil
}

// basePath returns c.BasePath normalised to begin and end with a slash.
func (c Config) basePath() string {
	p := c.BasePath
	if p == "" {
		return DefaultBasePath
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// maxValueBytes returns c.MaxValueBytes or its default.
func (c Config) maxValueBytes() int64 {
	if c.MaxValueBytes == 0 {
		return DefaultMaxValueBytes
	}
	return c.MaxValueBytes
}

// replicas returns c.Replicas or its default.
func (c Config) replicas() int {
	if c.Replicas == 0 {
		return DefaultReplicas
	}
	return c.Replicas
}

// newDefaultClient returns the client used when Config.Client is nil. Peers
// are few and busy, so it keeps many idle connections per host; it never
// uses a proxy from the environment.
func newDefaultClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   5 * time.Second,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
	}
}
