package hostile

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		body   []byte
		decode func([]byte) (image.Image, error)
	}{
		{"jpeg", ValidJPEG(64, 48, false), stdDecode(jpeg.Decode)},
		{"jpeg-progressive", ValidJPEG(64, 48, true), stdDecode(jpeg.Decode)},
		{"png", ValidPNG(64, 48), stdDecode(png.Decode)},
		{"gif", ValidGIF(64, 48, 3), stdDecode(gif.Decode)},
		{"webp", WebPChecker(64, 48), stdDecode(webp.Decode)},
	} {
		m, err := tc.decode(tc.body)
		require.NoError(t, err, tc.name)
		assert.Equal(t, image.Rect(0, 0, 64, 48), m.Bounds(), tc.name)
	}
	g, err := gif.DecodeAll(bytes.NewReader(ValidGIF(64, 48, 3)))
	require.NoError(t, err)
	assert.Len(t, g.Image, 3)
}

func stdDecode(f func(r io.Reader) (image.Image, error)) func([]byte) (image.Image, error) {
	return func(b []byte) (image.Image, error) { return f(bytes.NewReader(b)) }
}

func TestCases(t *testing.T) {
	t.Parallel()
	a, b := Cases(), Cases()
	require.Len(t, b, len(a))
	for i := range a { // bytes.Equal: reflection over megabytes is slow under -race
		assert.True(t, a[i].Name == b[i].Name && bytes.Equal(a[i].Body, b[i].Body), "deterministic: %s", a[i].Name)
	}
	names := map[string]bool{}
	kinds := map[Kind]int{}
	for _, c := range a {
		assert.False(t, names[c.Name], "duplicate %s", c.Name)
		names[c.Name] = true
		kinds[c.Kind]++
		assert.NotEmpty(t, c.ContentType, c.Name)
		assert.Less(t, len(c.Body), 2<<20, c.Name)
		assert.NotEqual(t, "kind(?)", c.Kind.String())
	}
	for k := Damaged; k <= Animation; k++ {
		assert.Positive(t, kinds[k], k.String())
	}
}

// TestCasesAreHostile checks with the standard decoders that no damaged,
// bad-header, non-image or empty case is a whole picture: each fails to
// decode or decodes to an empty picture.
func TestCasesAreHostile(t *testing.T) {
	t.Parallel()
	decoders := map[string]func(io.Reader) (image.Image, error){
		"image/jpeg": jpeg.Decode, "image/png": png.Decode, "image/gif": gif.Decode, "image/webp": webp.Decode,
	}
	for _, c := range Cases() {
		if c.Kind == Bomb || c.Kind == Animation || c.Kind == Damaged {
			continue
		}
		dec := decoders[c.ContentType]
		if dec == nil {
			continue // image/svg+xml: nothing decodes it
		}
		m, err := dec(bytes.NewReader(c.Body))
		if err == nil { // image/jpeg makes an empty picture of a 0-wide frame
			assert.True(t, m.Bounds().Empty(), c.Name)
		}
	}
}

func TestTruncateCorrupt(t *testing.T) {
	t.Parallel()
	b := []byte("0123456789")
	assert.Equal(t, []byte("0123"), Truncate(b, 4))
	assert.Equal(t, b, Truncate(b, 40))
	assert.Empty(t, Truncate(b, -1))
	c := Corrupt(b, 3)
	assert.Equal(t, b[:3], c[:3])
	assert.Equal(t, ^b[3], c[3])
	assert.Equal(t, b[4:], c[4:])
	assert.Equal(t, []byte("0123456789"), b, "input untouched")
}
