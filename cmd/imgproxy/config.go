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

	// Connection hygiene (see server.go).
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int64
	fastHits          bool // cache hits through internal/front (see front.go)

	// Secrets may come from files instead (see secrets.go).
	secretFile     string
	peerSecretFile string

	// Admission and output bounds (see memory.go).
	memoryBudget    int64
	maxQueue        int
	maxWait         time.Duration
	maxOutputPixels int64
	maxOutputBytes  int64

	obsConfig // metrics and logs (see observe.go)

	// Allowed boxes and Range parts.
	sizes     string
	snapSizes bool
	maxRanges int

	signConfig      // HMAC keys (see signflags.go)
	galleryConfig   // the page at "/" (see gallery.go)
	layers          // -timeout, -max-in-flight, -user-agent, -config... (see configfile.go)
	namespaceConfig // -cache-namespace (see namespace.go)
}

// envName is the environment variable read for a flag: IMGPROXY_ plus the
// flag name in upper snake case.
func envName(flagName string) string {
	return "IMGPROXY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads args, falling back to the environment (getenv) for any
// flag not given on the command line, then to the defaults. Secret files
// are read here, so every configuration error is known before anything
// starts.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{
		listen:            ":8080",
		upstream:          "https://upload.wikimedia.org/",
		prefix:            "/image/",
		jpegQuality:       75,
		maxSourceBytes:    20 << 20,
		maxPixels:         50_000_000,
		cacheMemory:       64 << 20,
		maxAge:            30 * 24 * time.Hour,
		cacheMaxSize:      100 << 20,
		cacheInactive:     40 * 24 * time.Hour,
		notFoundTTL:       time.Minute,
		negotiate:         "webp",
		webpQuality:       80,
		autoOrient:        true,
		maxAnimPx:         22_500_000,
		readHeaderTimeout: defaultReadHeaderTimeout,
		readTimeout:       defaultReadTimeout,
		writeTimeout:      defaultWriteTimeout,
		idleTimeout:       defaultIdleTimeout,
		maxHeaderBytes:    defaultMaxHeaderBytes,
		fastHits:          true,
		memoryBudget:      defaultMemoryBudget(getenv),
		maxWait:           imgproxy.DefaultMaxWait,
		maxOutputPixels:   imgproxy.DefaultMaxOutputPixels,
		maxOutputBytes:    imgproxy.DefaultMaxOutputBytes,
		maxRanges:         imgproxy.DefaultMaxRanges,
	}
	fs := flag.NewFlagSet("imgproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	c.imageFlags(fs)
	c.cacheFlags(fs)
	c.serverFlags(fs)
	c.obsFlags(fs)
	c.signFlags(fs)
	c.galleryFlags(fs)
	c.namespaceFlags(fs)
	c.requestFlags(fs)
	c.configFlags(fs)
	if err := c.parseLayers(fs, args, getenv); err != nil {
		return nil, err
	}
	if c.version {
		return c, nil // nothing else is read
	}
	if err := c.check(); err != nil {
		return nil, c.explain(err)
	}
	if err := c.readSecrets(); err != nil {
		return nil, c.explain(err)
	}
	return c, nil
}

const usageHead = `Usage: imgproxy [flags]

Every flag can also be set as IMGPROXY_<NAME>, e.g. -max-source-bytes as
IMGPROXY_MAX_SOURCE_BYTES, or in a -config file (max-source-bytes = "20M");
the command line wins over the environment, which wins over the file.
-print-config shows what is in force and where it came from. Give secrets as files
(-secret-file, -peer-secret-file) or in the environment, not on the command
line, where any local user can read them (/proc/PID/cmdline).

Unless the GOMEMLIMIT environment variable is set, the server sets the Go
runtime's soft memory limit to -memory-budget + -cache-memory (+ the cluster
caches) + 256 MiB.

`

