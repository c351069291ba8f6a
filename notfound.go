package imgproxy

import (
	"sync"
	"time"
)

// DefaultNotFoundTTL is how long an upstream 404 is remembered.
const DefaultNotFoundTTL = time.Minute

// maxNotFound bounds the remembered 404s; past it the oldest half goes.
const maxNotFound = 10000

// notFoundCache remembers upstream paths that answered 404, for a short
// time, so that requests for a missing picture cannot hammer the origin.
type notFoundCache struct {
	ttl time.Duration // <= 0: remember nothing
	now func() time.Time

	mu    sync.Mutex
	until map[string]time.Time
}

// has reports whether path answered 404 less than ttl ago.
func (c *notFoundCache) has(path string) bool {
	if c.ttl <= 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.until[path]
	if ok && c.now().After(t) {
		delete(c.until, path)
		return false
	}
	return ok
}

// add remembers that path answered 404.
func (c *notFoundCache) add(path string) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.until == nil {
		c.until = make(map[string]time.Time)
	}
	now := c.now()
	if len(c.until) >= maxNotFound {
		for p, t := range c.until {
			if now.After(t) || len(c.until) >= maxNotFound/2 {
				delete(c.until, p)
			}
		}
	}
	c.until[path] = now.Add(c.ttl)
}
