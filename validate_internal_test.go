package imgproxy

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWrappedCausesCarryNoPrefix checks errors that wrap a sentinel and a
// cause of this package: "imgproxy: " once, from the sentinel.
func TestWrappedCausesCarryNoPrefix(t *testing.T) {
	t.Parallel()
	h := &Handler{}
	h.once.Do(h.init)
	_, corrupt := h.decodeEntry([]byte("not an entry"), "k")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errBodyTimeout)
	for name, err := range map[string]error{
		"bad cluster entry": corrupt,
		"body timeout":      fetchError(ctx, "a.jpg", context.Cause(ctx)),
	} {
		require.Error(t, err, name)
		assert.Equal(t, 1, strings.Count(err.Error(), "imgproxy:"), "%s: %s", name, err)
	}
}
