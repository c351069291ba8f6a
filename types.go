package imgproxy

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Source is an original image as a Fetcher returns it.
type Source struct {
	// Path is the upstream path it was fetched for, without a leading "/".
	Path string
	// Data is the whole body. Fetchers bound its size.
	Data []byte
	// ContentType is what the origin said, if anything. Resizers sniff the
	// data and do not trust it.
	ContentType string
	// LastModified is the origin's Last-Modified time; zero if unknown.
	LastModified time.Time
}

// Image is a finished variant, ready to serve. Images are shared between
// requests and caches: never modify one after it is made.
type Image struct {
	// Data is the encoded image.
	Data []byte
	// ContentType is its MIME type, such as "image/jpeg".
	ContentType string
	// LastModified is carried over from the Source; zero if unknown.
	LastModified time.Time
	// ETag is a strong entity tag, quoted, derived from Data. NewImage
	// fills it in.
	ETag string
	// Created is when the variant was made.
	Created time.Time
	// FirstFrameOnly marks a variant of an animated source that keeps
	// only its first frame (over the Resizer's animation budget, or in a
	// format that cannot animate). The Handler then sends
	// "X-Imgproxy-Animation: first-frame".
	FirstFrameOnly bool

	hdr atomic.Pointer[imageHeaders] // response header values, made once
}

// imageHeaders are the header values the Handler sends for an Image,
// made on first use and shared by every response (net/http does not
// modify header values it writes).
type imageHeaders struct {
	contentType, etag, lastModified, contentLength []string
}

// headers returns img's response header values.
func (img *Image) headers() *imageHeaders {
	if h := img.hdr.Load(); h != nil {
		return h
	}
	h := &imageHeaders{
		contentType:   []string{img.ContentType},
		etag:          []string{img.ETag},
		contentLength: []string{strconv.Itoa(len(img.Data))},
	}
	if !img.LastModified.IsZero() {
		h.lastModified = []string{img.LastModified.UTC().Format(http.TimeFormat)}
	}
	img.hdr.Store(h)
	return h
}

// Fetcher gets original images from an upstream.
type Fetcher interface {
	// Fetch returns the source at path, a slash-separated path relative to
	// the upstream's root without a leading "/". Errors wrap ErrNotFound,
	// ErrTooLarge, ErrTimeout or ErrUpstream.
	Fetch(ctx context.Context, path string) (*Source, error)
}

// FetcherFunc adapts a function to the Fetcher interface.
type FetcherFunc func(ctx context.Context, path string) (*Source, error)

// Fetch calls f(ctx, path).
func (f FetcherFunc) Fetch(ctx context.Context, path string) (*Source, error) {
	return f(ctx, path)
}

// Resizer turns a source into the variant that o asks for.
type Resizer interface {
	// Resize returns src transformed by o. When nothing is to change (the
	// source fits and no other option is given) it returns the source
	// bytes unchanged. Errors wrap ErrUnsupported, ErrTooLarge or
	// ErrOverloaded.
	Resize(ctx context.Context, src *Source, o Options) (*Image, error)
}

// ResizerFunc adapts a function to the Resizer interface.
type ResizerFunc func(ctx context.Context, src *Source, o Options) (*Image, error)

// Resize calls f(ctx, src, o).
func (f ResizerFunc) Resize(ctx context.Context, src *Source, o Options) (*Image, error) {
	return f(ctx, src, o)
}

// Cache stores finished variants by key. Implementations are safe for
// concurrent use; a Cache may drop anything at any time. Keys start with
// the Handler's namespace (see Handler.Namespace), so one Cache may serve
// several Handlers.
//
// A Handler asks a tier for a key at most once per request: a hit is one
// Get; a miss is one Get of its key, plus one of its source's size entry
// and one of the canonical key once the size is known (see SourceSizer),
// each a key of its own. Two exceptions: the work that concurrent misses
// share asks again, rather than make a variant twice, when another
// variant was made between a request's lookup and the start of that work
// (not when the one made was its own); and a miss that fails asks again
// in its search for a stale copy (StaleIfError).
type Cache interface {
	// Get returns the image stored under key, if any.
	Get(ctx context.Context, key string) (*Image, bool)
	// Add stores img under key.
	Add(ctx context.Context, key string, img *Image)
}

// NoCache is a Cache that keeps nothing: Handler{Cache: NoCache{}} turns
// caching off.
type NoCache struct{}

// Get reports a miss.
func (NoCache) Get(context.Context, string) (*Image, bool) { return nil, false }

// Add does nothing.
func (NoCache) Add(context.Context, string, *Image) {}

// Signer checks that a request carries a valid signature.
type Signer interface {
	// Verify returns nil if r is signed, or an error wrapping ErrForbidden
	// (missing or wrong signature) or ErrExpired (valid but expired).
	Verify(r *http.Request) error
}

// SignerFunc adapts a function to the Signer interface.
type SignerFunc func(r *http.Request) error

// Verify calls f(r).
func (f SignerFunc) Verify(r *http.Request) error { return f(r) }

var _ Cache = NoCache{}
