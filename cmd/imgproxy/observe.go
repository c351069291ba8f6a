package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/prom"
)

// obsConfig holds the settings of metrics and logs.
type obsConfig struct {
	metricsListen string
	accessLog     string // off, text or json
	logFormat     string // text or json
}

// obsFlags declares the flags of metrics and logs.
func (c *config) obsFlags(fs *flag.FlagSet) {
	c.accessLog, c.logFormat = "off", "text"
	fs.StringVar(&c.metricsListen, "metrics-listen", "", "address to serve Prometheus metrics on, at /metrics, apart from the public port; empty: no metrics")
	fs.Var(choiceValue{&c.accessLog, []string{"off", "text", "json"}}, "access-log", "access log on standard output, one line per request, in `format` off, text or json")
	fs.Var(choiceValue{&c.logFormat, []string{"text", "json"}}, "log-format", "`format` of the server's own log on standard error: text or json")
}

// choiceValue is a string flag that takes one of a few words.
type choiceValue struct {
	p       *string
	choices []string
}

func (v choiceValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("want %s", strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

// newLogger returns the server's own logger, in -log-format.
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	return slog.New(slogHandler(cfg.logFormat, w, &slog.HandlerOptions{Level: cfg.logLevel}))
}

func slogHandler(format string, w io.Writer, o *slog.HandlerOptions) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, o)
	}
	return slog.NewTextHandler(w, o)
}

// observability is what -metrics-listen and -access-log set up: the
// server's own Prometheus registry and the access logger, each nil when
// off.
type observability struct {
	registry *prometheus.Registry
	access   *slog.Logger
	server   *http.Server
}

// newObservability sets h.Observer to what cfg asks for; with neither
// metrics nor an access log, h is not observed at all.
func newObservability(cfg *config, h *imgproxy.Handler, stdout io.Writer) (*observability, error) {
	o := &observability{}
	var observers imgproxy.Observers
	if cfg.metricsListen != "" {
		o.registry = prometheus.NewRegistry()
		o.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		m, err := prom.New(o.registry, nil)
		if err != nil {
			return nil, err
		}
		observers = append(observers, m)
	}
	if cfg.accessLog != "off" {
		o.access = slog.New(slogHandler(cfg.accessLog, stdout, nil))
		observers = append(observers, imgproxy.ObserverFunc(keepEvent))
	}
	if len(observers) > 0 {
		h.Observer = observers
	}
	return o, nil
}

// serveMetrics starts the metrics listener, if any; its failure is sent
// on errc.
func (o *observability) serveMetrics(cfg *config, errc chan<- error, logger *slog.Logger, errorLog *log.Logger) error {
	if o.registry == nil {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.metricsListen)
	if err != nil {
		return fmt.Errorf("-metrics-listen %q: %w", cfg.metricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{ErrorLog: errorLog}))
	o.server = newHTTPServer(cfg, mux, 0, errorLog)
	go func() {
		if err := o.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			select {
			case errc <- err:
			default:
			}
		}
	}()
	logger.Info("imgproxy: metrics", "addr", ln.Addr().String())
	return nil
}

// close stops the metrics listener.
func (o *observability) close() {
	if o.server != nil {
		o.server.Close()
	}
}

// eventKey is the context key of an access-logged request's *loggedEvent.
type eventKey struct{}

// loggedEvent receives the Handler's Event of an access-logged request.
type loggedEvent struct {
	ev imgproxy.Event
	ok bool
}

// keepEvent is the Observer of the access log: it copies the Event into
// the request's loggedEvent, for the middleware to log.
func keepEvent(r *http.Request, ev *imgproxy.Event) {
	if l, ok := r.Context().Value(eventKey{}).(*loggedEvent); ok {
		l.ev, l.ok = *ev, true
	}
}

// wrap returns next with the access log around it, if it is on: one line
// per request on every route, with nginx's combined fields plus, for
// image requests, the cache status, tier and options.
func (o *observability) wrap(next http.Handler) http.Handler {
	if o.access == nil {
		return next
	}
	serve := o.logged(func(w http.ResponseWriter, r *http.Request) bool {
		next.ServeHTTP(w, r)
		return true
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r) })
}

// wrapCached is wrap for the front's hits (see front.go): a request
// next declines is not logged here (net/http's route logs it).
func (o *observability) wrapCached(next func(http.ResponseWriter, *http.Request) bool) func(http.ResponseWriter, *http.Request) bool {
	if o.access == nil {
		return next
	}
	return o.logged(next)
}

// logged logs each request next serves.
func (o *observability) logged(next func(http.ResponseWriter, *http.Request) bool) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		start := time.Now()
		cw := &countingWriter{ResponseWriter: w}
		l := &loggedEvent{}
		if !next(cw, r.WithContext(context.WithValue(r.Context(), eventKey{}, l))) {
			return false
		}
		o.logAccess(r, cw, l, time.Since(start))
		return true
	}
}

// logAccess writes one access log line.
func (o *observability) logAccess(r *http.Request, cw *countingWriter, l *loggedEvent, d time.Duration) {
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	if l.ok && l.ev.Status == 499 {
		status = 499 // the client left: nothing was written
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	attrs := []slog.Attr{
		slog.String("remote_addr", host),
		slog.String("method", r.Method),
		slog.String("uri", r.RequestURI),
		slog.String("proto", r.Proto),
		slog.Int("status", status),
		slog.Int64("bytes", cw.bytes),
		slog.String("referer", r.Referer()),
		slog.String("user_agent", r.UserAgent()),
		slog.Float64("duration", d.Seconds()),
	}
	if l.ok {
		attrs = append(attrs, slog.String("cache", l.ev.Cache), slog.String("tier", l.ev.Tier.String()),
			slog.String("options", l.ev.Options))
		if l.ev.Reason != "" {
			attrs = append(attrs, slog.String("reason", l.ev.Reason))
		}
	}
	o.access.LogAttrs(r.Context(), slog.LevelInfo, "access", attrs...)
}

// countingWriter records the status and body bytes of a response.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
