package main

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile writes content to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestConfigSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	nginx := writeFile(t, dir, "nginx", "your_secret\n")
	crlf := writeFile(t, dir, "crlf", "12345678\r\n")
	twoNL := writeFile(t, dir, "two", "12345678\n\n")
	short := writeFile(t, dir, "short", "1234567\n")
	empty := writeFile(t, dir, "empty", "\n")
	peer := writeFile(t, dir, "peer", "0123456789abcdef\n")
	peerShort := writeFile(t, dir, "peershort", "0123456789abcde")
	cluster := []string{"-peer-listen", "127.0.0.1:0", "-peers", "http://127.0.0.1:1", "-self", "http://127.0.0.1:1"}
	withCluster := func(a ...string) []string { return append(append([]string{}, cluster...), a...) }

	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		secret     string
		peerSecret string
		wantErr    string
	}{
		{name: "nginx's example secret", args: []string{"-secret", "your_secret"}, secret: "your_secret"},
		{name: "8 bytes", args: []string{"-secret", "12345678"}, secret: "12345678"},
		{name: "7 bytes", args: []string{"-secret", "1234567"}, wantErr: "-secret is 7 bytes: want at least 8"},
		{name: "short from env", env: map[string]string{"IMGPROXY_SECRET": "x"}, wantErr: "-secret is 1 bytes"},
		{name: "file", args: []string{"-secret-file", nginx}, secret: "your_secret"},
		{name: "file with CRLF", args: []string{"-secret-file", crlf}, secret: "12345678"},
		{name: "one newline trimmed", args: []string{"-secret-file", twoNL}, secret: "12345678\n"},
		{name: "file from env", env: map[string]string{"IMGPROXY_SECRET_FILE": nginx}, secret: "your_secret"},
		{name: "short file", args: []string{"-secret-file", short}, wantErr: "-secret-file " + short + " is 7 bytes"},
		{name: "empty file", args: []string{"-secret-file", empty}, wantErr: "is empty"},
		{name: "missing file", args: []string{"-secret-file", filepath.Join(dir, "nope")}, wantErr: "-secret-file: open"},
		{name: "secret and file", args: []string{"-secret", "your_secret", "-secret-file", nginx}, wantErr: "-secret and -secret-file are both set"},
		{name: "env secret and file flag", args: []string{"-secret-file", nginx}, env: map[string]string{"IMGPROXY_SECRET": "your_secret"}, wantErr: "both set"},
		{name: "peer 16 bytes", args: withCluster("-peer-secret", "0123456789abcdef"), peerSecret: "0123456789abcdef"},
		{name: "peer 15 bytes", args: withCluster("-peer-secret", "0123456789abcde"), wantErr: "-peer-secret is 15 bytes: want at least 16"},
		{name: "peer file", args: withCluster("-peer-secret-file", peer), peerSecret: "0123456789abcdef"},
		{name: "peer file from env", args: cluster, env: map[string]string{"IMGPROXY_PEER_SECRET_FILE": peer}, peerSecret: "0123456789abcdef"},
		{name: "peer from env", args: cluster, env: map[string]string{"IMGPROXY_PEER_SECRET": "0123456789abcdef"}, peerSecret: "0123456789abcdef"},
		{name: "peer short file", args: withCluster("-peer-secret-file", peerShort), wantErr: "is 15 bytes: want at least 16"},
		{name: "peer and file", args: withCluster("-peer-secret", "0123456789abcdef", "-peer-secret-file", peer), wantErr: "-peer-secret and -peer-secret-file are both set"},
		{name: "peer file alone is not a cluster", args: []string{"-peer-secret-file", peer}, wantErr: "a cluster needs all of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				for _, s := range []string{"your_secret", "1234567", "0123456789abcde"} {
					assert.NotContains(t, err.Error(), s, "the error shows no secret")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.secret, c.secret)
			assert.Equal(t, tt.peerSecret, c.peerSecret)
		})
	}
}

func TestReadSecretFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for in, want := range map[string]string{
		"abc":        "abc",
		"abc\n":      "abc",
		"abc\r\n":    "abc",
		"abc\n\n":    "abc\n",
		"abc\r":      "abc\r",
		" abc \n":    " abc ",
		"\n":         "",
		"a\nb\n":     "a\nb",
		"tab\tkey\n": "tab\tkey",
	} {
		got, err := readSecretFile(writeFile(t, dir, "f", in))
		require.NoError(t, err)
		assert.Equal(t, want, got, "%q", in)
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://user:hunter2@origin.example/base/": "http://user:xxxxx@origin.example/base/",
		"https://origin.example/":                  "https://origin.example/",
		"http://user@origin.example/":              "http://user@origin.example/",
		"./samples":                                "./samples",
		"":                                         "",
	} {
		assert.Equal(t, want, redactURL(in), in)
	}
	err := redactErr(errors.New(`bad "http://u:hunter2@h/?q": no`), "http://u:hunter2@h/?q")
	assert.Equal(t, `bad "http://u:xxxxx@h/?q": no`, err.Error())
}

// runExit runs the binary with args and env until it exits, and returns
// its exit status and stderr.
func runExit(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"GORACE=halt_on_error=1"}, env...) // nothing inherited
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stderr.String()
}

func TestServerRefusesBadSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	short := writeFile(t, dir, "short", "1234567\n")
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"short -secret", nil, []string{"-secret", "1234567"}, "-secret is 7 bytes: want at least 8"},
		{"short IMGPROXY_SECRET", []string{"IMGPROXY_SECRET=1234567"}, nil, "-secret is 7 bytes"},
		{"short -secret-file", nil, []string{"-secret-file", short}, "is 7 bytes"},
		{"both", nil, []string{"-secret", "your_secret", "-secret-file", short}, "both set"},
		{"short -peer-secret", nil, []string{"-peer-listen", "127.0.0.1:0", "-peers", "http://127.0.0.1:1", "-self", "http://127.0.0.1:1", "-peer-secret", "short-secret"}, "-peer-secret is 12 bytes: want at least 16"},
		{"password in a bad -upstream", nil, []string{"-upstream", "http://user:hunter2@origin.invalid/?q=1"}, "user:xxxxx@origin.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stderr := runExit(t, tt.env, append([]string{"-listen", "127.0.0.1:0"}, tt.args...)...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.NotContains(t, stderr, "1234567")
			assert.NotContains(t, stderr, "hunter2")
		})
	}
}

func TestServerLogsNoUpstreamPassword(t *testing.T) {
	t.Parallel()
	up, _ := origin(t)
	withUser := strings.Replace(up.URL, "http://", "http://user:hunter2@", 1) + "/"
	s := startServer(t, "-upstream", withUser, "-log-level", "debug")
	resp, _ := s.do(t, "GET", "/image/100x100/photo.jpg")
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/image/100x100/missing.jpg")
	assert.Equal(t, 404, resp.StatusCode)
	resp, _ = s.do(t, "GET", "/image/100x100/text.txt")
	assert.Equal(t, 415, resp.StatusCode)
	logs := s.logs.String()
	assert.Contains(t, logs, "user:xxxxx@")
	assert.NotContains(t, logs, "hunter2")

	// A transport error quotes the URL of the request.
	closed := "http://user:hunter2@" + hangUp(t) + "/"
	s = startServer(t, "-upstream", closed, "-log-level", "debug")
	resp, _ = s.do(t, "GET", "/image/100x100/photo.jpg")
	assert.Equal(t, 502, resp.StatusCode)
	assert.NotContains(t, s.logs.String(), "hunter2")
}

// hangUp returns the loopback address of a listener that closes every
// connection at once (a transport error for any client). A port merely
// left free can be taken by a parallel test's server meanwhile.
func hangUp(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}
