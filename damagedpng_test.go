package imgproxy

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy/internal/pngdec/pngtest"
)

// TestDamagedAncillaryPNGChunk: a PNG whose text chunk has a bad CRC is
// served as libpng (nginx's image_filter, browsers) shows it, the same
// thumbnail as the undamaged file; a bad CRC in image data is a 415.
func TestDamagedAncillaryPNGChunk(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, photo(64, 48)))
	good := buf.Bytes()
	var text bytes.Buffer
	pngtest.WriteChunk(&text, "tEXt", []byte("Comment\x00damaged below"))
	withText := append(append(append([]byte(nil), good[:33]...), text.Bytes()...), good[33:]...) // after IHDR
	damagedText := bytes.Clone(withText)
	damagedText[33+len(text.Bytes())-1] ^= 1 // the tEXt's CRC
	idat := bytes.Index(good, []byte("IDAT"))
	damagedIDAT := bytes.Clone(good)
	damagedIDAT[idat+10] ^= 1

	dir := t.TempDir()
	for name, data := range map[string][]byte{"good.png": good, "text.png": damagedText, "idat.png": damagedIDAT} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	h := &Handler{Fetcher: &DirFetcher{Dir: dir}, Cache: NoCache{}}
	get := func(name string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/image/32x24/"+name, nil))
		return rec
	}
	want := get("good.png")
	require.Equal(t, http.StatusOK, want.Code)
	got := get("text.png")
	require.Equal(t, http.StatusOK, got.Code, "%s", got.Body)
	assert.Equal(t, want.Body.Bytes(), got.Body.Bytes(), "same thumbnail as without the damaged chunk")
	assert.Equal(t, http.StatusUnsupportedMediaType, get("idat.png").Code)
}
