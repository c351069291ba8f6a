package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/imgproxy-go/imgproxy"
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

	negotiate   string
	webpQuality int
	avifQuality int
	avifSpeed   int
	background  string
	autoOrient  bool
	keepICC     bool
	maxAnimPx   int64
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
		negotiate:      "webp",
		webpQuality:    80,
		autoOrient:     true,
		maxAnimPx:      22_500_000,
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

	fs.StringVar(&c.negotiate, "negotiate", c.negotiate, "formats offered to clients whose Accept header lists them, in order of preference: a comma-separated list of webp and avif; empty: no negotiation (Vary: Accept is then never sent)")
	fs.IntVar(&c.webpQuality, "webp-quality", c.webpQuality, "default WebP quality 1..100 (nginx image_filter_webp_quality)")
	fs.IntVar(&c.avifQuality, "avif-quality", 0, "default AVIF quality 1..100; 0: the encoder's default")
	fs.IntVar(&c.avifSpeed, "avif-speed", 0, "AVIF encoder speed 1 (slowest, smallest) .. 10 (fastest); 0: the encoder's default")
	fs.StringVar(&c.background, "background", "", "colour transparent pixels are flattened onto in JPEG output, rrggbb; empty: white")
	fs.BoolVar(&c.autoOrient, "auto-orient", c.autoOrient, "turn pictures upright as their EXIF orientation says")
	fs.BoolVar(&c.keepICC, "keep-icc", false, "embed wide-gamut ICC profiles in the output instead of converting the pixels to sRGB")
	fs.Var(sizeValue{&c.maxAnimPx, 1000}, "max-animation-pixels", "largest frames x output pixels of an animated result (K/M/G = 10^3/10^6/10^9); larger keeps the first frame")

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
	for _, q := range []struct {
		name string
		v    int
	}{{"-webp-quality", c.webpQuality}, {"-avif-quality", c.avifQuality}} {
		if q.v < 0 || q.v > 100 || (q.v == 0 && q.name == "-webp-quality") {
			return nil, fmt.Errorf("%s %d: want 1..100", q.name, q.v)
		}
	}
	if c.avifSpeed < 0 || c.avifSpeed > 10 {
		return nil, fmt.Errorf("-avif-speed %d: want 0..10", c.avifSpeed)
	}
	if _, err := c.formats(); err != nil {
		return nil, err
	}
	if _, err := c.backgroundColor(); err != nil {
		return nil, err
	}
	clustered := c.peerListen != "" || c.peers != "" || c.self != "" || c.peerSecret != ""
	if clustered && (c.peerListen == "" || c.peers == "" || c.self == "" || c.peerSecret == "") {
		return nil, fmt.Errorf("a cluster needs all of -peer-listen, -peers, -self and -peer-secret")
	}
	return c, nil
}

// formats parses -negotiate.
func (c *config) formats() ([]imgproxy.Format, error) {
	var out []imgproxy.Format
	for name := range strings.SplitSeq(c.negotiate, ",") {
		switch strings.TrimSpace(name) {
		case "":
		case "webp":
			out = append(out, imgproxy.FormatWebP)
		case "avif":
			out = append(out, imgproxy.FormatAVIF)
		default:
			return nil, fmt.Errorf("-negotiate %q: want a comma-separated list of webp and avif", c.negotiate)
		}
	}
	return out, nil
}

// backgroundColor parses -background.
func (c *config) backgroundColor() (imgproxy.Color, error) {
	if c.background == "" {
		return imgproxy.Color{}, nil
	}
	o, err := imgproxy.ParseOptions("-x-,bg" + strings.ToLower(strings.TrimPrefix(c.background, "#")))
	if err != nil {
		return imgproxy.Color{}, fmt.Errorf("-background %q: want rrggbb", c.background)
	}
	return o.Background, nil
}
