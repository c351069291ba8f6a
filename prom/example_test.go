package prom_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imgproxy-go/imgproxy"
	"github.com/imgproxy-go/imgproxy/prom"
)

// ExampleNew counts a Handler's requests on a registry of its own; serve
// it with promhttp.HandlerFor(reg, promhttp.HandlerOpts{}) on a port of
// its own.
func ExampleNew() {
	reg := prometheus.NewRegistry()
	m, err := prom.New(reg, &prom.Options{ConstLabels: prometheus.Labels{"handler": "thumbs"}})
	if err != nil {
		panic(err)
	}
	h := &imgproxy.Handler{
		Fetcher: imgproxy.FetcherFunc(func(context.Context, string) (*imgproxy.Source, error) {
			return nil, imgproxy.ErrNotFound
		}),
		Observer: m,
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/image/100x100/missing.jpg", nil))

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "imgproxy_rejections_total" {
			for _, s := range mf.GetMetric() {
				fmt.Println(mf.GetName(), s.GetLabel()[0].GetValue(), s.GetLabel()[1].GetValue(), s.GetCounter().GetValue())
			}
		}
	}
	// Output: imgproxy_rejections_total thumbs not_found 1
}
