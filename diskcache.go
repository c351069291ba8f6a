package imgproxy

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DiskCache defaults: nginx's "max_size=100M inactive=40d".
const (
	DefaultDiskCacheMaxSize  = 100 << 20
	DefaultDiskCacheInactive = 40 * 24 * time.Hour
)

// DiskCache is a Cache that keeps images as files under a directory, with
// the semantics of nginx's
//
//	proxy_cache_path /tmp/nginx_cache levels=1:2 max_size=100M inactive=40d;
//
// An entry's file is named by the hex MD5 of its key and sits in a
// levels=1:2 tree exactly as nginx lays it out: the last hex digit, then
// the two before it, so the MD5 b7f54b2df7773722d382f4809d65029c is stored
// as Dir/c/29/b7f54b2df7773722d382f4809d65029c. The file format is
// described at diskHeaderLen; every file carries its key and a CRC-32C, and
// Get verifies both before serving, so a truncated, corrupted or foreign
// file is removed, logged and reported as a miss.
//
// Writes are atomic: an entry is written to Dir/tmp, synced, and renamed
// into place, so readers never see a partial file. Temporary files left by
// a crash are removed by the start-up scan.
//
// The space the entry files take on disk, counted in allocated blocks as
// nginx counts it (see MaxSize), is kept at or under MaxSize by evicting
// the least recently used entries when one is added: an Add accounts its
// file and picks its victims before renaming it into place, and removes
// them right after, so when Adds are over the files fit; while Adds run
// concurrently, each may exceed the bound by its own entry for the moment
// between its rename and the removal of its victims. An entry over
// MaxEntrySize is not stored, so that one response cannot flush the
// cache. Entries neither read nor written for Inactive are removed by a
// background janitor.
//
// The index (which entries exist, their sizes and last access times) is
// kept in memory and rebuilt at start-up by a background scan of Dir while
// requests are served: until the scan is over, Get looks on disk for keys
// the index does not know yet. Last access survives restarts roughly: the
// scan takes a file's modification time as its last access, and Get sets
// it to the current time at most once a minute per entry.
//
// Hits are cheap: the index also keeps each file's length, the decoded
// head (key, content type, ETag, times, response header values) of the
// 4096 entries hit most recently, and, on Linux, the open files of the
// 256 hit most recently, closed when their entry is evicted, replaced or
// removed, or on Close. A hit on a hot entry is then one read of its open
// file and an fstat, which refuses a file no longer linked (removed, or
// replaced by another process); every hit still verifies the whole
// file's checksum and that it starts with the head kept, else parses it
// afresh. So a file changed behind the DiskCache's back is served as it
// now is, or not at all if it is bad. A file another process removes
// keeps its disk space until the next hit on it notices, or until its
// place among the open files is taken.
//
// Disk failures (full disk, read-only or missing directory, permissions)
// are logged, at most once per ten seconds for each kind: Add gives up,
// Get reports a miss, and nothing panics. If Dir cannot be created at first
// use the DiskCache acts as a miss-only cache.
//
// A Dir must be used by one DiskCache at a time. Set fields before first
// use; a DiskCache must not be modified or copied after first use. Its
// zero value (no Dir) is a miss-only cache.
type DiskCache struct {
	// Dir is the cache directory, created if missing. Required.
	Dir string
	// MaxSize bounds the space in bytes the entry files take on disk, as
	// nginx's max_size does: on Unix a file counts st_blocks x 512 (what du
	// shows), 4 KiB for a small entry on most file systems, rather than
	// its length; elsewhere its length rounded up to 4 KiB. Directories
	// are not counted. If zero, DefaultDiskCacheMaxSize (100 MiB, nginx's
	// 100M).
	MaxSize int64
	// MaxEntrySize bounds one entry's space on disk, counted as MaxSize
	// counts it; a larger entry is not stored (the caller still serves
	// it) and an older entry under its key is removed. If zero,
	// MaxSize/DefaultEntryDivisor; values above MaxSize mean MaxSize.
	MaxEntrySize int64
	// Inactive is how long an entry may go unread and unwritten before it
	// is removed. If zero, DefaultDiskCacheInactive (40 days).
	Inactive time.Duration
	// Logger receives failures. If nil, they are discarded.
	Logger *slog.Logger
	// Now tells the time, for tests. If nil, time.Now. When set, Add also
	// stamps the files it writes with it.
	Now func() time.Time

	once      sync.Once
	log       *slog.Logger
	crc       *crc32.Table
	root      string // cleaned Dir
	tmpDir    string
	tmpPrefix string // names this DiskCache's temporary files
	maxSize   int64
	maxEntry  int64
	inactive  time.Duration
	disabled  bool           // Dir is unusable: miss-only
	stop      chan struct{}  // closed by Close
	ready     chan struct{}  // closed when the start-up scan is over
	bg        sync.WaitGroup // background goroutines and Adds in flight

	mu       sync.Mutex // guards the fields below
	idx      diskIndex
	scanning bool                  // the start-up scan has not merged yet
	scanGone map[[16]byte]struct{} // files removed while scanning
	closed   bool

	// files serialises, per stripe of MD5s, the steps that put an entry's
	// file in place or remove it together with its index record. It is
	// taken before mu, never while holding mu or another stripe.
	files [64]sync.Mutex

	logMu  sync.Mutex
	logged map[string]diskLogState

	loans sync.Pool // *diskLoan, for lend
}