// imageFlags declares the flags of the origin and the pictures.
func (c *config) imageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.upstream, "upstream", c.upstream, "origin: an http(s) base URL or a local directory")
	fs.StringVar(&c.prefix, "prefix", c.prefix, "URL path prefix of image URLs")
	fs.IntVar(&c.jpegQuality, "jpeg-quality", c.jpegQuality, "default JPEG quality 1..100")
	fs.Var(sizeValue{&c.maxSourceBytes, 1024}, "max-source-bytes", "largest source accepted (K/M/G); larger is 415")
	fs.Var(sizeValue{&c.maxPixels, 1000}, "max-pixels", "largest source width*height accepted (K/M/G = 10^3/10^6/10^9); larger is 415")
	fs.StringVar(&c.negotiate, "negotiate", c.negotiate, "formats offered to clients whose Accept header lists them, in order of preference: a comma-separated list of webp and avif; empty: no negotiation (Vary: Accept is then never sent)")
	fs.IntVar(&c.webpQuality, "webp-quality", c.webpQuality, "default WebP quality 1..100 (nginx image_filter_webp_quality)")
	fs.IntVar(&c.avifQuality, "avif-quality", 0, "default AVIF quality 1..100; 0: the encoder's default")
	fs.IntVar(&c.avifSpeed, "avif-speed", 0, "AVIF encoder speed 1 (slowest, smallest) .. 10 (fastest); 0: the encoder's default")
	fs.StringVar(&c.background, "background", "", "colour transparent pixels are flattened onto in JPEG output, rrggbb; empty: white")
	fs.BoolVar(&c.autoOrient, "auto-orient", c.autoOrient, "turn pictures upright as their EXIF orientation says")
	fs.BoolVar(&c.keepICC, "keep-icc", false, "embed wide-gamut ICC profiles in the output instead of converting the pixels to sRGB")
	fs.Var(sizeValue{&c.maxAnimPx, 1000}, "max-animation-pixels", "largest frames x output pixels of an animated result (K/M/G = 10^3/10^6/10^9); larger keeps the first frame")
	fs.Var(sizeValue{&c.memoryBudget, 1024}, "memory-budget", "bytes that transforms in flight may hold at their peak, weighed from the header before decoding (K/M/G); one heavier than the whole budget is 415, the others wait their turn; 0: no bound. Default: a quarter of this machine's memory (or cgroup limit, or GOMEMLIMIT), at most 4G")
	fs.IntVar(&c.maxQueue, "max-queue", 0, "transforms waiting for admission; one more is 503 at once; 0: 8 x the transform concurrency, -1: no waiting")
	fs.Var(durationValue{&c.maxWait}, "max-wait", "longest wait for admission before 503")
	fs.Var(sizeValue{&c.maxOutputPixels, 1000}, "max-output-pixels", "largest result width*height (K/M/G = 10^3/10^6/10^9); larger is 415, decided before decoding")
	fs.Var(sizeValue{&c.maxOutputBytes, 1024}, "max-output", "largest encoded result (K/M/G); larger is 415")
	fs.StringVar(&c.sizes, "sizes", "", "boxes URLs may ask for, comma-separated, as URLs write them (150x150,640x-,-x-); any other is 400; empty: any box")
	fs.BoolVar(&c.snapSizes, "snap-sizes", false, "serve a box that -sizes does not list as the nearest one it does, instead of 400")
}

// cacheFlags declares the flags of the cache tiers and the cluster.
func (c *config) cacheFlags(fs *flag.FlagSet) {
	fs.Var(sizeValue{&c.cacheMemory, 1024}, "cache-memory", "memory cache size (K/M/G); 0 turns caching off")
	fs.Var(durationValue{&c.maxAge}, "max-age", "Cache-Control max-age sent to clients (s/m/h/d)")
	fs.StringVar(&c.cacheDir, "cache-dir", "", "directory of the disk cache (nginx proxy_cache_path); empty: no disk cache")
	fs.Var(sizeValue{&c.cacheMaxSize, 1024}, "cache-max-size", "disk cache size bound (K/M/G), least recently used evicted")
	fs.Var(durationValue{&c.cacheInactive}, "cache-inactive", "disk cache entries unused this long are removed (s/m/h/d)")
	fs.BoolVar(&c.staleIfError, "stale-if-error", false, "serve cached variants past -max-age (X-Cache-Status: STALE) when the origin fails or times out")
	fs.Var(durationValue{&c.notFoundTTL}, "not-found-ttl", "how long an upstream 404 is remembered")
	fs.StringVar(&c.peerListen, "peer-listen", "", "cluster: this node's peer protocol address, host:port")
	fs.StringVar(&c.peers, "peers", "", "cluster: comma-separated peer base URLs of every node (http://host:port), the same list on every node")
	fs.StringVar(&c.self, "self", "", "cluster: this node's own entry in -peers")
	fs.StringVar(&c.peerSecret, "peer-secret", "", "cluster: shared secret, at least 16 bytes; peer requests without it are refused. Prefer -peer-secret-file or IMGPROXY_PEER_SECRET")
	fs.StringVar(&c.peerSecretFile, "peer-secret-file", "", "cluster: file holding the shared secret (one trailing newline is ignored)")
}

