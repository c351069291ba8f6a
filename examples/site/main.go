// Command site is a small web site that serves its own pages and mounts
// imgproxy beside them for thumbnails, with signed links made in its
// templates. Run it from the repository root:
//
//	go run ./examples/site
//
// then open http://localhost:8081/.
package main

import (
	"html/template"
	"log"
	"net/http"

	"github.com/imgproxy-go/imgproxy"
)

var page = template.Must(template.New("page").Funcs(signer.FuncMap()).Parse(`<!doctype html>
<title>Gallery</title>
<h1>Our gallery</h1>
{{range .}}<a href="{{signImage (printf "/image/-x-/%s" .)}}"><img src="{{signImage (printf "/image/200x200/%s" .)}}" alt="{{.}}"></a>
{{end}}`))

var signer = &imgproxy.SecureLinkMD5{Secret: "change me"}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if err := page.Execute(w, []string{"landscape.jpg", "portrait.jpg", "badge.png", "stripes.gif"}); err != nil {
			log.Print(err)
		}
	})
	mux.Handle("/image/", &imgproxy.Handler{
		Fetcher: &imgproxy.DirFetcher{Dir: "samples"},
		Signer:  signer,
	})
	log.Print("listening on http://localhost:8081/")
	log.Fatal(http.ListenAndServe("localhost:8081", mux))
}
