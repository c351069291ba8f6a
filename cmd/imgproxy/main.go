// Command imgproxy serves resized images of an upstream origin: the nginx
// image_filter + proxy_cache + secure_link recipe as one server.
//
//	imgproxy -upstream https://upload.wikimedia.org/ -listen :8080
//	curl localhost:8080/image/150x150/wikipedia/commons/0/01/Tiger.25.jpg
//
// Every flag can also be set from the environment as IMGPROXY_ plus the
// flag name in upper snake case (-max-source-bytes is
// IMGPROXY_MAX_SOURCE_BYTES), or in a TOML -config file under its own
// name; the command line wins over the environment, which wins over the
// file. -print-config shows what is in force and where it came from,
// -version the build. A configuration error is one line naming the flag
// and the value, and exit status 2.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/avif"
	"github.com/imgproxy-go/imgproxy/webp"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sign" {
		os.Exit(runSign(os.Args[2:], os.Getenv, os.Stdout, os.Stderr)) // see sign.go
	}
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(2)
	}
}

var errHelp = errors.New("help requested")

// run starts the server and blocks until ctx ends or SIGTERM/SIGINT
// arrives, then drains in-flight requests. If ready is not nil, the bound
// address is sent on it once the server listens.
func run(ctx context.Context, args []string, getenv func(string) string, stderr *os.File, ready chan<- string) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if cfg.version || cfg.printConfig {
		return cfg.printAndExit(os.Stdout)
	}
	logger := newLogger(cfg, stderr)
	h, err := newHandler(cfg, logger)
	if err != nil {
		return redactErr(err, cfg.upstream)
	}
	gallery, err := newGallery(cfg, h, logger)
	if err != nil {
		return err
	}
	obs, err := newObservability(cfg, h, os.Stdout) // observe.go
	if err != nil {
		return err
	}
	setMemoryLimit(cfg, getenv, logger)
	if g, stopGC := startGCFloor(defaultGCFloor, getenv); g != nil {
		defer stopGC()
		logger.Info("imgproxy: gc", "floor", formatSize(defaultGCFloor, 1024))
	}
	logger.Info("imgproxy: cache keys", "namespace", h.CacheNamespace())
	// Three routes: a ServeMux would cost more per request than the whole
	// cache-hit path it routes to.
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "ok")
			return
		}
		if r.URL.Path == "/" && gallery != nil {
			gallery.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	srv := newHTTPServer(cfg, obs.wrap(mux), cfg.handlerTimeout, slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
	ln = withFront(cfg, ln, srv, obs.wrapCached(func(w http.ResponseWriter, r *http.Request) bool {
		return r.URL.Path != "/healthz" && r.URL.Path != "/" && h.ServeCached(w, r)
	})) // front.go
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 2)
	if h.Cluster != nil {
		pln, err := net.Listen("tcp", cfg.peerListen)
		if err != nil {
			ln.Close()
			return err
		}
		peerSrv := newHTTPServer(cfg, h.Cluster, 0, srv.ErrorLog)
		go func() { errc <- peerSrv.Serve(pln) }()
		defer peerSrv.Close()
		logger.Info("imgproxy: peer protocol", "addr", pln.Addr().String(), "self", cfg.self)
	}
	if err := obs.serveMetrics(cfg, errc, logger, srv.ErrorLog); err != nil {
		ln.Close()
		return err
	}
	defer obs.close()
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("imgproxy: listening", "addr", ln.Addr().String(), "upstream", redactURL(cfg.upstream), "prefix", cfg.prefix)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("imgproxy: draining")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = cmp.Or(srv.Shutdown(sctx), shutdownFront(sctx, ln))
	if d, ok := h.Disk.(*imgproxy.DiskCache); ok {
		d.Close()
	}
	return err
}

