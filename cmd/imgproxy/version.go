package main

import (
	"runtime/debug"
	"strings"
)

// readBuildInfo is the build's information, nil if the binary has none.
func readBuildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

// versionLine is what -version prints: the module version (a tag for
// "go install ...@v1.2.3", a pseudo-version or "(devel)" for a local
// build), the VCS revision and its time when the build recorded them
// (go build in a clone does), "modified" for uncommitted changes, and the
// Go version:
//
//	imgproxy v1.2.3 (revision 0123456789ab, 2026-12-02T01:02:03Z) go1.26.8
func versionLine(bi *debug.BuildInfo) string {
	if bi == nil {
		return "imgproxy (unknown version: no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var vcs []string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev := s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
			vcs = append([]string{"revision " + rev}, vcs...)
		case "vcs.time":
			vcs = append(vcs, s.Value)
		case "vcs.modified":
			if s.Value == "true" {
				vcs = append(vcs, "modified")
			}
		}
	}
	line := "imgproxy " + version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	if bi.GoVersion != "" {
		line += " " + bi.GoVersion
	}
	return line
}
