package front

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// conn is a connection the front serves, with what it reuses from one
// request to the next.
type conn struct {
	l    *Listener
	rwc  net.Conn
	buf  []byte // read, not yet served: buf[off:]
	off  int
	idle atomic.Bool // waiting for a request's first byte

	gone   bool // the client left while Handler ran (see watch)
	remote string
	req    http.Request
	head   head
	resp   response
}

func newConn(l *Listener, c net.Conn) *conn {
	fc := &conn{l: l, rwc: c, remote: c.RemoteAddr().String()}
	fc.head.header = make(http.Header)
	fc.resp = response{bw: bufio.NewWriterSize(c, 4<<10), date: l.dates.get, header: make(http.Header)}
	return fc
}

// serve serves requests until one goes to net/http or the connection
// ends.
func (c *conn) serve() {
	handed := false
	defer func() {
		c.l.track(c, false)
		if !handed {
			c.rwc.Close()
		}
	}()
	s := c.l.s
	if s.ReadHeaderTimeout > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(s.ReadHeaderTimeout))
	}
	for first := true; ; first = false {
		n, ok := c.readHead(first)
		if n < 0 {
			return // closed, timed out or broken
		}
		if !ok {
			handed = c.handOff()
			return
		}
		if !c.serveOne(n) || c.l.isClosed() {
			return
		}
	}
}

// readHead reads until buf[off:] holds a whole request head, and parses
// it: its length and whether the front serves it (false: net/http's);
// n < 0 if the connection ended first. A head longer than MaxHeaderBytes
// is net/http's.
func (c *conn) readHead(first bool) (n int, ok bool) {
	timed := first // the head's deadline is set
	if c.off == len(c.buf) {
		c.buf, c.off = c.buf[:0], 0
		if !first && !c.waitIdle() {
			return -1, false
		}
	}
	for {
		b := c.buf[c.off:]
		if bytes.Contains(b, []byte("\r\n\r\n")) {
			return c.parse()
		}
		if bareLF(b) {
			return 0, false // net/http's: it reads such lines
		}
		if !timed {
			if d := c.l.s.ReadHeaderTimeout; d > 0 {
				c.rwc.SetReadDeadline(time.Now().Add(d))
			}
			timed = true
		}
		if len(c.buf)-c.off >= c.l.maxHead {
			return 0, false
		}
		if c.off > 0 && len(c.buf) == cap(c.buf) { // move what is left to the front
			c.buf = c.buf[:copy(c.buf, c.buf[c.off:])]
			c.off = 0
		}
		if len(c.buf) == cap(c.buf) {
			c.buf = append(c.buf, make([]byte, max(4<<10, cap(c.buf)))...)[:len(c.buf)]
		}
		m, err := c.rwc.Read(c.buf[len(c.buf):cap(c.buf)])
		c.buf = c.buf[:len(c.buf)+m]
		if err != nil && m == 0 {
			return -1, false
		}
	}
}

// waitIdle waits for the first bytes of the next request, at most
// IdleTimeout (the rest of its head then has ReadHeaderTimeout: see
// readHead).
func (c *conn) waitIdle() bool {
	s := c.l.s
	idle := s.IdleTimeout
	if idle <= 0 {
		idle = s.ReadHeaderTimeout
	}
	if idle > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(idle))
	}
	c.idle.Store(true)
	if c.l.isClosed() {
		return false
	}
	if cap(c.buf) == 0 {
		c.buf = make([]byte, 0, 4<<10)
	}
	m, err := c.rwc.Read(c.buf[:cap(c.buf)])
	c.idle.Store(false)
	c.buf = c.buf[:m]
	if m > 0 && s.ReadHeaderTimeout <= 0 && idle > 0 {
		c.rwc.SetReadDeadline(time.Time{})
	}
	return err == nil || m > 0
}

