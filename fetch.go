package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

var (
	_ Fetcher = (*HTTPFetcher)(nil)
	_ Fetcher = (*DirFetcher)(nil)
)

// Defaults of HTTPFetcher and DirFetcher fields left zero.
const (
	// DefaultBaseURL is HTTPFetcher's upstream when BaseURL is empty.
	DefaultBaseURL = "https://upload.wikimedia.org/"
	// DefaultMaxBytes bounds a source's size, as nginx's
	// "image_filter_buffer 20M" does.
	DefaultMaxBytes = 20 << 20
	// DefaultUserAgent is sent when HTTPFetcher.UserAgent is empty.
	DefaultUserAgent = "imgproxy-go (+https://github.com/imgproxy-go/imgproxy)"

	defaultConnectTimeout = 5 * time.Second
	defaultHeaderTimeout  = 10 * time.Second
	defaultBodyTimeout    = 30 * time.Second

	// maxPathLen bounds an upstream path in bytes.
	maxPathLen = 2048
	// maxDecodes bounds how many layers of percent-encoding cleanPath
	// looks through; a path still encoded deeper is refused.
	maxDecodes = 4
)

// cleanPath checks p, an upstream path taken from a request, and returns it
// unchanged if it is safe to hand to a Fetcher, or an error wrapping
// ErrBadRequest. It refuses rather than repairs, so that one source has one
// spelling (and one cache key). Both fetchers call it, and so does the
// Handler before anything is fetched.
//
// A safe path is non-empty, at most 2048 bytes, valid UTF-8, and is a list
// of "/"-separated segments none of which is empty (so no leading, trailing
// or doubled "/"), "." or "..". It contains no control character, "\",
// "?", "#" or "@", and no ":" in its first segment (which would read as a
// URL scheme). The same holds for the path with its percent-encoding
// decoded, once and repeatedly: "%2e%2e", "%2F", "%5c", "%252e%252e" are
// refused. A "%" that does not start an escape is an ordinary character.
func cleanPath(p string) (string, error) {
	if len(p) > maxPathLen {
		return "", fmt.Errorf("%w: upstream path longer than %d bytes", ErrBadRequest, maxPathLen)
	}
	s := p
	for range maxDecodes + 1 {
		if err := checkPath(s); err != nil {
			return "", fmt.Errorf("%w: upstream path %q: %s", ErrBadRequest, p, err)
		}
		d, changed := unescapeLoose(s)
		if !changed {
			return p, nil
		}
		s = d
	}
	return "", fmt.Errorf("%w: upstream path %q: too deeply percent-encoded", ErrBadRequest, p)
}

// checkPath applies cleanPath's rules to one decoded form of a path.
func checkPath(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if !utf8.ValidString(s) {
		return errors.New("not UTF-8")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return errors.New("control character")
		case c == '\\' || c == '?' || c == '#' || c == '@':
			return fmt.Errorf("%q not allowed", c)
		}
	}
	first, _, _ := strings.Cut(s, "/")
	if strings.Contains(first, ":") {
		return errors.New("scheme-like first segment")
	}
	for seg := range strings.SplitSeq(s, "/") {
		switch seg {
		case "":
			return errors.New("empty segment")
		case ".", "..":
			return errors.New("dot segment")
		}
	}
	return nil
}

// unescapeLoose decodes every well-formed %XX in s and leaves any other
// "%" alone. It reports whether anything was decoded.
func unescapeLoose(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, false
	}
	b := make([]byte, 0, len(s))
	changed := false
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			changed = true
			continue
		}
		b = append(b, s[i])
	}
	return string(b), changed
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// maxBytesOr returns n, or DefaultMaxBytes if n is not positive.
func maxBytesOr(n int64) int64 {
	if n <= 0 {
		return DefaultMaxBytes
	}
	return n
}

