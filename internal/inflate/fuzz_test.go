package inflate

import (
	"bytes"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzInflate: a raw DEFLATE stream, given in pieces of a size the first
// byte picks, inflates as compress/flate inflates it, or both refuse it.
func FuzzInflate(f *testing.F) {
	for name, data := range samples() {
		if len(data) > 1000 {
			data = data[:1000]
		}
		for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, 1, 6, 9} {
			f.Add(append([]byte{byte(len(name))}, deflate(f, data, level, false)...))
		}
	}
	files, _ := filepath.Glob("testdata/zlib-*.z")
	for _, name := range files { // zlib's own streams, header cut, the first 1500 bytes
		if comp, err := os.ReadFile(name); err == nil && len(comp) > 6 {
			f.Add(append([]byte{3}, comp[2:min(len(comp)-4, 1500)]...))
		}
	}
	f.Add([]byte{0, 0x07})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || len(in) > 4096 { // larger inputs slow minimising
			return
		}
		piece := int(in[0])%64 + 1
		src := in[1:]
		want, werr := io.ReadAll(flate.NewReader(bytes.NewReader(src)))
		got, r, err := inflateAll(split(src, piece), -1, false)
		if (err != nil) != (werr != nil) {
			t.Fatalf("pieces of %d: got error %v, compress/flate %v", piece, err, werr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("pieces of %d: %d bytes differ from compress/flate's %d", piece, len(got), len(want))
		}
		if r.Left() < 0 || r.Left() > len(src) {
			t.Fatalf("left %d of %d", r.Left(), len(src))
		}
	})
}
