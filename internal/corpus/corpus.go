// Package corpus finds the directory of real photos that tests and
// benchmarks may use but never need: $IMGPROXY_CORPUS if set, else
// ../shared/corpus beside the repository root (the directory holding the
// module's go.mod). The photos are under other licences and are never
// committed here.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the variable that overrides the corpus directory.
const EnvVar = "IMGPROXY_CORPUS"

// Dir returns the corpus directory, or "" if there is none.
func Dir() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(d), "shared", "corpus")
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Files returns the corpus files matching pattern (a filepath.Glob
// pattern such as "*.jpg"), sorted, skipping tb cleanly when there are
// none.
func Files(tb testing.TB, pattern string) []string {
	tb.Helper()
	dir := Dir()
	if dir == "" {
		tb.Skipf("no corpus: set %s or put it at ../shared/corpus beside the repository", EnvVar)
	}
	files, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(files) == 0 {
		tb.Skipf("no %s in the corpus at %s", pattern, dir)
	}
	return files
}