// durationOr returns d, or def if d is not positive.
func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// readMax reads r to the end, but no more than max bytes: more is
// reported as tooLarge without reading further. size, if positive, is the
// expected length, used to allocate once.
func readMax(r io.Reader, size, max int64) (data []byte, tooLarge bool, err error) {
	var buf bytes.Buffer
	if size > 0 && size <= max {
		buf.Grow(int(size) + bytes.MinRead) // room to see EOF without growing
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, max+1)); err != nil {
		return nil, false, err
	}
	if int64(buf.Len()) > max {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}

// HTTPFetcher fetches sources over HTTP(S) from below one base URL, as
// nginx's "proxy_pass" to the origin does. Only status 200 is a source;
// 404 and 410 are ErrNotFound; anything else, redirects included, is
// ErrUpstream. A source over MaxBytes is ErrTooLarge: refused from its
// Content-Length before any of the body is read, or as soon as the body
// passes the limit. Timeouts are ErrTimeout; other transport failures are
// ErrUpstream. A path that cleanPath refuses is ErrBadRequest and never
// reaches the network.
//
// The zero value fetches from DefaultBaseURL with the defaults below. An
// HTTPFetcher is safe for concurrent use and must not be modified after
// first use.
type HTTPFetcher struct {
	// BaseURL is the absolute http or https URL that paths are relative
	// to, such as "https://upload.wikimedia.org/". A "/" is added to its
	// path if missing; it must have no query or fragment. If empty,
	// DefaultBaseURL.
	BaseURL string

	// Client makes the requests; it is used as is, never modified, and
	// ConnectTimeout and HeaderTimeout do not apply to it. If nil, a
	// client is built once on a private http.Transport with those
	// timeouts, proxies from the environment, no transparent compression
	// and no redirect following (like nginx's proxy_pass, a 3xx is
	// passed on, and so here is ErrUpstream).
	Client *http.Client

	// ConnectTimeout bounds the TCP connect and the TLS handshake of the
	// default client. If zero, 5s.
	ConnectTimeout time.Duration

	// HeaderTimeout bounds the wait for response headers once the request
	// is sent, for the default client. If zero, 10s.
	HeaderTimeout time.Duration

	// BodyTimeout bounds the reading of the whole body, from the arrival
	// of the headers, whatever the client. If zero, 30s.
	BodyTimeout time.Duration

	// MaxBytes is the largest source accepted, in bytes. If zero,
	// DefaultMaxBytes (20 MiB, nginx's image_filter_buffer 20M).
	MaxBytes int64

	// UserAgent is sent with every request. If empty, DefaultUserAgent.
	// Wikimedia asks for one naming the operator: set your own.
	UserAgent string

	once   sync.Once
	base   *url.URL // parsed BaseURL, path ending in "/"
	client *http.Client
	err    error // from parsing BaseURL
}

// errBodyTimeout is the cause a request is cancelled with when BodyTimeout
// passes.
var errBodyTimeout = errors.New("body timeout") // a cause, wrapped in ErrTimeout

func (f *HTTPFetcher) init() {
	f.base, f.err = parseBaseURL(f.BaseURL)
	f.client = f.Client
	if f.client == nil {
		f.client = newHTTPClient(durationOr(f.ConnectTimeout, defaultConnectTimeout),
			durationOr(f.HeaderTimeout, defaultHeaderTimeout))
	}
}

// Validate reports whether BaseURL and UserAgent are usable. Fetch fails
// with the same error (not wrapping any sentinel, so a 500) when BaseURL
// is not.
func (f *HTTPFetcher) Validate() error {
	f.once.Do(f.init)
	if f.err != nil {
		return f.err
	}
	if strings.ContainsFunc(f.UserAgent, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		return &FieldError{"HTTPFetcher.UserAgent", f.UserAgent, errors.New("control characters are not allowed in a header")}
	}
	return nil
}

