package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// startupError is what the command reports before serving for args and
// env: a configuration error, or one of newHandler's checks.
func startupError(args []string, env map[string]string) error {
	cfg, err := parseConfig(args, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		return err
	}
	_, err = newHandler(cfg, slog.New(slog.DiscardHandler))
	return err
}

// configErrorCase is one configuration mistake and the line it must give.
type configErrorCase struct {
	name string
	args []string
	env  map[string]string
	want string
}

func configErrorCases(t *testing.T, dir string) []configErrorCase {
	file := writeFile(t, dir, "file", "x")
	toml := func(name, data string) string { return writeFile(t, dir, name, data) }
	unknown := toml("unknown.toml", "max-source-bytes = \"1M\"\njpeg-qualty = 80\n")
	bad := toml("bad.toml", "jpeg-quality = \"high\"\n")
	syntax := toml("syntax.toml", "jpeg-quality =\n")
	meta := toml("meta.toml", "print-config = true\n")
	table := toml("table.toml", "[cache]\ndir = \"x\"\n")
	short := toml("short.toml", "secret = \"1234\"\n")
	return []configErrorCase{
		{"env not an integer", nil, map[string]string{"IMGPROXY_JPEG_QUALITY": "abc"}, `imgproxy: IMGPROXY_JPEG_QUALITY="abc": want an integer`},
		{"flag not an integer", []string{"-jpeg-quality", "abc"}, nil, `imgproxy: -jpeg-quality "abc": want an integer`},
		{"flag out of range", []string{"-jpeg-quality", "0"}, nil, `imgproxy: -jpeg-quality 0: want 1..100`},
		{"env out of range", nil, map[string]string{"IMGPROXY_JPEG_QUALITY": "101"}, `imgproxy: -jpeg-quality 101: want 1..100 (set by IMGPROXY_JPEG_QUALITY)`},
		{"integer overflow", []string{"-max-ranges", "99999999999999999999"}, nil, `imgproxy: -max-ranges "99999999999999999999": out of range`},
		{"env not a boolean", nil, map[string]string{"IMGPROXY_AUTO_ORIENT": "maybe"}, `imgproxy: IMGPROXY_AUTO_ORIENT="maybe": want true or false`},
		{"flag not a boolean", []string{"-stale-if-error=maybe"}, nil, `imgproxy: -stale-if-error "maybe": want true or false`},
		{"bad size", []string{"-max-source-bytes", "20MB"}, nil, `imgproxy: -max-source-bytes "20MB": want a number with an optional K, M or G suffix`},
		{"env bad size", nil, map[string]string{"IMGPROXY_CACHE_MEMORY": "lots"}, `imgproxy: IMGPROXY_CACHE_MEMORY="lots": want a number with an optional K, M or G suffix`},
		{"bad duration", []string{"-max-age", "soon"}, nil, `imgproxy: -max-age "soon": want a duration such as 30d, 12h or 90s`},
		{"bad log level", []string{"-log-level", "loud"}, nil, `imgproxy: -log-level "loud": want debug, info, warn or error`},
		{"unknown flag", []string{"-nope"}, nil, `imgproxy: -nope: no such flag (imgproxy -h lists them)`},
		{"missing value", []string{"-prefix"}, nil, `imgproxy: flag needs an argument: -prefix`},
		{"extra argument", []string{"extra"}, nil, `imgproxy: unexpected arguments: ["extra"]`},
		{"prefix without slash", []string{"-prefix", "/thumbs", "-upstream", dir}, nil, `imgproxy: -prefix "/thumbs": must start and end with /`},
		{"missing upstream directory", []string{"-upstream", "./nonexistent"}, nil, `imgproxy: -upstream "./nonexistent": no such directory`},
		{"upstream is a file", []string{"-upstream", file}, nil, `imgproxy: -upstream "` + file + `": not a directory`},
		{"upstream scheme", []string{"-upstream", "ftp://example.com/"}, nil, `imgproxy: -upstream "ftp://example.com/": want an http(s) URL or a directory`},
		{"upstream without host", []string{"-upstream", "http://"}, nil, `imgproxy: -upstream "http://": want an absolute http or https URL`},
		{"upstream password", []string{"-upstream", "ftp://u:hunter2@example.com/"}, nil, `imgproxy: -upstream "ftp://u:xxxxx@example.com/": want an http(s) URL or a directory`},
		{"cache under a file", []string{"-upstream", dir, "-cache-dir", filepath.Join(file, "cache")}, nil, `imgproxy: -cache-dir "` + filepath.Join(file, "cache") + `": cannot be created: not a directory`},
		{"cache is a file", []string{"-upstream", dir, "-cache-dir", file}, nil, `imgproxy: -cache-dir "` + file + `": cannot be created: not a directory`},
		{"timeout zero", []string{"-timeout", "0s"}, nil, `imgproxy: -timeout 0s: want more than 0`},
		{"max in flight negative", []string{"-max-in-flight", "-1"}, nil, `imgproxy: -max-in-flight -1: want 0 or more`},
		{"user agent with a newline", []string{"-user-agent", "a\nX-Evil: 1"}, nil, `imgproxy: -user-agent "a\nX-Evil: 1": control characters are not allowed in a header`},
		{"sizes listed twice", []string{"-sizes", "10x10,10x10"}, nil, `imgproxy: -sizes "10x10,10x10": size 10x10 listed twice`},
		{"config unknown key", []string{"-config", unknown}, nil, `imgproxy: -config "` + unknown + `": unknown key "jpeg-qualty" (the keys are the flag names)`},
		{"config bad value", []string{"-config", bad}, nil, `imgproxy: -config "` + bad + `": jpeg-quality = "high": want an integer`},
		{"config syntax", []string{"-config", syntax}, nil, `imgproxy: -config "` + syntax + `": toml: line 1 (last key "jpeg-quality"): expected value but found '\n' instead`},
		{"config command-line flag", []string{"-config", meta}, nil, `imgproxy: -config "` + meta + `": "print-config": only on the command line`},
		{"config table", []string{"-config", table}, nil, `imgproxy: -config "` + table + `": unknown key "cache" (the keys are the flag names)`},
		{"config short secret", []string{"-config", short}, nil, `imgproxy: -secret is 4 bytes: want at least 8 (nginx sites keep theirs) (set by config file ` + short + `)`},
		{"config missing", []string{"-config", filepath.Join(dir, "gone.toml")}, nil, `imgproxy: -config "` + filepath.Join(dir, "gone.toml") + `": no such file or directory`},
		{"env config missing", nil, map[string]string{"IMGPROXY_CONFIG": filepath.Join(dir, "gone.toml")}, `imgproxy: -config "` + filepath.Join(dir, "gone.toml") + `": no such file or directory`},
	}
}

func TestConfigErrorsNameTheFlagAndValueOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range configErrorCases(t, t.TempDir()) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := startupError(tt.args, tt.env)
			require.Error(t, err)
			line := errorLine(err)
			assert.Equal(t, tt.want, line)
			assert.NotContains(t, line, "\n", "one line")
			assert.Equal(t, 1, strings.Count(line, "imgproxy:"), "the prefix once")
			assert.NotContains(t, line, "hunter2")
		})
	}
}

// TestBinaryConfigErrors runs the real command for some of the cases: one
// line on stderr, exit status 2, nothing served.
func TestBinaryConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pick := map[string]bool{"env not an integer": true, "prefix without slash": true, "missing upstream directory": true,
		"cache under a file": true, "config unknown key": true, "unknown flag": true, "env out of range": true}
	for _, tt := range configErrorCases(t, dir) {
		if !pick[tt.name] {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runBinary(t, dir, tt.env, tt.args...)
			assert.Equal(t, 2, code)
			assert.Equal(t, tt.want+"\n", stderr)
			assert.Empty(t, stdout)
		})
	}
}

// runBinary runs the command in dir with only env (and PATH, HOME) in its
// environment, returning its output and exit status.
func runBinary(t *testing.T, dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GORACE=halt_on_error=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errOut.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

func TestBinaryPrintsAndExits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stdout, stderr, code := runBinary(t, dir, nil, "-version")
	assert.Equal(t, 0, code)
	assert.Empty(t, stderr)
	assert.Regexp(t, `^imgproxy \S+.* go1\.\d+\S*\n$`, stdout)

	file := writeFile(t, dir, "imgproxy.toml", "webp-quality = 60\n")
	stdout, stderr, code = runBinary(t, dir, map[string]string{"IMGPROXY_SECRET": "s3cr3t-value"}, "-config", file, "-print-config", "-jpeg-quality", "90")
	assert.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Regexp(t, `(?m)^jpeg-quality = "90" +# command line$`, stdout)
	assert.Regexp(t, `(?m)^webp-quality = "60" +# config file `+regexpQuote(file)+`$`, stdout)
	assert.Regexp(t, `(?m)^secret = "\*\*\*" +# IMGPROXY_SECRET$`, stdout)
	assert.Regexp(t, `(?m)^listen = ":8080" +# default$`, stdout)
	assert.NotContains(t, stdout, "s3cr3t-value")

	secret := writeFile(t, dir, "secret", "from-a-file\n")
	stdout, _, code = runBinary(t, dir, nil, "-print-config", "-secret-file", secret)
	assert.Equal(t, 0, code)
	assert.Regexp(t, `(?m)^secret = "\*\*\*" +# read from -secret-file$`, stdout)
	assert.NotContains(t, stdout, "from-a-file")

	_, stderr, code = runBinary(t, dir, nil, "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "Usage: imgproxy")
	assert.Contains(t, stderr, "-print-config")
}

func regexpQuote(s string) string {
	return strings.NewReplacer(`.`, `\.`, `/`, `/`, `+`, `\+`, `(`, `\(`, `)`, `\)`).Replace(s)
}

func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "imgproxy.toml", "jpeg-quality = 60\nwebp-quality = 61\navif-quality = 62\n")
	env := map[string]string{"IMGPROXY_JPEG_QUALITY": "70", "IMGPROXY_WEBP_QUALITY": "71", "IMGPROXY_CONFIG": file}
	c, err := parseConfig([]string{"-jpeg-quality", "80"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	tests := []struct {
		flag   string
		got    int
		want   int
		origin string
	}{
		{"jpeg-quality", c.jpegQuality, 80, originFlag},
		{"webp-quality", c.webpQuality, 71, "IMGPROXY_WEBP_QUALITY"},
		{"avif-quality", c.avifQuality, 62, originFile + file},
		{"avif-speed", c.avifSpeed, 0, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, tt.flag)
		assert.Equal(t, tt.origin, c.origins[tt.flag], tt.flag)
	}
	assert.Equal(t, "IMGPROXY_CONFIG", c.origins["config"], "the file itself may be named in the environment")
}

func TestConfigFileValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "imgproxy.toml", `
max-source-bytes = "5M"   # a size as the flag writes it
max-age = "2d"
stale-if-error = true
max-ranges = 4
sizes = ["150x150", "640x-"]
user-agent = "thumbs.example.org (ops@example.org)"
`)
	c, err := parseConfig([]string{"-config", file}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int64(5<<20), c.maxSourceBytes)
	assert.Equal(t, "2d", formatDuration(c.maxAge))
	assert.True(t, c.staleIfError)
	assert.Equal(t, 4, c.maxRanges)
	assert.Equal(t, "150x150,640x-", c.sizes)
	assert.Equal(t, "thumbs.example.org (ops@example.org)", c.userAgent)
}

func TestPrintConfigReadsBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "in.toml", "sizes = \"100x100\"\nuser-agent = \"q\\\"uote \\\\ tab\\t.\"\n")
	env := map[string]string{"IMGPROXY_MAX_AGE": "3d", "IMGPROXY_SECRET": "a-secret-of-8+"}
	c, err := parseConfig([]string{"-config", file, "-upstream", "https://u:hunter2@example.com/"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	var first strings.Builder
	require.NoError(t, c.writeConfig(&first))
	out := first.String()
	assert.NotContains(t, out, "hunter2")
	assert.NotContains(t, out, "a-secret-of-8+")
	assert.Regexp(t, `(?m)^secret = "\*\*\*" +# IMGPROXY_SECRET$`, out)
	assert.Regexp(t, `(?m)^upstream = "https://u:xxxxx@example.com/" +# command line$`, out)

	// Without the masked values, the output reads back to the same settings.
	back := writeFile(t, dir, "back.toml", strings.NewReplacer(`secret = "***"`, "").Replace(out))
	c2, err := parseConfig([]string{"-config", back, "-upstream", "https://u:xxxxx@example.com/"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	var second strings.Builder
	require.NoError(t, c2.writeConfig(&second))
	assert.Equal(t, settings(out), settings(second.String()))
	assert.Equal(t, c.userAgent, c2.userAgent)
}

// settings are the key = value lines of a -print-config output, without
// their comments, but for secret, which is masked.
func settings(out string) []string {
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		k, _, _ := strings.Cut(line, " ")
		if line == "" || strings.HasPrefix(line, "#") || k == "secret" {
			continue
		}
		v, _, _ := strings.Cut(line, "  #")
		lines = append(lines, strings.TrimSpace(v))
	}
	return lines
}

func TestValueErrorMasksSecrets(t *testing.T) {
	t.Parallel()
	var n int
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.IntVar(&n, "hmac-key", 0, "")
	err := valueError("-hmac-key ", "hmac-key", fs.Lookup("hmac-key").Value, "topsecret", errors.New("parse error"))
	assert.Equal(t, `-hmac-key "***": want an integer`, err.Error())
	for name, secret := range map[string]bool{"secret": true, "peer-secret": true, "hmac-key": true, "hmac-keys": true,
		"secret-file": false, "hmac-key-file": false, "max-header-bytes": false, "keep-icc": false} {
		assert.Equal(t, secret, isSecret(name), name)
	}
}

// FuzzConfigFile feeds arbitrary files to -config: no panic, and a file
// that is accepted prints (-print-config) a configuration that reads back
// as the same.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"jpeg-quality = 80\n", "sizes = [\"1x1\", \"2x2\"]\n", "user-agent = \"a\\u0001\\\"b\"\n", "[x]\ny = 1\n",
		"max-age = \"1d12h\"\nstale-if-error = true\n", "max-pixels = 1.5e6\n", "a.b = 1\n", "listen = 2024-01-01\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data string) {
		file := filepath.Join(t.TempDir(), "f.toml")
		require.NoError(t, os.WriteFile(file, []byte(data), 0o600))
		none := func(string) string { return "" }
		c, err := parseConfig([]string{"-config", file, "-secret-file", "", "-peer-secret-file", "", "-upstream", dir}, none, io.Discard)
		if err != nil || c.secret != "" || c.peerSecret != "" {
			return
		}
		var out strings.Builder
		require.NoError(t, c.writeConfig(&out))
		back := filepath.Join(t.TempDir(), "back.toml")
		require.NoError(t, os.WriteFile(back, []byte(out.String()), 0o600))
		c2, err := parseConfig([]string{"-config", back}, none, io.Discard)
		require.NoError(t, err, out.String())
		var again strings.Builder
		require.NoError(t, c2.writeConfig(&again))
		require.Equal(t, settings(out.String()), settings(again.String()))
	})
}

func TestRequestFlagsReachTheHandler(t *testing.T) {
	t.Parallel()
	agents := make(chan string, 1)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.UserAgent()
		http.NotFound(w, r)
	}))
	defer origin.Close()
	cfg, err := parseConfig([]string{"-upstream", origin.URL + "/", "-user-agent", "thumbs.example.org (ops@example.org)",
		"-timeout", "7s", "-max-in-flight", "3"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	h, err := newHandler(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Equal(t, 7*time.Second, h.Timeout)
	assert.Equal(t, 3, h.MaxInFlight)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/image/10x10/a.jpg", nil))
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "thumbs.example.org (ops@example.org)", <-agents)

	cfg, err = parseConfig([]string{"-upstream", origin.URL + "/"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	h, err = newHandler(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/image/10x10/b.jpg", nil))
	assert.Equal(t, imgproxy.DefaultUserAgent, <-agents, "by default, the library's, which names the project")
}
