package imgproxy

import (
	"bytes"
	"context"
	"io"
)

// expectedKey is the context key under which a fetch finds the bytes it
// is expected to repeat (see withExpected).
type expectedKey struct{}

// withExpected returns ctx telling HTTPFetcher and DirFetcher that the
// body is probably data, the copy of the source a variant in flight
// holds: they compare what they read with it and, if it is the same,
// return data itself instead of a second copy. Other Fetchers ignore it.
func withExpected(ctx context.Context, data []byte) context.Context {
	return context.WithValue(ctx, expectedKey{}, data)
}

// expectedFrom returns the bytes withExpected put in ctx, or nil.
func expectedFrom(ctx context.Context) []byte {
	data, _ := ctx.Value(expectedKey{}).([]byte)
	return data
}

// compareChunk is how much readExpected reads at a time while the body
// matches the expected bytes.
const compareChunk = 64 << 10

// readExpected is readMax for a body expected to be want: it reads r in
// chunks compared with want and, if the whole body is want, returns want
// itself, having held no more than one chunk; at the first difference it
// goes on as readMax, into a buffer of its own. size, if not negative,
// is the expected length: one other than len(want) reads as readMax at
// once.
func readExpected(r io.Reader, size, max int64, want []byte) (data []byte, tooLarge bool, err error) {
	if want == nil || size >= 0 && size != int64(len(want)) || int64(len(want)) > max {
		return readMax(r, size, max)
	}
	chunk := make([]byte, compareChunk)
	off := 0
	for {
		n, rerr := io.ReadFull(r, chunk)
		if n > 0 && (off+n > len(want) || !bytes.Equal(chunk[:n], want[off:off+n])) {
			return readRest(r, want[:off], chunk[:n], size, max)
		}
		off += n
		switch rerr {
		case nil:
			continue
		case io.EOF, io.ErrUnexpectedEOF:
			if off == len(want) {
				return want, false, nil
			}
			return bytes.Clone(want[:off]), false, nil // shorter: a prefix
		}
		return nil, false, rerr
	}
}

// readRest reads the rest of r after a difference: the body so far is
// head (read and found equal) then tail, in a new buffer, with readMax's
// limit on the whole.
func readRest(r io.Reader, head, tail []byte, size, max int64) ([]byte, bool, error) {
	have := int64(len(head) + len(tail))
	if have > max {
		return nil, true, nil
	}
	var buf bytes.Buffer
	if size > 0 && size <= max {
		buf.Grow(int(size) + bytes.MinRead)
	} else {
		buf.Grow(int(have) + bytes.MinRead)
	}
	buf.Write(head)
	buf.Write(tail)
	if _, err := buf.ReadFrom(io.LimitReader(r, max+1-have)); err != nil {
		return nil, false, err
	}
	if int64(buf.Len()) > max {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}
