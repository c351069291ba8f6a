package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

// driveConfig is what drive was asked to do.
type driveConfig struct {
	target    string // http://host:port
	dir       string // gen's output, also what the origin serves
	conns     int
	slow      int // slow clients, besides conns
	duration  time.Duration
	pid       int    // the server's, for its RSS
	schedLog  string // the server's stderr, with GODEBUG=schedtrace output
	faultFile string // exists while a fault is on; holds "origin" or "disk"
	hold      time.Duration
}

// req is one request of the mix.
type req struct {
	class  string // valid, bomb, hostile, bad, slow-upstream
	method string
	target string // request target, raw for "bad"
	accept string
}

// drive runs the mixed traffic and prints the report; it fails if a pass
// criterion of its own does not hold.
func drive(args []string) error {
	var c driveConfig
	fs := flag.NewFlagSet("drive", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "", "imgproxy base URL, http://host:port (required)")
	fs.StringVar(&c.dir, "dir", "", "the directory gen wrote (required)")
	fs.IntVar(&c.conns, "c", 32, "connections of the mix")
	fs.IntVar(&c.slow, "slow-clients", 8, "slow clients besides (half never read, half send headers slowly)")
	fs.DurationVar(&c.duration, "d", 60*time.Second, "how long the traffic runs")
	fs.IntVar(&c.pid, "pid", 0, "the server's pid, for its RSS")
	fs.StringVar(&c.schedLog, "sched-log", "", "the server's stderr, written with GODEBUG=schedtrace=1000,scheddetail=1")
	fs.StringVar(&c.faultFile, "fault-file", "", "a file that exists while a fault is on")
	fs.DurationVar(&c.hold, "hold", 15*time.Second, "how long a never-reading client waits before it reads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.target == "" || c.dir == "" {
		return errors.New("drive: -target and -dir are required")
	}
	mix, err := buildMix(c.dir)
	if err != nil {
		return err
	}
	d := newDriver(c, mix)
	return d.run()
}

// mix is every request the soak sends, by class.
type mix struct {
	valid, bomb, hostile, bad, slowUp []req
	big                               string // what never-reading clients ask for
}

// sizes are the boxes of the valid thumbnails: every fit, a crop, the
// source size (served as it is) and an explicit format.
var sizes = []string{"150x150", "320x240", "640x480", "1024x768", "1920x1080", "300x-", "-x200", "150x150,crop", "-x-", "640x480,png"}

func buildMix(dir string) (*mix, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "valid"))
	if err != nil {
		return nil, err
	}
	m := &mix{big: "/image/-x-/big/noise.png"}
	for _, e := range ents {
		for _, s := range sizes {
			for _, acc := range []string{"", "image/avif,image/webp,image/*,*/*;q=0.8"} {
				m.valid = append(m.valid, req{class: "valid", target: "/image/" + s + "/valid/" + url.PathEscape(e.Name()), accept: acc})
			}
		}
		m.slowUp = append(m.slowUp,
			req{class: "slow-upstream", target: "/image/150x150/slow/valid/" + url.PathEscape(e.Name())},
			req{class: "slow-upstream", target: "/image/320x240/slow/valid/" + url.PathEscape(e.Name())})
	}
	m.slowUp = append(m.slowUp, req{class: "slow-upstream", target: "/image/150x150/stall/valid/x.jpg"})
	for _, c := range hostile.Cases() {
		r := req{class: "hostile", target: "/image/150x150/hostile/" + c.Name}
		if c.Kind == hostile.Bomb {
			r.class = "bomb"
			m.bomb = append(m.bomb, r)
			continue
		}
		m.hostile = append(m.hostile, r)
	}
	for _, t := range []string{
		"/image/150x150/../../etc/passwd", "/image/150x150/%2e%2e/%2e%2e/etc/passwd",
		"/image/150x150/..%2f..%2fetc%2fpasswd", "/image/150x150/%252e%252e/secret",
		`/image/150x150/..\..\secret`, "/image/150x150/..%5c..%5csecret", "/image/150x150/x.jpg%00.png",
		"/image/150x150/%c0%ae%c0%ae/secret", "/image/150x150//valid/x.jpg", "/image/150x150/%zz",
		"/image/abc/valid/x.jpg", "/image/0x0/valid/x.jpg", "/image/99999999x99999999/valid/x.jpg",
		"/image/150x150/valid/missing.jpg", "/elsewhere/x.jpg", "/image/150x150",
		"/image/150x150/" + strings.Repeat("a/", 1600) + "x.jpg",
		"/image/150x150/" + strings.Repeat("x", 40<<10) + ".jpg",
	} {
		m.bad = append(m.bad, req{class: "bad", method: "GET", target: t})
	}
	m.bad = append(m.bad, req{class: "bad", method: "POST", target: "/image/150x150/valid/x.jpg"},
		req{class: "bad", method: "DELETE", target: "/image/150x150/valid/x.jpg"})
	if len(m.valid) == 0 {
		return nil, fmt.Errorf("no pictures in %s/valid", dir)
	}
	return m, nil
}

