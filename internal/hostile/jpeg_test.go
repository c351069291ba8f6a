package hostile

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sosCount counts SOS markers outside entropy-coded data (stuffed 0xFF
// bytes are followed by 0x00, so a plain search is exact here).
func sosCount(b []byte) int { return bytes.Count(b, []byte{0xFF, 0xDA}) }

// TestGeneratedFilesDecode checks with image/jpeg that the generators
// write well-formed files of the stated size whose pixels are all
// mid-grey (every coefficient zero), with one SOS per scan.
func TestGeneratedFilesDecode(t *testing.T) {
	t.Parallel()
	three := []byte{0x22, 0x11, 0x11}
	deep420 := append(append(DeepScript(0), DeepScript(1)...), DeepScript(2)...)
	tests := []struct {
		name  string
		data  []byte
		w, h  int
		scans int
	}{
		{"scanbomb", ScanBomb(67, 45, 20), 67, 45, 20},
		{"scanbomb-one", ScanBomb(8, 8, 0), 8, 8, 1},
		{"deepbomb", DeepBomb(129, 17), 129, 17, 28},
		{"deep420", ProgressiveJPEG(33, 17, three, deep420), 33, 17, 84},
		{"interleaved-dc", ProgressiveJPEG(300, 200, three, []Scan{
			{Comps: []int{0, 1, 2}, Al: 1}, {Comps: []int{1}, Ss: 1, Se: 63},
			{Comps: []int{0, 1, 2}, Ah: 1}}), 300, 200, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.scans, sosCount(tt.data))
			m, err := jpeg.Decode(bytes.NewReader(tt.data))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, tt.w, tt.h), m.Bounds())
			for _, p := range [][2]int{{0, 0}, {tt.w - 1, tt.h - 1}, {tt.w / 2, tt.h / 3}} {
				r, g, b, _ := m.At(p[0], p[1]).RGBA()
				assert.InDelta(t, 128, int(r>>8), 1, "at %v", p)
				assert.InDelta(t, 128, int(g>>8), 1, "at %v", p)
				assert.InDelta(t, 128, int(b>>8), 1, "at %v", p)
			}
		})
	}
}

// TestScanBombSize checks the probe's figures: the 7000x7000 bomb of
// 1000 scans is under 200 KB, the 2000x2000 one of 1000 scans under 64 KB.
func TestScanBombSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w, h, scans, maxLen int
	}{
		{7000, 7000, 1000, 200 << 10},
		{2000, 2000, 1000, 64 << 10},
	}
	for _, tt := range tests {
		b := ScanBomb(tt.w, tt.h, tt.scans)
		assert.LessOrEqual(t, len(b), tt.maxLen, "%dx%d", tt.w, tt.h)
		assert.Equal(t, tt.scans, sosCount(b))
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, [2]int{tt.w, tt.h}, [2]int{cfg.Width, cfg.Height})
	}
}

// TestDeepScript checks DeepScript's shape: 28 single-component scans,
// each coefficient's first scan at Al=13, then Ah = previous Al, Al = Ah-1.
func TestDeepScript(t *testing.T) {
	t.Parallel()
	ss := DeepScript(2)
	require.Len(t, ss, 28)
	al := map[int]int{}
	for _, s := range ss {
		require.Equal(t, []int{2}, s.Comps)
		prev, seen := al[s.Ss]
		if !seen {
			assert.Equal(t, [2]int{0, 13}, [2]int{s.Ah, s.Al})
		} else {
			assert.Equal(t, [2]int{prev, prev - 1}, [2]int{s.Ah, s.Al})
		}
		al[s.Ss] = s.Al
	}
	assert.Equal(t, map[int]int{0: 0, 1: 0}, al)
}