var _ Cache = (*DiskCache)(nil)

// errDiskCorrupt marks an entry file that must not be served.
var errDiskCorrupt = errors.New("corrupt disk cache entry") // a cause: the sentinel it is wrapped in says "imgproxy: "

// Validate reports whether the fields make sense and Dir can be written:
// it creates Dir if missing, then creates and removes a probe file in it.
func (c *DiskCache) Validate() error {
	if err := c.checkFields(); err != nil {
		return err
	}
	return probeWritable("DiskCache.Dir", c.Dir)
}

// checkFields is Validate without touching the file system.
func (c *DiskCache) checkFields() error {
	switch {
	case c.Dir == "":
		return errors.New("imgproxy: DiskCache.Dir is required")
	case c.MaxSize < 0:
		return fmt.Errorf("imgproxy: DiskCache.MaxSize %d is negative", c.MaxSize)
	case c.MaxEntrySize < 0:
		return fmt.Errorf("imgproxy: DiskCache.MaxEntrySize %d is negative", c.MaxEntrySize)
	case c.Inactive < 0:
		return fmt.Errorf("imgproxy: DiskCache.Inactive %v is negative", c.Inactive)
	}
	return nil
}

// setup prepares what even a disabled or closed DiskCache needs.
func (c *DiskCache) setup() {
	c.log = c.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.crc = crc32.MakeTable(crc32.Castagnoli)
	c.maxSize = c.MaxSize
	if c.maxSize == 0 {
		c.maxSize = DefaultDiskCacheMaxSize
	}
	c.maxEntry = c.maxSize / DefaultEntryDivisor
	if c.MaxEntrySize > 0 {
		c.maxEntry = min(c.MaxEntrySize, c.maxSize)
	}
	c.inactive = c.Inactive
	if c.inactive == 0 {
		c.inactive = DefaultDiskCacheInactive
	}
	c.stop = make(chan struct{})
	c.ready = make(chan struct{})
	c.logged = make(map[string]diskLogState)
}

// init runs once, at first use: it creates Dir and starts the scan and the
// janitor.
func (c *DiskCache) init() {
	c.setup()
	if err := c.checkFields(); err != nil {
		c.disable(err)
		return
	}
	c.root = filepath.Clean(c.Dir)
	c.tmpDir = filepath.Join(c.root, "tmp")
	if err := os.MkdirAll(c.tmpDir, 0o700); err != nil {
		c.disable(err)
		return
	}
	c.tmpPrefix = rand.Text()[:12]
	c.scanning = true
	c.scanGone = make(map[[16]byte]struct{})
	c.bg.Add(2)
	go c.scan()
	go c.janitor()
}

// disable turns c into a miss-only cache at init.
func (c *DiskCache) disable(err error) {
	c.log.Error("imgproxy: disk cache unusable, caching nothing", "dir", c.Dir, "err", err)
	c.disabled = true
	close(c.ready)
}

// initClosed is init for a DiskCache closed before first use.
func (c *DiskCache) initClosed() {
	c.setup()
	c.disabled = true
	close(c.ready)
}

// Close stops the background goroutines and waits for them and for Adds in
// flight. After Close, Get reports misses and Add does nothing; the files
// stay for the next DiskCache on Dir. Close always returns nil.
func (c *DiskCache) Close() error {
	c.once.Do(c.initClosed)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.idx.closeFDs()
	close(c.stop)
	c.mu.Unlock()
	c.bg.Wait()
	return nil
}

// Len returns the number of entries in the index.
func (c *DiskCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.idx.m)
}