// pick draws one request: 62% valid, 8% bombs, 10% hostile bodies, 12%
// bad requests, 8% slow upstreams.
func (m *mix) pick(r *rand.Rand) req {
	switch n := r.IntN(100); {
	case n < 62:
		return m.valid[r.IntN(len(m.valid))]
	case n < 70:
		return m.bomb[r.IntN(len(m.bomb))]
	case n < 80:
		return m.hostile[r.IntN(len(m.hostile))]
	case n < 92:
		return m.bad[r.IntN(len(m.bad))]
	}
	return m.slowUp[r.IntN(len(m.slowUp))]
}

// driver runs the traffic and keeps the tallies.
type driver struct {
	c      driveConfig
	mix    *mix
	client *http.Client
	fault  atomic.Value // string: "", "origin" or "disk"

	mu       sync.Mutex
	statuses map[string]map[string]int  // class -> status -> count
	warm     map[string]bool            // valid requests answered 200 outside faults
	bad5xx   []string                   // valid requests answered 5xx (not 503 with Retry-After)
	valid4xx map[string]int             // valid requests answered 4xx, by status and URL: worth a look
	took     map[string][]time.Duration // latencies by class
}

func newDriver(c driveConfig, m *mix) *driver {
	tr := &http.Transport{MaxConnsPerHost: c.conns, MaxIdleConnsPerHost: c.conns, DisableCompression: true}
	d := &driver{
		c: c, mix: m, client: &http.Client{Transport: tr, Timeout: 2 * time.Minute},
		statuses: map[string]map[string]int{}, warm: map[string]bool{}, valid4xx: map[string]int{}, took: map[string][]time.Duration{},
	}
	d.fault.Store("")
	return d
}

func (d *driver) run() error {
	if err := d.warmUp(); err != nil {
		return err
	}
	before := d.goroutines(3 * time.Second)
	rss := newRSSWatch(d.c.pid)
	ctx, cancel := context.WithTimeout(context.Background(), d.c.duration)
	defer cancel()
	go d.watchFaults(ctx)
	var wg sync.WaitGroup
	for i := range d.c.conns {
		wg.Go(func() { d.worker(ctx, uint64(i)) })
	}
	for i := range d.c.slow {
		wg.Go(func() { d.slowClient(ctx, i%2 == 0) })
	}
	wg.Wait()
	d.client.CloseIdleConnections()
	peak, hwm := rss.stop()
	after, settled := d.settle(before)
	final := d.once(req{class: "valid", target: d.mix.valid[0].target})
	return d.report(report{before: before, after: after, settled: settled, peakRSS: peak, hwm: hwm, final: final})
}

