// Command healthcheck asks a local imgproxy server for /healthz and exits 0
// if it answers 200, else 1: a Docker HEALTHCHECK for images that have no
// shell or curl, such as distroless/static. It finds the server's address
// as the server does, in IMGPROXY_LISTEN (default ":8080"), and connects to
// the loopback address when the host part is empty or a wildcard.
//
//	HEALTHCHECK CMD ["/healthcheck"]
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if err := check(context.Background(), healthURL(os.Getenv("IMGPROXY_LISTEN"))); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

// healthURL is the /healthz URL of a server listening on listen, a
// host:port as -listen takes it; empty means ":8080".
func healthURL(listen string) string {
	if listen == "" {
		listen = ":8080"
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		host, port = "", "8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

// check GETs url within 3 seconds and wants a 200.
func check(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	return nil
}
