package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// slowClient plays, until ctx ends, a client that never reads (neverRead)
// or one that sends its headers a byte a second and never finishes them.
// Each round is one connection; its outcome is tallied as slow/<kind>.
func (d *driver) slowClient(ctx context.Context, neverRead bool) {
	u, _ := url.Parse(d.c.target)
	for ctx.Err() == nil {
		kind, outcome := "slow/never-read", ""
		if neverRead {
			outcome = d.neverRead(ctx, u.Host)
		} else {
			kind, outcome = "slow/headers", d.slowHeaders(ctx, u.Host)
		}
		d.mu.Lock()
		if d.statuses[kind] == nil {
			d.statuses[kind] = map[string]int{}
		}
		d.statuses[kind][outcome]++
		d.mu.Unlock()
	}
}

// neverRead asks for a response bigger than the socket buffers, waits
// d.c.hold without reading, then reads what is there: "cut by server" if
// the server gave up on it (WriteTimeout), "served" if it was still
// waiting to send the rest.
func (d *driver) neverRead(ctx context.Context, host string) string {
	c, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		return errorClass(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", d.mix.big, host)
	select {
	case <-ctx.Done():
		return "ended by the soak"
	case <-time.After(d.c.hold):
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := readResponseHead(c)
	if err != nil {
		return "cut by server before the headers"
	}
	n, err := io.Copy(io.Discard, resp)
	if err == nil && n > 0 && resp.full(n) {
		return "served in full after the hold"
	}
	return "cut by server"
}

// response is a status line's Content-Length and the body reader.
type response struct {
	io.Reader
	length int64
}

func (r response) full(n int64) bool { return r.length > 0 && n >= r.length }

// readResponseHead reads the status line and headers from c (enough for
// neverRead) and returns the body, limited to its Content-Length.
func readResponseHead(c net.Conn) (response, error) {
	br := bufio.NewReader(c)
	length := int64(-1)
	for i := 0; ; i++ {
		line, err := br.ReadString('\n')
		if err != nil {
			return response{}, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
			length, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return response{Reader: io.LimitReader(br, max(length, 0)), length: length}, nil
}

// slowHeaders sends a request line and then one header byte a second,
// and reports how the server ended it: "closed by server" (with or
// without a 408) within a minute, else "still open after 60s".
func (d *driver) slowHeaders(ctx context.Context, host string) string {
	c, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		return errorClass(err)
	}
	defer c.Close()
	closed := make(chan string, 1)
	go func() {
		b := make([]byte, 512)
		n, _ := c.Read(b)
		status := "closed by server"
		if n > 12 {
			status += " (" + strings.TrimSpace(string(b[9:12])) + ")"
		}
		closed <- status
	}()
	fmt.Fprintf(c, "GET /image/150x150/valid/x.jpg HTTP/1.1\r\nHost: %s\r\nX-Slow: ", host)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	giveUp := time.After(60 * time.Second)
	for {
		select {
		case s := <-closed:
			return s
		case <-ctx.Done():
			return "ended by the soak"
		case <-giveUp:
			return "still open after 60s"
		case <-tick.C:
			c.Write([]byte("a"))
		}
	}
}

// rssWatch polls a process's VmRSS.
type rssWatch struct {
	pid   int
	stopc chan struct{}
	done  chan int64
}

func newRSSWatch(pid int) *rssWatch {
	w := &rssWatch{pid: pid, stopc: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, procStatus(pid, "VmRSS"))
			select {
			case <-w.stopc:
				w.done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// stop returns the peak VmRSS seen and the process's VmHWM, in bytes.
func (w *rssWatch) stop() (peak, hwm int64) {
	close(w.stopc)
	return <-w.done, procStatus(w.pid, "VmHWM")
}

// procStatus reads a "kB" field of /proc/PID/status, in bytes; 0 if
// unknown.
func procStatus(pid int, field string) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// gLine is a goroutine in a scheddetail dump: its status (6 is a dead
// one) and wait reason.
var gLine = regexp.MustCompile(`^  G\d+: status=(\d+)\(([^)]*)\)`)

// systemG tells the runtime's own goroutines by their wait reasons: they
// come and go with the collector and are not the server's (NumGoroutine
// leaves them out too).
func systemG(reason string) bool {
	for _, p := range []string{"GC ", "force gc", "finalizer wait", "cleanup wait", "GOMAXPROCS updater"} {
		if strings.HasPrefix(reason, p) {
			return true
		}
	}
	return false
}

// goroutines returns the live goroutines of the last complete
// scheddetail dump written at least after wait from now, or -1 without
// a sched log.
func (d *driver) goroutines(wait time.Duration) int {
	if d.c.schedLog == "" {
		return -1
	}
	time.Sleep(wait) // the next dumps, a second apart
	b, err := os.ReadFile(d.c.schedLog)
	if err != nil {
		return -1
	}
	lines := strings.Split(string(b), "\n")
	var counts []int
	n := -1
	for _, l := range lines {
		if strings.HasPrefix(l, "SCHED ") {
			if n >= 0 {
				counts = append(counts, n)
			}
			n = 0
			continue
		}
		if m := gLine.FindStringSubmatch(l); m != nil && n >= 0 && m[1] != "6" && !systemG(m[2]) {
			n++
		}
	}
	if len(counts) == 0 {
		return -1
	}
	return counts[len(counts)-1] // the last dump followed by another: complete
}

// settle waits up to a minute for the goroutines to come back to before,
// and returns the count it saw last and whether it got there.
func (d *driver) settle(before int) (int, bool) {
	if before < 0 {
		return -1, false
	}
	deadline := time.Now().Add(time.Minute)
	for {
		n := d.goroutines(2 * time.Second)
		if n <= before || time.Now().After(deadline) {
			return n, n <= before
		}
	}
}
