package webp

import (
	"testing"

	"github.com/imgproxy-go/imgproxy/internal/codectest"
)

// TestFirstCallCost measures the first Encode (which compiles the
// WebAssembly module) against the next ones, and the memory held after:
//
//	IMGPROXY_COST=1 go test -count 1 -run TestFirstCallCost -v ./webp/
func TestFirstCallCost(t *testing.T) { codectest.FirstCallCost(t, &Encoder{}) }
