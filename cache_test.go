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
	c := &MemoryCache{MaxBytes: 3 * (1000 + entryOverhead + 20)}
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
	c := &MemoryCache{MaxBytes: 50 * (100 + entryOverhead + 10)}
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