func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, &FieldError{"HTTPFetcher.BaseURL", s, errors.Unwrap(err)} // *url.Error's own text repeats s
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return nil, &FieldError{"HTTPFetcher.BaseURL", s, errors.New("want an absolute http or https URL")}
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, &FieldError{"HTTPFetcher.BaseURL", s, errors.New("must have no query or fragment")}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

func newHTTPClient(connect, header time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   connect,
			ResponseHeaderTimeout: header,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			DisableCompression:    true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// resolve returns the URL of p below the base. p has passed cleanPath; the
// checks on the result are a second line of defence.
func (f *HTTPFetcher) resolve(p string) (*url.URL, error) {
	u := *f.base
	u.Path = f.base.Path + p
	u.RawPath = f.base.EscapedPath() + escapePath(p)
	got, err := url.Parse(u.String())
	if err != nil || got.Scheme != f.base.Scheme || got.Host != f.base.Host ||
		got.User.String() != f.base.User.String() ||
		got.RawQuery != "" || got.Fragment != "" || got.Path != u.Path ||
		!strings.HasPrefix(path.Clean(got.Path), f.base.Path) {
		return nil, fmt.Errorf("%w: upstream path %q leaves the base URL", ErrBadRequest, p)
	}
	return got, nil
}

// Fetch gets BaseURL + p. Errors wrap ErrBadRequest, ErrNotFound,
// ErrTooLarge, ErrTimeout or ErrUpstream.
func (f *HTTPFetcher) Fetch(ctx context.Context, p string) (*Source, error) {
	if _, err := cleanPath(p); err != nil {
		return nil, err
	}
	f.once.Do(f.init)
	if f.err != nil {
		return nil, f.err
	}
	u, err := f.resolve(p)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch %q: %w", ErrUpstream, p, err)
	}
	ua := f.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchError(ctx, p, err)
	}
	// Closing an unread body drops the connection instead of draining it:
	// what an oversized source needs.
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		drain(resp.Body)
		return nil, fmt.Errorf("%w: fetch %q: status %d", ErrNotFound, p, resp.StatusCode)
	default:
		drain(resp.Body)
		return nil, fmt.Errorf("%w: fetch %q: status %d", ErrUpstream, p, resp.StatusCode)
	}
	limit := maxBytesOr(f.MaxBytes)
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: fetch %q: Content-Length %d over %d", ErrTooLarge, p, resp.ContentLength, limit)
	}
	timer := time.AfterFunc(durationOr(f.BodyTimeout, defaultBodyTimeout), func() { cancel(errBodyTimeout) })
	defer timer.Stop()
	data, tooLarge, err := readExpected(resp.Body, resp.ContentLength, limit, expectedFrom(ctx))
	switch {
	case err != nil:
		return nil, fetchError(ctx, p, err)
	case tooLarge:
		return nil, fmt.Errorf("%w: fetch %q: body over %d bytes", ErrTooLarge, p, limit)
	}
	src := &Source{Path: p, Data: data, ContentType: resp.Header.Get("Content-Type")}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			src.LastModified = t
		}
	}
	return src, nil
}

// drain reads a little of an error response's body so that its
// connection can be reused.
func drain(body io.Reader) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
}

// fetchError classifies a transport or body-read error: ErrTimeout for a
// deadline, BodyTimeout or network timeout, otherwise ErrUpstream. ctx is
// the request's context.
func fetchError(ctx context.Context, p string, err error) error {
	var ne net.Error
	if errors.Is(context.Cause(ctx), errBodyTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: fetch %q: %w", ErrTimeout, p, err)
	}
	return fmt.Errorf("%w: fetch %q: %w", ErrUpstream, p, err)
}

