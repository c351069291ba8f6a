package imgproxy

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// diskEntry is the index record of one entry file.
type diskEntry struct {
	sum        [16]byte  // MD5 of the key
	size       int64     // space the file takes on disk (diskSpace), bytes
	length     int64     // the file's length in bytes, as last seen: a hint (0: unknown)
	atime      int64     // last access, Unix nanoseconds
	stamped    int64     // when the file's mtime was last set, Unix nanoseconds
	meta       *diskMeta // the file's head, as last verified: a hint (nil: none kept)
	metaAt     int       // 1 + its place in diskIndex.metas while meta is set; 0 otherwise
	fd         *diskFD   // the file kept open for hits: a hint (nil: none)
	fdAt       int       // 1 + its place in diskIndex.fds while fd is set; 0 otherwise
	prev, next *diskEntry
}

// diskIndex is the in-memory index of a DiskCache: a map by MD5 and a list
// from most to least recently used. Its zero value is empty and ready.
type diskIndex struct {
	m    map[[16]byte]*diskEntry
	root diskEntry // sentinel: root.next is the newest, root.prev the oldest
	size int64     // total of the entries' sizes

	metas diskRing // the entries with a diskMeta
	fds   diskRing // the entries with an open file
}

// diskRoundUp rounds n up to a multiple of 4 KiB, the usual file-system
// block: the space a file of n bytes is taken to use where the platform
// does not tell.
func diskRoundUp(n int64) int64 { return (n + 4095) &^ 4095 }

func (x *diskIndex) lazyInit() {
	if x.m == nil {
		x.m = make(map[[16]byte]*diskEntry)
		x.root.next, x.root.prev = &x.root, &x.root
	}
}

func (x *diskIndex) link(e, at *diskEntry) {
	e.prev, e.next = at, at.next
	at.next.prev = e
	at.next = e
}

func (x *diskIndex) unlink(e *diskEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

// pushFront adds e, which must not be in x, as the newest entry.
func (x *diskIndex) pushFront(e *diskEntry) {
	x.lazyInit()
	x.link(e, &x.root)
	x.m[e.sum] = e
	x.size += e.size
}

// pushBack adds e, which must not be in x, as the oldest entry.
func (x *diskIndex) pushBack(e *diskEntry) {
	x.lazyInit()
	x.link(e, x.root.prev)
	x.m[e.sum] = e
	x.size += e.size
}

func (x *diskIndex) moveToFront(e *diskEntry) {
	x.unlink(e)
	x.link(e, &x.root)
}

func (x *diskIndex) remove(e *diskEntry) {
	x.dropHot(e)
	x.unlink(e)
	delete(x.m, e.sum)
	x.size -= e.size
}

// oldest returns the least recently used entry, or nil.
func (x *diskIndex) oldest() *diskEntry {
	if x.m == nil || x.root.prev == &x.root {
		return nil
	}
	return x.root.prev
}

// insertLocked records an entry as the newest, replacing any older record
// for sum, and evicts the oldest entries until the total fits MaxSize. It
// returns the new record and the MD5s of the evicted entries, whose files
// the caller removes with removeFiles.
func (c *DiskCache) insertLocked(sum [16]byte, size, length, atime, stamped int64) (*diskEntry, [][16]byte) {
	if old := c.idx.m[sum]; old != nil {
		c.idx.remove(old)
	}
	e := &diskEntry{sum: sum, size: size, length: length, atime: atime, stamped: stamped}
	c.idx.pushFront(e)
	var victims [][16]byte
	for c.idx.size > c.maxSize {
		v := c.idx.oldest()
		if v == e {
			break
		}
		c.idx.remove(v)
		victims = append(victims, v.sum)
	}
	return e, victims
}

// forgetLocked removes e from the index because its file is gone.
func (c *DiskCache) forgetLocked(e *diskEntry) {
	c.idx.remove(e)
	if c.scanning {
		c.scanGone[e.sum] = struct{}{}
	}
}

// trimLocked evicts entries over MaxSize or idle for Inactive, oldest
// first, and returns their MD5s.
func (c *DiskCache) trimLocked(now time.Time) [][16]byte {
	cutoff := now.Add(-c.inactive).UnixNano()
	var victims [][16]byte
	for e := c.idx.oldest(); e != nil; e = c.idx.oldest() {
		if c.idx.size <= c.maxSize && e.atime > cutoff {
			break
		}
		c.idx.remove(e)
		victims = append(victims, e.sum)
	}
	return victims
}

// expire removes the entries idle for Inactive (and any over MaxSize).
func (c *DiskCache) expire() {
	c.mu.Lock()
	victims := c.trimLocked(c.now())
	c.mu.Unlock()
	c.removeFiles(victims)
}

// removeFiles removes the files of evicted entries, unless an entry has
// been stored again meanwhile.
func (c *DiskCache) removeFiles(victims [][16]byte) {
	for _, sum := range victims {
		fl := c.fileLock(sum)
		fl.Lock()
		c.mu.Lock()
		_, back := c.idx.m[sum]
		if !back && c.scanning {
			c.scanGone[sum] = struct{}{}
		}
		c.mu.Unlock()
		if !back {
			c.removeFile(c.path(sum))
		}
		fl.Unlock()
	}
}

func (c *DiskCache) removeFile(path string) bool {
	err := os.Remove(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.warn("remove", "imgproxy: disk cache: remove failed", "path", path, "err", err)
		return false
	}
	return true
}

// dropIf forgets the entry for sum if its file is missing or, when bad is
// not nil, is still the file bad, which it then removes. A file put in
// place meanwhile is left alone.
func (c *DiskCache) dropIf(sum [16]byte, path string, bad fs.FileInfo) {
	fl := c.fileLock(sum)
	fl.Lock()
	defer fl.Unlock()
	cur, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err == nil && bad != nil && sameFile(cur, bad):
		if !c.removeFile(path) {
			return
		}
	default:
		return
	}
	c.forgetSum(sum)
}

