package imgproxy

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
)

// Pattern returns the path h serves: Prefix, or DefaultPrefix if Prefix is
// empty. Mount h there, so that the prefix is written once:
//
//	mux.Handle(h.Pattern(), h)       // net/http
//	r.Handle(h.Pattern()+"*", h)     // chi
//
// A Handler mounted elsewhere answers every request 404 and logs one
// warning saying so.
func (h *Handler) Pattern() string {
	if h.Prefix == "" {
		return DefaultPrefix
	}
	return h.Prefix
}

// warnDefaultFetcher logs, once per Handler, that the Fetcher was left to
// the third-party default origin, which a host rarely means to use.
func (h *Handler) warnDefaultFetcher() {
	f, ok := h.Fetcher.(*HTTPFetcher)
	if h.Fetcher != nil && (!ok || f.BaseURL != "") {
		return
	}
	h.warnedFetcher.Do(func() {
		if h.Logger == nil {
			return
		}
		h.Logger.Warn("imgproxy: no Fetcher or BaseURL set: fetching originals from the default origin; set Fetcher to your own",
			slog.String("origin", DefaultBaseURL))
	})
}

// warnOutside logs, the first time only, a request outside the prefix
// whose path looks like an image URL of this Handler mounted elsewhere
// (/thumbs/150x150/a.jpg, or /150x150/a.jpg behind http.StripPrefix):
// the usual cause is mux.Handle("/thumbs/", h) with Prefix left at
// "/image/", which makes every request a 404. Other strays
// (/favicon.ico) are not worth a warning.
func (h *Handler) warnOutside(r *http.Request) {
	if h.warnedOutside.Load() || !looksLikeImageURL(r.URL.Path) || !h.warnedOutside.CompareAndSwap(false, true) {
		return
	}
	h.logger.LogAttrs(r.Context(), slog.LevelWarn,
		"imgproxy: image URL outside Prefix, answered 404: set Prefix to the path the Handler is mounted at (see Handler.Pattern); logged once",
		slog.String("path", r.URL.Path), slog.String("prefix", h.prefix))
}

// looksLikeImageURL reports whether one of the first segments of path
// but the last is an options segment.
func looksLikeImageURL(path string) bool {
	segs := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
	for _, seg := range segs[:len(segs)-1] {
		if _, err := ParseOptions(seg); seg != "" && err == nil {
			return true
		}
	}
	return false
}

// FieldError is a configuration error of one field, as Validate reports
// it: the field (as "Prefix" or "DiskCache.Dir"), its value and why it
// cannot work. A host with its own configuration names can map Field to
// its own name (the imgproxy command reports -cache-dir, not
// DiskCache.Dir).
type FieldError struct {
	Field  string // the struct field, "DiskCache.Dir"
	Value  string // its value
	Reason error  // why it cannot work, without the field or value
}

// Error implements error: imgproxy: Field "value": reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("imgproxy: %s %q: %v", e.Field, e.Value, e.Reason)
}

// Unwrap returns Reason, so errors.Is sees fs.ErrNotExist and the like.
func (e *FieldError) Unwrap() error { return e.Reason }

// validatePrefix reports a Prefix no request path can start with.
func validatePrefix(p string) error {
	if p != "" && (!strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/")) {
		return &FieldError{"Prefix", p, errors.New("must start and end with /")}
	}
	return nil
}

// validateDir reports whether dir is an existing directory; field names
// it in the error.
func validateDir(field, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &FieldError{field, dir, noDirError{}}
	case err != nil:
		return &FieldError{field, dir, pathReason(err)}
	case !fi.IsDir():
		return &FieldError{field, dir, errors.New("not a directory")}
	}
	return nil
}

// probeWritable creates dir if missing, then creates and removes a file in
// it, so that a directory that cannot be written is reported at start-up
// rather than at the first write. field names it in the error.
func probeWritable(field, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &FieldError{field, dir, fmt.Errorf("cannot be created: %w", pathReason(err))}
	}
	f, err := os.CreateTemp(dir, ".imgproxy-probe-*")
	if err != nil {
		return &FieldError{field, dir, fmt.Errorf("cannot be written: %w", pathReason(err))}
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return &FieldError{field, dir, fmt.Errorf("cannot remove files: %w", pathReason(err))}
	}
	return nil
}

// noDirError is the reason for a directory that does not exist; it
// matches fs.ErrNotExist.
type noDirError struct{}

func (noDirError) Error() string        { return "no such directory" }
func (noDirError) Is(target error) bool { return target == fs.ErrNotExist }

// pathReason is err without the path an *fs.PathError repeats (the
// caller's message names it already).
func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