// DirFetcher reads sources from a local directory tree, as nginx's "root"
// would serve them to the resizer. Paths that cleanPath refuses are
// ErrBadRequest; a missing path, a directory or any other non-regular
// file, and a path resolving outside the tree through a symlink are
// ErrNotFound; a file over MaxBytes is ErrTooLarge, refused from its size
// before it is read. Other file-system failures (permissions, I/O) are
// ErrUpstream. LastModified is the file's modification time.
//
// A DirFetcher is safe for concurrent use and must not be modified after
// first use.
type DirFetcher struct {
	// Dir is the root of the tree. It is opened with os.OpenRoot on each
	// Fetch (so a directory swapped at deploy time is picked up), and
	// os.Root guarantees that no path, symlinks included, resolves
	// outside it. Ignored if FS is set.
	Dir string

	// FS, if non-nil, is read instead of Dir. The file system is then
	// responsible for its own confinement: os.DirFS, for one, follows
	// symlinks out of its directory, so prefer Dir for a real directory.
	// If both are zero, every Fetch fails.
	FS fs.FS

	// MaxBytes is the largest source accepted, in bytes. If zero,
	// DefaultMaxBytes (20 MiB).
	MaxBytes int64
}

// Validate reports whether FS is set or Dir names a directory.
func (d *DirFetcher) Validate() error {
	if d.FS != nil {
		return nil
	}
	if d.Dir == "" {
		return errors.New("imgproxy: DirFetcher: neither Dir nor FS is set")
	}
	return validateDir("DirFetcher.Dir", d.Dir)
}

// open returns the file system to read and a function to release it.
func (d *DirFetcher) open() (fs.FS, func(), error) {
	if d.FS != nil {
		return d.FS, func() {}, nil
	}
	if d.Dir == "" {
		return nil, nil, errors.New("imgproxy: DirFetcher: neither Dir nor FS is set")
	}
	root, err := os.OpenRoot(d.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: DirFetcher: %w", ErrUpstream, err)
	}
	return root.FS(), func() { _ = root.Close() }, nil
}

// Fetch reads the file at p below the root. Errors wrap ErrBadRequest,
// ErrNotFound, ErrTooLarge, ErrTimeout or ErrUpstream.
func (d *DirFetcher) Fetch(ctx context.Context, p string) (*Source, error) {
	if _, err := cleanPath(p); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fetchError(ctx, p, err)
	}
	fsys, release, err := d.open()
	if err != nil {
		return nil, err
	}
	defer release()
	limit := maxBytesOr(d.MaxBytes)
	// Stat before opening, so that a FIFO or device is refused without
	// an open that could block.
	fi, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fileError(p, err)
	}
	if err := checkFile(p, fi, limit); err != nil {
		return nil, err
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fileError(p, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fileError(p, err)
	}
	if err := checkFile(p, fi, limit); err != nil {
		return nil, err
	}
	data, tooLarge, err := readExpected(f, fi.Size(), limit, expectedFrom(ctx))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: read %q: %w", ErrUpstream, p, err)
	case tooLarge: // grew since Stat
		return nil, fmt.Errorf("%w: %q over %d bytes", ErrTooLarge, p, limit)
	}
	return &Source{
		Path:         p,
		Data:         data,
		ContentType:  mime.TypeByExtension(path.Ext(p)),
		LastModified: fi.ModTime(),
	}, nil
}

// checkFile refuses anything but a regular file of at most limit bytes.
func checkFile(p string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %q is not a regular file", ErrNotFound, p)
	}
	if fi.Size() > limit {
		return fmt.Errorf("%w: %q is %d bytes, over %d", ErrTooLarge, p, fi.Size(), limit)
	}
	return nil
}

// fileError classifies an open or stat error: paths that do not exist,
// cross a non-directory or escape the root are ErrNotFound; system errors
// (permissions, descriptors, I/O) are ErrUpstream, so that a passing
// failure is not cached as a 404.
func fileError(p string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) && !errors.Is(err, fs.ErrNotExist) &&
		errno != syscall.ENOTDIR && errno != syscall.ELOOP && errno != syscall.ENAMETOOLONG {
		return fmt.Errorf("%w: open %q: %w", ErrUpstream, p, err)
	}
	return fmt.Errorf("%w: open %q: %w", ErrNotFound, p, err)
}
