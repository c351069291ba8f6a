package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

var metricsRE = regexp.MustCompile(`imgproxy: metrics"? addr=(\S+)`)

// observedServer is a running imgproxy process whose standard output
// (the access log) is kept apart from its standard error.
type observedServer struct {
	base, metrics string
	access, logs  *syncBuffer
}

// startObserved runs the binary with args plus a metrics listener and a
// JSON access log, and waits until it listens.
func startObserved(t *testing.T, args ...string) *observedServer {
	t.Helper()
	args = append([]string{"-listen", "127.0.0.1:0", "-metrics-listen", "127.0.0.1:0", "-access-log", "json"}, args...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cmd.Environ(), "GORACE=halt_on_error=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &observedServer{access: &syncBuffer{}, logs: &syncBuffer{}}
	copied := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.access.WriteString(sc.Text() + "\n")
		}
		close(copied)
	}()
	addrs := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() {
		var metrics string
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteString(line + "\n")
			if m := metricsRE.FindStringSubmatch(line); m != nil {
				metrics = m[1]
			}
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addrs <- [2]string{m[1], metrics}
			}
		}
		<-copied
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	select {
	case a := <-addrs:
		s.base, s.metrics = "http://"+a[0], "http://"+a[1]
	case err := <-done:
		t.Fatalf("exited before listening (%v): %s", err, s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("did not start: %s", s.logs)
	}
	return s
}

// accessLines returns the access log lines so far, once there are n.
func (s *observedServer) accessLines(t *testing.T, n int) []map[string]any {
	t.Helper()
	var lines []string
	require.Eventually(t, func() bool {
		lines = strings.Split(strings.TrimSpace(s.access.String()), "\n")
		return len(lines) >= n && lines[0] != ""
	}, 10*time.Second, 5*time.Millisecond, "access log: %s", s.access)
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		require.NoError(t, json.Unmarshal([]byte(l), &out[i]), l)
	}
	return out
}

