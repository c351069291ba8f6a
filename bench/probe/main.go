// Command probe measures what issue 9 asks the server to withstand,
// against a real imgproxy process it starts: scan bombs against a normal
// progressive photo of the same size, a thumbnail beside a slow request,
// concurrent 16-bit PNG bombs under a memory budget, and clients that
// never read or never finish their headers. It prints what it measured;
// it asserts nothing (the tests do that).
//
//	go build -o /tmp/imgproxy ./cmd/imgproxy
//	go run ./bench/probe -bin /tmp/imgproxy -mode all
//
// Modes: bombs, fair, png, clients, all. -corpus (default ../shared/corpus
// relative to the repository root) supplies the 4 MP and 18 MP photos of
// the fair mode; without it, generated pictures of the same sizes are used.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imgproxy-go/imgproxy/internal/hostile"
)

func main() {
	bin := flag.String("bin", "", "imgproxy binary (go build ./cmd/imgproxy)")
	mode := flag.String("mode", "all", "bombs, fair, png, clients or all")
	corpus := flag.String("corpus", "../shared/corpus", "directory of real photos (optional)")
	flag.Parse()
	if *bin == "" {
		log.Fatal("probe: -bin is required")
	}
	dir, err := os.MkdirTemp("", "probe")
	check(err)
	defer os.RemoveAll(dir)
	p := &probe{bin: *bin, dir: dir, corpus: *corpus}
	p.writeFiles()
	for _, m := range []string{"bombs", "fair", "png", "clients"} {
		if *mode == m || *mode == "all" {
			map[string]func(){"bombs": p.bombs, "fair": p.fair, "png": p.png, "clients": p.clients}[m]()
		}
	}
}

type probe struct {
	bin, dir, corpus string
}

// writeFiles puts the hostile and normal sources into the upstream dir.
func (p *probe) writeFiles() {
	files := map[string][]byte{
		"bomb-7000.jpg":   hostile.ScanBomb(7000, 7000, 1000),
		"bomb-2000.jpg":   hostile.ScanBomb(2000, 2000, 1000),
		"deep-7000.jpg":   hostile.DeepBomb(7000, 7000),
		"deep-2000.jpg":   hostile.DeepBomb(2000, 2000),
		"normal-7000.jpg": hostile.ValidJPEG(7000, 7000, true),
		"normal-2000.jpg": hostile.ValidJPEG(2000, 2000, true),
		"png16-7000.png":  hostile.PNGBomb(7000, 7000, false),
		"png16-2500.png":  hostile.PNGBomb(2500, 2500, true),
		"photo-4mp.jpg":   hostile.ValidJPEG(2560, 1600, true),
		"photo-18mp.jpg":  hostile.ValidJPEG(5640, 3172, false),
	}
	for _, real := range [][2]string{{"medium-2560x1600.jpg", "photo-4mp.jpg"}, {"large-5640x3172.jpg", "photo-18mp.jpg"}} {
		if b, err := os.ReadFile(filepath.Join(p.corpus, real[0])); err == nil {
			files[real[1]] = b
		}
	}
	for name, b := range files {
		check(os.WriteFile(filepath.Join(p.dir, name), b, 0o644))
	}
}

// server is a running imgproxy process.
type server struct {
	cmd  *exec.Cmd
	addr string
}

