// Command bare is the ceiling for the cached-hit benchmark in
// bench/compare.sh.
//
// It answers every request, whatever its method or path, with the bytes of
// one file held in memory: no routing, no cache lookup, no conditional
// requests, no logging. With -headers it also sends a fixed set of header
// lines read from a file (as curl -D saves them), so that its responses are
// byte for byte the ones imgproxy sends on a hit, Date aside. The gap
// between it and imgproxy serving the same response from its cache is what
// imgproxy's own hit path costs on top of net/http.
//
//	bare -listen 127.0.0.1:19090 -file thumb.jpg [-headers thumb.headers]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:19090", "address to listen on")
	file := flag.String("file", "", "file whose bytes every response carries (required)")
	ctype := flag.String("type", "", "Content-Type to send; empty means sniffed from the file (or taken from -headers)")
	headers := flag.String("headers", "", "file of response header lines to send as well (a curl -D dump; the status line, Date, Content-Length and hop-by-hop headers are skipped)")
	flag.Parse()
	if *file == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatalf("bare: %v", err)
	}
	fixed := http.Header{}
	if *headers != "" {
		if fixed, err = readHeaders(*headers); err != nil {
			log.Fatalf("bare: %v", err)
		}
	}
	if *ctype != "" {
		fixed.Set("Content-Type", *ctype)
	} else if fixed.Get("Content-Type") == "" {
		fixed.Set("Content-Type", http.DetectContentType(body))
	}
	fixed.Set("Content-Length", strconv.Itoa(len(body)))

	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range fixed {
			h[k] = v // shared, never modified: as a cache would hand them out
		}
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*listen, handler))
}

// readHeaders parses a header dump: an optional HTTP status line, then
// "Name: value" lines up to the first empty line.
func readHeaders(path string) (http.Header, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, "HTTP/") {
			continue
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s: not a header line: %q", path, line)
		}
		name = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
		switch name {
		case "Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding":
			continue
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, sc.Err()
}