// newHandler builds the imgproxy.Handler that cfg describes.
func newHandler(cfg *config, logger *slog.Logger) (*imgproxy.Handler, error) {
	negotiate, _ := cfg.formats()
	bg, _ := cfg.backgroundColor()
	h := &imgproxy.Handler{
		Prefix:    cfg.prefix,
		MaxAge:    cfg.maxAge,
		Logger:    logger,
		Negotiate: negotiate,
		Resizer: &imgproxy.BildResizer{
			JPEGQuality: cfg.jpegQuality, MaxPixels: cfg.maxPixels,
			Background: bg, NoAutoOrient: !cfg.autoOrient, MaxAnimationPixels: cfg.maxAnimPx, KeepICC: cfg.keepICC,
			MemoryBudget: cmp.Or(cfg.memoryBudget, -1), // "0" on the command line means no bound
			MaxQueue:     cfg.maxQueue, MaxWait: cfg.maxWait,
			MaxOutputPixels: cfg.maxOutputPixels, MaxOutputBytes: cfg.maxOutputBytes,
			Encoders: map[imgproxy.Format]imgproxy.Encoder{
				imgproxy.FormatWebP: &webp.Encoder{Quality: cfg.webpQuality},
				imgproxy.FormatAVIF: &avif.Encoder{Quality: cfg.avifQuality, Speed: cfg.avifSpeed},
			},
			// AVIF sources: avif is linked for the output already.
			Decoders: map[imgproxy.Format]imgproxy.Decoder{imgproxy.FormatAVIF: avif.Decoder{}},
		},
	}
	if strings.HasPrefix(cfg.upstream, "http://") || strings.HasPrefix(cfg.upstream, "https://") {
		h.Fetcher = &imgproxy.HTTPFetcher{BaseURL: cfg.upstream, MaxBytes: cfg.maxSourceBytes, UserAgent: cfg.userAgent}
	} else {
		if strings.Contains(cfg.upstream, "://") {
			return nil, fmt.Errorf("-upstream %q: want an http(s) URL or a directory", redactURL(cfg.upstream))
		}
		h.Fetcher = &imgproxy.DirFetcher{Dir: cfg.upstream, MaxBytes: cfg.maxSourceBytes}
	}
	if cfg.cacheMemory == 0 {
		h.Cache = imgproxy.NoCache{}
	} else {
		h.Cache = &imgproxy.MemoryCache{MaxBytes: cfg.cacheMemory}
	}
	h.Signer = cfg.signer() // nil without -secret or -hmac-key (see signflags.go)
	if cfg.cacheDir != "" {
		h.Disk = &imgproxy.DiskCache{Dir: cfg.cacheDir, MaxSize: cfg.cacheMaxSize, Inactive: cfg.cacheInactive, Logger: logger}
	}
	h.StaleIfError = cfg.staleIfError
	h.Namespace = cfg.cacheNamespace
	h.Sizes, _ = cfg.sizeList()
	h.SnapSizes = cfg.snapSizes
	h.MaxRanges = cfg.maxRanges
	if h.MaxRanges == 0 {
		h.MaxRanges = -1 // "0" on the command line means Range is ignored, as in nginx
	}
	h.NotFoundTTL = cfg.notFoundTTL
	if h.NotFoundTTL == 0 {
		h.NotFoundTTL = -1 // "0" on the command line means off
	}
	if cfg.peers != "" {
		h.Cluster = &imgproxy.GroupCache{
			Self:   cfg.self,
			Peers:  strings.Split(cfg.peers, ","),
			Secret: cfg.peerSecret,
		}
	}
	h.Timeout, h.MaxInFlight = cfg.handlerTimeout, cfg.maxInFlight
	return h, flagError(h.Validate())
}

// setMemoryLimit sets the Go runtime's soft memory limit from the budget
// and the caches (see memoryLimit), unless GOMEMLIMIT says otherwise.
func setMemoryLimit(cfg *config, getenv func(string) string, logger *slog.Logger) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		logger.Info("imgproxy: memory", "budget", formatSize(cfg.memoryBudget, 1024), "GOMEMLIMIT", v)
		return
	}
	limit := memoryLimit(cfg)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	logger.Info("imgproxy: memory", "budget", formatSize(cfg.memoryBudget, 1024), "limit", formatSize(limit, 1024))
}
