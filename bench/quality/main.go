// Command quality reports how close imgproxy's resized images are to a
// float64 Lanczos3 reference, next to the nginx image_filter recipe it
// replaces.
//
// For every jpg/png/webp file in the corpus and every size it fetches
// <ours>/image/<size>/<name> and <nginx>/image/<size>/<name>, decodes both,
// decodes the original at full size and computes resample.Reference at each
// output's own dimensions (the two servers may round the fitted size
// differently, e.g. 150x94 against 150x93). It prints a markdown table of
// resample.PSNR values and checks the requirement "for every corpus image
// and size, PSNR to the float reference no lower than nginx's".
//
//	go run ./bench/quality -corpus ../shared/corpus \
//		-ours http://127.0.0.1:19300 -nginx http://127.0.0.1:18082 \
//		-sizes 150x150,640x480
//
// The exit status is 1 when a row fails (ours below nginx by more than
// -tolerance dB, or ours failed to answer with an image), 2 on usage or
// setup errors.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gen2webp "github.com/gen2brain/webp"

	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// size is one requested box, as written in the URL.
type size struct {
	text string
	w, h int
}

// output is one server's answer for one image and size.
type output struct {
	img    image.Image
	dims   image.Point
	format string // as image.Decode names it: jpeg, png, webp
	bytes  int
	err    error
	psnr   float64
}

// row is one line of the table.
type row struct {
	name       string
	size       size
	ours, ngx  output
	oursOnly   bool
	skipReason string
}

func main() {
	corpus := flag.String("corpus", "../shared/corpus", "directory of source images (every jpg/png/webp file in it is a case)")
	ours := flag.String("ours", "http://127.0.0.1:19100", "base URL of the running imgproxy (serving /image/WxH/NAME)")
	ngx := flag.String("nginx", "http://127.0.0.1:18082", "base URL of the nginx image_filter resizer (serving /image/WxH/NAME)")
	sizesFlag := flag.String("sizes", "150x150,640x480", "comma-separated WxH boxes")
	oursOnly := flag.Bool("ours-only", false, "do not query nginx: report our PSNR only")
	jobs := flag.Int("j", 2, "references computed concurrently (each needs about 32 bytes per source pixel)")
	tolerance := flag.Float64("tolerance", 0, "dB by which ours may fall below nginx and still pass")
	timeout := flag.Duration("timeout", 2*time.Minute, "timeout of each HTTP request")
	only := flag.String("only", "", "comma-separated file names to restrict the run to (default: the whole corpus)")
	flag.Parse()
	if flag.NArg() > 0 || *jobs < 1 {
		flag.Usage()
		os.Exit(2)
	}

	sizes, err := parseSizes(*sizesFlag)
	if err != nil {
		fatalf("%v", err)
	}
	names, err := corpusFiles(*corpus, *only)
	if err != nil {
		fatalf("%v", err)
	}
	if len(names) == 0 {
		fatalf("no jpg/png/webp files in %s", *corpus)
	}

	client := &http.Client{Timeout: *timeout}
	start := time.Now()
	var rows []row
	for i, name := range names {
		progress("[%d/%d] %s", i+1, len(names), name)
		rows = append(rows, measure(client, *corpus, name, sizes, *ours, *ngx, *oursOnly, *jobs)...)
	}
	progress("done in %v", time.Since(start).Round(time.Second))

	failures := report(os.Stdout, rows, *oursOnly, *tolerance)
	if len(failures) > 0 {
		os.Exit(1)
	}
}

