package front

import (
	"bufio"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// response is the http.ResponseWriter of a request the front serves. It
// writes the status line and header when the header is written, and the
// body straight through the connection's buffer, as net/http does when
// Content-Length is set; without one (or without a Content-Type, which
// net/http would sniff) the body is held until the handler returns, and
// then sent with its length. One response per connection is reused.
type response struct {
	bw     *bufio.Writer
	date   func() []byte
	header http.Header
	keys   []string // scratch for sorting header names

	head        bool // a HEAD request: no body is sent
	close       bool // send Connection: close and close after
	status      int
	wroteHeader bool
	holding     bool  // the header waits for the body, held
	length      int64 // Content-Length; -1: none
	written     int64
	held        []byte
	err         error // the first write error: the connection is broken
}

// reset readies r for the next request; r.header is cleared.
func (r *response) reset(head, close bool) {
	clear(r.header)
	r.head, r.close = head, close
	r.status, r.wroteHeader, r.holding, r.length, r.written, r.err = 0, false, false, -1, 0, nil
	r.held = r.held[:0]
}

func (r *response) Header() http.Header { return r.header }

// WriteHeader sends the status line and header, unless the body is held
// (see response); 1xx codes are sent at once, as informational.
func (r *response) WriteHeader(code int) {
	if r.wroteHeader || code < 100 || code > 999 {
		return
	}
	if code < 200 {
		r.writeHead(code, -1)
		return
	}
	r.wroteHeader, r.status = true, code
	delete(r.header, "Transfer-Encoding")
	if !bodyAllowed(code) {
		delete(r.header, "Content-Length")
		r.writeHead(code, -1)
		return
	}
	if v := r.header["Content-Length"]; len(v) == 1 {
		if n, err := strconv.ParseInt(v[0], 10, 64); err == nil && n >= 0 {
			r.length = n
		}
	}
	if r.length < 0 || r.header["Content-Type"] == nil && !r.head {
		r.holding = true
		return
	}
	r.writeHead(code, -1)
}

// Write sends p (HEAD: counts it), never past Content-Length.
func (r *response) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	switch {
	case !bodyAllowed(r.status):
		return 0, http.ErrBodyNotAllowed
	case r.holding:
		r.held = append(r.held, p...)
		return len(p), nil
	case r.head:
		r.written += int64(len(p))
		return len(p), nil
	}
	n := len(p)
	if left := r.length - r.written; int64(n) > left {
		n = int(left)
	}
	m, err := r.bw.Write(p[:n])
	r.written += int64(m)
	if err != nil && r.err == nil {
		r.err = err
	}
	if err == nil && m < len(p) {
		err = http.ErrContentLength
	}
	return m, err
}

// finish ends the response once the handler returned: a header not yet
// written is, a held body is sent, and the buffer is flushed. It reports
// whether the connection can serve another request.
func (r *response) finish() bool {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	switch {
	case r.holding:
		body := r.held
		if r.header["Content-Type"] == nil && len(body) > 0 {
			r.header["Content-Type"] = []string{http.DetectContentType(body)}
		}
		n := int64(len(body))
		if r.length >= 0 {
			n = r.length // as announced; the client waits for the rest
			if int64(len(body)) > n {
				body = body[:n]
			} else if int64(len(body)) < n {
				r.close = true
			}
		} else if r.head && n == 0 {
			n = -1 // a HEAD answer without a length
		}
		r.writeHead(r.status, n)
		if !r.head {
			r.write(body)
		}
	case bodyAllowed(r.status) && !r.head && r.written < r.length:
		r.close = true // fewer bytes than announced
	}
	if err := r.bw.Flush(); err != nil && r.err == nil {
		r.err = err
	}
	return r.err == nil && !r.close
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// writeHead writes the status line, the header in name order with CR and
// LF in values turned into spaces (as net/http), the Date and, with
// length >= 0, that Content-Length; -1 keeps the header's own.
func (r *response) writeHead(code int, length int64) {
	r.write([]byte("HTTP/1.1 "))
	r.writeString(strconv.Itoa(code))
	r.write([]byte{' '})
	r.writeString(statusText(code))
	r.write([]byte("\r\n"))
	if length >= 0 {
		r.header["Content-Length"] = nil
	}
	r.keys = r.keys[:0]
	for k := range r.header {
		r.keys = append(r.keys, k)
	}
	slices.Sort(r.keys)
	for _, k := range r.keys {
		if k == "Content-Length" && length >= 0 {
			r.writeString("Content-Length: ")
			r.writeString(strconv.FormatInt(length, 10))
			r.write([]byte("\r\n"))
			continue
		}
		if k == "Date" || k == "Connection" {
			continue // ours
		}
		for _, v := range r.header[k] {
			r.writeString(k)
			r.write([]byte(": "))
			r.writeValue(v)
			r.write([]byte("\r\n"))
		}
	}
	r.write([]byte("Date: "))
	r.write(r.date())
	r.write([]byte("\r\n"))
	if r.close {
		r.write([]byte("Connection: close\r\n"))
	}
	r.write([]byte("\r\n"))
}

func (r *response) writeValue(v string) {
	if !strings.ContainsAny(v, "\r\n") {
		r.writeString(v)
		return
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		r.write([]byte{c})
	}
}

func (r *response) write(p []byte) {
	if _, err := r.bw.Write(p); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *response) writeString(s string) {
	if _, err := r.bw.WriteString(s); err != nil && r.err == nil {
		r.err = err
	}
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status code " + strconv.Itoa(code)
}
