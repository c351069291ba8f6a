package imgproxy

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

var (
	_ LinkSigner         = (*SecureLinkMD5)(nil)
	_ LinkSigner         = (*HMACSigner)(nil)
	_ ExpiringLinkSigner = (*SecureLinkMD5)(nil)
	_ ExpiringLinkSigner = (*HMACSigner)(nil)
)

// LinkSigner is implemented by Signers that can make the links they
// verify, as SecureLinkMD5 and HMACSigner do. Sign takes a decoded request
// path starting with "/" (the r.URL.Path its Verify will see) and returns
// it escaped, with the query that signs it.
type LinkSigner interface {
	Sign(path string) string
}

// ExpiringLinkSigner is implemented by Signers that can make links valid
// until a time; SignExpires is as LinkSigner.Sign.
type ExpiringLinkSigner interface {
	SignExpires(path string, until time.Time) string
}

// URL returns the link, relative to the host, that makes this Handler
// serve variant o of the upstream path path (as the Fetcher gets it:
// "wikipedia/commons/0/01/Tiger.25.jpg", no leading "/", not escaped):
// the Handler's prefix (Prefix, else DefaultPrefix), o in its canonical
// form (Options.String), the path escaped, and, if Signer is set, the
// signature. It refuses what the Handler would refuse (see Link) with an
// error that StatusCode maps to the Handler's answer. Options that
// ParseOptions(o.String()) does not give back (a rotation of 45, a
// negative width, Auto[1] without Auto[0]) are refused likewise (400).
//
// URL reads only Prefix, Sizes, SnapSizes and Signer, so it may be called
// before the Handler serves its first request; it is safe for concurrent
// use if the Signer is.
func (h *Handler) URL(path string, o Options) (string, error) {
	p, err := h.optionsPath(path, o)
	if err != nil {
		return "", err
	}
	return h.link(p, nil)
}

// URLExpires is URL for a link valid until until (to the second); the
// Signer must implement ExpiringLinkSigner.
func (h *Handler) URLExpires(path string, o Options, until time.Time) (string, error) {
	p, err := h.optionsPath(path, o)
	if err != nil {
		return "", err
	}
	return h.link(p, &until)
}

// Link returns the link for requestPath, a whole decoded request path
// such as "/image/150x150/a b.jpg" (the r.URL.Path the Handler will see),
// escaped and, if Signer is set, signed, with the options kept as written.
// It refuses what the Handler would refuse, with an error wrapping the
// same sentinel, or the same *OptionsError, so that StatusCode gives the
// status the link would get: a path outside the prefix (ErrNotFound);
// options that ParseOptions refuses (*OptionsError) or a box that Sizes
// does not list, unless SnapSizes (ErrBadRequest); an
// upstream path with an empty, "." or ".." segment, a control character,
// "\", "?", "#" or "@", a ":" in its first segment, invalid UTF-8, over
// 2048 bytes, or a percent-escape that decodes to any of these
// (ErrBadRequest). Spaces, "%" and non-ASCII characters are served and
// escaped. If Signer is set but is no LinkSigner, Link fails; otherwise
// the link is checked with Signer.Verify before it is returned, so a
// Signer that cannot verify it (a SecureLinkMD5 with Expiring set asks for
// LinkExpires) is an error wrapping ErrForbidden.
func (h *Handler) Link(requestPath string) (string, error) {
	return h.link(requestPath, nil)
}

// LinkExpires is Link for a link valid until until (to the second); the
// Signer must implement ExpiringLinkSigner, and a time already past is an
// error wrapping ErrExpired. Without a Signer, the link does not expire.
func (h *Handler) LinkExpires(requestPath string, until time.Time) (string, error) {
	return h.link(requestPath, &until)
}

// FuncMap returns template functions for html/template that write links
// with URL and URLExpires:
//
//	{{imageURL "150x150,crop" .Path}}
//	{{imageURLExpires "150x150" .Path .Until}}
//
// The options argument is an options segment (parsed with ParseOptions
// and written in canonical form) or an Options value; the path is as for
// URL. A link the Handler would refuse stops the template with the error.
func (h *Handler) FuncMap() template.FuncMap {
	return template.FuncMap{
		"imageURL": func(opts any, path string) (string, error) {
			o, err := templateOptions(opts)
			if err != nil {
				return "", err
			}
			return h.URL(path, o)
		},
		"imageURLExpires": func(opts any, path string, until time.Time) (string, error) {
			o, err := templateOptions(opts)
			if err != nil {
				return "", err
			}
			return h.URLExpires(path, o, until)
		},
	}
}

