package main

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestMachineMemory(t *testing.T) {
	t.Parallel()
	const meminfo = "MemTotal:       24684084 kB\nMemFree:        24111620 kB\n"
	tests := []struct {
		name            string
		meminfo, cgroup string
		want            int64
	}{
		{"meminfo", meminfo, "", 24684084 << 10},
		{"cgroup max", meminfo, "max\n", 24684084 << 10},
		{"cgroup lower", meminfo, "1073741824\n", 1 << 30},
		{"cgroup higher", meminfo, "99999999999999\n", 24684084 << 10},
		{"cgroup only", "", "536870912", 512 << 20},
		{"nothing", "", "", 0},
		{"garbage", "MemTotal: lots kB\n", "x", 0},
		{"other unit", "MemTotal: 12 MB\n", "", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, machineMemory([]byte(tt.meminfo), []byte(tt.cgroup)), tt.name)
	}
}

func TestDeriveBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		total      int64
		gomemlimit bool
		lib, want  int64
	}{
		{"quarter", 2 << 30, false, 1 << 30, 512 << 20},
		{"capped at 4G", 64 << 30, false, 1 << 30, 4 << 30},
		{"unknown machine", 0, false, 1 << 30, 1 << 30},
		{"GOMEMLIMIT lower", 8 << 30, true, 256 << 20, 256 << 20},
		{"GOMEMLIMIT higher", 8 << 30, true, 3 << 30, 2 << 30},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, deriveBudget(tt.total, tt.gomemlimit, tt.lib), tt.name)
	}
	b := defaultMemoryBudget(func(string) string { return "" })
	assert.Positive(t, b)
	assert.LessOrEqual(t, b, int64(4<<30))
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	assert.Equal(t, int64(256<<20+64<<20+256<<20), memoryLimit(&config{memoryBudget: 256 << 20, cacheMemory: 64 << 20}))
	assert.Equal(t, int64(256<<20+256<<20+2*imgproxy.DefaultGroupCacheBytes),
		memoryLimit(&config{memoryBudget: 256 << 20, peers: "http://a"}), "the cluster's caches count")
	assert.Zero(t, memoryLimit(&config{cacheMemory: 64 << 20}), "no budget, no limit")
}

func TestConfigAdmissionFlags(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	c, err := parseConfig([]string{"-memory-budget", "256M", "-max-queue", "3", "-max-wait", "2s",
		"-max-output-pixels", "10M", "-max-output", "5M", "-upstream", "../../samples"}, noEnv, io.Discard)
	require.NoError(t, err)
	h, err := newHandler(c, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	r := h.Resizer.(*imgproxy.BildResizer)
	assert.Equal(t, int64(256<<20), r.MemoryBudget)
	assert.Equal(t, 3, r.MaxQueue)
	assert.Equal(t, 2*time.Second, r.MaxWait)
	assert.Equal(t, int64(10_000_000), r.MaxOutputPixels)
	assert.Equal(t, int64(5<<20), r.MaxOutputBytes)

	c, err = parseConfig([]string{"-upstream", "../../samples"}, func(k string) string {
		return map[string]string{"IMGPROXY_MEMORY_BUDGET": "0", "IMGPROXY_MAX_QUEUE": "-1"}[k]
	}, io.Discard)
	require.NoError(t, err)
	h, err = newHandler(c, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	r = h.Resizer.(*imgproxy.BildResizer)
	assert.Negative(t, r.MemoryBudget, "0 on the command line: no bound")
	assert.Equal(t, -1, r.MaxQueue)
	assert.Equal(t, imgproxy.DefaultMaxWait, r.MaxWait)
	assert.Equal(t, int64(imgproxy.DefaultMaxOutputPixels), r.MaxOutputPixels)
	assert.Equal(t, int64(imgproxy.DefaultMaxOutputBytes), r.MaxOutputBytes)

	for _, args := range [][]string{{"-max-queue", "-2"}, {"-memory-budget", "lots"}, {"-max-output", "-1"}, {"-max-wait", "soon"}} {
		_, err := parseConfig(args, noEnv, io.Discard)
		assert.Error(t, err, args)
	}
}

var memoryLogRE = regexp.MustCompile(`imgproxy: memory" budget=(\S+) (limit|GOMEMLIMIT)=(\S+)`)

// TestServerMemoryLimit: the process sets the runtime's limit from the
// budget and the cache unless GOMEMLIMIT is set, and says which.
func TestServerMemoryLimit(t *testing.T) {
	t.Parallel()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			env = append(env, kv)
		}
	}
	for _, tt := range []struct {
		env        []string
		args       []string
		key, value string
	}{
		{env, []string{"-memory-budget", "256M", "-cache-memory", "64M"}, "limit", "576M"},
		{append(env, "GOMEMLIMIT=1GiB"), []string{"-memory-budget", "256M"}, "GOMEMLIMIT", "1GiB"},
		{env, []string{"-memory-budget", "0"}, "limit", "0"},
	} {
		s := startServerEnv(t, tt.env, append([]string{"-upstream", "../../samples"}, tt.args...)...)
		m := memoryLogRE.FindStringSubmatch(s.logs.String())
		require.NotNil(t, m, s.logs.String())
		assert.Equal(t, []string{tt.key, tt.value}, m[2:], tt.args)
	}
}

// TestCgroupMemoryMax: the tightest memory.max on the process's own cgroup
// path wins, so a systemd service's MemoryMax= (set on its own cgroup, not
// the root) bounds the default budget.
func TestCgroupMemoryMax(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"/sys/fs/cgroup/memory.max":                               "max\n",
		"/sys/fs/cgroup/system.slice/memory.max":                  "max\n",
		"/sys/fs/cgroup/system.slice/imgproxy.service/memory.max": "1073741824\n",
		"/sys/fs/cgroup/user.slice/memory.max":                    "536870912\n",
		"/sys/fs/cgroup/user.slice/user-0.slice/session.scope/x":  "",
		"/sys/fs/cgroup/kubepods/pod1/memory.max":                 "2147483648\n",
		"/sys/fs/cgroup/kubepods/memory.max":                      "4294967296\n",
	}
	read := func(p string) []byte {
		if v, ok := files[p]; ok {
			return []byte(v)
		}
		return nil
	}
	for _, tt := range []struct {
		name, self, want string
	}{
		{"systemd service", "0::/system.slice/imgproxy.service\n", "1073741824\n"},
		{"limit on an ancestor", "0::/user.slice/user-0.slice/session.scope\n", "536870912\n"},
		{"tightest of two levels", "0::/kubepods/pod1\n", "2147483648\n"},
		{"container root", "0::/\n", "max\n"},
		{"cgroup v1 only", "12:memory:/docker/abc\n", "max\n"},
		{"unreadable self", "", "max\n"},
	} {
		assert.Equal(t, tt.want, string(cgroupMemoryMax([]byte(tt.self), read)), tt.name)
	}
	assert.Nil(t, cgroupMemoryMax([]byte("0::/nowhere\n"), func(string) []byte { return nil }))
}