// Size returns the space in bytes the entry files in the index take on
// disk, counted as MaxSize counts it.
func (c *DiskCache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.idx.size
}

func (c *DiskCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the image stored under key, after verifying its file.
func (c *DiskCache) Get(ctx context.Context, key string) (*Image, bool) {
	return c.get(ctx, key, nil)
}

// get is Get, reading a hot entry into l's memory and filling l's Image
// if l is not nil (see lend).
func (c *DiskCache) get(ctx context.Context, key string, l *diskLoan) (*Image, bool) {
	c.once.Do(c.init)
	if c.disabled || ctx.Err() != nil {
		return nil, false
	}
	sum := md5.Sum([]byte(key))
	var (
		length int64
		meta   *diskMeta
		h      *diskFD
	)
	c.mu.Lock()
	e := c.idx.m[sum]
	look := (e != nil || c.scanning) && !c.closed
	if e != nil && look {
		length, meta, h = e.length, e.meta, e.fd.acquire()
	}
	c.mu.Unlock()
	if !look {
		return nil, false
	}
	var into *Image
	if l != nil {
		into = &l.img
	}
	var img *Image
	// A hot entry (with a meta) keeps its file open from its next hit on.
	// The path is made only when the file is opened or fails.
	path := func() string { return c.path(sum) }
	r, err := readEntry(path, h, length, c.maxSize, meta != nil, l.scratch(length+1), func(b []byte) (err error) {
		img, meta, err = diskVerify(c.crc, b, key, meta, into)
		return err
	})
	h.release()
	fi := r.fi
	switch {
	case err == nil:
		c.touch(sum, e, h, r, meta)
		return img, true
	case errors.Is(err, fs.ErrNotExist):
		if e != nil {
			c.dropIf(sum, path(), nil)
		}
	case errors.Is(err, errDiskCorrupt):
		c.warn("corrupt", "imgproxy: disk cache: removing bad entry", "path", path(), "err", err)
		c.dropIf(sum, path(), fi)
	default:
		c.warn("read", "imgproxy: disk cache: read failed", "path", path(), "err", err)
	}
	return nil, false
}

// diskRead is how readEntry read an entry file.
type diskRead struct {
	fi    fs.FileInfo // the file's stat, if it was taken (nil: it was not)
	kept  int         // the file, left open for the index, or -1
	stale bool        // the open file readEntry was given is no longer the entry's
}

// diskCheckStat returns an error wrapping errDiskCorrupt if the file fi
// describes cannot be an entry (irregular, shorter than a header, longer
// than limit), or if n, the bytes read from it, are not its length.
func diskCheckStat(fi fs.FileInfo, n, limit int64) error {
	switch {
	case !fi.Mode().IsRegular() || fi.Size() < diskHeaderLen || fi.Size() > limit:
		return fmt.Errorf("%w: %v of %d bytes", errDiskCorrupt, fi.Mode().Type(), fi.Size())
	case n != fi.Size():
		return fmt.Errorf("%w: shrank while read", errDiskCorrupt)
	}
	return nil
}

// Add stores img under key. It does not watch ctx: it returns once the
// file is in place or the attempt has failed.
func (c *DiskCache) Add(_ context.Context, key string, img *Image) {
	if img == nil || !c.begin() {
		return
	}
	defer c.bg.Done()
	sum := md5.Sum([]byte(key))
	path := c.path(sum)
	head, err := diskEncode(c.crc, key, img)
	if err != nil {
		c.warn("encode", "imgproxy: disk cache: not storing", "err", err)
		return
	}
	if int64(len(head))+int64(len(img.Data)) > c.maxEntry {
		c.dropAny(sum, path) // do not leave an older variant behind
		return
	}
	tmp, space, err := c.writeTemp(head, img.Data)
	if err != nil {
		c.warn("write", "imgproxy: disk cache: write failed", "dir", c.tmpDir, "err", err)
		return
	}
	if space > c.maxEntry { // its blocks, not its length, are over
		os.Remove(tmp)
		c.dropAny(sum, path)
		return
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		os.Remove(tmp)
		c.warn("write", "imgproxy: disk cache: write failed", "dir", dir, "err", err)
		return
	}
	victims, ok := c.install(sum, path, tmp, space, int64(len(head)+len(img.Data)))
	c.removeFiles(victims)
	if ok {
		diskSyncDir(dir)
	}
}

// begin reports whether an Add may go ahead; if so the caller must call
// c.bg.Done when it is over.
func (c *DiskCache) begin() bool {
	c.once.Do(c.init)
	if c.disabled {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.bg.Add(1)
	return true
}

// writeTemp writes head and data to a new temporary file, synced, and
// returns its name and the space it takes on disk (diskSpace), measured
// after the sync, when the file system has allocated its blocks.
func (c *DiskCache) writeTemp(head, data []byte) (string, int64, error) {
	f, err := os.CreateTemp(c.tmpDir, c.tmpPrefix+"-*")
	if errors.Is(err, fs.ErrNotExist) && os.MkdirAll(c.tmpDir, 0o700) == nil {
		f, err = os.CreateTemp(c.tmpDir, c.tmpPrefix+"-*")
	}
	if err != nil {
		return "", 0, err
	}
	name := f.Name()
	_, err = f.Write(head)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil && c.Now != nil {
		t := c.Now()
		err = os.Chtimes(name, t, t)
	}
	if err == nil {
		err = f.Sync()
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", 0, err
	}
	return name, diskSpace(fi), nil
}

// install records the entry, whose file is length bytes long and takes
// space bytes on disk, in the index, making room for it, and renames tmp
// into place. It returns the MD5s of the evicted entries, whose files the
// caller removes, and whether the rename succeeded.
func (c *DiskCache) install(sum [16]byte, path, tmp string, space, length int64) ([][16]byte, bool) {
	now := c.now().UnixNano()
	fl := c.fileLock(sum)
	fl.Lock()
	defer fl.Unlock()
	c.mu.Lock()
	e, victims := c.insertLocked(sum, space, length, now, now)
	c.mu.Unlock()
	if err := os.Rename(tmp, path); err != nil {
		c.warn("write", "imgproxy: disk cache: rename failed", "path", path, "err", err)
		os.Remove(tmp)
		os.Remove(path) // the index no longer accounts for an older file
		c.mu.Lock()
		if c.idx.m[sum] == e {
			c.forgetLocked(e)
		}
		c.mu.Unlock()
		return victims, false
	}
	return victims, true
}

// touch records a hit on the entry for sum, whose file m describes, just
// served. was is the record the hit started from, and h the open file of
// it that was read (each nil if none); r tells how it went: it may have
// found h stale, or left the file open (if it is still the file of was,
// the index keeps it, else it is closed). r.fi, the file's stat if it was
// taken, lets touch record an entry the start-up scan has not got to yet.
func (c *DiskCache) touch(sum [16]byte, was *diskEntry, h *diskFD, r diskRead, m *diskMeta) {
	now := c.now().UnixNano()
	stamp := false
	var victims [][16]byte
	c.mu.Lock()
	e := c.idx.m[sum]
	switch {
	case e != nil:
		c.idx.moveToFront(e)
		e.atime = now
		if now-e.stamped >= int64(time.Minute) {
			e.stamped, stamp = now, true
		}
	case c.scanning && !c.closed && r.fi != nil:
		// Found on disk before the scan got to it.
		mtime := r.fi.ModTime().UnixNano()
		e, victims = c.insertLocked(sum, diskSpace(r.fi), r.fi.Size(), now, mtime)
		if now-mtime >= int64(time.Minute) {
			e.stamped, stamp = now, true
		}
	}
	if e != nil {
		e.length = m.size
		if e.meta != m {
			c.idx.setMeta(e, m)
		}
		if r.stale && e.fd == h {
			c.idx.dropFD(e)
		}
		if r.kept >= 0 && e == was && e.fd == nil && !c.closed {
			c.idx.setFD(e, newDiskFD(r.kept))
			r.kept = -1
		}
	}
	c.mu.Unlock()
	if r.kept >= 0 {
		closeFD(r.kept)
	}
	if stamp {
		t := time.Unix(0, now)
		os.Chtimes(c.path(sum), t, t) // best effort: only orders entries after a restart
	}
	c.removeFiles(victims)
}

// path returns the file name of the entry whose key has MD5 sum.
func (c *DiskCache) path(sum [16]byte) string {
	var h [32]byte
	hex.Encode(h[:], sum[:])
	const sep = string(filepath.Separator)
	return c.root + sep + string(h[31:]) + sep + string(h[29:31]) + sep + string(h[:])
}

// fileLock returns the stripe lock for sum.
func (c *DiskCache) fileLock(sum [16]byte) *sync.Mutex {
	return &c.files[sum[0]%uint8(len(c.files))]
}

// diskSyncDir makes a rename in dir durable, as far as the platform allows.
func diskSyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