func (p *probe) start(flags ...string) *server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"-listen", addr, "-upstream", p.dir, "-cache-memory", "0"}, flags...)
	cmd := exec.Command(p.bin, args...)
	cmd.Stderr = io.Discard
	check(cmd.Start())
	s := &server{cmd: cmd, addr: addr}
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return s
		}
		if i > 500 {
			log.Fatal("probe: the server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *server) stop() { s.cmd.Process.Kill(); s.cmd.Wait() }

// status reads a field of /proc/PID/status in KiB (VmRSS, VmHWM).
func (s *server) status(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

// cpu is the process's user+system CPU time so far.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond // USER_HZ = 100
}

// get fetches path and returns the status and the wall time.
func (s *server) get(path string) (int, time.Duration) {
	c := &http.Client{Timeout: 5 * time.Minute}
	t0 := time.Now()
	resp, err := c.Get("http://" + s.addr + path)
	if err != nil {
		return -1, time.Since(t0)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}

// bombs: wall and CPU time of each bomb against the normal progressive
// picture of the same size, at every scale.
func (p *probe) bombs() {
	// Full size (49 MP) is over the default output limit: raise it so
	// that the decoder itself is probed.
	s := p.start("-max-output-pixels", "100M")
	defer s.stop()
	fmt.Println("== bombs: status, wall, server CPU (each URL once, nothing cached)")
	for _, size := range []string{"7000", "2000"} {
		for _, box := range []string{"-x-,q50", "900x900", "150x150"} {
			for _, kind := range []string{"normal", "bomb", "deep"} {
				c0 := s.cpu()
				code, wall := s.get(fmt.Sprintf("/image/%s/%s-%s.jpg", box, kind, size))
				fmt.Printf("%-7s %-5s %-8s %d wall %8.3fs cpu %8.3fs\n", kind, size, box, code, wall.Seconds(), (s.cpu() - c0).Seconds())
			}
		}
	}
}

// fair: the 150x150 thumbnail of a 4 MP photo alone (median of 9 runs of
// distinct boxes), then while a slow request runs.
func (p *probe) fair() {
	s := p.start()
	defer s.stop()
	thumb := func(i int) time.Duration {
		_, d := s.get(fmt.Sprintf("/image/%dx150/photo-4mp.jpg", 150+i))
		return d
	}
	thumb(99) // warm up
	var idle []time.Duration
	for i := range 9 {
		idle = append(idle, thumb(i))
	}
	slowDone := make(chan time.Duration)
	go func() {
		_, d := s.get("/image/-x-,gif/photo-18mp.jpg")
		slowDone <- d
	}()
	time.Sleep(300 * time.Millisecond) // let the slow request get going
	var busy []time.Duration
	for i := 10; i < 19; i++ {
		busy = append(busy, thumb(i))
	}
	slow := <-slowDone
	fmt.Printf("== fair: 150x150 of the 4 MP photo: idle median %.1f ms; during -x-,gif of the 18 MP photo (%.1f s) median %.1f ms, max %.1f ms: %.2fx idle (max %.2fx)\n",
		ms(median(idle)), slow.Seconds(), ms(median(busy)), ms(maxOf(busy)),
		float64(median(busy))/float64(median(idle)), float64(maxOf(busy))/float64(median(idle)))
}

// png: eight concurrent 16-bit 7000x7000 PNG bombs under a 256 MiB
// budget: statuses, peak RSS, and a normal request after.
func (p *probe) png() {
	for _, name := range []string{"png16-7000.png", "png16-2500.png"} {
		p.pngRound(name)
	}
}

// pngRound sends eight concurrent requests for distinct thumbnails of
// one PNG bomb to a fresh server with a 256 MiB budget.
func (p *probe) pngRound(name string) {
	s := p.start("-memory-budget", "256M")
	defer s.stop()
	idle := s.status("VmRSS")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			code, _ := s.get(fmt.Sprintf("/image/%dx150/%s", 150+i, name))
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	code, _ := s.get("/image/150x150/photo-4mp.jpg")
	fmt.Printf("== png: 8 x %s (16-bit RGBA), -memory-budget 256M: statuses %v; RSS idle %d MiB, peak %d MiB; normal request after: %d\n",
		name, codes, idle>>10, s.status("VmHWM")>>10, code)
}

// clients: 20 clients that request a large response and never read it
// (all the same picture, then 20 distinct ones), and 300 that send 1 MB of
// headers without finishing them. It reports how long the server keeps
// each kind's connections (its own sockets in /proc/net/tcp, so the
// kernel delivering what it already sent does not count) and the peak RSS.
func (p *probe) clients() {
	for _, distinct := range []bool{false, true} {
		p.clientsRound(distinct)
	}
}

func (p *probe) clientsRound(distinct bool) {
	// What the kernel accepted into a socket's send buffer (up to 4 MB on
	// loopback) leaves the process: the server then holds an idle
	// keep-alive connection, closed by -idle-timeout.
	s := p.start("-write-timeout", "10s", "-read-header-timeout", "5s", "-idle-timeout", "10s", "-memory-budget", "256M")
	defer s.stop()
	// Warm up (codecs, pools; for the same picture, its variant is then
	// cached), so that the peak above this is what the connections cost,
	// plus, for distinct pictures, the transforms admitted in the budget.
	s.get("/image/-x-,q60/photo-18mp.jpg")
	idle := s.status("VmRSS")
	var conns []net.Conn
	for i := range 20 {
		c, err := net.Dial("tcp", s.addr)
		check(err)
		c.(*net.TCPConn).SetReadBuffer(4096)
		q := 60
		if distinct {
			q += 1 + i
		}
		fmt.Fprintf(c, "GET /image/-x-,q%d/photo-18mp.jpg HTTP/1.1\r\nHost: x\r\n\r\n", q)
		conns = append(conns, c)
	}
	readers := s.untilClosed(20)
	for range 300 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			continue
		}
		w := bufio.NewWriter(c)
		fmt.Fprintf(w, "GET /image/150x150/photo-4mp.jpg HTTP/1.1\r\nHost: x\r\n")
		for i := 0; i < 1000; i++ {
			fmt.Fprintf(w, "X-Pad-%d: %s\r\n", i, strings.Repeat("a", 1000))
		}
		go w.Flush()
		conns = append(conns, c)
	}
	headers := s.untilClosed(300)
	for _, c := range conns {
		c.Close()
	}
	code, _ := s.get("/image/150x150/photo-4mp.jpg")
	kind := "the same picture"
	if distinct {
		kind = "20 distinct pictures"
	}
	fmt.Printf("== clients: 20 never-reading (%s): server closed them all after %.1f s; 300 with 1 MB unfinished headers: after %.1f s; RSS idle %d MiB, peak %d MiB (+%d); normal request after: %d\n",
		kind, readers.Seconds(), headers.Seconds(), idle>>10, s.status("VmHWM")>>10, (s.status("VmHWM")-idle)>>10, code)
}

// untilClosed waits until the server holds n open connections, then until
// it holds none (ESTABLISHED or CLOSE_WAIT sockets on its port), and
// returns how long the second wait took.
func (s *server) untilClosed(n int) time.Duration {
	_, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	open := func() int {
		b, _ := os.ReadFile("/proc/net/tcp")
		k := 0
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 4 || !strings.HasSuffix(f[1], fmt.Sprintf(":%04X", p)) {
				continue
			}
			if f[3] == "01" || f[3] == "08" { // ESTABLISHED, CLOSE_WAIT
				k++
			}
		}
		return k
	}
	t0 := time.Now()
	for open() < n && time.Since(t0) < 10*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	t0 = time.Now()
	for open() > 0 && time.Since(t0) < 10*time.Minute {
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(t0)
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func maxOf(d []time.Duration) time.Duration {
	var m time.Duration
	for _, v := range d {
		m = max(m, v)
	}
	return m
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func check(err error) {
	if err != nil {
		log.Fatal("probe: ", err)
	}
}
