package imgproxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pattern returns n bytes that differ from chunk to chunk.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/compareChunk)
	}
	return b
}

// changedAt returns a copy of b with byte i changed.
func changedAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i]++
	return c
}

func TestReadExpected(t *testing.T) {
	t.Parallel()
	want := pattern(3*compareChunk + 100)
	tests := []struct {
		name  string
		body  []byte
		size  int64 // -1: unknown
		max   int64
		same  bool // want itself is returned
		large bool
	}{
		{"same", want, -1, 1 << 20, true, false},
		{"same, size known", want, int64(len(want)), 1 << 20, true, false},
		{"differs in the first chunk", changedAt(want, 10), -1, 1 << 20, false, false},
		{"differs at a chunk boundary", changedAt(want, compareChunk), -1, 1 << 20, false, false},
		{"differs in the last byte", changedAt(want, len(want)-1), -1, 1 << 20, false, false},
		{"longer", append(bytes.Clone(want), 1, 2, 3), -1, 1 << 20, false, false},
		{"shorter", want[:compareChunk+5], -1, 1 << 20, false, false},
		{"empty", nil, -1, 1 << 20, false, false},
		{"size differs", want[:100], 100, 1 << 20, false, false},
		{"longer and over the limit", append(bytes.Clone(want), make([]byte, 1000)...), -1, int64(len(want)) + 10, false, true},
		{"expected over the limit", want, -1, 100, false, true},
	}
	for _, tt := range tests {
		for _, rd := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{{"whole", func(r io.Reader) io.Reader { return r }}, {"one byte at a time", iotest.OneByteReader}, {"halves", iotest.HalfReader}} {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				t.Parallel()
				tt := tt // shortened below for the slow reader
				if rd.name == "one byte at a time" && len(tt.body) > compareChunk && !tt.large {
					tt.body = tt.body[:compareChunk+3] // keep it quick: the first chunk boundary
					if tt.same {
						tt.body = want[:compareChunk+3]
						tt.same = false // a prefix of want, read to its end
					}
				}
				got, tooLarge, err := readExpected(rd.wrap(bytes.NewReader(tt.body)), tt.size, tt.max, want)
				require.NoError(t, err)
				assert.Equal(t, tt.large, tooLarge)
				if tt.large {
					return
				}
				assert.Equal(t, len(tt.body), len(got))
				assert.True(t, bytes.Equal(tt.body, got), "the body as read")
				assert.Equal(t, tt.same, len(got) > 0 && &got[0] == &want[0], "want itself")
				if len(got) > 0 && !tt.same {
					got[0]++ // a buffer of its own: want is untouched
					assert.Equal(t, pattern(len(want)), want)
				}
			})
		}
	}
}

func TestReadExpectedError(t *testing.T) {
	t.Parallel()
	want := pattern(2 * compareChunk)
	boom := errors.New("boom")
	for _, r := range []io.Reader{
		iotest.ErrReader(boom),
		io.MultiReader(bytes.NewReader(want[:100]), iotest.ErrReader(boom)),
		io.MultiReader(bytes.NewReader(changedAt(want, 5)[:100]), iotest.ErrReader(boom)),
	} {
		_, _, err := readExpected(r, -1, 1<<20, want)
		assert.ErrorIs(t, err, boom)
	}
}

// TestFetchersExpected: HTTPFetcher and DirFetcher asked for a source
// expected to be the same return the expected bytes themselves (no second
// copy) when it is, and the new bytes when it changed.
func TestFetchersExpected(t *testing.T) {
	t.Parallel()
	old := pattern(2*compareChunk + 7)
	changed := changedAt(old, compareChunk+1)
	for _, tt := range []struct {
		name string
		body []byte
		same bool
	}{{"same", old, true}, {"changed", changed, false}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(tt.body)
			}))
			defer srv.Close()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "p.jpg"), tt.body, 0o644))
			for _, f := range []Fetcher{&HTTPFetcher{BaseURL: srv.URL}, &DirFetcher{Dir: dir}} {
				src, err := f.Fetch(withExpected(context.Background(), old), "p.jpg")
				require.NoError(t, err)
				assert.True(t, bytes.Equal(tt.body, src.Data))
				assert.Equal(t, tt.same, &src.Data[0] == &old[0], "%T", f)
			}
		})
	}
}

// FuzzReadExpected: whatever the body and the expected bytes, what is
// read is the body, within the limit.
func FuzzReadExpected(f *testing.F) {
	f.Add([]byte("abc"), []byte("abc"), int64(10), uint8(0))
	f.Add([]byte("abc"), []byte("abd"), int64(3), uint8(1))
	f.Add([]byte("abcdef"), []byte("abc"), int64(4), uint8(2))
	f.Fuzz(func(t *testing.T, body, want []byte, max int64, mode uint8) {
		max = max%64 + 1
		size := int64(-1)
		if mode&1 != 0 {
			size = int64(len(body))
		}
		var r io.Reader = bytes.NewReader(body)
		if mode&2 != 0 {
			r = iotest.OneByteReader(r)
		}
		got, tooLarge, err := readExpected(r, size, max, want)
		require.NoError(t, err)
		if int64(len(body)) > max {
			require.True(t, tooLarge)
			return
		}
		require.False(t, tooLarge)
		require.True(t, bytes.Equal(body, got))
	})
}
