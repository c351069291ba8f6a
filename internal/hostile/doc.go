// Package hostile holds generators of hostile inputs for tests and
// bench/soak.sh: small files that are cheap to send and expensive, or
// impossible, to decode.
//
// Every generator is deterministic and returns a fresh byte slice; none
// keeps state. One file per format (jpeg.go, ...).
package hostile
