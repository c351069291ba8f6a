package imgproxy

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var (
	_ Signer = (*SecureLinkMD5)(nil)
	_ Signer = (*HMACSigner)(nil)
)

// Shortest secrets the signers' Validate accepts. Verify itself takes any
// non-empty secret.
const (
	// MinMD5SecretLen is the shortest SecureLinkMD5.Secret: low enough
	// for the secrets of existing nginx sites ("your_secret" is 11).
	MinMD5SecretLen = 8
	// MinHMACKeyLen is the shortest HMACSigner key.
	MinHMACKeyLen = 16
)

// SecureLinkMD5 verifies links made for nginx's secure_link module, so
// that links already published for an nginx front keep working. With
// Expiring false it matches
//
//	secure_link     $arg_auth;
//	secure_link_md5 "$uri <Secret>";
//
// where the token, in the query parameter "auth", is MD5("<path> <Secret>")
// in unpadded base64url:
//
//	echo -n '/image/150x150/a/b.jpg your_secret' |
//		openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =
//
// With Expiring true it matches the expiring form (with Expiring false,
// links that carry "expires" are checked in that form too)
//
//	secure_link     $arg_auth,$arg_expires;
//	secure_link_md5 "$secure_link_expires$uri <Secret>";
//
// where "expires" is a decimal Unix time and the token is
// MD5("<expires><path> <Secret>"). As in nginx, a link is expired when
// expires is before the current second; a wrong token is ErrForbidden
// whether or not the link has also expired, and only a correct token past
// its time is ErrExpired.
//
// The path hashed is r.URL.Path, nginx's $uri: the whole decoded request
// path, the Handler's prefix and options included, the query excluded.
// Mounting the Handler behind http.StripPrefix (or anything else that
// rewrites r.URL.Path before Verify) changes it and breaks every token:
// mount the Handler at its full prefix instead. Unlike nginx, Verify does
// not normalise the path (merge "//", resolve "." and ".."), so only the
// canonical spelling of a path verifies; the Handler refuses the others
// anyway, and Sign never makes them.
//
// MD5 is kept for compatibility only; prefer HMACSigner for new
// deployments. A SecureLinkMD5 must not be modified after first use.
type SecureLinkMD5 struct {
	// Secret is the string after "$uri " in secure_link_md5. If empty,
	// every Verify fails with ErrForbidden: an empty secret would make
	// tokens anyone can compute.
	Secret string

	// Expiring requires nginx's expiring form. If true, Verify requires
	// the "expires" query parameter and hashes it in front of the path; a
	// request without it is ErrForbidden, as in nginx. If false, both
	// forms are accepted: a link with an "expires" parameter is checked in
	// the expiring form (and may expire), one without in the plain form.
	// The two cannot be confused: the plain form's hashed text starts with
	// "/", the expiring form's with a digit.
	Expiring bool

	// Now returns the current time for expiry checks. If nil, time.Now.
	Now func() time.Time
}

// Verify checks the "auth" (and, if given or s.Expiring, "expires") query
// parameters of r against r.URL.Path. It returns nil, an error wrapping
// ErrForbidden, or one wrapping ErrExpired.
func (s *SecureLinkMD5) Verify(r *http.Request) error {
	if s.Secret == "" {
		return fmt.Errorf("%w: secure link: no secret configured", ErrForbidden)
	}
	q := r.URL.Query()
	token := q.Get("auth")
	if token == "" {
		return fmt.Errorf("%w: secure link: missing auth", ErrForbidden)
	}
	var expires string
	var deadline int64
	expiring := s.Expiring || q.Has("expires")
	if expiring {
		var err error
		expires = q.Get("expires")
		if deadline, err = parseExpires(expires); err != nil || deadline <= 0 {
			return fmt.Errorf("%w: secure link: missing or bad expires", ErrForbidden)
		}
	}
	// nginx accepts at most 24 characters and decodes with or without
	// padding; a 16-byte MD5 is 22 characters unpadded, 24 padded.
	if len(token) > 24 {
		return fmt.Errorf("%w: secure link: bad auth", ErrForbidden)
	}
	got, err := base64.RawURLEncoding.DecodeString(strings.TrimSuffix(strings.TrimSuffix(token, "="), "="))
	if err != nil || len(got) != md5.Size {
		return fmt.Errorf("%w: secure link: bad auth", ErrForbidden)
	}
	want := s.sum(expires, r.URL.Path)
	if subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return fmt.Errorf("%w: secure link: wrong auth", ErrForbidden)
	}
	if expiring && isPast(deadline, s.Now) {
		return fmt.Errorf("%w: secure link expired at %d", ErrExpired, deadline)
	}
	return nil
}

