package front

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counts records who answered what: the front's Hit, its Handler, or
// net/http.
type counts struct{ fast, slow, net atomic.Int32 }

// start serves, on loopback, the front fs in front of the http.Server
// srv; unless set, fs.Hit answers /fast/ paths with the path, and both
// fs.Handler and srv.Handler answer "slow <path> <body>". It returns the
// address and the counts.
func start(t *testing.T, fs *Server, srv *http.Server) (string, *counts) {
	t.Helper()
	n := &counts{}
	if fs.Hit == nil {
		fs.Hit = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/fast/") {
				return false
			}
			n.fast.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", fmt.Sprint(len(r.URL.Path)))
			io.WriteString(w, r.URL.Path)
			return true
		}
	}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "slow %s %s", r.URL.Path, body)
	})
	if fs.Handler == nil {
		fs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.slow.Add(1)
			slow(w, r)
		})
	}
	if srv.Handler == nil {
		srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.net.Add(1)
			slow(w, r)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fl := fs.Listen(ln)
	go srv.Serve(fl)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), n
}

// exchange writes raw to a new connection and reads n responses.
func exchange(t *testing.T, addr, raw string, n int) ([]*http.Response, []string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, raw)
	require.NoError(t, err)
	br := bufio.NewReader(c)
	var resps []*http.Response
	var bodies []string
	for range n {
		req := &http.Request{Method: "GET"}
		if strings.HasPrefix(raw, "HEAD") {
			req.Method = "HEAD"
		}
		resp, err := http.ReadResponse(br, req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resps, bodies = append(resps, resp), append(bodies, string(b))
	}
	return resps, bodies
}

func get(path string, extra ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(extra, "") + "\r\n"
}

// TestFastAndHandedOnOneConnection checks that requests pipelined on one
// connection are answered in order, each by the right server: hits by
// Hit, other plain requests by the front's Handler, and from the first
// request the front does not read (one with a body) on, everything by
// net/http.
func TestFastAndHandedOnOneConnection(t *testing.T) {
	t.Parallel()
	addr, n := start(t, &Server{}, &http.Server{})
	raw := get("/fast/a") + get("/slow/b") + get("/fast/c") +
		"GET /fast/d HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi" + get("/fast/e")
	resps, bodies := exchange(t, addr, raw, 5)
	assert.Equal(t, []string{"/fast/a", "slow /slow/b ", "/fast/c", "slow /fast/d hi", "slow /fast/e "}, bodies)
	for _, r := range resps {
		assert.Equal(t, 200, r.StatusCode)
		assert.NotEmpty(t, r.Header.Get("Date"))
	}
	assert.EqualValues(t, 2, n.fast.Load())
	assert.EqualValues(t, 1, n.slow.Load())
	assert.EqualValues(t, 2, n.net.Load())
}

// TestHandedRequests checks that every request the front does not take
// reaches net/http whole, body included, and is answered as net/http
// answers it.
func TestHandedRequests(t *testing.T) {
	t.Parallel()
	addr, n := start(t, &Server{MaxHeaderBytes: 1 << 10}, &http.Server{MaxHeaderBytes: 2 << 10})
	tests := []struct {
		name, raw string
		status    int
		body      string
	}{
		{"body", "GET /fast/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 200, "slow /fast/x abc"},
		{"chunked", "GET /fast/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 200, "slow /fast/x abc"},
		{"POST", "POST /fast/x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 200, "slow /fast/x "},
		{"HTTP/1.0", "GET /fast/x HTTP/1.0\r\n\r\n", 200, "slow /fast/x "},
		{"no Host", "GET /fast/x HTTP/1.1\r\n\r\n", 400, ""},
		{"two Hosts", "GET /fast/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, ""},
		{"absolute form", "GET http://x/fast/x HTTP/1.1\r\nHost: x\r\n\r\n", 200, "slow /fast/x "},
		{"escaped", "GET /fast/%7Ex HTTP/1.1\r\nHost: x\r\n\r\n", 200, "/fast/~x"},
		{"space in name", "GET /fast/x HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, ""},
		{"bare LF", "GET /fast/x HTTP/1.1\nHost: x\n\n", 200, "slow /fast/x "},
		{"head over the front's limit", get("/fast/x", "X-Big: "+strings.Repeat("a", 1200)+"\r\n"), 200, "slow /fast/x "},
		{"Expect", get("/fast/x", "Expect: 100-continue\r\n", "Content-Length: 0\r\n"), 200, "slow /fast/x "},
	}
	t.Run("all", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				resps, bodies := exchange(t, addr, tc.raw, 1)
				assert.Equal(t, tc.status, resps[0].StatusCode)
				if tc.body != "" {
					assert.Equal(t, tc.body, bodies[0])
				}
			})
		}
	})
	assert.EqualValues(t, 1, n.fast.Load(), "only the escaped path is the front's")
	assert.Zero(t, n.slow.Load())
}

// TestConnectionClose checks that a request asking to close is answered
// with Connection: close and the connection then closed, by the front.
func TestConnectionClose(t *testing.T) {
	t.Parallel()
	addr, n := start(t, &Server{}, &http.Server{})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, get("/fast/a", "Connection: close\r\n"))
	require.NoError(t, err)
	all, err := io.ReadAll(c) // ends only if the server closes
	require.NoError(t, err)
	assert.Contains(t, string(all), "\r\nConnection: close\r\n")
	assert.True(t, strings.HasSuffix(string(all), "\r\n\r\n/fast/a"), "%q", all)
	assert.EqualValues(t, 1, n.fast.Load())
}

// TestHeadAndBodiless checks HEAD (the header, no body) and statuses
// without a body.
func TestHeadAndBodiless(t *testing.T) {
	t.Parallel()
	fs := &Server{Hit: func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/304" {
			w.Header().Set("Content-Length", "5")
			w.WriteHeader(http.StatusNotModified)
			_, err := w.Write([]byte("nope!"))
			assert.ErrorIs(t, err, http.ErrBodyNotAllowed)
			return true
		}
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
		return true
	}}
	addr, _ := start(t, fs, &http.Server{})
	resps, bodies := exchange(t, addr, "HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n"+get("/304")+get("/x"), 1)
	assert.Equal(t, "5", resps[0].Header.Get("Content-Length"))
	assert.Empty(t, bodies[0])
	raw := get("/304") + get("/x")
	resps, bodies = exchange(t, addr, raw, 2)
	assert.Equal(t, 304, resps[0].StatusCode)
	assert.Empty(t, resps[0].Header.Get("Content-Length"))
	assert.Equal(t, "hello", bodies[1], "the 304 sent no body")
}

// TestHeldBody checks the responses whose body the front holds: no
// Content-Length (it is counted), no Content-Type (it is sniffed, as
// net/http does), a body shorter than announced (the connection closes)
// and longer (cut).
func TestHeldBody(t *testing.T) {
	t.Parallel()
	fs := &Server{Hit: func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/nolength":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "abc")
			io.WriteString(w, "def")
		case "/notype":
			w.Header().Set("Content-Length", "15")
			io.WriteString(w, "<html>hi</html>")
		case "/long":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "2")
			n, err := io.WriteString(w, "abc")
			assert.Equal(t, 2, n)
			assert.ErrorIs(t, err, http.ErrContentLength)
		case "/short":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "9")
			io.WriteString(w, "abc")
		}
		return true
	}}
	addr, _ := start(t, fs, &http.Server{})
	resps, bodies := exchange(t, addr, get("/nolength")+get("/notype")+get("/long"), 3)
	assert.Equal(t, "abcdef", bodies[0])
	assert.EqualValues(t, 6, resps[0].ContentLength)
	assert.Equal(t, "text/html; charset=utf-8", resps[1].Header.Get("Content-Type"))
	assert.Equal(t, "<html>hi</html>", bodies[1])
	assert.Equal(t, "ab", bodies[2])

	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, get("/short"))
	require.NoError(t, err)
	all, _ := io.ReadAll(c) // the server closes: the client has 3 of 9 bytes
	assert.True(t, strings.HasSuffix(string(all), "\r\n\r\nabc"), "%q", all)
}

