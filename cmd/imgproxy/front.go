package main

import (
	"context"
	"net"
	"net/http"

	"github.com/imgproxy-go/imgproxy/internal/front"
)

// frontMaxHeaderBytes is the largest request head the front reads; a
// larger one goes to net/http, which applies -max-header-bytes.
const frontMaxHeaderBytes = 8 << 10

// withFront returns ln with internal/front in front of it, unless
// -fast-hits=false. The front reads plain HTTP/1.1 GET and HEAD requests
// itself: hit answers those it can at once (the Handler's cache hits),
// srv's Handler the others, on the connection's goroutine, with srv's
// header, idle and write timeouts. Any other request (a body, HTTP/1.0, a
// head over 8 KiB, ...) goes with its connection to srv, which serves the
// returned listener.
func withFront(cfg *config, ln net.Listener, srv *http.Server, hit func(http.ResponseWriter, *http.Request) bool) net.Listener {
	if !cfg.fastHits {
		return ln
	}
	s := &front.Server{
		Hit:               hit,
		Handler:           srv.Handler,
		ErrorLog:          srv.ErrorLog,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		IdleTimeout:       cfg.idleTimeout,
		WriteTimeout:      cfg.writeTimeout,
		MaxHeaderBytes:    int(min(cfg.maxHeaderBytes, frontMaxHeaderBytes)),
	}
	return s.Listen(ln)
}

// shutdownFront waits, after srv's Shutdown, for the requests the front
// of ln (if any) is answering.
func shutdownFront(ctx context.Context, ln net.Listener) error {
	if fl, ok := ln.(*front.Listener); ok {
		return fl.Shutdown(ctx)
	}
	return nil
}
