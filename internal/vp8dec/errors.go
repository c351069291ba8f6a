package vp8dec

import "errors"

// ErrFormat is a bit stream that breaks RFC 6386: a bad start code, a
// partition running past the data, a truncated frame. Errors wrap it.
var ErrFormat = errors.New("vp8: invalid format")

// ErrUnsupported is a valid VP8 frame this decoder does not decode: an
// inter frame (WebP holds key frames only) or a profile above 3. Errors
// wrap it; a caller may fall back to another decoder.
var ErrUnsupported = errors.New("vp8: unsupported")

// ErrTooLarge is a frame of more pixels than Options.MaxPixels, refused
// before anything is allocated.
var ErrTooLarge = errors.New("vp8: frame too large")
