package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// config holds the server's settings, from flags or IMGPROXY_* variables.
type config struct {
	listen         string
	upstream       string
	prefix         string
	secret         string
	jpegQuality    int
	maxSourceBytes int64
	maxPixels      int64
	cacheMemory    int64
	maxAge         time.Duration
	logLevel       slog.Level

	cacheDir      string
	cacheMaxSize  int64
	cacheInactive time.Duration
	staleIfError  bool
	notFoundTTL   time.Duration
	peerListen    string
	peers         string
	self          string
	peerSecret    string
}

// envName is the environment variable read for a flag: IMGPROXY_ plus the
// flag name in upper snake case.
func envName(flagName string) string {
	return "IMGPROXY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads args, falling back to the environment (getenv) for any
// flag not given on the command line, then to the defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{
		listen:         ":8080",
		upstream:       "https://upload.wikimedia.org/",
		prefix:         "/image/",
		jpegQuality:    75,
		maxSourceBytes: 20 << 20,
		maxPixels:      50_000_000,
		cacheMemory:    64 << 20,
		maxAge:         30 * 24 * time.Hour,
		cacheMaxSize:   100 << 20,
		cacheInactive:  40 * 24 * time.Hour,
		notFoundTTL:    time.Minute,
	}
	fs := flag.NewFlagSet("imgproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: imgproxy [flags]\n\nEvery flag can also be set as IMGPROXY_<NAME>, e.g. -max-source-bytes as IMGPROXY_MAX_SOURCE_BYTES.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.listen, "listen", c.listen, "address to serve HTTP on")
	fs.StringVar(&c.upstream, "upstream", c.upstream, "origin: an http(s) base URL or a local directory")
	fs.StringVar(&c.prefix, "prefix", c.prefix, "URL path prefix of image URLs")
	fs.StringVar(&c.secret, "secret", "", "if set, require nginx secure_link_md5 tokens (?auth=) made with this secret")
	fs.IntVar(&c.jpegQuality, "jpeg-quality", c.jpegQuality, "default JPEG quality 1..100")
	fs.Var(sizeValue{&c.maxSourceBytes, 1024}, "max-source-bytes", "largest source accepted (K/M/G); larger is 415")
	fs.Var(sizeValue{&c.maxPixels, 1000}, "max-pixels", "largest source width*height accepted (K/M/G = 10^3/10^6/10^9); larger is 415")
	fs.Var(sizeValue{&c.cacheMemory, 1024}, "cache-memory", "memory cache size (K/M/G); 0 turns caching off")
	fs.Var(durationValue{&c.maxAge}, "max-age", "Cache-Control max-age sent to clients (s/m/h/d)")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.StringVar(&c.cacheDir, "cache-dir", "", "directory of the disk cache (nginx proxy_cache_path); empty: no disk cache")
	fs.Var(sizeValue{&c.cacheMaxSize, 1024}, "cache-max-size", "disk cache size bound (K/M/G), least recently used evicted")
	fs.Var(durationValue{&c.cacheInactive}, "cache-inactive", "disk cache entries unused this long are removed (s/m/h/d)")
	fs.BoolVar(&c.staleIfError, "stale-if-error", false, "serve cached variants past -max-age (X-Cache-Status: STALE) when the origin fails or times out")
	fs.Var(durationValue{&c.notFoundTTL}, "not-found-ttl", "how long an upstream 404 is remembered")
	fs.StringVar(&c.peerListen, "peer-listen", "", "cluster: this node's peer protocol address, host:port")
	fs.StringVar(&c.peers, "peers", "", "cluster: comma-separated peer base URLs of every node (http://host:port), the same list on every node")
	fs.StringVar(&c.self, "self", "", "cluster: this node's own entry in -peers")
	fs.StringVar(&c.peerSecret, "peer-secret", "", "cluster: shared secret; peer requests without it are refused")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && !set[f.Name] && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if c.jpegQuality < 1 || c.jpegQuality > 100 {
		return nil, fmt.Errorf("-jpeg-quality %d: want 1..100", c.jpegQuality)
	}
	clustered := c.peerListen != "" || c.peers != "" || c.self != "" || c.peerSecret != ""
	if clustered && (c.peerListen == "" || c.peers == "" || c.self == "" || c.peerSecret == "") {
		return nil, fmt.Errorf("a cluster needs all of -peer-listen, -peers, -self and -peer-secret")
	}
	return c, nil
}