// Validate reports whether s can verify anything and its Secret is not
// trivially guessed: it needs a Secret of at least MinMD5SecretLen bytes.
func (s *SecureLinkMD5) Validate() error {
	switch {
	case s.Secret == "":
		return errors.New("imgproxy: SecureLinkMD5: empty Secret")
	case len(s.Secret) < MinMD5SecretLen:
		return fmt.Errorf("imgproxy: SecureLinkMD5: Secret is %d bytes, shorter than %d", len(s.Secret), MinMD5SecretLen)
	}
	return nil
}

func (s *SecureLinkMD5) sum(expires, path string) [md5.Size]byte {
	return md5.Sum([]byte(expires + path + " " + s.Secret))
}

// Sign returns a link to path carrying a token for the plain form
// (Expiring false). path is a decoded request path starting with "/",
// such as "/image/150x150/a/b.jpg", with no query: Sign escapes it (a "?"
// in path is part of the path), so the server sees exactly path as
// r.URL.Path and the token verifies. Sign signs any path, including ones
// the Handler answers with 400 (a "?", "#" or "@" in the picture's name:
// see Handler.Link); Handler.URL, Handler.Link and FuncMap refuse those
// with an error instead.
func (s *SecureLinkMD5) Sign(path string) string {
	sum := s.sum("", path)
	return escapePath(path) + "?auth=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// SignExpires returns a link to path valid until t (to the second), for
// the expiring form (Expiring true). path is as for Sign.
func (s *SecureLinkMD5) SignExpires(path string, t time.Time) string {
	expires := strconv.FormatInt(t.Unix(), 10)
	sum := s.sum(expires, path)
	return escapePath(path) + "?auth=" + base64.RawURLEncoding.EncodeToString(sum[:]) + "&expires=" + expires
}

// FuncMap returns template functions "signImage" (s.Sign) and
// "signImageExpires" (s.SignExpires) for html/template:
//
//	<img src="{{signImage "/image/150x150/a/b.jpg"}}">
//
// A path that no Handler would serve (one not starting with "/", or with
// a "?", "#", "@", "\", control character, empty or dot segment, or an
// escape decoding to one) stops the template with an error wrapping
// ErrBadRequest rather than writing a link that cannot be served. A
// Handler's own FuncMap also checks the prefix and options.
func (s *SecureLinkMD5) FuncMap() template.FuncMap {
	return signFuncMap(s.Sign, s.SignExpires)
}

// HMACSigner signs links with HMAC-SHA256, the recommended choice for new
// deployments. The MAC is computed over
//
//	<expires> "\n" <path>
//
// where path is r.URL.Path and expires is the "expires" query parameter (a
// decimal Unix time) or empty when the link does not expire; it travels
// in the query parameter "sig" as unpadded base64url. In shell:
//
//	printf '%s\n%s' "$expires" "$path" |
//		openssl dgst -sha256 -hmac "$key" -binary | openssl base64 | tr +/ -_ | tr -d =
//
// As for SecureLinkMD5, path is the whole decoded request path, prefix
// and options included, so a link is good for one variant of one image,
// and http.StripPrefix in front of the Handler breaks every link.
//
// A link with "expires" is expired when expires is before the current
// second: ErrExpired, but only once the MAC is right (a forged link is
// ErrForbidden whatever its expiry). A tampered "expires" changes the MAC.
// An HMACSigner must not be modified after first use.
type HMACSigner struct {
	// Keys are the secret keys. Sign uses Keys[0]; Verify accepts a MAC
	// made with any of them, so keys can be rotated by prepending the new
	// one and dropping the old once its links are gone. Empty keys are
	// ignored. If Keys holds no non-empty key, every Verify fails with
	// ErrForbidden (fail closed). Use 32 random bytes per key.
	Keys [][]byte

	// Now returns the current time for expiry checks. If nil, time.Now.
	Now func() time.Time
}

// Verify checks the "sig" and optional "expires" query parameters of r
// against r.URL.Path. It returns nil, an error wrapping ErrForbidden, or
// one wrapping ErrExpired.
func (s *HMACSigner) Verify(r *http.Request) error {
	q := r.URL.Query()
	got, err := base64.RawURLEncoding.DecodeString(q.Get("sig"))
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: hmac: missing or bad sig", ErrForbidden)
	}
	var deadline int64
	expires, hasExpires := "", q.Has("expires")
	if hasExpires {
		expires = q.Get("expires")
		if deadline, err = parseExpires(expires); err != nil {
			return fmt.Errorf("%w: hmac: bad expires", ErrForbidden)
		}
	}
	ok := false
	var want [sha256.Size]byte
	for _, key := range s.Keys {
		if len(key) == 0 {
			continue
		}
		if hmac.Equal(got, hmacSum(want[:0], key, expires, r.URL.Path)) {
			ok = true
			break
		}
	}
	if !ok {
		return fmt.Errorf("%w: hmac: wrong sig", ErrForbidden)
	}
	if hasExpires && isPast(deadline, s.Now) {
		return fmt.Errorf("%w: hmac: link expired at %d", ErrExpired, deadline)
	}
	return nil
}

