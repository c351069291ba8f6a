package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

func TestConfigHMACKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const k1, k2 = "0123456789abcdef", "fedcba9876543210-old"
	file := writeFile(t, dir, "keys", k1+"\r\n\n"+k2+"\n")
	withComma := writeFile(t, dir, "comma", "0123456789,abcdef\n")
	short := writeFile(t, dir, "short", k1+"\ntiny\n")
	blank := writeFile(t, dir, "blank", "\n\r\n")
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		keys    []string
		wantErr string
	}{
		{name: "none", keys: nil},
		{name: "one", args: []string{"-hmac-key", k1}, keys: []string{k1}},
		{name: "repeated", args: []string{"-hmac-key", k1, "-hmac-key", k2}, keys: []string{k1, k2}},
		{name: "comma-separated", args: []string{"-hmac-key", k1 + "," + k2}, keys: []string{k1, k2}},
		{name: "env", env: map[string]string{"IMGPROXY_HMAC_KEY": k2 + "," + k1}, keys: []string{k2, k1}},
		{name: "command line wins", args: []string{"-hmac-key", k1}, env: map[string]string{"IMGPROXY_HMAC_KEY": k2}, keys: []string{k1}},
		{name: "file", args: []string{"-hmac-key-file", file}, keys: []string{k1, k2}},
		{name: "file from env", env: map[string]string{"IMGPROXY_HMAC_KEY_FILE": file}, keys: []string{k1, k2}},
		{name: "commas kept in a file", args: []string{"-hmac-key-file", withComma}, keys: []string{"0123456789,abcdef"}},
		{name: "short", args: []string{"-hmac-key", "0123456789abcde"}, wantErr: "-hmac-key is 15 bytes: want at least 16"},
		{name: "short second", args: []string{"-hmac-key", k1 + ",tiny"}, wantErr: "-hmac-key #2 of 2 is 4 bytes: want at least 16"},
		{name: "empty in list", args: []string{"-hmac-key", k1 + ",," + k2}, wantErr: "-hmac-key #2 of 3 is 0 bytes"},
		{name: "short in file", args: []string{"-hmac-key-file", short}, wantErr: "-hmac-key-file " + short + " line 2 is 4 bytes: want at least 16"},
		{name: "file without keys", args: []string{"-hmac-key-file", blank}, wantErr: "holds no key"},
		{name: "missing file", args: []string{"-hmac-key-file", dir + "/nope"}, wantErr: "-hmac-key-file: open"},
		{name: "key and file", args: []string{"-hmac-key", k1}, env: map[string]string{"IMGPROXY_HMAC_KEY_FILE": file}, wantErr: "-hmac-key and -hmac-key-file are both set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				for _, s := range []string{k1, "tiny", "0123456789abcde"} {
					assert.NotContains(t, err.Error(), s, "the error shows no key")
				}
				return
			}
			require.NoError(t, err)
			var got []string
			for _, k := range c.hmacKeys {
				got = append(got, string(k))
			}
			assert.Equal(t, tt.keys, got)
		})
	}
}

// TestConfigSigner checks which Signer the flags make and that, with both
// schemes, each kind of link verifies and neither lets a forgery through.
func TestConfigSigner(t *testing.T) {
	t.Parallel()
	const key = "0123456789abcdef"
	md5 := &imgproxy.SecureLinkMD5{Secret: "your_secret"}
	hm := &imgproxy.HMACSigner{Keys: [][]byte{[]byte(key)}}
	p := "/image/150x150/a.jpg"
	links := map[string]string{"md5": md5.Sign(p), "hmac": hm.Sign(p), "none": p,
		"md5 tampered":     strings.Replace(md5.Sign(p), "150x150", "151x151", 1),
		"hmac tampered":    strings.Replace(hm.Sign(p), "150x150", "151x151", 1),
		"sig and bad auth": hm.Sign(p) + "&auth=" + strings.Repeat("A", 22)}
	tests := []struct {
		name string
		args []string
		ok   []string // the links accepted; all others are 403
	}{
		{"nothing", nil, nil},
		{"secret", []string{"-secret", "your_secret"}, []string{"md5"}},
		{"hmac", []string{"-hmac-key", key}, []string{"hmac", "sig and bad auth"}},
		{"both", []string{"-secret", "your_secret", "-hmac-key", key}, []string{"md5", "hmac", "sig and bad auth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, func(string) string { return "" }, io.Discard)
			require.NoError(t, err)
			s := c.signer()
			if tt.ok == nil {
				assert.Nil(t, s)
				return
			}
			for name, link := range links {
				err := s.Verify(httptest.NewRequest(http.MethodGet, link, nil))
				if slices.Contains(tt.ok, name) {
					assert.NoError(t, err, name)
				} else {
					assert.ErrorIs(t, err, imgproxy.ErrForbidden, name)
				}
			}
			if v, ok := s.(interface{ Validate() error }); ok {
				assert.NoError(t, v.Validate())
			}
			h := &imgproxy.Handler{Signer: s}
			link, err := h.URL("a.jpg", imgproxy.Options{Width: 150, Height: 150})
			require.NoError(t, err, "the server's Signer can make links")
			if tt.name == "both" {
				assert.Contains(t, link, "?sig=", "with both, new links are HMAC")
			}
		})
	}
}

func TestServerRefusesBadHMACKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	short := writeFile(t, dir, "short", "0123456789abcdef\nshort-key\n")
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"short -hmac-key", nil, []string{"-hmac-key", "short-key"}, "imgproxy: -hmac-key is 9 bytes: want at least 16\n"},
		{"short in IMGPROXY_HMAC_KEY", []string{"IMGPROXY_HMAC_KEY=0123456789abcdef,short-key"}, nil, "imgproxy: -hmac-key #2 of 2 is 9 bytes: want at least 16 (set by IMGPROXY_HMAC_KEY)\n"},
		{"short in -hmac-key-file", nil, []string{"-hmac-key-file", short}, "imgproxy: -hmac-key-file " + short + " line 2 is 9 bytes: want at least 16\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stderr := runExit(t, tt.env, append([]string{"-listen", "127.0.0.1:0"}, tt.args...)...)
			assert.Equal(t, 2, code, stderr)
			assert.Equal(t, tt.want, stderr, "one line naming the flag, not the key")
		})
	}
}
