package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewPoolValidation(t *testing.T) {
	t.Parallel()
	const a, b = "http://10.0.0.1:7001", "https://node-b.internal/peer"
	valid := Config{Self: a, Peers: []string{a, b}, Secret: "x"}

	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"valid", func(*Config) {}, ""},
		{"no secret", func(c *Config) { c.Secret = "" }, "Secret is required"},
		{"negative replicas", func(c *Config) { c.Replicas = -1 }, "Replicas is negative"},
		{"negative max value", func(c *Config) { c.MaxValueBytes = -1 }, "MaxValueBytes is negative"},
		{"no peers", func(c *Config) { c.Peers = nil }, "Peers is empty"},
		{"self missing", func(c *Config) { c.Self = "http://10.0.0.3:7001" }, "not in Peers"},
		{"self spelled differently", func(c *Config) { c.Self = a + "/" }, "not in Peers"},
		{"duplicate", func(c *Config) { c.Peers = []string{a, b, a} }, "listed twice"},
		{"scheme", func(c *Config) { c.Peers = []string{a, "ftp://h"} }, "scheme must be http or https"},
		{"relative", func(c *Config) { c.Peers = []string{a, "/peer"} }, "scheme must be http or https"},
		{"no host", func(c *Config) { c.Peers = []string{a, "http://"} }, "no host"},
		{"user info", func(c *Config) { c.Peers = []string{a, "http://u:p@h"} }, "user information"},
		{"query", func(c *Config) { c.Peers = []string{a, "http://h/?x=1"} }, "query and fragment"},
		{"fragment", func(c *Config) { c.Peers = []string{a, "http://h/#f"} }, "query and fragment"},
		{"unparsable", func(c *Config) { c.Peers = []string{a, "http://h:port"} }, "cluster: peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid
			cfg.Peers = append([]string(nil), valid.Peers...)
			tt.edit(&cfg)
			p, err := NewPool(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, p)
				p.Close()
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, p)
			assert.Equal(t, err, cfg.Validate())
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": DefaultBasePath, "peer": "/peer/", "/peer": "/peer/", "/a/b/": "/a/b/"} {
		assert.Equal(t, want, Config{BasePath: in}.basePath(), "BasePath %q", in)
	}
	assert.Equal(t, DefaultReplicas, Config{}.replicas())
	assert.Equal(t, 7, Config{Replicas: 7}.replicas())
	assert.EqualValues(t, DefaultMaxValueBytes, Config{}.maxValueBytes())
	assert.EqualValues(t, 5, Config{MaxValueBytes: 5}.maxValueBytes())
}

func TestPeerURLs(t *testing.T) {
	t.Parallel()
	const a, b = "http://10.0.0.1:7001", "https://node-b.internal/peer/"
	p, err := NewPool(Config{Self: a, Peers: []string{a, b}, Secret: "x", BasePath: "gc"})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	assert.NotContains(t, p.picker.getters, a, "no getter for self")
	assert.Equal(t, "https://node-b.internal/peer/gc/", p.picker.getters[b].base)
}
