package main

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	tigerPath  = "/image/150x150/wikipedia/commons/0/01/Tiger.25.jpg"
	tigerToken = "TwcXg954Rhkjt1RK8IO4jA" // the issue's, from the openssl one-liner
	signKey    = "sign-test-key-0123456789abcdef!!"
	oldKey     = "sign-test-old-key-0123456789abcd"
)

// runSignIn runs the sign subcommand in this process.
func runSignIn(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb strings.Builder
	code = runSign(args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

// lastLine returns the last line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestSignCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := writeFile(t, dir, "secret", "your_secret\n")
	keyFile := writeFile(t, dir, "keys", "\n"+signKey+"\r\n"+oldKey+"\n")
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    string // the last line of stdout
		wantErr string // a part of stderr, for exit status 2
	}{
		{name: "the issue's example", args: []string{"-secret", "your_secret", tigerPath}, want: tigerPath + "?auth=" + tigerToken},
		{name: "token only", args: []string{"-token", "-secret", "your_secret", tigerPath}, want: tigerToken},
		{name: "path after the prefix", args: []string{"-token", "-secret", "your_secret", strings.TrimPrefix(tigerPath, "/image/")}, want: tigerToken},
		{name: "secret file", args: []string{"-token", "-secret-file", secretFile, tigerPath}, want: tigerToken},
		{name: "secret from env", env: map[string]string{"IMGPROXY_SECRET": "your_secret"}, args: []string{"-token", tigerPath}, want: tigerToken},
		{name: "expiring md5", args: []string{"-secret", "your_secret", "-expires", "2000000000", "/image/150x150/photo.jpg"},
			want: "/image/150x150/photo.jpg?auth=GcpFrDuytADe_lII_RkCQQ&expires=2000000000"}, // TestServerSecureLink's openssl fixture
		{name: "other prefix", args: []string{"-secret", "your_secret", "-prefix", "/t/", "150x150/a.jpg"}, want: "/t/150x150/a.jpg?auth=" + md5Token("", "/t/150x150/a.jpg")},
		{name: "prefix from env", env: map[string]string{"IMGPROXY_PREFIX": "/t/", "IMGPROXY_SECRET": "your_secret"}, args: []string{"150x150/a.jpg"}, want: "/t/150x150/a.jpg?auth=" + md5Token("", "/t/150x150/a.jpg")},
		{name: "escaped", args: []string{"-secret", "your_secret", "--", "-x-/a b/ü%.jpg"}, want: "/image/-x-/a%20b/%C3%BC%25.jpg?auth=" + md5Token("", "/image/-x-/a b/ü%.jpg")},
		{name: "hmac", args: []string{"-hmac-key", signKey, "-token", "150x150/a.jpg"}, want: hmacToken(signKey, "", "/image/150x150/a.jpg")},
		{name: "hmac first of a list signs", env: map[string]string{"IMGPROXY_HMAC_KEY": signKey + "," + oldKey}, args: []string{"-token", "150x150/a.jpg"}, want: hmacToken(signKey, "", "/image/150x150/a.jpg")},
		{name: "hmac key file", args: []string{"-hmac-key-file", keyFile, "-token", "150x150/a.jpg"}, want: hmacToken(signKey, "", "/image/150x150/a.jpg")},
		{name: "hmac expiring", args: []string{"-hmac-key", signKey, "-expires", "2000000000", "150x150/a.jpg"},
			want: "/image/150x150/a.jpg?sig=" + hmacToken(signKey, "2000000000", "/image/150x150/a.jpg") + "&expires=2000000000"},
		{name: "env holds both: hmac signs", env: map[string]string{"IMGPROXY_SECRET": "your_secret", "IMGPROXY_HMAC_KEY": signKey}, args: []string{"-token", "150x150/a.jpg"}, want: hmacToken(signKey, "", "/image/150x150/a.jpg")},
		{name: "command line scheme wins over env", env: map[string]string{"IMGPROXY_HMAC_KEY": signKey}, args: []string{"-secret", "your_secret", "-token", tigerPath}, want: tigerToken},
		{name: "no key", args: []string{tigerPath}, wantErr: "no key: give -secret"},
		{name: "both schemes", args: []string{"-secret", "your_secret", "-hmac-key", signKey, tigerPath}, wantErr: "give one scheme"},
		{name: "short secret", args: []string{"-secret", "1234567", tigerPath}, wantErr: "-secret is 7 bytes: want at least 8"},
		{name: "short hmac key", args: []string{"-hmac-key", signKey + ",1234567", tigerPath}, wantErr: "-hmac-key #2 of 2 is 7 bytes: want at least 16"},
		{name: "question mark", args: []string{"-secret", "your_secret", "/image/50x50/q?x.png"}, wantErr: `'?' not allowed`},
		{name: "hash", args: []string{"-secret", "your_secret", "50x50/a#b.png"}, wantErr: `'#' not allowed`},
		{name: "dot segment", args: []string{"-secret", "your_secret", "50x50/a/../b.png"}, wantErr: "dot segment"},
		{name: "bad options", args: []string{"-secret", "your_secret", "50x50,spin/b.png"}, wantErr: `bad options "50x50,spin"`},
		{name: "outside the prefix", args: []string{"-secret", "your_secret", "/thumbs/50x50/b.png"}, wantErr: "outside prefix /image/"},
		{name: "expired", args: []string{"-secret", "your_secret", "-expires", "1000000000", tigerPath}, wantErr: "-expires 1000000000: 2001-09-09T01:46:40Z is already past"},
		{name: "bad expires", args: []string{"-secret", "your_secret", "-expires", "soon", tigerPath}, wantErr: `-expires "soon": want a duration`},
		{name: "two paths", args: []string{"-secret", "your_secret", tigerPath, tigerPath}, wantErr: "want one PATH, got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runSignIn(tt.env, tt.args...)
			if tt.wantErr != "" {
				assert.Equal(t, 2, code, stderr)
				assert.Contains(t, stderr, tt.wantErr)
				assert.Empty(t, stdout)
				for _, s := range []string{"your_secret", "1234567", signKey} {
					assert.NotContains(t, stderr, s, "no secret in the message")
				}
				return
			}
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, tt.want, lastLine(stdout))
		})
	}
	code, stdout, stderr := runSignIn(nil, "-token", "-secret", "your_secret", "-expires", "2000000000", "150x150/photo.jpg")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "GcpFrDuytADe_lII_RkCQQ\n", stdout, "the token alone")
	assert.Equal(t, "expires=2000000000\n", stderr, "its expiry beside it")
	code, _, stderr = runSignIn(nil, "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "Usage: imgproxy sign")
}

