package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/golang/groupcache"
	pb "github.com/golang/groupcache/groupcachepb"
	"github.com/golang/protobuf/proto"
)

// ServeHTTP serves the peer protocol: GET <BasePath><group>/<key>, both path
// segments escaped with url.PathEscape, authenticated by the SecretHeader
// header. It answers 403 to a missing or wrong secret before looking at
// anything else, 405 to other methods, 404 outside BasePath or for a group
// this Pool does not have, and 400 to a malformed path. It gets the key from
// the group and answers its value as a protobuf groupcachepb.GetResponse,
// or, if that fails, the status chosen by Config.ErrorStatus with only the
// status text as body.
//
// Mount it as the handler of the node's peer listener, which should not be
// reachable from outside the cluster. (A ServeMux in front of it would
// redirect keys that contain "." or ".." path segments.)
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got := sum(r.Header.Get(SecretHeader))
	if subtle.ConstantTimeCompare(got[:], p.secretSum[:]) != 1 {
		httpError(w, http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	if p.closed.Load() {
		httpError(w, http.StatusServiceUnavailable)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), p.basePath)
	if !ok {
		httpError(w, http.StatusNotFound)
		return
	}
	wire, key, ok := parsePeerPath(rest)
	if !ok {
		httpError(w, http.StatusBadRequest)
		return
	}
	g := p.group(wire)
	if g == nil {
		httpError(w, http.StatusNotFound)
		return
	}
	ctx := context.WithValue(r.Context(), servingKey{}, g.Name())
	var b []byte
	if err := g.Get(ctx, key, groupcache.AllocatingByteSliceSink(&b)); err != nil {
		httpError(w, p.statusOf(err))
		return
	}
	body, err := proto.Marshal(&pb.GetResponse{Value: b})
	if err != nil {
		httpError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// parsePeerPath splits the escaped "<group>/<key>" into its unescaped
// parts; ok is false if rest is malformed.
func parsePeerPath(rest string) (wire, key string, ok bool) {
	wire, key, ok = strings.Cut(rest, "/")
	if !ok || wire == "" {
		return "", "", false
	}
	var err1, err2 error
	wire, err1 = url.PathUnescape(wire)
	key, err2 = url.PathUnescape(key)
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	return wire, key, true
}

// statusOf maps a Get error to the status answered to the peer.
func (p *Pool) statusOf(err error) int {
	if p.errorStatus == nil {
		return http.StatusInternalServerError
	}
	code := p.errorStatus(err)
	if code < 400 || code > 599 {
		return http.StatusInternalServerError
	}
	return code
}

// httpError answers code with its status text, never an error's text.
func httpError(w http.ResponseWriter, code int) {
	http.Error(w, http.StatusText(code), code)
}

// sum returns the SHA-256 of s. Comparing digests keeps the secret check
// constant-time even in the secret's length.
func sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }
