package imgproxy

import (
	"container/list"
	"context"
	"sync"
)

// DefaultMemoryCacheBytes is the MemoryCache budget when MaxBytes is 0.
const DefaultMemoryCacheBytes = 64 << 20

// DefaultEntryDivisor sets the largest entry a cache tier stores by
// default: 1/DefaultEntryDivisor of its bound (MemoryCache.MaxBytes,
// DiskCache.MaxSize). A larger entry is served but not stored, so that one
// request cannot flush a tier: an 80 MB -x-,png of a 16 MB JPEG would
// otherwise evict the whole of a 100 MB disk cache. At 1/8 one entry
// evicts at most an eighth of a tier, and the defaults still store
// entries up to 8 MiB in memory and 12.5 MiB on disk: orders of magnitude
// above a thumbnail, and room for full-size re-encodes of most photos.
const DefaultEntryDivisor = 8

// MemoryCache is a Cache that keeps images in memory, evicting the least
// recently used once their total size passes MaxBytes. It is safe for
// concurrent use. The zero value is ready to use with a 64 MiB budget.
type MemoryCache struct {
	// MaxBytes bounds the sum of len(Image.Data) plus a small per-entry
	// overhead. If 0, DefaultMemoryCacheBytes.
	MaxBytes int64
	// MaxEntryBytes bounds one entry, counted as MaxBytes counts it;
	// larger entries are not stored (the caller still serves them). If 0
	// (or negative), MaxBytes/DefaultEntryDivisor; values above MaxBytes
	// mean MaxBytes.
	MaxEntryBytes int64

	mu    sync.Mutex
	ll    *list.List // front is most recently used
	items map[string]*list.Element
	size  int64
}

type memEntry struct {
	key  string
	img  *Image
	cost int64
}

var _ Cache = (*MemoryCache)(nil)

// entryOverhead approximates the memory of one entry beyond its data.
const entryOverhead = 256

func (c *MemoryCache) maxBytes() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMemoryCacheBytes
}

// Get returns the image under key and marks it recently used.
func (c *MemoryCache) Get(_ context.Context, key string) (*Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*memEntry).img, true
}

// maxEntry is the largest cost stored.
func (c *MemoryCache) maxEntry() int64 {
	limit := c.maxBytes()
	if c.MaxEntryBytes > 0 {
		return min(c.MaxEntryBytes, limit)
	}
	return limit / DefaultEntryDivisor
}

// Add stores img under key, evicting old entries to stay within MaxBytes.
// An image over MaxEntryBytes is not stored, and an older entry under key
// is dropped: the cache never answers with what the caller replaced.
func (c *MemoryCache) Add(_ context.Context, key string, img *Image) {
	cost := int64(len(img.Data)+len(key)+len(img.ContentType)+len(img.ETag)) + entryOverhead
	limit := c.maxBytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if cost > c.maxEntry() {
		if el, ok := c.items[key]; ok {
			c.removeElement(el)
		}
		return
	}
	if c.items == nil {
		c.items = make(map[string]*list.Element)
		c.ll = list.New()
	}
	if el, ok := c.items[key]; ok {
		e := el.Value.(*memEntry)
		c.size += cost - e.cost
		e.img, e.cost = img, cost
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&memEntry{key: key, img: img, cost: cost})
		c.size += cost
	}
	for c.size > limit {
		c.removeElement(c.ll.Back())
	}
}

// Remove drops key from the cache, if present.
func (c *MemoryCache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeElement(el)
	}
}

func (c *MemoryCache) removeElement(el *list.Element) {
	e := c.ll.Remove(el).(*memEntry)
	delete(c.items, e.key)
	c.size -= e.cost
}

// Len returns the number of entries.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes returns the accounted size of all entries.
func (c *MemoryCache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