// md5Token is nginx's token, computed here from its definition.
func md5Token(expires, path string) string {
	sum := md5.Sum([]byte(expires + path + " your_secret"))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// hmacToken is HMACSigner's sig, computed here from its definition.
func hmacToken(key, expires, path string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(expires + "\n" + path))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestSignMatchesOpenSSL compares the sign command's tokens with the
// openssl one-liners of the README, run as shell pipelines.
func TestSignMatchesOpenSSL(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not found: the tokens are checked against their definitions in TestSignCommand only")
	}
	const md5Pipe = `printf '%s' "$1 your_secret" | openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =`
	const hmacPipe = `printf '%s\n%s' "" "$1" | openssl dgst -sha256 -hmac "$2" -binary | openssl base64 | tr +/ -_ | tr -d =`
	for _, p := range []string{tigerPath, "/image/150x150,crop/a b/ü.jpg", "/image/-x-/100%.jpg"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct{ pipe, flag, key string }{{md5Pipe, "-secret", "your_secret"}, {hmacPipe, "-hmac-key", signKey}} {
				out, err := exec.Command("sh", "-c", c.pipe, "sh", p, c.key).Output()
				require.NoError(t, err)
				code, stdout, stderr := runSignIn(nil, "-token", c.flag, c.key, p)
				require.Equal(t, 0, code, stderr)
				assert.Equal(t, strings.TrimSpace(string(out)), lastLine(stdout), "%s %s", c.flag, p)
			}
		})
	}
	code, stdout, _ := runSignIn(nil, "-token", "-secret", "your_secret", tigerPath)
	require.Equal(t, 0, code)
	assert.Equal(t, tigerToken, lastLine(stdout))
}

// TestSignVerifiesAgainstServer signs links with the command, as a real
// process, and GETs them from a real server holding both schemes' keys:
// each kind is 200, a tampered one 403, an expired one 410.
func TestSignVerifiesAgainstServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pic := testJPEG(t, 400, 300)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a b"), 0o755))
	for _, n := range []string{"photo.jpg", "a b/ü 100%.jpg"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(n)), pic, 0o644))
	}
	keys := writeFile(t, dir, "keys", signKey+"\n"+oldKey+"\n")
	s := startServerEnv(t, []string{"IMGPROXY_SECRET=your_secret"}, "-upstream", dir, "-hmac-key-file", keys)
	tests := []struct {
		name string
		args []string
	}{
		{"md5", []string{"-secret", "your_secret"}},
		{"md5 expiring", []string{"-secret", "your_secret", "-expires", "1h"}},
		{"hmac", []string{"-hmac-key", signKey}},
		{"hmac expiring", []string{"-hmac-key", signKey, "-expires", "2000000000"}},
		{"hmac old key still verifies", []string{"-hmac-key", oldKey, "-expires", "7d"}},
		{"hmac key file", []string{"-hmac-key-file", keys}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range []string{"150x150/photo.jpg", "/image/100x100,crop/a b/ü 100%.jpg"} {
				stdout, stderr, code := runBinary(t, t.TempDir(), nil, append(append([]string{"sign"}, tt.args...), p)...)
				require.Equal(t, 0, code, stderr)
				link := lastLine(stdout)
				resp, body := s.do(t, "GET", link)
				require.Equal(t, 200, resp.StatusCode, "%s: %s", link, body)
				w, h := dims(t, body)
				assert.LessOrEqual(t, max(w, h), 150, link)
				tampered := strings.Replace(strings.Replace(link, "150x150", "151x151", 1), "100x100", "101x101", 1)
				resp, _ = s.do(t, "GET", tampered)
				assert.Equal(t, 403, resp.StatusCode, tampered)
			}
		})
	}
	// Links past their time, made here from the schemes' definitions: the
	// command refuses to make them.
	for _, link := range []string{
		"/image/150x150/photo.jpg?auth=" + md5Token("1000000000", "/image/150x150/photo.jpg") + "&expires=1000000000",
		"/image/150x150/photo.jpg?sig=" + hmacToken(oldKey, "1000000000", "/image/150x150/photo.jpg") + "&expires=1000000000",
	} {
		resp, _ := s.do(t, "GET", link)
		assert.Equal(t, 410, resp.StatusCode, link)
	}
	stdout, stderr, code := runBinary(t, t.TempDir(), nil, "sign", "-hmac-key", signKey, "-expires", "1000000000", "150x150/photo.jpg")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	resp, _ := s.do(t, "GET", "/image/150x150/photo.jpg")
	assert.Equal(t, 403, resp.StatusCode, "unsigned")
}
