package imgproxy

import "context"

// diskLendMax bounds the entries a lent hit reads into reused memory;
// larger ones are read into memory of their own, whose allocation their
// longer write dwarfs.
const diskLendMax = 256 << 10

// diskLoan is memory a DiskCache lends to one hit: the Image returned and
// the buffer its Data is a slice of. A Handler whose memory tier keeps
// nothing (NoCache) writes the Image and gives the loan back, and a later
// hit reads into the same memory, so that a disk-only hit allocates
// neither (see lend). Its zero value is an empty loan.
type diskLoan struct {
	img Image
	buf []byte
}

// scratch returns l's buffer as n bytes long, grown if needed, or nil
// when there is no loan or n is over diskLendMax.
func (l *diskLoan) scratch(n int64) []byte {
	if l == nil || n <= 0 || n > diskLendMax {
		return nil
	}
	if int64(cap(l.buf)) < n {
		l.buf = make([]byte, n, max(n, 4<<10))
	}
	return l.buf[:n]
}

// lend is Get into memory the DiskCache lends: the caller must be done
// with the Image and every slice of it when it calls giveBack(loan).
// Nothing may keep the Image: not a memory tier, not a stale fallback.
func (c *DiskCache) lend(ctx context.Context, key string) (*Image, *diskLoan, bool) {
	l, _ := c.loans.Get().(*diskLoan)
	if l == nil {
		l = new(diskLoan)
	}
	img, ok := c.get(ctx, key, l)
	if !ok {
		c.loans.Put(l)
		return nil, nil, false
	}
	return img, l, true
}

// giveBack returns a loan of lend (nil: none) for a later hit to reuse.
func (c *DiskCache) giveBack(l *diskLoan) {
	if l == nil {
		return
	}
	l.img.Data, l.img.ContentType, l.img.ETag = nil, "", ""
	l.img.hdr.Store(nil)
	c.loans.Put(l)
}
