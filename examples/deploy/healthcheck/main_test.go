package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHealthURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ listen, want string }{
		{"", "http://127.0.0.1:8080/healthz"},
		{":9000", "http://127.0.0.1:9000/healthz"},
		{"0.0.0.0:8081", "http://127.0.0.1:8081/healthz"},
		{"[::]:8082", "http://127.0.0.1:8082/healthz"},
		{"10.0.0.7:8083", "http://10.0.0.7:8083/healthz"},
		{"[::1]:8084", "http://[::1]:8084/healthz"},
	} {
		assert.Equal(t, tt.want, healthURL(tt.listen), tt.listen)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	assert.NoError(t, check(context.Background(), srv.URL+"/healthz"))
	assert.Error(t, check(context.Background(), srv.URL+"/elsewhere"), "503")
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	assert.Error(t, check(context.Background(), dead.URL+"/healthz"), "connection refused")
}
