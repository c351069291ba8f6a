// Command bare is the floor for the cached-hit benchmark in bench/compare.sh.
//
// It answers every request, whatever its method or path, with the bytes of
// one file held in memory: no routing, no cache lookup, no conditional
// requests, no logging. The gap between it and imgproxy serving the same
// bytes from its cache is what imgproxy's own hit path costs on top of
// net/http.
//
//	bare -listen 127.0.0.1:19090 -file thumb.jpg
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:19090", "address to listen on")
	file := flag.String("file", "", "file whose bytes every response carries (required)")
	ctype := flag.String("type", "", "Content-Type to send; empty means sniffed from the file")
	flag.Parse()
	if *file == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatalf("bare: %v", err)
	}
	contentType := *ctype
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	length := strconv.Itoa(len(body))

	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", length)
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*listen, handler))
}