// hmacSum appends to dst the MAC of expires "\n" path under key.
func hmacSum(dst, key []byte, expires, path string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(expires))
	m.Write([]byte{'\n'})
	m.Write([]byte(path))
	return m.Sum(dst)
}

// signKey is the key Sign uses, or nil if there is none.
func (s *HMACSigner) signKey() []byte {
	if len(s.Keys) == 0 || len(s.Keys[0]) == 0 {
		return nil
	}
	return s.Keys[0]
}

// Sign returns a link to path that does not expire. path is a decoded
// request path starting with "/", such as "/image/150x150/a/b.jpg", with
// no query: Sign escapes it (a "?" in path is part of the path), so the
// server sees exactly path as r.URL.Path. If Keys[0] is missing or empty
// the link carries an empty sig, which never verifies. As for
// SecureLinkMD5.Sign, any path is signed, even one the Handler refuses;
// Handler.URL, Handler.Link and FuncMap refuse those.
func (s *HMACSigner) Sign(path string) string {
	return escapePath(path) + "?sig=" + s.sig("", path)
}

// SignExpires returns a link to path valid until t (to the second). path
// is as for Sign.
func (s *HMACSigner) SignExpires(path string, t time.Time) string {
	expires := strconv.FormatInt(t.Unix(), 10)
	return escapePath(path) + "?sig=" + s.sig(expires, path) + "&expires=" + expires
}

func (s *HMACSigner) sig(expires, path string) string {
	key := s.signKey()
	if key == nil {
		return ""
	}
	var buf [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(hmacSum(buf[:0], key, expires, path))
}

// FuncMap returns template functions "signImage" (s.Sign) and
// "signImageExpires" (s.SignExpires) for html/template:
//
//	<img src="{{signImageExpires "/image/150x150/a/b.jpg" .Until}}">
//
// Paths that no Handler would serve are refused as by
// SecureLinkMD5.FuncMap.
func (s *HMACSigner) FuncMap() template.FuncMap {
	return signFuncMap(s.Sign, s.SignExpires)
}

// signFuncMap returns the signers' template functions, which refuse paths
// that checkSignable refuses.
func signFuncMap(sign func(string) string, signExpires func(string, time.Time) string) template.FuncMap {
	return template.FuncMap{
		"signImage": func(path string) (string, error) {
			if err := checkSignable(path); err != nil {
				return "", err
			}
			return sign(path), nil
		},
		"signImageExpires": func(path string, until time.Time) (string, error) {
			if err := checkSignable(path); err != nil {
				return "", err
			}
			return signExpires(path, until), nil
		},
	}
}

// Validate reports whether s can sign and verify: it needs a non-empty
// Keys[0], and every non-empty key, since Verify accepts each, of at
// least MinHMACKeyLen bytes. Verify fails closed without Keys[0] either
// way.
func (s *HMACSigner) Validate() error {
	if s.signKey() == nil {
		return errors.New("imgproxy: HMACSigner: Keys[0] is missing or empty")
	}
	for i, key := range s.Keys {
		if len(key) > 0 && len(key) < MinHMACKeyLen {
			return fmt.Errorf("imgproxy: HMACSigner: Keys[%d] is %d bytes, shorter than %d", i, len(key), MinHMACKeyLen)
		}
	}
	return nil
}

// parseExpires parses a decimal Unix time made of ASCII digits only (no
// sign, no spaces), as nginx's ngx_atotm does.
func parseExpires(s string) (int64, error) {
	if s == "" || len(s) > 19 {
		return 0, errors.New("bad expires")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("bad expires")
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// isPast reports whether the Unix time deadline is before the current
// second.
func isPast(deadline int64, now func() time.Time) bool {
	if now == nil {
		now = time.Now
	}
	return deadline < now().Unix()
}

// escapePath escapes a decoded path for use in a URL, so that parsing the
// result gives back p as URL.Path. A leading "//" is written "/%2F" so that
// the link cannot be read as protocol-relative (another host); the server
// decodes it back to "//".
func escapePath(p string) string {
	e := (&url.URL{Path: p}).EscapedPath()
	if strings.HasPrefix(e, "//") {
		e = "/%2F" + e[2:]
	}
	return e
}