// measure fetches and scores every size of one corpus image. The original
// is decoded once and dropped before the next image.
func measure(client *http.Client, dir, name string, sizes []size, ours, ngx string, oursOnly bool, jobs int) []row {
	rows := make([]row, len(sizes))
	for i, sz := range sizes {
		r := &rows[i]
		r.name, r.size, r.oursOnly = name, sz, oursOnly
		r.ours = fetch(client, ours, sz, name)
		if !oursOnly {
			r.ngx = fetch(client, ngx, sz, name)
		}
	}

	// Distinct output dimensions that need a reference.
	need := map[image.Point]bool{}
	for _, r := range rows {
		for _, o := range []output{r.ours, r.ngx} {
			if o.err == nil && o.img != nil {
				need[o.dims] = true
			}
		}
	}
	if len(need) == 0 {
		return rows
	}

	t := time.Now()
	src, err := decodeFile(filepath.Join(dir, name))
	if err != nil {
		for i := range rows {
			rows[i].skipReason = fmt.Sprintf("original: %v", err)
		}
		return rows
	}
	b := src.Bounds()
	progress("  decoded original %dx%d (%T) in %v", b.Dx(), b.Dy(), src, time.Since(t).Round(time.Millisecond))

	dims := make([]image.Point, 0, len(need))
	for d := range need {
		dims = append(dims, d)
	}
	sort.Slice(dims, func(i, j int) bool { return dims[i].X*dims[i].Y > dims[j].X*dims[j].Y })

	refs := make(map[image.Point]*image.NRGBA64, len(dims))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	for _, d := range dims {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t := time.Now()
			ref := resample.Reference(src, d.X, d.Y)
			progress("  reference %dx%d in %v", d.X, d.Y, time.Since(t).Round(time.Millisecond))
			mu.Lock()
			refs[d] = ref
			mu.Unlock()
		}()
	}
	wg.Wait()

	for i := range rows {
		r := &rows[i]
		for _, o := range []*output{&r.ours, &r.ngx} {
			if o.err == nil && o.img != nil {
				o.psnr = resample.PSNR(o.img, refs[o.dims])
			}
			o.img = nil // free the decoded output
		}
	}
	return rows
}

