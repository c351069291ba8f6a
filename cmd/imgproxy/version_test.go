package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionLine(t *testing.T) {
	t.Parallel()
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"go install of a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			"imgproxy v1.2.3 go1.26.8"},
		{"build in a clone", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261202025416-84de01690dff"},
			Settings: settings("vcs", "git", "vcs.revision", "84de01690dff488186c48d6f51fe16a7830ead5d", "vcs.time", "2026-12-02T02:54:16Z", "vcs.modified", "false")},
			"imgproxy v0.0.0-20261202025416-84de01690dff (revision 84de01690dff, 2026-12-02T02:54:16Z) go1.26.8"},
		{"uncommitted changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.time", "2026-12-02T02:54:16Z", "vcs.revision", "84de01690dff", "vcs.modified", "true")},
			"imgproxy (devel) (revision 84de01690dff, 2026-12-02T02:54:16Z, modified) go1.26.8"},
		{"no version", &debug.BuildInfo{}, "imgproxy (devel)"},
		{"no build information", nil, "imgproxy (unknown version: no build information)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, versionLine(tt.bi), tt.name)
	}
}
