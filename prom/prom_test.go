package prom_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/prom"
)

// files is a tiny origin: two JPEGs and a text file.
func files(t *testing.T) imgproxy.FetcherFunc {
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 300)), nil))
	data := map[string][]byte{"a.jpg": buf.Bytes(), "b.jpg": buf.Bytes(), "t.txt": []byte("not a picture")}
	return func(_ context.Context, path string) (*imgproxy.Source, error) {
		d, ok := data[path]
		if !ok {
			return nil, fmt.Errorf("%w: %s", imgproxy.ErrNotFound, path)
		}
		return &imgproxy.Source{Path: path, Data: d}, nil
	}
}

// signer refuses ?auth=bad.
var signer = imgproxy.SignerFunc(func(r *http.Request) error {
	if r.URL.Query().Get("auth") == "bad" {
		return imgproxy.ErrForbidden
	}
	return nil
})

// tally is what the client saw, counted as the metrics should count it.
type tally map[string]float64

// send makes the request and counts its response in want.
func send(t *testing.T, h http.Handler, want tally, labels, url string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
	tier, cache := w.Header().Get("X-Cache-Tier"), w.Header().Get("X-Cache-Status")
	if tier == "" {
		tier, cache = "none", "none"
	}
	want[fmt.Sprintf("imgproxy_requests_total{cache=%q,%s,status=\"%d\",tier=%q}", cache, labels, w.Code, tier)]++
	want[fmt.Sprintf("imgproxy_request_duration_seconds_count{%s,tier=%q}", labels, tier)]++
	want[fmt.Sprintf("imgproxy_response_bytes_total{%s}", labels)] += float64(w.Body.Len())
}

// gather returns every counter's value and every histogram's count, by
// series, as "name{label="value",...}" with the labels sorted.
func gather(t *testing.T, reg *prometheus.Registry) tally {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := tally{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			series := "{" + strings.Join(labels, ",") + "}"
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				got[mf.GetName()+series] = m.GetCounter().GetValue()
			case dto.MetricType_HISTOGRAM:
				got[mf.GetName()+"_count"+series] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return got
}

// TestMetricsEqualTraffic sends a scripted mix to two Handlers sharing
// one registry, told apart by a constant label, and checks that the
// gathered values equal what the clients saw.
func TestMetricsEqualTraffic(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	newHandler := func(name string, mem imgproxy.Cache) *imgproxy.Handler {
		m, err := prom.New(reg, &prom.Options{ConstLabels: prometheus.Labels{"handler": name}})
		require.NoError(t, err)
		disk := &imgproxy.DiskCache{Dir: t.TempDir()}
		t.Cleanup(func() { disk.Close() })
		// A FetcherFunc names no origin: a Handler with a Disk names its
		// pictures itself.
		return &imgproxy.Handler{Fetcher: files(t), Cache: mem, Disk: disk, Signer: signer, Observer: m, Namespace: name}
	}
	// a keeps variants in memory; b has no memory tier, so its hits are
	// disk hits.
	a, b := newHandler("a", &imgproxy.MemoryCache{}), newHandler("b", imgproxy.NoCache{})
	want := tally{}
	script := []struct {
		h      *imgproxy.Handler
		labels string
		urls   []string
	}{
		{a, `handler="a"`, []string{
			"/image/100x100/a.jpg", "/image/100x100/a.jpg", "/image/100x100/a.jpg", // miss, 2 hits
			"/image/50x50/b.jpg", "/image/50x50/b.jpg", // miss, hit
			"/image/100x100/a.jpg?auth=bad", "/image/100x100/a.jpg?auth=bad", // 403
			"/image/100x100/none.jpg", // 404
			"/image/100x100/t.txt",    // 415
			"/image/axb/a.jpg",        // 400
		}},
		{b, `handler="b"`, []string{
			"/image/80x80/a.jpg", "/image/80x80/a.jpg", "/image/80x80/a.jpg", // miss, 2 disk hits
			"/image/80x80/none.jpg", // 404
		}},
	}
	for _, s := range script {
		for _, u := range s.urls {
			send(t, s.h, want, s.labels, u)
		}
	}
	// Pinned: what the script above must have produced.
	for series, n := range map[string]float64{
		`imgproxy_requests_total{cache="HIT",handler="a",status="200",tier="memory"}`:  3,
		`imgproxy_requests_total{cache="MISS",handler="a",status="200",tier="origin"}`: 2,
		`imgproxy_requests_total{cache="none",handler="a",status="403",tier="none"}`:   2,
		`imgproxy_requests_total{cache="HIT",handler="b",status="200",tier="disk"}`:    2,
		`imgproxy_requests_total{cache="none",handler="b",status="404",tier="none"}`:   1,
	} {
		require.Equal(t, n, want[series], series)
	}
	// The failures' reasons, and the stages: every miss ran all five;
	// the 404s and the 415 were queued and fetched too.
	for series, n := range map[string]float64{
		`imgproxy_rejections_total{handler="a",reason="bad_signature"}`: 2,
		`imgproxy_rejections_total{handler="a",reason="not_found"}`:     1,
		`imgproxy_rejections_total{handler="a",reason="unsupported"}`:   1,
		`imgproxy_rejections_total{handler="a",reason="bad_request"}`:   1,
		`imgproxy_rejections_total{handler="b",reason="not_found"}`:     1,
		`imgproxy_collapsed_requests_total{handler="a"}`:                0,
		`imgproxy_collapsed_requests_total{handler="b"}`:                0,
	} {
		want[series] = n
	}
	for _, st := range []struct {
		stage string
		a, b  float64
	}{{"queue", 4, 2}, {"fetch", 4, 2}, {"decode", 2, 1}, {"resize", 2, 1}, {"encode", 2, 1}} {
		want[fmt.Sprintf(`imgproxy_stage_duration_seconds_count{handler="a",stage=%q}`, st.stage)] = st.a
		want[fmt.Sprintf(`imgproxy_stage_duration_seconds_count{handler="b",stage=%q}`, st.stage)] = st.b
	}
	assert.Equal(t, want, gather(t, reg))
}

// TestNew checks the registry rules: none is an error, and a second
// Metrics with the same labels on one registry is refused.
func TestNew(t *testing.T) {
	t.Parallel()
	_, err := prom.New(nil, nil)
	require.Error(t, err)
	reg := prometheus.NewRegistry()
	_, err = prom.New(reg, nil)
	require.NoError(t, err)
	_, err = prom.New(reg, nil)
	require.Error(t, err)
	_, err = prom.New(reg, &prom.Options{ConstLabels: prometheus.Labels{"handler": "other"}})
	require.Error(t, err, "the unlabelled metrics already took these names")
	reg2 := prometheus.NewRegistry()
	_, err = prom.New(reg2, &prom.Options{ConstLabels: prometheus.Labels{"handler": "x"}})
	require.NoError(t, err)
	_, err = prom.New(reg2, &prom.Options{ConstLabels: prometheus.Labels{"handler": "y"}})
	require.NoError(t, err)
}
