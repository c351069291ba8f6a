package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"
)

// Connection limits of both listeners, the public one and the peer one.
// They bound what a client that is slow or stops reading can hold: the
// goroutine, the connection and its buffers, and a response in flight.
const (
	// defaultReadHeaderTimeout is nginx's client_header_timeout 60s cut
	// to what a real client needs: headers arrive in one packet.
	defaultReadHeaderTimeout = 10 * time.Second
	// defaultReadTimeout bounds a whole request; image requests have no
	// body, so it is only a little more than the header timeout.
	defaultReadTimeout = 30 * time.Second
	// defaultWriteTimeout runs from the end of the request's headers to
	// the end of the response, so it covers making the variant (at most
	// the Handler's 60 s timeout) and sending it: a 20 MiB response (the
	// largest source, served unchanged) at 1 Mbit/s takes 168 s.
	defaultWriteTimeout = 5 * time.Minute
	// defaultIdleTimeout is how long a keep-alive connection may wait
	// for its next request.
	defaultIdleTimeout = 2 * time.Minute
	// defaultMaxHeaderBytes is nginx's large_client_header_buffers 4 8k.
	// (net/http reads up to 4 KiB more before it answers 431.)
	defaultMaxHeaderBytes = 32 << 10
)

// checkServer reports connection limits that are out of range.
func (c *config) checkServer() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"-read-header-timeout", c.readHeaderTimeout},
		{"-read-timeout", c.readTimeout},
		{"-write-timeout", c.writeTimeout},
		{"-idle-timeout", c.idleTimeout},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s %v: want more than 0", d.name, d.v)
		}
	}
	if c.maxHeaderBytes < 1<<10 || c.maxHeaderBytes > 1<<20 {
		return fmt.Errorf("-max-header-bytes %d: want 1K..1M", c.maxHeaderBytes)
	}
	return nil
}

// newHTTPServer returns a server of h with cfg's connection limits; both
// listeners use it. A request's context ends when its write deadline
// passes: net/http would let the handler run on for a response that can
// no longer be sent, and keep the connection until it returns. bound is
// how long h can run on its own at most (0: not known); when the write
// timeout is no shorter, that deadline could never end a request first,
// so none is set: it costs a timer, a context and a copy of the request
// on every request, a cache hit included.
func newHTTPServer(cfg *config, h http.Handler, bound time.Duration, errorLog *log.Logger) *http.Server {
	d := cfg.writeTimeout
	handler := h
	if bound <= 0 || d < bound {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    int(cfg.maxHeaderBytes),
		ErrorLog:          errorLog,
	}
}