// serverFlags declares the flags of the listeners and URL signing.
func (c *config) serverFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "listen", c.listen, "address to serve HTTP on")
	fs.StringVar(&c.secret, "secret", "", "if set, require nginx secure_link_md5 tokens (?auth=) made with this secret, at least 8 bytes. Prefer -secret-file or IMGPROXY_SECRET")
	fs.StringVar(&c.secretFile, "secret-file", "", "file holding the secure_link_md5 secret (one trailing newline is ignored)")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.Var(durationValue{&c.readHeaderTimeout}, "read-header-timeout", "longest time a client may take to send a request's headers (both listeners)")
	fs.Var(durationValue{&c.readTimeout}, "read-timeout", "longest time a client may take to send a whole request (both listeners)")
	fs.Var(durationValue{&c.writeTimeout}, "write-timeout", "longest time from a request's headers to the end of its response, making the variant included: a 20 MiB response at 1 Mbit/s takes about 3 minutes (both listeners)")
	fs.Var(durationValue{&c.idleTimeout}, "idle-timeout", "how long an idle keep-alive connection is kept (both listeners)")
	fs.IntVar(&c.maxRanges, "max-ranges", c.maxRanges, "most parts of a Range request (nginx max_ranges); a request for more gets the whole picture (200); 0: Range is ignored")
	fs.Var(sizeValue{&c.maxHeaderBytes, 1024}, "max-header-bytes", "largest request line plus headers (K/M/G); larger is 431 (nginx large_client_header_buffers 4 8k)")
	fs.BoolVar(&c.fastHits, "fast-hits", c.fastHits, "answer plain HTTP/1.1 cache hits on the server's own fast path, every other request through net/http on the same connection; false: all through net/http")
}

// check reports the first value out of range.
func (c *config) check() error {
	if c.jpegQuality < 1 || c.jpegQuality > 100 {
		return fmt.Errorf("-jpeg-quality %d: want 1..100", c.jpegQuality)
	}
	for _, q := range []struct {
		name string
		v    int
	}{{"-webp-quality", c.webpQuality}, {"-avif-quality", c.avifQuality}} {
		if q.v < 0 || q.v > 100 || (q.v == 0 && q.name == "-webp-quality") {
			return fmt.Errorf("%s %d: want 1..100", q.name, q.v)
		}
	}
	if c.avifSpeed < 0 || c.avifSpeed > 10 {
		return fmt.Errorf("-avif-speed %d: want 0..10", c.avifSpeed)
	}
	if c.maxRanges < 0 {
		return fmt.Errorf("-max-ranges %d: want 0 or more", c.maxRanges)
	}
	if _, err := c.sizeList(); err != nil {
		return err
	}
	if c.snapSizes && c.sizes == "" {
		return fmt.Errorf("-snap-sizes needs -sizes")
	}
	if c.maxQueue < -1 {
		return fmt.Errorf("-max-queue %d: want -1 or more", c.maxQueue)
	}
	if err := c.checkServer(); err != nil {
		return err
	}
	if err := c.checkRequests(); err != nil {
		return err
	}
	if _, err := c.formats(); err != nil {
		return err
	}
	if _, err := c.backgroundColor(); err != nil {
		return err
	}
	clustered := c.peerListen != "" || c.peers != "" || c.self != "" || c.peerSecret != "" || c.peerSecretFile != ""
	if clustered && (c.peerListen == "" || c.peers == "" || c.self == "" || (c.peerSecret == "" && c.peerSecretFile == "")) {
		return fmt.Errorf("a cluster needs all of -peer-listen, -peers, -self and -peer-secret (or -peer-secret-file)")
	}
	return nil
}

// sizeList parses -sizes.
func (c *config) sizeList() ([]imgproxy.Size, error) {
	sizes, err := imgproxy.ParseSizes(c.sizes)
	if err != nil {
		return nil, fmt.Errorf("-sizes %q: %w", c.sizes, err)
	}
	return sizes, nil
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
