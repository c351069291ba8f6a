// Package front answers the plain HTTP/1.1 requests that a server can
// answer at once (cmd/imgproxy's cache hits) on the connection itself,
// and hands every connection on which anything else arrives to a
// net/http Server, with the bytes already read, so that net/http serves
// it from that request on with all of its semantics.
//
// Why it exists: on a cache hit, net/http's own work per request (a
// background read to watch the connection, a context, the request's and
// the response's header maps, its buffers) costs more than the lookup and
// the write together. With 2 cores shared with the load generator, a
// bare net/http handler writing a fixed 2.5 KB response answered
// 0.84-0.89x of what nginx's proxy_cache answers for the same request
// (README "Engine, second round"), so no http.Handler could reach it.
// valyala/fasthttp is the well-kept library for a faster HTTP/1.1
// server, but it must own every connection: its adaptor for an
// http.Handler was only 0.86-0.89x nginx in a side measurement, and
// serving everything through it would give up net/http's behaviour that
// the server documents and tests (the header limit's 431, its timeouts,
// streamed responses, a request's context ending when its client
// leaves). net/http cannot take a connection back from it.
//
// So this package is small on purpose. It reads a request; if the
// request is one it accepts (GET or HEAD, an origin-form target,
// HTTP/1.1, a Host, no body, no Expect, no Upgrade, a header of at most
// MaxHeaderBytes, every line exactly as RFC 9112 writes it; see
// parseHead) it asks Server.Serve, which answers it or declines without
// writing. Anything it does not accept, and anything declined, goes with
// the connection to net/http, which reads that same request again from
// its first byte. Accepting less is always safe; its fuzz target checks
// that what it accepts, net/http's http.ReadRequest reads the same way,
// to the same byte.
package front