// TestSlowAndIdleClientsClosed checks that a client that never finishes
// its head, or never sends its next request, is disconnected.
func TestSlowAndIdleClientsClosed(t *testing.T) {
	t.Parallel()
	addr, n := start(t, &Server{ReadHeaderTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond}, &http.Server{})
	for _, raw := range []string{"GET /fast/a HTTP/1.1\r\nHost:", get("/fast/a") + "GET /fast/b HTTP/1.1\r\n", get("/fast/a")} {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(c, raw)
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(time.Minute)))
		_, err = io.ReadAll(c) // returns once the server closes
		assert.NoError(t, err, "%q", raw)
		c.Close()
	}
	assert.EqualValues(t, 2, n.fast.Load())
	assert.Zero(t, n.net.Load())
}

// TestShutdownClosesIdle checks that http.Server.Shutdown, which closes
// the listener, ends the connections idle in the front, and that a
// handed-over connection is net/http's to shut down.
func TestShutdownClosesIdle(t *testing.T) {
	t.Parallel()
	srv := &http.Server{}
	addr, _ := start(t, &Server{}, srv)
	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	_, err = io.WriteString(idle, get("/fast/a"))
	require.NoError(t, err)
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	handed, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer handed.Close()
	_, err = io.WriteString(handed, get("/slow/a"))
	require.NoError(t, err)
	hr := bufio.NewReader(handed)
	resp, err = http.ReadResponse(hr, nil)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)

	require.NoError(t, srv.Shutdown(context.Background()))
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(time.Minute)))
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the front's idle connection was closed")
	require.NoError(t, handed.SetReadDeadline(time.Now().Add(time.Minute)))
	_, err = hr.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "net/http's idle connection was closed")
	_, err = net.Dial("tcp", addr)
	assert.Error(t, err, "the listener is closed")
}

// TestHandlerContextEndsWhenClientLeaves checks that a request the
// Handler is working on has its context end when the client closes the
// connection, and that a pipelined next request does not end it.
func TestHandlerContextEndsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	arrived, ended := make(chan string, 2), make(chan string, 2)
	fs := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		if r.URL.Path == "/wait" {
			<-r.Context().Done()
			ended <- r.URL.Path
			return
		}
		io.WriteString(w, "ok")
	})}
	addr, _ := start(t, fs, &http.Server{})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	_, err = io.WriteString(c, get("/wait"))
	require.NoError(t, err)
	assert.Equal(t, "/wait", <-arrived)
	require.NoError(t, c.Close())
	assert.Equal(t, "/wait", <-ended, "the context ended")

	// Pipelined: the watch reads the second request, which is then served.
	resps, bodies := exchange(t, addr, get("/a")+get("/b"), 2)
	assert.Equal(t, []string{"ok", "ok"}, bodies)
	assert.Equal(t, 200, resps[1].StatusCode)
	assert.Equal(t, "/a", <-arrived)
	assert.Equal(t, "/b", <-arrived)
}

// TestHandlerPanic checks that a Handler's panic is logged and closes its
// connection only: the server goes on.
func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	var mu sync.Mutex
	fs := &Server{ErrorLog: log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		io.WriteString(w, "ok")
	})}
	addr, _ := start(t, fs, &http.Server{})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, get("/panic"))
	require.NoError(t, err)
	all, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Empty(t, all, "closed with no answer")
	_, bodies := exchange(t, addr, get("/fine"), 1)
	assert.Equal(t, "ok", bodies[0])
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "panic serving")
	assert.Contains(t, logs.String(), "boom")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestListenerShutdownWaits checks that Shutdown waits for a response in
// progress, which is then sent whole, and closes idle connections.
func TestListenerShutdownWaits(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	fs := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		io.WriteString(w, "late")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fl := fs.Listen(ln)
	srv := &http.Server{Handler: fs.Handler}
	go srv.Serve(fl)
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, get("/x"))
	require.NoError(t, err)
	<-arrived
	shut := make(chan error, 1)
	go func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		shut <- fl.Shutdown(context.Background())
	}()
	select {
	case <-shut:
		t.Fatal("Shutdown returned with a response in progress")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-shut)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "late", string(b))
}
