package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// origin serves the files under -dir as the soak's upstream:
//
//	/<path>        the file, as a static server would
//	/slow/<path>   the file trickled out in 20 parts over -slow
//	/stall/<path>  headers never come: the request is held until the
//	               client (imgproxy's fetcher) gives up
//
// Idle connections are closed after a second, so that the keep-alive
// connections of imgproxy's fetcher do not outlive the traffic (and the
// server's goroutine count can come back to where it started).
func origin(args []string) error {
	fs := flag.NewFlagSet("origin", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory to serve (required)")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	slow := fs.Duration("slow", 3*time.Second, "how long /slow/ takes to send a file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("origin: -dir is required")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr()) // the script reads the port from here
	files := http.FileServer(http.Dir(*dir))
	mux := http.NewServeMux()
	mux.Handle("/", files)
	mux.HandleFunc("/stall/", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		serveSlowly(w, r, filepath.Join(*dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/slow/"))), *slow)
	})
	srv := &http.Server{Handler: mux, IdleTimeout: time.Second, ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}

// serveSlowly sends the file at p in 20 parts spread over d.
func serveSlowly(w http.ResponseWriter, r *http.Request, p string, d time.Duration) {
	b, err := os.ReadFile(p)
	if err != nil || strings.Contains(r.URL.Path, "..") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Content-Type", http.DetectContentType(b))
	const parts = 20
	tick := time.NewTicker(d / parts)
	defer tick.Stop()
	for i := range parts {
		chunk := b[len(b)*i/parts : len(b)*(i+1)/parts]
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-tick.C:
		case <-r.Context().Done():
			return
		}
	}
}
