package main

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		unit int64
		want int64
		bad  bool
	}{
		{"0", 1024, 0, false},
		{"20M", 1024, 20 << 20, false},
		{"20m", 1024, 20 << 20, false},
		{"64K", 1024, 64 << 10, false},
		{"1G", 1024, 1 << 30, false},
		{"50M", 1000, 50_000_000, false},
		{"12345", 1024, 12345, false},
		{"", 1024, 0, true},
		{"M", 1024, 0, true},
		{"-1", 1024, 0, true},
		{"1.5M", 1024, 0, true},
		{"20MB", 1024, 0, true},
		{"99999999999999G", 1024, 0, true},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in, tt.unit)
		if tt.bad {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		again, err := parseSize(formatSize(got, tt.unit), tt.unit)
		require.NoError(t, err)
		assert.Equal(t, got, again)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"30d", 30 * day, false},
		{"40d", 40 * day, false},
		{"2s", 2 * time.Second, false},
		{"1h30m", 90 * time.Minute, false},
		{"1d12h", 36 * time.Hour, false},
		{"2w", 14 * day, false},
		{"500ms", 500 * time.Millisecond, false},
		{"", 0, true},
		{"d", 0, true},
		{"30", 0, true},
		{"-1d", 0, true},
		{"xd", 0, true},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if tt.bad {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		again, err := parseDuration(formatDuration(got))
		require.NoError(t, err)
		assert.Equal(t, got, again)
	}
}

func TestConfigDefaultsEnvAndFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"IMGPROXY_MAX_SOURCE_BYTES": "1M",
		"IMGPROXY_SECRET":           "from-env",
		"IMGPROXY_LISTEN":           ":1",
		"IMGPROXY_LOG_LEVEL":        "debug",
	}
	c, err := parseConfig([]string{"-listen", ":9999", "-max-age", "2d"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":9999", c.listen, "the command line wins over the environment")
	assert.Equal(t, int64(1<<20), c.maxSourceBytes)
	assert.Equal(t, "from-env", c.secret)
	assert.Equal(t, 48*time.Hour, c.maxAge)
	assert.Equal(t, slog.LevelDebug, c.logLevel)
	assert.Equal(t, int64(50_000_000), c.maxPixels)
	assert.Equal(t, int64(64<<20), c.cacheMemory)
	assert.Equal(t, 75, c.jpegQuality)
	assert.Equal(t, "/image/", c.prefix)
	assert.Equal(t, "https://upload.wikimedia.org/", c.upstream)

	for _, args := range [][]string{{"-jpeg-quality", "0"}, {"-max-age", "soon"}, {"-nope"}, {"extra"}} {
		_, err := parseConfig(args, func(string) string { return "" }, io.Discard)
		assert.Error(t, err, args)
	}
	_, err = parseConfig(nil, func(k string) string {
		if k == "IMGPROXY_CACHE_MEMORY" {
			return "lots"
		}
		return ""
	}, io.Discard)
	assert.ErrorContains(t, err, "IMGPROXY_CACHE_MEMORY")
	assert.Equal(t, "IMGPROXY_MAX_SOURCE_BYTES", envName("max-source-bytes"))
}

// FuzzParseSize checks that sizes never panic and that accepted ones
// round-trip through formatSize.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"20M", "0", "64k", "1G", "", "-1", "99999999999999G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, unit := range []int64{1000, 1024} {
			n, err := parseSize(s, unit)
			if err != nil {
				continue
			}
			if n < 0 {
				t.Fatalf("negative size %d from %q", n, s)
			}
			if back, err := parseSize(formatSize(n, unit), unit); err != nil || back != n {
				t.Fatalf("%q: %d does not round-trip (%v)", s, n, err)
			}
		}
	})
}

// FuzzParseDuration checks that durations never panic and that accepted
// ones are not negative and round-trip through formatDuration.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30d", "40d", "2s", "1d12h", "2w", "", "d", "-1d", "1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("negative duration %v from %q", d, s)
		}
		if back, err := parseDuration(formatDuration(d)); err != nil || back != d {
			t.Fatalf("%q: %v does not round-trip (%v)", s, d, err)
		}
	})
}
