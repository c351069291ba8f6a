package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortLimits are connection limits short enough for tests; the tests
// assert only that connections end, never how fast.
var shortLimits = []string{
	"-read-header-timeout", "300ms", "-read-timeout", "600ms",
	"-write-timeout", "600ms", "-idle-timeout", "300ms", "-max-header-bytes", "4K",
}

// longRead is a -read-timeout long enough not to end any test, for the
// tests of the limits that net/http replaces by the read timeout when
// they are missing (header and idle).
var longRead = []string{"-read-timeout", "10m"}

// hygieneServer serves h on loopback with newHTTPServer and shortLimits,
// then flags, parsed as flags, and reports on closed each connection it
// closes.
func hygieneServer(t *testing.T, h http.Handler, flags ...string) (addr string, closed <-chan struct{}) {
	t.Helper()
	cfg, err := parseConfig(append(append([]string{}, shortLimits...), flags...), func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	srv := newHTTPServer(cfg, h, 0, nil)
	ch := make(chan struct{}, 16)
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			ch <- struct{}{}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), ch
}

// dial connects to addr with a read deadline far past every limit, so a
// connection the server forgot ends the test as a timeout, not a hang.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second)))
	return c
}

// readToClose reads c until it fails and returns the bytes read and the
// error, which must be the server closing (EOF or reset), not the read
// deadline.
func readToClose(t *testing.T, c net.Conn) (int64, error) {
	t.Helper()
	n, err := io.Copy(io.Discard, c)
	if err == nil {
		err = io.EOF // io.Copy reports EOF as nil
	}
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server left the connection open: %v", err)
	return n, err
}

// waitClosed waits for the server to close a connection, failing the test
// if it keeps it far past every limit.
func waitClosed(t *testing.T, closed <-chan struct{}) {
	t.Helper()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the server kept the connection open")
	}
}

func okHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = w.Write([]byte("ok\n"))
}

func TestServerSlowHeadersClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags []string
		trick func(c net.Conn)
	}{
		{"never finished", longRead, func(c net.Conn) {
			_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
		}},
		{"one byte at a time", longRead, func(c net.Conn) {
			// A header that never ends, sent slower than the timeout
			// allows: the timeout counts from the first byte.
			go func() {
				_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for range tick.C {
					if _, err := c.Write([]byte("a")); err != nil {
						return
					}
				}
			}()
		}},
		{"nothing at all", longRead, func(net.Conn) {}},
		{"body never sent", nil, func(c net.Conn) {
			_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, closed := hygieneServer(t, http.HandlerFunc(okHandler), tt.flags...)
			c := dial(t, addr)
			tt.trick(c)
			waitClosed(t, closed)
			readToClose(t, c)
		})
	}
}

func TestServerIdleClosed(t *testing.T) {
	t.Parallel()
	addr, closed := hygieneServer(t, http.HandlerFunc(okHandler), longRead...)
	c := dial(t, addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Equal(t, "ok\n", string(body))
	assert.False(t, res.Close, "a keep-alive connection")
	waitClosed(t, closed)
	n, _ := io.Copy(io.Discard, br)
	assert.Zero(t, n)
	readToClose(t, c)
}

func TestServerNeverReadingClientClosed(t *testing.T) {
	t.Parallel()
	chunk := make([]byte, 64<<10)
	const total = 1 << 30 // far more than socket buffers hold
	addr, closed := hygieneServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the write deadline passed
			}
		}
	}))
	c := dial(t, addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	waitClosed(t, closed) // while the client reads nothing
	n, _ := readToClose(t, c)
	assert.Less(t, n, int64(total), "the response was cut short")
}

// TestServerSlowHandlerEnds: a request whose response cannot be sent by
// the write deadline has its context ended then, so a handler waiting
// for a slow variant gives up and the connection is closed.
func TestServerSlowHandlerEnds(t *testing.T) {
	t.Parallel()
	ended := make(chan struct{}, 1)
	addr, closed := hygieneServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		ended <- struct{}{}
	}))
	c := dial(t, addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the handler's context did not end")
	}
	waitClosed(t, closed)
	readToClose(t, c)
}

func TestServerHeaderTooLarge(t *testing.T) {
	t.Parallel()
	addr, _ := hygieneServer(t, http.HandlerFunc(okHandler))
	for _, tt := range []struct {
		size int
		want int
	}{{1 << 10, 200}, {64 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", tt.size)+"\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, tt.want, res.StatusCode, "%d bytes of header", tt.size)
	}
}

// TestServerListenersHaveLimits checks the limits on a real process, on
// both its public and its peer listener.
func TestServerListenersHaveLimits(t *testing.T) {
	t.Parallel()
	o := newGenOrigin(t)
	nodes := startCluster(t, 1, o.url(), append(append([]string{}, shortLimits...), longRead...)...)
	peerAddr := strings.TrimPrefix(nodes[0].peer, "http://")
	pubAddr := strings.TrimPrefix(nodes[0].base, "http://")
	for _, addr := range []string{pubAddr, peerAddr} {
		c := dial(t, addr)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
		require.NoError(t, err)
		readToClose(t, c)

		c = dial(t, addr) // idle after one request
		_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		require.NoError(t, err, addr)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		assert.False(t, res.Close, addr)
		_, err = br.ReadByte()
		require.Error(t, err, addr)
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "idle connection to %s left open", addr)

		c = dial(t, addr)
		_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 64<<10)+"\r\n\r\n")
		require.NoError(t, err)
		res, err = http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err, addr)
		res.Body.Close()
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode, addr)
	}
}

// TestServerDeadlineOnlyWhenNeeded: the per-request deadline at the write
// timeout is set only when the handler could outlast it; a Handler bound
// by a shorter -timeout ends first on its own, and its hits pay for no
// timer.
func TestServerDeadlineOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(shortLimits, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	for _, tt := range []struct {
		name     string
		bound    time.Duration
		deadline bool
	}{
		{"unknown bound", 0, true},
		{"handler outlasts the write timeout", cfg.writeTimeout + time.Second, true},
		{"handler ends first", cfg.writeTimeout, false},
		{"handler ends well before", time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got atomic.Bool
			srv := httptest.NewServer(newHTTPServer(cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, ok := r.Context().Deadline()
				got.Store(ok)
			}), tt.bound, nil).Handler)
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.deadline, got.Load())
		})
	}
}
