package imgproxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlanGeometry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		w, h             int
		opts             string
		resizeW, resizeH int
		cropW, cropH     int
	}{
		// nginx: 2560x1600 into 150x150 is 150x93 (truncated) or 150x94.
		{"fit landscape", 2560, 1600, "150x150", 150, 94, 150, 94},
		{"fit portrait", 1600, 2560, "150x150", 94, 150, 94, 150},
		{"width only", 2560, 1600, "150x-", 150, 94, 150, 94},
		{"height only", 2560, 1600, "-x100", 160, 100, 160, 100},
		{"never enlarge", 100, 50, "5000x5000", 100, 50, 100, 50},
		{"free both", 100, 50, "-x-", 100, 50, 100, 50},
		{"tall strip clamps to 1", 10000, 2, "100x100", 100, 1, 100, 1},
		{"crop wide", 2560, 1600, "150x150,crop", 240, 150, 150, 150},
		{"crop tall", 1600, 2560, "150x150,crop", 150, 240, 150, 150},
		{"crop box wider", 2560, 1600, "300x100,crop", 300, 188, 300, 100},
		{"crop small source", 100, 50, "150x150,crop", 100, 50, 100, 50},
		{"crop partly small", 200, 100, "150x150,crop", 200, 100, 150, 100},
		{"square", 1000, 1000, "640x480", 480, 480, 480, 480},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := ParseOptions(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			g := planGeometry(tt.w, tt.h, o)
			assert.Equal(t, [4]int{tt.resizeW, tt.resizeH, tt.cropW, tt.cropH},
				[4]int{g.resizeW, g.resizeH, g.cropW, g.cropH})
		})
	}
}