// templateOptions reads the options argument of the FuncMap functions.
func templateOptions(v any) (Options, error) {
	switch o := v.(type) {
	case string:
		return ParseOptions(o)
	case Options:
		return o, nil
	case *Options:
		if o != nil {
			return *o, nil
		}
	}
	return Options{}, fmt.Errorf("%w: image options must be a string or an Options, not %T", ErrBadRequest, v)
}

// linkPrefix returns the effective prefix, or an error if it cannot match.
func (h *Handler) linkPrefix() (string, error) {
	p := h.Prefix
	if p == "" {
		return DefaultPrefix, nil
	}
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("imgproxy: Prefix %q must start and end with /", p)
	}
	return p, nil
}

// optionsPath returns the request path of variant o of path.
func (h *Handler) optionsPath(path string, o Options) (string, error) {
	prefix, err := h.linkPrefix()
	if err != nil {
		return "", err
	}
	segment := o.String()
	back, err := ParseOptions(segment)
	if err != nil {
		return "", err
	}
	if back != o {
		return "", fmt.Errorf("%w: options %+v have no URL form (%q reads back as %+v)", ErrBadRequest, o, segment, back)
	}
	return prefix + segment + "/" + path, nil
}

// link checks requestPath as ServeHTTP would and makes its link, expiring
// at *until if until is not nil.
func (h *Handler) link(requestPath string, until *time.Time) (string, error) {
	prefix, err := h.linkPrefix()
	if err != nil {
		return "", err
	}
	rest, ok := strings.CutPrefix(requestPath, prefix)
	if !ok {
		return "", fmt.Errorf("%w: link %q is outside prefix %s", ErrNotFound, requestPath, prefix)
	}
	segment, path, ok := strings.Cut(rest, "/")
	if !ok || path == "" {
		return "", fmt.Errorf("%w: link %q: want %s<options>/<path>", ErrBadRequest, requestPath, prefix)
	}
	o, err := ParseOptions(segment)
	if err != nil {
		return "", err
	}
	if err := checkBox(h.Sizes, h.SnapSizes, o); err != nil {
		return "", err
	}
	if _, err := cleanPath(path); err != nil {
		return "", err
	}
	if h.Signer == nil {
		return escapePath(requestPath), nil
	}
	link, err := h.sign(requestPath, until)
	if err != nil {
		return "", err
	}
	r, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		return "", fmt.Errorf("imgproxy: link %q: %w", link, err)
	}
	if err := h.Signer.Verify(r); err != nil {
		return "", fmt.Errorf("imgproxy: the Signer does not accept its own link %q: %w", link, err)
	}
	return link, nil
}

// sign asks the Signer for the link to requestPath.
func (h *Handler) sign(requestPath string, until *time.Time) (string, error) {
	if until != nil {
		s, ok := h.Signer.(ExpiringLinkSigner)
		if !ok {
			return "", fmt.Errorf("imgproxy: Signer %T cannot sign expiring links (no SignExpires)", h.Signer)
		}
		return s.SignExpires(requestPath, *until), nil
	}
	s, ok := h.Signer.(LinkSigner)
	if !ok {
		return "", fmt.Errorf("imgproxy: Signer %T cannot sign links (no Sign)", h.Signer)
	}
	return s.Sign(requestPath), nil
}

// checkBox applies Sizes as the Handler does: o's box must be listed, or
// snap to one that is with snap. Info requests are not checked.
func checkBox(sizes []Size, snap bool, o Options) error {
	if len(sizes) == 0 || o.Info {
		return nil
	}
	want := Size{W: o.Width, H: o.Height}
	for _, s := range sizes {
		if s == want {
			return nil
		}
	}
	if snap {
		if _, ok := SnapSize(sizes, want, o.Fit == FitCrop); ok {
			return nil
		}
	}
	return fmt.Errorf("%w: size %v is not allowed", ErrBadRequest, want)
}

// checkSignable reports whether some Handler could serve the request path
// p, whatever its prefix: p starts with "/" and, with a first segment put
// in front of it (so that a ":" in the prefix is not mistaken for a
// scheme), passes cleanPath. The signers' FuncMap functions refuse the
// others.
func checkSignable(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%w: link path %q must start with /", ErrBadRequest, p)
	}
	if _, err := cleanPath("x" + p); err != nil {
		return fmt.Errorf("%w: link path %q cannot be served: see Handler.Link", ErrBadRequest, p)
	}
	return nil
}
