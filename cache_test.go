package imgproxy

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func img(n int) *Image { return &Image{Data: make([]byte, n), ContentType: "image/jpeg"} }

func TestMemoryCacheLRU(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const one = 1000 + entryOverhead + 20
	c := &MemoryCache{MaxBytes: 3 * one, MaxEntryBytes: one}
	for _, k := range []string{"a", "b", "c"} {
		c.Add(ctx, k, img(1000))
	}
	require.Equal(t, 3, c.Len())
	_, ok := c.Get(ctx, "a") // a is now the most recently used
	require.True(t, ok)
	c.Add(ctx, "d", img(1000)) // evicts b, the least recently used
	_, ok = c.Get(ctx, "b")
	assert.False(t, ok)
	for _, k := range []string{"a", "c", "d"} {
		_, ok := c.Get(ctx, k)
		assert.True(t, ok, k)
	}
	assert.LessOrEqual(t, c.Bytes(), c.MaxBytes)
}

func TestMemoryCacheReplaceAndRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var c MemoryCache // zero value works
	c.Add(ctx, "k", img(10))
	c.Add(ctx, "k", img(20))
	got, ok := c.Get(ctx, "k")
	require.True(t, ok)
	assert.Len(t, got.Data, 20)
	assert.Equal(t, 1, c.Len())
	c.Remove("k")
	_, ok = c.Get(ctx, "k")
	assert.False(t, ok)
	assert.Zero(t, c.Bytes())
}

func TestMemoryCacheTooBig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &MemoryCache{MaxBytes: 1000}
	c.Add(ctx, "big", img(2000))
	_, ok := c.Get(ctx, "big")
	assert.False(t, ok)
	assert.Zero(t, c.Len())
}

func TestMemoryCacheConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const one = 100 + entryOverhead + 10
	c := &MemoryCache{MaxBytes: 50 * one, MaxEntryBytes: one}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint(g, "-", i%80)
				if _, ok := c.Get(ctx, k); !ok {
					c.Add(ctx, k, img(100))
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Bytes(), c.MaxBytes)
	assert.LessOrEqual(t, c.Len(), 50)
}

// TestMemoryCacheBigEntry: an entry over MaxEntryBytes (by default an
// eighth of MaxBytes) is not stored, even though it would fit, and the
// entries already there survive it.
func TestMemoryCacheBigEntry(t *testing.T) {
	t.Parallel()
	const small = 500 // cost 500 + entryOverhead + key and type
	cases := []struct {
		name     string
		c        *MemoryCache
		big      int // data bytes of the entry that must not be stored
		fitting  int // data bytes of an entry that must be
		maxEntry int64
	}{
		{"default eighth", &MemoryCache{MaxBytes: 16000}, 3000, 1500, 2000},
		{"explicit", &MemoryCache{MaxBytes: 16000, MaxEntryBytes: 4000}, 5000, 3000, 4000},
		{"explicit above MaxBytes", &MemoryCache{MaxBytes: 16000, MaxEntryBytes: 1 << 30}, 17000, 12000, 16000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := tc.c
			require.Equal(t, tc.maxEntry, c.maxEntry())
			for _, k := range []string{"a", "b", "c"} {
				c.Add(ctx, k, img(small))
			}
			before := c.Bytes()
			c.Add(ctx, "big", img(tc.big))
			_, ok := c.Get(ctx, "big")
			assert.False(t, ok, "big entry stored")
			assert.Equal(t, before, c.Bytes())
			for _, k := range []string{"a", "b", "c"} {
				_, ok := c.Get(ctx, k)
				assert.True(t, ok, "%s evicted by a refused entry", k)
			}
			c.Add(ctx, "fits", img(tc.fitting))
			_, ok = c.Get(ctx, "fits")
			assert.True(t, ok, "entry under the bound not stored")
			// A big variant replaces nothing: the old one goes too.
			c.Add(ctx, "a", img(tc.big))
			_, ok = c.Get(ctx, "a")
			assert.False(t, ok, "older variant of a refused entry kept")
		})
	}
}