// parse parses the head at buf[off:].
func (c *conn) parse() (int, bool) {
	h := &c.head
	clear(h.header)
	h.vals = h.vals[:0]
	h.close, h.host = false, ""
	n, ok := parseHead(c.buf[c.off:], h)
	return n, ok && n <= c.l.maxHead
}

// serveOne serves the parsed request of n bytes at buf[off:], with Hit
// or else Handler, and reports whether the connection can go on.
func (c *conn) serveOne(n int) bool {
	h, s := &c.head, c.l.s
	c.req = http.Request{
		Method: h.method, URL: h.url, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h.header, Body: http.NoBody, Host: h.host, Close: h.close,
		RemoteAddr: c.remote, RequestURI: h.target,
	}
	c.off += n
	head := h.method == http.MethodHead
	c.resp.reset(head, h.close)
	if s.WriteTimeout > 0 {
		c.rwc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	}
	if s.Hit != nil && s.Hit(&c.resp, &c.req) {
		return c.resp.finish()
	}
	c.resp.reset(head, h.close)
	return c.serveHandler()
}

// serveHandler runs Handler on the request, watching the connection
// meanwhile (unless the client has already sent more) so that the
// request's context ends if the client leaves.
func (c *conn) serveHandler() bool {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var watched chan struct{}
	if c.off == len(c.buf) {
		c.buf, c.off = c.buf[:0], 0
		if cap(c.buf) == 0 {
			c.buf = make([]byte, 0, 4<<10)
		}
		c.rwc.SetReadDeadline(time.Time{})
		watched = make(chan struct{})
		go c.watch(cancel, watched)
	}
	ok := c.callHandler(ctx)
	if watched != nil {
		c.rwc.SetReadDeadline(aLongTimeAgo) // ends the watch's read
		<-watched
		if c.gone {
			return false
		}
	}
	return ok && c.resp.finish()
}

// aLongTimeAgo is a deadline in the past: it ends a blocked read at once.
var aLongTimeAgo = time.Unix(1, 0)

// watch reads from the connection while Handler runs: an error other
// than the deadline serveHandler sets means the client left (c.gone, and
// the context ends); bytes read are the client's next request, kept.
func (c *conn) watch(cancel context.CancelFunc, done chan<- struct{}) {
	defer close(done)
	m, err := c.rwc.Read(c.buf[len(c.buf):cap(c.buf)])
	c.buf = c.buf[:len(c.buf)+m]
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		c.gone = true
		cancel()
	}
}

// callHandler runs Handler, recovering a panic as net/http does: logged
// (unless it is http.ErrAbortHandler), and the connection closed.
func (c *conn) callHandler(ctx context.Context) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = false
			if v != http.ErrAbortHandler {
				logf(c.l.s.ErrorLog, "front: panic serving %s: %v\n%s", c.remote, v, debug.Stack())
			}
		}
	}()
	c.l.s.Handler.ServeHTTP(&c.resp, c.req.WithContext(ctx))
	return true
}

func logf(l *log.Logger, format string, args ...any) {
	if l == nil {
		l = log.Default()
	}
	l.Printf(format, args...)
}

// handOff gives the connection, with what it read of the request at
// buf[off:] and after, to net/http; false if it could not (closed).
func (c *conn) handOff() bool {
	if c.l.isClosed() {
		return false
	}
	c.rwc.SetDeadline(time.Time{}) // net/http sets its own
	var pending []byte
	if c.off < len(c.buf) {
		pending = c.buf[c.off:]
	}
	c.l.handOff(&handedConn{Conn: c.rwc, pending: pending})
	return true
}

// isClosed reports whether the listener was closed.
func (l *Listener) isClosed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// handedConn is a connection handed to net/http: reads return what the
// front read and did not serve first.
type handedConn struct {
	net.Conn
	pending []byte
}

func (c *handedConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// bareLF reports whether b has a line feed without a carriage return
// before it: a head that may end without "\r\n\r\n".
func bareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}
