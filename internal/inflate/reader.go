package inflate

import (
	"errors"
	"io"
)

// Errors of a malformed stream; a stream that ends early is
// io.ErrUnexpectedEOF.
var (
	ErrHeader     = errors.New("inflate: bad zlib header")
	ErrDictionary = errors.New("inflate: zlib stream needs a preset dictionary")
	ErrChecksum   = errors.New("inflate: adler-32 mismatch")
	ErrTooLong    = errors.New("inflate: stream inflates to more than its size")

	errBlockType = errors.New("inflate: reserved block type")
	errStoredLen = errors.New("inflate: stored block length mismatch")
	errCode      = errors.New("inflate: invalid huffman code")
	errLengths   = errors.New("inflate: invalid code lengths")
	errDistance  = errors.New("inflate: distance too far back")
)

const (
	winSize   = 32 << 10  // history a match may reach
	chunkSize = 128 << 10 // output decoded per fill, past the history
	slack     = 512       // room past the end: a last match and its 8-byte overcopy
)

type state uint8

const (
	stateHeader  state = iota // next: a block header
	stateStored               // inside a stored block
	stateHuffman              // inside a Huffman block
	stateTrailer              // after the final block: the Adler-32 (zlib) or the end
	stateDone                 // the stream ended and checked
)

// Reader inflates one zlib stream (RFC 1950) held in memory, possibly in
// several consecutive pieces (PNG's IDAT chunks), into a window of its
// own: memory stays about 180 KiB whatever the inflated size. Each Read
// that finds the window drained decodes at most 128 KiB more. It is not
// safe for concurrent use; the zero Reader is not usable (NewReader
// makes one).
type Reader struct {
	// input: in[pos:], then rest; the bit buffer holds nbits bits, of
	// which the last over bytes are zeros past the end of the input.
	in    []byte
	pos   int
	rest  [][]byte
	bits  uint64
	nbits uint
	over  uint

	// output: buf[rpos:wpos] is decoded and not yet read; buf[:wpos] is
	// the history; base counts the bytes slid out of buf.
	buf        []byte
	rpos, wpos int
	base       int64
	size       int64 // the expected inflated size; < 0: unknown

	state      state
	final      bool // the current block is the last
	storedLeft int
	fixed      bool // lit and dist hold the fixed codes
	zlib       bool
	sumFrom    int // buf[:sumFrom] is in adler
	adler      adler
	err        error

	lit  [litSize]uint32
	dist [distSize]uint32
	lens [320]uint8
}

// NewReader reads the zlib header of the stream that src's pieces make
// together and returns a Reader of what it inflates to. size is the
// inflated size the caller expects (< 0: unknown): a stream that
// inflates to more is refused with ErrTooLong as soon as it passes size.
// A header of another method than DEFLATE, a window over 32 KiB, a bad
// check or a preset dictionary (FDICT) is refused.
func NewReader(src [][]byte, size int64) (*Reader, error) {
	r := newReader(src, size, true)
	cmf, err := r.take(8)
	if err != nil {
		return nil, err
	}
	flg, err := r.take(8)
	if err != nil {
		return nil, err
	}
	if cmf&0x0f != 8 || cmf>>4 > 7 || (cmf<<8|flg)%31 != 0 {
		return nil, ErrHeader
	}
	if flg&0x20 != 0 {
		return nil, ErrDictionary
	}
	return r, nil
}

// newReader is a Reader of the raw DEFLATE stream (RFC 1951) in src when
// zlib is false, with no header read yet when it is true.
func newReader(src [][]byte, size int64, zlib bool) *Reader {
	r := &Reader{rest: src, size: size, zlib: zlib, buf: make([]byte, winSize+chunkSize+slack)}
	r.adler.reset()
	return r
}

// Read fills p with inflated bytes. At the end of the stream (after its
// checksum matched) it returns io.EOF; a malformed stream is an error of
// this package, a truncated one io.ErrUnexpectedEOF.
func (r *Reader) Read(p []byte) (int, error) {
	for r.rpos == r.wpos {
		if r.err != nil {
			return 0, r.err
		}
		if r.state == stateDone {
			return 0, io.EOF
		}
		r.fill()
	}
	n := copy(p, r.buf[r.rpos:r.wpos])
	r.rpos += n
	return n, nil
}

// Left is the number of input bytes after the end of the stream, once
// Read returned io.EOF.
func (r *Reader) Left() int {
	n := int(r.nbits/8) - int(r.over) + len(r.in) - r.pos
	for _, b := range r.rest {
		n += len(b)
	}
	return n
}

// fill slides the window once drained and decodes up to chunkSize more
// bytes; on error it drops what it decoded.
func (r *Reader) fill() {
	end := winSize + chunkSize
	if r.wpos >= end {
		copy(r.buf, r.buf[r.wpos-winSize:r.wpos])
		r.base += int64(r.wpos - winSize)
		r.wpos, r.rpos, r.sumFrom = winSize, winSize, winSize
	}
	start := r.wpos
	var err error
	for r.wpos < end && err == nil && r.state != stateDone {
		switch r.state {
		case stateHeader:
			err = r.header()
		case stateStored:
			err = r.stored(end)
		case stateHuffman:
			err = r.huffman(end)
		case stateTrailer:
			err = r.trailer()
		}
	}
	if err == nil && r.size >= 0 && r.base+int64(r.wpos) > r.size {
		err = ErrTooLong
	}
	if err != nil {
		if r.over > 0 && r.nbits < 8*r.over {
			err = io.ErrUnexpectedEOF // the error came of reading past the end
		}
		r.err, r.wpos = err, start
		return
	}
	r.sum()
}

// sum adds the bytes decoded since the last call to the checksum.
func (r *Reader) sum() {
	if r.zlib {
		r.adler.update(r.buf[r.sumFrom:r.wpos])
	}
	r.sumFrom = r.wpos
}

// trailer checks the Adler-32 after the final block of a zlib stream.
func (r *Reader) trailer() error {
	r.state = stateDone
	if !r.zlib {
		return nil
	}
	r.sum()
	r.align()
	var want uint32
	for range 4 {
		b, err := r.take(8)
		if err != nil {
			return err
		}
		want = want<<8 | b
	}
	if want != r.adler.sum() {
		return ErrChecksum
	}
	return nil
}
