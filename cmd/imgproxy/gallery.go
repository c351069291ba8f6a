package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/imgproxy-go/imgproxy"
)

// galleryConfig holds the settings of the gallery page at "/".
type galleryConfig struct {
	// gallery is -gallery: "" when not given (on exactly when -upstream
	// is a directory and links are not signed), else "true" or "false".
	gallery autoBool
}

// galleryFlags declares the flags of the gallery at /.
func (c *config) galleryFlags(fs *flag.FlagSet) {
	fs.Var(&c.gallery, "gallery", "serve at / a page of the -upstream directory's pictures as thumbnails in several sizes, crops, rotations and formats, each with its URL; with a signer its links are signed. Default: on when -upstream is a directory and links are not signed (no -secret); with an http(s) -upstream it is refused")
}

// autoBool is a boolean flag that remembers whether it was given: "" (not
// given), "true" or "false". -gallery alone means true.
type autoBool string

// String returns "", "true" or "false".
func (b *autoBool) String() string { return string(*b) }

// IsBoolFlag lets the flag be written alone, as -gallery.
func (b *autoBool) IsBoolFlag() bool { return true }

// Set parses s as strconv.ParseBool does; "" sets it back to not given
// (as -print-config writes it).
func (b *autoBool) Set(s string) error {
	if s == "" {
		*b = ""
		return nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	*b = autoBool(strconv.FormatBool(v))
	return nil
}

// galleryMax is the most pictures the page shows: the first ones by name
// among the first galleryScan entries of the directory.
const (
	galleryMax  = 24
	galleryScan = 4096
)

// galleryVariants are the thumbnails shown of every picture: the options
// segment of each URL and what it shows.
var galleryVariants = []struct{ Options, What string }{
	{"100x100", "fit inside 100x100"},
	{"200x200", "fit inside 200x200"},
	{"150x150,crop", "fill 150x150, centre cut"},
	{"300x100,crop", "fill a 300x100 banner"},
	{"200x200,r90", "rotated 90° counter-clockwise"},
	{"200x200,sh200", "sharpened 200%: compare with 200x200"},
	{"200x200,q10,jpeg", "JPEG at quality 10"},
	{"200x200,webp", "WebP"},
	{"200x200,avif", "AVIF"},
	{"200x200,png", "PNG"},
	{"200x200,gif", "GIF"},
}

// gallery serves the page of the upstream directory's pictures.
type gallery struct {
	dir    string
	prefix string
	sign   func(path string) string // nil: links are not signed
	logger *slog.Logger
}

// newGallery returns the gallery cfg asks for, or nil when it is off. It
// is an error to ask for it (-gallery) with an http(s) upstream, whose
// pictures cannot be listed, or with a Signer that cannot make links.
func newGallery(cfg *config, h *imgproxy.Handler, logger *slog.Logger) (*gallery, error) {
	remote := strings.HasPrefix(cfg.upstream, "http://") || strings.HasPrefix(cfg.upstream, "https://")
	signer, canSign := h.Signer.(interface{ Sign(path string) string })
	switch cfg.gallery {
	case "false":
		return nil, nil
	case "":
		if remote || h.Signer != nil {
			return nil, nil
		}
	}
	if remote {
		return nil, fmt.Errorf("-gallery: -upstream %q is not a directory: an http(s) upstream cannot be listed", redactURL(cfg.upstream))
	}
	g := &gallery{dir: cfg.upstream, prefix: cmp.Or(h.Prefix, imgproxy.DefaultPrefix), logger: logger}
	if h.Signer != nil {
		if !canSign {
			return nil, fmt.Errorf("-gallery: the signer %T cannot make links", h.Signer)
		}
		g.sign = signer.Sign
	}
	return g, nil
}

// galleryPicture is one picture of the page and its thumbnails.
type galleryPicture struct {
	Name     string
	Original string // the -x- URL: the original, served as it is
	Info     string // the -x-,info URL: its size and type as JSON
	Thumbs   []galleryThumb
}

// galleryThumb is one thumbnail: its URL and what it shows.
type galleryThumb struct {
	URL, Options, What string
}

func (g *gallery) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	names, err := g.pictures()
	if err != nil {
		g.logger.Error("imgproxy: gallery", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	data := struct {
		Dir, Prefix string // Dir: the directory's name only, not where it is
		Signed      bool
		Pictures    []galleryPicture
	}{Dir: filepath.Base(g.dir), Prefix: g.prefix, Signed: g.sign != nil}
	for _, name := range names {
		p := galleryPicture{Name: name, Original: g.link("-x-", name), Info: g.link("-x-,info", name)}
		for _, v := range galleryVariants {
			p.Thumbs = append(p.Thumbs, galleryThumb{URL: g.link(v.Options, name), Options: v.Options, What: v.What})
		}
		data.Pictures = append(data.Pictures, p)
	}
	var buf bytes.Buffer
	if err := galleryPage.Execute(&buf, data); err != nil {
		g.logger.Error("imgproxy: gallery", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(buf.Bytes())
}

// link is the URL of name under options, signed if the server signs.
func (g *gallery) link(options, name string) string {
	p := g.prefix + options + "/" + name
	if g.sign != nil {
		return g.sign(p)
	}
	return (&url.URL{Path: p}).EscapedPath()
}

// pictures lists the picture files at the top of the directory, sorted,
// at most galleryMax: regular files, not hidden, whose first bytes are
// JPEG, PNG, GIF or WebP, with names the Handler serves.
func (g *gallery) pictures() ([]string, error) {
	d, err := os.Open(g.dir)
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(galleryScan)
	d.Close()
	if err != nil && err != io.EOF {
		return nil, err
	}
	slices.Sort(names)
	var out []string
	for _, name := range names {
		if len(out) == galleryMax {
			break
		}
		if servable(name) && isPicture(filepath.Join(g.dir, name)) {
			out = append(out, name)
		}
	}
	return out, nil
}

// servable reports whether the Handler serves a path named name: not
// hidden, UTF-8, and without the characters it refuses in upstream paths
// (control characters, \ ? # @) or "%", which it would decode.
func servable(name string) bool {
	return !strings.HasPrefix(name, ".") && utf8.ValidString(name) &&
		!strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`\?#@%`, r) })
}

// isPicture reports whether path is a regular file that sniffs as a
// picture format the server reads.
func isPicture(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	switch http.DetectContentType(head[:n]) {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

var galleryPage = template.Must(template.New("gallery").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>imgproxy: the pictures of {{.Dir}}</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h2 { margin: 1.5em 0 .3em; font-size: 1.2em; }
.thumbs { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-end; }
figure { margin: 0; padding: 8px; background: #fff; border: 1px solid #ddd; border-radius: 4px; max-width: 300px;
	background-image: conic-gradient(#eee 25%, #fff 0 50%, #eee 0 75%, #fff 0); background-size: 16px 16px; }
figcaption { font-size: 12px; margin-top: 4px; background: #fff; overflow-wrap: anywhere; }
code { font-size: 12px; }
</style>
<h1>imgproxy</h1>
<p>The pictures of <code>{{.Dir}}</code>, each as thumbnails made on the fly. Every thumbnail's URL is written under it
(<code>{{.Prefix}}&lt;width&gt;x&lt;height&gt;[,&lt;option&gt;...]/&lt;path&gt;</code>, see "URL grammar" in the README):
open one, change its options, and see the result.
{{if .Signed}}The links carry a signature, since this server checks them: a changed URL is refused (403).{{end}}
This page is served because <code>-upstream</code> is a directory; <code>-gallery=false</code> turns it off.</p>
{{range .Pictures}}
<section>
<h2>{{.Name}}</h2>
<p><a href="{{.Original}}">original</a> · <a href="{{.Info}}">size and type</a></p>
<div class="thumbs">
{{range .Thumbs}}<figure>
<img src="{{.URL}}" alt="{{.What}}" title="{{.What}}">
<figcaption>{{.What}}<br><a href="{{.URL}}"><code>{{.URL}}</code></a></figcaption>
</figure>
{{end}}</div>
</section>
{{else}}
<p>No pictures (JPEG, PNG, GIF or WebP files) at the top of this directory.</p>
{{end}}
</html>
`))
