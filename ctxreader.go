package imgproxy

import (
	"bytes"
	"context"
	"fmt"
)

// ctxReader reads data until ctx is done, then fails every Read with
// ctx.Err(). A decoder that pulls its input as it decodes stops within
// one Read of the deadline: image/png reads its zlib stream row by row
// through a 4 KiB buffer (deflate expands 4 KiB to 4 MiB at most, so
// at most that much row data between checks); x/image/webp's lossless
// decoder reads its bit stream through one too. The check is one atomic
// load per Read. It has no ReadByte, on purpose: readers that would use
// it byte by byte then buffer it instead, in 4 KiB Reads.
type ctxReader struct {
	ctx context.Context
	r   bytes.Reader
}

func newCtxReader(ctx context.Context, data []byte) *ctxReader {
	r := &ctxReader{ctx: ctx}
	r.r.Reset(data)
	return r
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// decodeError is the error of decoding data in format f that failed with
// err: if ctx is done, ctx's error (so a decode the Handler's Timeout
// ended is a 504, not a 415: decoders turn a failed read into their own
// errors, which would hide it); else err as ErrUnsupported.
func decodeError(ctx context.Context, f Format, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return decodeStopped(f, cerr)
	}
	return decodeFailed(f, err)
}

// decodeStopped wraps the error of a done context, keeping it visible to
// errors.Is (context.DeadlineExceeded maps to 504).
func decodeStopped(f Format, ctxErr error) error {
	return fmt.Errorf("imgproxy: decoding %v: %w", f, ctxErr)
}