// scrape fetches /metrics from the metrics port and returns every
// imgproxy counter's value and histogram's count, by series.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	require.Contains(t, mfs, "go_goroutines", "the Go collector")
	got := map[string]float64{}
	for name, mf := range mfs {
		if !strings.HasPrefix(name, "imgproxy_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			series := "{" + strings.Join(labels, ",") + "}"
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				got[name+series] = m.GetCounter().GetValue()
			case dto.MetricType_HISTOGRAM:
				got[name+"_count"+series] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return got
}

// TestServerMetricsAndAccessLog sends a scripted mix to a real server
// and checks that /metrics, on its own port, counts exactly that
// traffic, that the public port does not serve it, and that the access
// log has one JSON line per request, /healthz included.
func TestServerMetricsAndAccessLog(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	const secret = "observability"
	s := startObserved(t, "-upstream", up.URL+"/", "-secret", secret, "-cache-memory", "0", "-cache-dir", t.TempDir())
	signer := &imgproxy.SecureLinkMD5{Secret: secret}
	script := []struct {
		path          string
		status        int
		cache, tier   string
		reason, stage string
	}{
		{signer.Sign("/image/150x150/photo.jpg"), 200, "MISS", "origin", "", ""},
		{signer.Sign("/image/150x150/photo.jpg"), 200, "HIT", "disk", "", ""},
		{signer.Sign("/image/150x150/photo.jpg"), 200, "HIT", "disk", "", ""},
		{signer.Sign("/image/100x100/small.jpg"), 200, "MISS", "origin", "", ""},
		{signer.Sign("/image/100x100/small.jpg"), 200, "HIT", "disk", "", ""},
		{"/image/150x150/photo.jpg?auth=forged", 403, "", "", "bad_signature", ""},
		{"/image/150x150/photo.jpg", 403, "", "", "bad_signature", ""},
		{signer.Sign("/image/10x10/nope.jpg"), 404, "", "", "not_found", ""},
		{signer.Sign("/image/10x10/text.txt"), 415, "", "", "unsupported", ""},
		{signer.Sign("/image/axb/photo.jpg"), 400, "", "", "bad_request", ""},
	}
	want := map[string]float64{}
	var bytes float64
	for _, c := range script {
		resp, err := http.Get(s.base + c.path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, c.status, resp.StatusCode, c.path)
		require.Equal(t, c.cache, resp.Header.Get("X-Cache-Status"), c.path)
		require.Equal(t, c.tier, resp.Header.Get("X-Cache-Tier"), c.path)
		tier, cache := c.tier, c.cache
		if tier == "" {
			tier, cache = "none", "none"
		}
		want[fmt.Sprintf("imgproxy_requests_total{cache=%q,status=\"%d\",tier=%q}", cache, c.status, tier)]++
		want[fmt.Sprintf("imgproxy_request_duration_seconds_count{tier=%q}", tier)]++
		if c.reason != "" {
			want[fmt.Sprintf("imgproxy_rejections_total{reason=%q}", c.reason)]++
		}
		bytes += float64(len(body))
	}
	want["imgproxy_response_bytes_total{}"] = bytes
	want["imgproxy_collapsed_requests_total{}"] = 0
	// Two misses ran every stage; the 404 and the 415 were queued and
	// fetched as well.
	for stage, n := range map[string]float64{"queue": 4, "fetch": 4, "decode": 2, "resize": 2, "encode": 2} {
		want[fmt.Sprintf("imgproxy_stage_duration_seconds_count{stage=%q}", stage)] = n
	}
	resp, err := http.Get(s.base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	assert.Equal(t, want, scrape(t, s.metrics))
	resp, err = http.Get(s.base + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotEqual(t, 200, resp.StatusCode, "no metrics on the public port")
	assert.NotContains(t, string(body), "imgproxy_")

	lines := s.accessLines(t, len(script)+2)
	require.Len(t, lines, len(script)+2, "one line per request, /healthz and /metrics included")
	for i, c := range script {
		l := lines[i]
		assert.Equal(t, "access", l["msg"])
		assert.Equal(t, "GET", l["method"])
		assert.Equal(t, c.path, l["uri"])
		assert.Equal(t, "HTTP/1.1", l["proto"])
		assert.Equal(t, "127.0.0.1", l["remote_addr"])
		assert.EqualValues(t, c.status, l["status"])
		assert.Equal(t, c.cache, l["cache"], c.path)
		assert.Equal(t, c.tier, l["tier"], c.path)
		assert.Equal(t, "Go-http-client/1.1", l["user_agent"])
		assert.Contains(t, l, "referer")
		assert.Contains(t, l, "duration")
		assert.Contains(t, l, "time")
	}
	miss, hit := lines[0], lines[1]
	assert.Equal(t, "150x150", miss["options"])
	assert.Equal(t, "MISS", miss["cache"])
	assert.Equal(t, "HIT", hit["cache"])
	assert.Equal(t, hit["bytes"], miss["bytes"])
	assert.Positive(t, hit["bytes"])
	healthz := lines[len(script)]
	assert.Equal(t, "/healthz", healthz["uri"])
	assert.EqualValues(t, 200, healthz["status"])
	assert.EqualValues(t, 3, healthz["bytes"])
	assert.NotContains(t, healthz, "cache")
}

// TestServerLogFormat: -log-format json makes the server's own log JSON
// lines; a bad value of the new flags is one clear error, exit status 2.
func TestServerLogFormat(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	cmd := exec.Command(binary, "-listen", "127.0.0.1:0", "-upstream", up.URL+"/", "-log-format", "json")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), sc.Text())
		if rec["msg"] == "imgproxy: listening" {
			assert.NotEmpty(t, rec["addr"])
			break
		}
	}
	for _, args := range [][]string{{"-log-format", "xml"}, {"-access-log", "yes"}} {
		out, err := exec.Command(binary, args...).CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, 2, ee.ExitCode())
		assert.Regexp(t, fmt.Sprintf(`^imgproxy: %s %q: want [a-z, ]+\n$`, args[0], args[1]), string(out), "one line naming the flag and the value")
	}
}