// warmUp makes one variant (which starts the disk cache's background
// work), then lets the origin's idle connections close.
func (d *driver) warmUp() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		code := d.once(req{class: "warm-up", target: d.mix.valid[0].target})
		if code == "200" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("warm-up request: %s", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (d *driver) worker(ctx context.Context, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x50a4))
	for ctx.Err() == nil {
		q := d.mix.pick(r)
		faultBefore := d.fault.Load().(string)
		start := time.Now()
		var code string
		var hdr http.Header
		if q.class == "bad" {
			code = d.raw(q)
		} else {
			code, hdr = d.get(q)
		}
		fault := cmpOr(faultBefore, d.fault.Load().(string))
		if ctx.Err() != nil && strings.HasPrefix(code, "error") {
			break // cut short by the end of the run
		}
		d.tally(q, code, hdr, fault, time.Since(start))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// get sends q and reads the whole answer.
func (d *driver) get(q req) (string, http.Header) {
	r, err := http.NewRequest(http.MethodGet, d.c.target+q.target, nil)
	if err != nil {
		return "error: " + err.Error(), nil
	}
	if q.accept != "" {
		r.Header.Set("Accept", q.accept)
	}
	resp, err := d.client.Do(r)
	if err != nil {
		return errorClass(err), nil
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return errorClass(err), nil
	}
	return fmt.Sprint(resp.StatusCode), resp.Header
}

// once is get for the warm-up and the final request.
func (d *driver) once(q req) string {
	code, _ := d.get(q)
	return code
}

// raw sends q's request line byte for byte on a connection of its own.
func (d *driver) raw(q req) string {
	u, _ := url.Parse(d.c.target)
	c, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		return errorClass(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	go fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", q.method, q.target, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return errorClass(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}

func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "error: timeout"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "error: eof"
	case strings.Contains(err.Error(), "reset"):
		return "error: reset"
	case strings.Contains(err.Error(), "refused"):
		return "error: refused"
	}
	return "error: other"
}

// tally counts one answer. Valid requests are judged: outside faults (and
// during a disk fault) a 5xx other than 503 with Retry-After is a
// failure; during an origin fault, variants answered 200 before must
// still be served, others may fail with 502.
func (d *driver) tally(q req, code string, hdr http.Header, fault string, took time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	class := q.class
	d.took[q.class] = append(d.took[q.class], took)
	key := q.accept + " " + q.target
	if class == "valid" && fault != "" {
		class = "valid/" + fault + "-fault/cold"
		if d.warm[key] {
			class = "valid/" + fault + "-fault/warm"
		}
	}
	if d.statuses[class] == nil {
		d.statuses[class] = map[string]int{}
	}
	d.statuses[class][code]++
	if q.class != "valid" {
		return
	}
	if code == "200" && fault == "" {
		d.warm[key] = true
	}
	if strings.HasPrefix(code, "4") {
		d.valid4xx[code+" "+q.target+" (accept "+cmpOr(q.accept, "none")+")"]++
	}
	bad := strings.HasPrefix(code, "5") && (code != "503" || hdr.Get("Retry-After") == "") ||
		strings.HasPrefix(code, "error")
	if fault == "origin" && !d.warm[key] {
		bad = false // a miss cannot be made without the origin
	}
	if fault == "origin" && d.warm[key] && code != "200" {
		bad = true // a cached thumbnail not served
	}
	if bad {
		d.bad5xx = append(d.bad5xx, fmt.Sprintf("%s %s (fault %q, accept %q)", code, q.target, fault, q.accept))
	}
}

// watchFaults keeps d.fault up to date with the fault file.
func (d *driver) watchFaults(ctx context.Context) {
	if d.c.faultFile == "" {
		return
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		b, err := os.ReadFile(d.c.faultFile)
		f := ""
		if err == nil {
			f = cmpOr(strings.TrimSpace(string(b)), "fault")
		}
		d.fault.Store(f)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
