package mount

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeSnippets checks that every block of this package's tests
// between "// readme:begin NAME" and "// readme:end" appears verbatim in
// the repository's README, so the snippets there are the tested code.
func TestReadmeSnippets(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	found := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for name, block := range snippets(t, f, string(src)) {
			found[name] = true
			assert.True(t, strings.Contains(string(readme), block),
				"README lacks the %s snippet of %s, or it drifted:\n%s", name, f, block)
		}
	}
	for _, name := range []string{"images", "net/http", "chi", "gin"} {
		assert.True(t, found[name], "no readme:begin %s block", name)
	}
}

// snippets returns the blocks of src by name, without their marker lines
// (which start a line) and trailing blank lines.
func snippets(t *testing.T, file, src string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for {
		_, rest, ok := strings.Cut(src, "\n// readme:begin ")
		if !ok {
			return out
		}
		name, rest, _ := strings.Cut(rest, "\n")
		block, after, ok := strings.Cut(rest, "\n// readme:end\n")
		require.True(t, ok, "%s: readme:begin %s without readme:end", file, name)
		out[name] = strings.TrimRight(block, "\n") + "\n"
		src = after
	}
}
