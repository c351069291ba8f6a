// Command gallery is a small web site with pages of its own (a home page
// and /about) and imgproxy mounted beside them at /thumbs/, making the
// thumbnails of its pictures. Its templates write signed links, so the
// thumbnail server makes only the variants the site's pages ask for. Run
// it from the repository root, offline, on the bundled samples:
//
//	go run ./examples/gallery
//
// then open http://localhost:8081/. The signing secret comes from
// $GALLERY_SECRET; without it the site draws a random one at start, which
// is enough when, as here, the pages and the thumbnails are served by the
// same process (links then last as long as it runs).
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// thumbsPrefix is where imgproxy is mounted, beside the site's own routes.
const thumbsPrefix = "/thumbs/"

// photo is one picture of the site: its file in the pictures directory
// and its caption.
type photo struct {
	File, Title string
}

// photos are the site's content: the bundled samples.
var photos = []photo{
	{"landscape.jpg", "Hills at dusk"},
	{"portrait.jpg", "The same hills, upright"},
	{"sideways.jpg", "Shot with the camera on its side (EXIF orientation)"},
	{"badge.png", "A badge with transparency"},
	{"stripes.gif", "Stripes"},
	{"spinner.gif", "An animation"},
}

func main() {
	listen := flag.String("listen", "localhost:8081", "address to serve on")
	dir := flag.String("pictures", "samples", "directory of the pictures")
	flag.Parse()
	secret := os.Getenv("GALLERY_SECRET")
	if secret == "" {
		secret = rand.Text()
	}
	site, err := newSite(*dir, secret)
	if err != nil {
		log.Fatalf("gallery: %v (run it from the repository root, or give -pictures)", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("gallery: %v", err)
	}
	log.Printf("gallery: listening on http://%s/", ln.Addr())
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// newSite returns the site's routes: its pages and, at thumbsPrefix, an
// imgproxy Handler serving the pictures of dir, checking links signed
// with secret.
func newSite(dir, secret string) (http.Handler, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("-pictures %q: not a directory", dir)
	}
	signer := &imgproxy.SecureLinkMD5{Secret: secret}
	thumbs := &imgproxy.Handler{
		Prefix:  thumbsPrefix,
		Fetcher: &imgproxy.DirFetcher{Dir: dir},
		Cache:   &imgproxy.MemoryCache{MaxBytes: 32 << 20},
		Signer:  signer,
	}
	if err := thumbs.Validate(); err != nil {
		return nil, err
	}
	// The templates make their links with the Handler's own FuncMap
	// ("imageURL" options path): the prefix is written once, above, and
	// every link is escaped, signed and checked against the Handler.
	pages, err := template.New("pages").Funcs(thumbs.FuncMap()).Parse(pagesHTML)
	if err != nil {
		return nil, err
	}
	render := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			data := struct {
				Prefix string
				Photos []photo
			}{thumbsPrefix, photos}
			if err := pages.ExecuteTemplate(w, name, data); err != nil {
				log.Printf("gallery: %s: %v", name, err)
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", render("home"))
	mux.HandleFunc("GET /about", render("about"))
	mux.Handle(thumbsPrefix, thumbs)
	return mux, nil
}

const pagesHTML = `
{{define "head"}}<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>{{.}} · Our gallery</title>
<style>
body { font: 16px/1.5 Georgia, serif; max-width: 980px; margin: 2em auto; color: #2b2b2b; }
nav a { margin-right: 1em; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 20px; }
figure { margin: 0; }
figure img { display: block; border-radius: 6px; background: #eee; }
figcaption { font-size: 14px; }
figcaption code { font-size: 11px; color: #666; overflow-wrap: anywhere; }
</style>
<nav><a href="/">Home</a><a href="/about">About</a></nav>
{{end}}

{{define "home"}}{{template "head" "Home"}}
<h1>Our gallery</h1>
<p>Every picture below is a 240x160 thumbnail cut from the original by imgproxy, mounted in this site at
<code>{{.Prefix}}</code>. Click one for a larger view.</p>
<div class="grid">
{{range .Photos}}{{$thumb := imageURL "240x160,crop" .File}}<figure>
<a href="{{imageURL "960x960" .File}}"><img src="{{$thumb}}" alt="{{.Title}}" width="240" height="160"></a>
<figcaption>{{.Title}}<br><code>{{$thumb}}</code></figcaption>
</figure>
{{end}}</div>
</html>
{{end}}

{{define "about"}}{{template "head" "About"}}
<h1>About</h1>
{{with index .Photos 1}}<figure style="float: right; margin-left: 1em">
<img src="{{imageURL "200x300,sh50" .File}}" alt="{{.Title}}">
<figcaption>{{.Title}}</figcaption>
</figure>{{end}}
<p>This site serves its own pages and leaves its pictures to imgproxy, mounted beside them. The pages' templates
sign every thumbnail link, so the thumbnail server only makes the sizes these pages ask for: change a link's
size and it answers 403.</p>
<p>Thumbnails are made on first request and then served from memory.</p>
</html>
{{end}}
`
