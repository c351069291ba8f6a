package front

import (
	"bytes"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// maxFields bounds the header lines of a request the front reads; a
// request with more goes to net/http.
const maxFields = 100

// head is a request's head as parseHead reads it. Its strings are
// substrings of one string of the whole head, so a request costs one
// allocation for its text, whatever its number of fields.
type head struct {
	method string
	target string
	url    *url.URL
	host   string
	close  bool        // Connection: close
	header http.Header // without Host, as net/http's Request.Header
	vals   []string    // backing store of header's values
}

// parseHead reads the head at the start of b, which ends at the first
// empty line ("\r\n\r\n"): its length n and true, or false if it is not a
// request the front serves itself (see the package doc). h.header must
// be an empty map; it is filled.
func parseHead(b []byte, h *head) (n int, ok bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, false
	}
	s := string(b[:end+2]) // every line with its CRLF
	line, rest, _ := strings.Cut(s, "\r\n")
	if !h.requestLine(line) {
		return 0, false
	}
	hosts := 0
	for nf := 0; rest != ""; nf++ {
		if nf == maxFields {
			return 0, false
		}
		line, rest, _ = strings.Cut(rest, "\r\n")
		name, value, ok := field(line)
		if !ok {
			return 0, false
		}
		switch name {
		case "Host":
			if hosts++; hosts > 1 || !validHost(value) {
				return 0, false
			}
			h.host = value
			continue
		case "Connection":
			switch strings.ToLower(value) {
			case "close":
				h.close = true
			case "keep-alive":
			default:
				return 0, false
			}
		case "Content-Length", "Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer":
			return 0, false // a body, or a protocol change: net/http's
		}
		if vs, dup := h.header[name]; dup {
			h.header[name] = append(vs, value)
			continue
		}
		k := len(h.vals)
		h.vals = append(h.vals, value)
		h.header[name] = h.vals[k : k+1 : k+1]
	}
	if hosts != 1 {
		return 0, false // net/http answers 400
	}
	return end + 4, true
}

// requestLine reads "GET /target HTTP/1.1".
func (h *head) requestLine(line string) bool {
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || proto != "HTTP/1.1" || (method != http.MethodGet && method != http.MethodHead) {
		return false
	}
	if target == "" || target[0] != '/' || !validTarget(target) {
		return false
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return false
	}
	h.method, h.target, h.url = method, target, u
	return true
}

// field splits a header line "Name: value" into its canonical name and
// its value without surrounding spaces or tabs.
func field(line string) (name, value string, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	for j := range i {
		if !isTokenChar(line[j]) {
			return "", "", false // also a space before the colon, or obs-fold
		}
	}
	value = strings.Trim(line[i+1:], " \t")
	for j := range len(value) {
		if c := value[j]; (c < ' ' && c != '\t') || c == 0x7f {
			return "", "", false
		}
	}
	return textproto.CanonicalMIMEHeaderKey(line[:i]), value, true
}

// isTokenChar reports whether c may be in a field name (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validTarget reports whether an origin-form target has only characters
// RFC 3986 allows in a path and query, each "%" before two hex digits.
func validTarget(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '%':
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
		case strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validHost reports whether a Host value is a reg-name, IPv4 or
// bracketed IPv6 address with an optional port: only such characters.
func validHost(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~:[]", c) >= 0:
		default:
			return false
		}
	}
	return true
}
