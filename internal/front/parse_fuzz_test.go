package front

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readBoth parses b with parseHead and, if it accepts, checks that
// net/http's http.ReadRequest reads the same request from b: same method,
// target, URL, Host, header and Close, ending at the same byte, with no
// body.
func readBoth(t *testing.T, b []byte) bool {
	h := &head{header: make(http.Header)}
	n, ok := parseHead(b, h)
	if !ok {
		return false
	}
	br := bufio.NewReader(bytes.NewReader(b))
	r, err := http.ReadRequest(br)
	require.NoError(t, err, "net/http refuses a head the front accepts: %q", b)
	assert.Equal(t, r.Method, h.method)
	assert.Equal(t, r.RequestURI, h.target)
	assert.Equal(t, r.URL, h.url)
	assert.Equal(t, r.Host, h.host)
	assert.Equal(t, r.Close, h.close)
	if len(r.Header) > 0 || len(h.header) > 0 {
		assert.Equal(t, r.Header, h.header)
	}
	assert.Zero(t, r.ContentLength)
	rest, _ := io.ReadAll(br)
	assert.Equal(t, b[n:], rest, "the heads end at different bytes")
	return true
}

func TestParseHeadAgreesWithNetHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw    string
		accept bool
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"HEAD /image/150x150/a%20b.jpg?auth=Zm9v_-x HTTP/1.1\r\nHost: example.com:8080\r\nAccept: image/webp,*/*\r\n" +
			"If-None-Match: \"a\"\r\nUser-Agent: x y\r\nconnection: Close\r\n\r\nGET / HTTP/1.1\r\n", true},
		{"GET //x?a=1&a=2 HTTP/1.1\r\nhOsT:\t[::1]:80 \r\nX-A: 1\r\nx-a: 2\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: x\r\nAccept:\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: x\r\n", false},                                // not ended
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n", true},                         // a CRLF after: the next request's
		{"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", false},                 // obs-fold
		{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", false},                           // space before the colon
		{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", false},       // a body's framing
		{"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", false}, // ditto
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", false},
		{"GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", false},
		{"get / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET * HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", false},
		{"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.accept, readBoth(t, []byte(tc.raw)), "%q", tc.raw)
	}
}

// FuzzParseHead checks that whatever parseHead accepts, net/http reads
// the same way (readBoth), and that it never panics.
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /image/150x150/a.jpg?auth=x HTTP/1.1\r\nHost: h:1\r\nAccept: */*\r\nConnection: close\r\n\r\n",
		"GET /a%2Fb//c HTTP/1.1\r\nHost: [::1]\r\nIf-Modified-Since: Tue, 02 Jan 2024 03:04:05 GMT\r\nRange: bytes=0-9\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nGET",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		readBoth(t, b)
	})
}
