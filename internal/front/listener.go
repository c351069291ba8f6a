package front

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// defaultMaxHeaderBytes is the largest request head the front reads when
// Server.MaxHeaderBytes is 0: a browser's requests are well under it.
const defaultMaxHeaderBytes = 8 << 10

// Server is the front's configuration. Its zero value is not usable: set
// Handler. It must not be modified once Listen was called.
type Server struct {
	// Hit, if not nil, answers r at once into w and reports true, or
	// writes nothing and reports false (r then goes to Handler). It runs
	// on the connection's goroutine, with no context of its own (r's is
	// never done). It must not keep r or w once it returned: both are
	// reused for the connection's next request.
	Hit func(w http.ResponseWriter, r *http.Request) bool
	// Handler answers the requests the front reads and Hit declines.
	// r's context ends when the client closes the connection (the front
	// watches it while Handler runs, as net/http does) or the response
	// could no longer be written.
	Handler http.Handler
	// ErrorLog receives a Handler's panics (the connection is then
	// closed, as net/http does). If nil, the log package's standard
	// logger.
	ErrorLog *log.Logger
	// ReadHeaderTimeout bounds reading a request's head, from the
	// connection's accept for its first request, from the first byte for
	// the next ones; past it the connection is closed, as net/http does.
	// Zero: no bound.
	ReadHeaderTimeout time.Duration
	// IdleTimeout bounds the wait for a keep-alive connection's next
	// request. Zero: ReadHeaderTimeout.
	IdleTimeout time.Duration
	// WriteTimeout bounds the time from the end of a request's head to
	// the end of its response, as net/http's. Zero: no bound.
	WriteTimeout time.Duration
	// MaxHeaderBytes: a request head that does not end within it goes to
	// net/http, which applies its own limit. Zero: 8 KiB.
	MaxHeaderBytes int
}

// Listen returns a listener for http.Server.Serve: it accepts from ln,
// serves the requests the front reads on each connection, and returns
// from Accept the connections handed to net/http. Closing it closes ln
// and every connection the front holds between requests; see Shutdown
// for the ones in the middle of a request.
func (s *Server) Listen(ln net.Listener) *Listener {
	l := &Listener{Listener: ln, s: s, handed: make(chan net.Conn), done: make(chan struct{}),
		errs: make(chan error, 1), conns: make(map[*conn]struct{})}
	l.maxHead = s.MaxHeaderBytes
	if l.maxHead <= 0 {
		l.maxHead = defaultMaxHeaderBytes
	}
	go l.acceptLoop()
	return l
}

// Listener is the net.Listener that Listen returns.
type Listener struct {
	net.Listener
	s       *Server
	maxHead int
	handed  chan net.Conn
	done    chan struct{}
	errs    chan error // the accept loop's last error
	once    sync.Once
	dates   dateCache

	mu     sync.Mutex
	conns  map[*conn]struct{} // connections the front serves
	closed bool
}

// Shutdown closes l and waits until the front's connections are closed:
// at once those between requests, the others once their response is
// sent; or until ctx is done, with its error. (http.Server.Shutdown
// waits only for the connections handed to net/http.)
func (l *Listener) Shutdown(ctx context.Context) error {
	l.Close()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		l.mu.Lock()
		for c := range l.conns {
			if c.idle.Load() {
				c.rwc.Close()
			}
		}
		n := len(l.conns)
		l.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// acceptLoop accepts connections and serves each on a goroutine of its
// own, backing off on temporary errors as net/http does; any other error
// ends it and is Accept's.
func (l *Listener) acceptLoop() {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(delay):
					continue
				case <-l.done:
				}
			}
			l.errs <- err
			return
		}
		delay = 0
		fc := newConn(l, c)
		if !l.track(fc, true) {
			c.Close()
			continue
		}
		go fc.serve()
	}
}

// isTemporary reports an accept error that passes, such as EMFILE.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// Accept returns the next connection handed to net/http.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.handed:
		return c, nil
	case err := <-l.errs:
		l.errs <- err // for the next Accept
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes the listener and the connections idle in the front.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
		l.mu.Lock()
		l.closed = true
		for c := range l.conns {
			if c.idle.Load() {
				c.rwc.Close()
			}
		}
		l.mu.Unlock()
	})
	return err
}

// track adds c to (or removes it from) the connections the front holds;
// false once the listener is closed.
func (l *Listener) track(c *conn, add bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !add {
		delete(l.conns, c)
		return true
	}
	if l.closed {
		return false
	}
	l.conns[c] = struct{}{}
	return true
}

// handOff gives c to net/http; it is closed if the listener is.
func (l *Listener) handOff(c net.Conn) {
	select {
	case l.handed <- c:
	case <-l.done:
		c.Close()
	}
}

// dateCache keeps the Date header's value, formatted once a second.
type dateCache struct {
	v atomic.Pointer[dateValue]
}

type dateValue struct {
	sec int64
	b   []byte
}

func (d *dateCache) get() []byte {
	now := time.Now()
	if v := d.v.Load(); v != nil && v.sec == now.Unix() {
		return v.b
	}
	v := &dateValue{sec: now.Unix(), b: now.UTC().AppendFormat(nil, http.TimeFormat)}
	d.v.Store(v)
	return v.b
}