// forgetSum drops sum from the index after its file was removed; during
// the start-up scan it also keeps the scan from adding it back.
func (c *DiskCache) forgetSum(sum [16]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.idx.m[sum]; e != nil {
		c.forgetLocked(e)
	} else if c.scanning {
		c.scanGone[sum] = struct{}{}
	}
}

// dropAny removes the entry for sum, whatever its file holds.
func (c *DiskCache) dropAny(sum [16]byte, path string) {
	fl := c.fileLock(sum)
	fl.Lock()
	defer fl.Unlock()
	if !c.removeFile(path) {
		return
	}
	c.forgetSum(sum)
}

// diskFound is an entry file seen by the start-up scan.
type diskFound struct {
	sum    [16]byte
	size   int64 // diskSpace, as Add accounts it
	length int64
	mtime  int64
}

// scan rebuilds the index from Dir at start-up, while requests are served,
// then enforces MaxSize and Inactive.
func (c *DiskCache) scan() {
	defer c.bg.Done()
	defer close(c.ready)
	c.cleanTmp()
	found := c.collect()
	slices.SortFunc(found, func(a, b diskFound) int { // newest first
		switch {
		case a.mtime > b.mtime:
			return -1
		case a.mtime < b.mtime:
			return 1
		}
		return 0
	})
	now := c.now().UnixNano()
	const batch = 1024 // let requests in between batches
	for i := 0; i < len(found); i += batch {
		c.mu.Lock()
		for _, f := range found[i:min(i+batch, len(found))] {
			_, known := c.idx.m[f.sum]
			_, gone := c.scanGone[f.sum]
			if !known && !gone {
				t := min(f.mtime, now)
				c.idx.pushBack(&diskEntry{sum: f.sum, size: f.size, length: f.length, atime: t, stamped: t})
			}
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.scanning = false
	c.scanGone = nil
	victims := c.trimLocked(c.now())
	c.mu.Unlock()
	c.removeFiles(victims)
}

// cleanTmp removes temporary files that are not this DiskCache's own: they
// were left by a crash.
func (c *DiskCache) cleanTmp() {
	des, err := os.ReadDir(c.tmpDir)
	if err != nil {
		c.warn("scan", "imgproxy: disk cache: scan failed", "dir", c.tmpDir, "err", err)
		return
	}
	for _, de := range des {
		if !strings.HasPrefix(de.Name(), c.tmpPrefix+"-") {
			os.RemoveAll(filepath.Join(c.tmpDir, de.Name()))
		}
	}
}

// collect lists the entry files under Dir, ignoring anything not named as
// nginx's levels=1:2 layout would name it. It stops early on Close.
func (c *DiskCache) collect() []diskFound {
	var found []diskFound
	for _, d1 := range c.readDir(c.root) {
		n1 := d1.Name()
		if !d1.IsDir() || !diskHex(n1, 1) {
			continue
		}
		for _, d2 := range c.readDir(filepath.Join(c.root, n1)) {
			n2 := d2.Name()
			if !d2.IsDir() || !diskHex(n2, 2) {
				continue
			}
			select {
			case <-c.stop:
				return nil
			default:
			}
			for _, f := range c.readDir(filepath.Join(c.root, n1, n2)) {
				name := f.Name()
				if !f.Type().IsRegular() || !diskHex(name, 32) || name[31:] != n1 || name[29:31] != n2 {
					continue
				}
				fi, err := f.Info()
				if err != nil {
					continue // removed meanwhile
				}
				var sum [16]byte
				hex.Decode(sum[:], []byte(name))
				found = append(found, diskFound{sum: sum, size: diskSpace(fi), length: fi.Size(), mtime: fi.ModTime().UnixNano()})
			}
		}
	}
	return found
}

func (c *DiskCache) readDir(dir string) []fs.DirEntry {
	des, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.warn("scan", "imgproxy: disk cache: scan failed", "dir", dir, "err", err)
	}
	return des
}

// diskHex reports whether s is n lower-case hex digits.
func diskHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// janitor removes idle entries until Close.
func (c *DiskCache) janitor() {
	defer c.bg.Done()
	every := min(c.inactive/2, time.Minute)
	every = max(every, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.expire()
		}
	}
}

// diskLogState rate-limits one kind of log message.
type diskLogState struct {
	last       time.Time
	suppressed int
}

// diskLogEvery is how often each kind of failure is logged at most.
const diskLogEvery = 10 * time.Second

// warn logs a failure of the given kind, at most once per diskLogEvery,
// counting the ones it leaves out.
func (c *DiskCache) warn(kind, msg string, args ...any) {
	now := time.Now()
	c.logMu.Lock()
	st := c.logged[kind]
	if !st.last.IsZero() && now.Sub(st.last) < diskLogEvery {
		st.suppressed++
		c.logged[kind] = st
		c.logMu.Unlock()
		return
	}
	c.logged[kind] = diskLogState{last: now}
	c.logMu.Unlock()
	if st.suppressed > 0 {
		args = append(args, "suppressed", st.suppressed)
	}
	c.log.Warn(msg, args...)
}