// fetch GETs base/image/<size>/<name> and decodes the body.
func fetch(client *http.Client, base string, sz size, name string) output {
	u := strings.TrimRight(base, "/") + "/image/" + sz.text + "/" + url.PathEscape(name)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		return output{err: err}
	}
	if *acceptFlag != "" {
		req.Header.Set("Accept", *acceptFlag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return output{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return output{err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return output{err: fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	img, format, err := decodeBytes(body)
	if err != nil {
		return output{err: fmt.Errorf("decode %s (%d bytes): %w", resp.Header.Get("Content-Type"), len(body), err)}
	}
	b := img.Bounds()
	progress("  %s -> %dx%d %s, %d bytes", u, b.Dx(), b.Dy(), format, len(body))
	return output{img: img, dims: b.Size(), format: format, bytes: len(body)}
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	img, _, err := decodeBytes(data)
	return img, err
}

// report writes the markdown table and the summary, and returns the failing
// rows' labels.
func report(w io.Writer, rows []row, oursOnly bool, tolerance float64) []string {
	if oursOnly {
		fmt.Fprintln(w, "| image | size | ours dims | ours PSNR | ours output |")
		fmt.Fprintln(w, "| --- | --- | --- | ---: | --- |")
	} else {
		fmt.Fprintln(w, "| image | size | ours dims | nginx dims | ours PSNR | nginx PSNR | difference | ours output | nginx output |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |")
	}
	var failures, errs []string
	for _, r := range rows {
		label := r.name + " " + r.size.text
		if r.skipReason != "" {
			errs = append(errs, label+": "+r.skipReason)
		}
		if oursOnly {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.name, r.size.text, dimsCell(r.ours), psnrCell(r.ours, r.skipReason), outCell(r.ours))
			if r.ours.err != nil || r.skipReason != "" {
				failures = append(failures, label)
			}
			continue
		}
		diff, ok := difference(r, tolerance)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, r.size.text,
			dimsCell(r.ours), dimsCell(r.ngx), psnrCell(r.ours, r.skipReason), psnrCell(r.ngx, r.skipReason), diff,
			outCell(r.ours), outCell(r.ngx))
		if !ok {
			failures = append(failures, label)
		}
	}
	for _, r := range rows {
		for _, o := range []struct {
			who string
			out output
		}{{"ours", r.ours}, {"nginx", r.ngx}} {
			if o.out.err != nil {
				errs = append(errs, fmt.Sprintf("%s %s %s: %v", r.name, r.size.text, o.who, o.out.err))
			}
		}
	}

	fmt.Fprintln(w)
	if oursOnly {
		fmt.Fprintf(w, "ours answered with an image on %d of %d", len(rows)-len(failures), len(rows))
	} else {
		fmt.Fprintf(w, "ours >= nginx on %d of %d", len(rows)-len(failures), len(rows))
		if tolerance != 0 {
			fmt.Fprintf(w, " (tolerance %g dB)", tolerance)
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(w, "; failures: %s", strings.Join(failures, ", "))
	}
	fmt.Fprintln(w)
	if len(errs) > 0 {
		fmt.Fprintln(w)
		for _, e := range errs {
			fmt.Fprintf(w, "- error: %s\n", e)
		}
	}
	return failures
}

// difference returns the "ours - nginx" cell and whether the row passes.
// Ours failing is a failure; nginx failing while ours answers is a pass.
func difference(r row, tolerance float64) (string, bool) {
	switch {
	case r.skipReason != "" || r.ours.err != nil:
		return "n/a", false
	case r.ngx.err != nil:
		return "n/a (nginx failed)", true
	}
	a, b := r.ours.psnr, r.ngx.psnr
	if math.IsInf(a, 1) && math.IsInf(b, 1) {
		return "0.000", true
	}
	d := a - b
	cell := fmt.Sprintf("%+.3f", d)
	if math.IsInf(d, 0) {
		cell = fmt.Sprintf("%+v", d)
	}
	ok := d >= -tolerance
	if !ok {
		cell = "**" + cell + "**"
	}
	return cell, ok
}

func dimsCell(o output) string {
	if o.err != nil {
		return "error"
	}
	return fmt.Sprintf("%dx%d", o.dims.X, o.dims.Y)
}

func outCell(o output) string {
	if o.err != nil {
		return "error"
	}
	return fmt.Sprintf("%s %d B", o.format, o.bytes)
}

func psnrCell(o output, skip string) string {
	switch {
	case o.err != nil || skip != "":
		return "n/a"
	case math.IsInf(o.psnr, 1):
		return "inf"
	}
	return fmt.Sprintf("%.2f", o.psnr)
}

func parseSizes(s string) ([]size, error) {
	var out []size
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		ws, hs, ok := strings.Cut(f, "x")
		w, err1 := strconv.Atoi(ws)
		h, err2 := strconv.Atoi(hs)
		if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
			return nil, fmt.Errorf("bad size %q: want WxH with positive integers", f)
		}
		out = append(out, size{text: f, w: w, h: h})
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes")
	}
	return out, nil
}

// corpusFiles lists the jpg/png/webp files of dir, sorted, optionally
// restricted to the comma-separated names in only.
func corpusFiles(dir, only string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			keep[n] = true
		}
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() && e.Type()&os.ModeSymlink == 0 {
			continue
		}
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png", ".webp":
		default:
			continue
		}
		if len(keep) > 0 && !keep[e.Name()] {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "quality: "+format+"\n", args...)
	os.Exit(2)
}

// acceptFlag is sent as the Accept header of every request (to ours and
// nginx's alike: nginx ignores it), to measure the negotiated format.
var acceptFlag = flag.String("accept", "", "Accept header to send, e.g. image/webp,*/* (empty: none)")

// decodeBytes decodes JPEG and PNG with the standard library and WebP
// with libwebp (gen2brain/webp's DecodeAll, which converts VP8's
// video-range YCbCr to RGB as browsers do; golang.org/x/image/webp hands
// the planes over as if they were full range, white as 235).
func decodeBytes(b []byte) (image.Image, string, error) {
	if len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" {
		all, err := gen2webp.DecodeAll(bytes.NewReader(b))
		if err != nil {
			return nil, "", err
		}
		return all.Image[0], "webp", nil
	}
	return image.Decode(bytes.NewReader(b))
}
