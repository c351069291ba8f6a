// Package prom exports what imgproxy Handlers observe as Prometheus
// metrics, through github.com/prometheus/client_golang, on a registry the
// caller passes in:
//
//	reg := prometheus.NewRegistry()
//	m, err := prom.New(reg, nil)
//	...
//	h := &imgproxy.Handler{Observer: m}
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The metrics, each with Options.ConstLabels:
//
//	imgproxy_requests_total{status,tier,cache}    counter
//	imgproxy_rejections_total{reason}             counter
//	imgproxy_collapsed_requests_total             counter
//	imgproxy_response_bytes_total                 counter
//	imgproxy_request_duration_seconds{tier}       histogram
//	imgproxy_stage_duration_seconds{stage}        histogram
//
// status is the HTTP status ("200", "404", "499" when the client left);
// tier is imgproxy.Tier's name ("memory", "peer", "disk", "origin") and
// cache the X-Cache-Status word ("HIT", "MISS", "STALE"), both "none" for
// a failure; reason is imgproxy.Event.Reason ("bad_signature",
// "not_found", ...); stage is imgproxy.Stage's name ("queue", "fetch",
// "decode", "resize", "encode"), observed for each stage a request ran.
package prom

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imgproxy-go/imgproxy"
)

// Options configure Metrics. A nil *Options means the defaults.
type Options struct {
	// ConstLabels are added to every metric, so that several Handlers
	// can share one registry, each with its own values (for example
	// {"handler": "thumbs"}). If nil, none: then only one Metrics can be
	// registered on a registry.
	ConstLabels prometheus.Labels
	// Buckets are the upper bounds, in seconds, of the duration
	// histograms. If nil, DefaultBuckets().
	Buckets []float64
}

// DefaultBuckets returns the default duration buckets, 0.5 ms to 30 s:
// wide enough for memory hits (well under a millisecond) and for large
// transforms of slow origins.
func DefaultBuckets() []float64 {
	return []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
}

// Metrics is an imgproxy.Observer that counts and times requests; set it
// as a Handler's Observer. It is safe for concurrent use; one Metrics may
// serve several Handlers whose numbers are to be added up.
type Metrics struct {
	requests   *prometheus.CounterVec
	rejections *prometheus.CounterVec
	collapsed  prometheus.Counter
	bytes      prometheus.Counter
	duration   *prometheus.HistogramVec
	stages     *prometheus.HistogramVec
}

var _ imgproxy.Observer = (*Metrics)(nil)

// New returns Metrics registered on reg, which must not be nil (this
// package never uses the default registry). It fails as
// reg.Register does, for example when metrics of the same names and
// labels are already registered.
func New(reg prometheus.Registerer, o *Options) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("prom: no Registerer")
	}
	if o == nil {
		o = &Options{}
	}
	buckets := o.Buckets
	if buckets == nil {
		buckets = DefaultBuckets()
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "imgproxy", Name: name, Help: help, ConstLabels: o.ConstLabels,
		}, labels)
	}
	histogram := func(name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "imgproxy", Name: name, Help: help, ConstLabels: o.ConstLabels, Buckets: buckets,
		}, labels)
	}
	collapsed := counter("collapsed_requests_total", "Requests answered by work another request started.")
	bytes := counter("response_bytes_total", "Response body bytes written.")
	m := &Metrics{
		requests:   counter("requests_total", "Requests answered, by HTTP status, cache tier and X-Cache-Status.", "status", "tier", "cache"),
		rejections: counter("rejections_total", "Failed requests, by reason.", "reason"),
		collapsed:  collapsed.WithLabelValues(),
		bytes:      bytes.WithLabelValues(),
		duration:   histogram("request_duration_seconds", "Time to answer a request, by cache tier.", "tier"),
		stages:     histogram("stage_duration_seconds", "Time spent in each stage of making a variant.", "stage"),
	}
	for _, c := range []prometheus.Collector{m.requests, m.rejections, collapsed, bytes, m.duration, m.stages} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe implements imgproxy.Observer.
func (m *Metrics) Observe(_ *http.Request, ev *imgproxy.Event) {
	tier, cache := ev.Tier.String(), ev.Cache
	if tier == "" {
		tier = "none"
	}
	if cache == "" {
		cache = "none"
	}
	m.requests.WithLabelValues(strconv.Itoa(ev.Status), tier, cache).Inc()
	if ev.Reason != "" {
		m.rejections.WithLabelValues(ev.Reason).Inc()
	}
	if ev.Collapsed {
		m.collapsed.Inc()
	}
	m.bytes.Add(float64(ev.Bytes))
	m.duration.WithLabelValues(tier).Observe(ev.Duration.Seconds())
	for s, d := range ev.Stages {
		if d > 0 {
			m.stages.WithLabelValues(imgproxy.Stage(s).String()).Observe(d.Seconds())
		}
	}
}
