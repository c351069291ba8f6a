package jpegenc

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDjpeg decodes our files with libjpeg's djpeg (libjpeg-turbo-progs),
// when installed, as an independent check of the bitstream.
func TestDjpeg(t *testing.T) {
	t.Parallel()
	djpeg, err := exec.LookPath("djpeg")
	if err != nil {
		t.Skip("djpeg not installed (apt-get install libjpeg-turbo-progs)")
	}
	dir := t.TempDir()
	for _, sz := range [][2]int{{1, 1}, {7, 9}, {150, 94}, {641, 401}} {
		for name, m := range inputs(sz[0], sz[1]) {
			for _, q := range []int{1, 90, 100} {
				for _, prog := range []bool{false, true} {
					id := fmt.Sprintf("%dx%d_%s_q%d_prog%v", sz[0], sz[1], name, q, prog)
					t.Run(id, func(t *testing.T) {
						t.Parallel()
						in := filepath.Join(dir, id+".jpg")
						require.NoError(t, os.WriteFile(in, encode(t, m, q, prog), 0o644))
						var stderr bytes.Buffer
						cmd := exec.Command(djpeg, "-pnm", in)
						cmd.Stderr = &stderr
						out, err := cmd.Output()
						require.NoError(t, err, stderr.String())
						assert.Empty(t, stderr.String(), "djpeg warnings")
						d, err := readPNM(out)
						require.NoError(t, err)
						require.Equal(t, m.Bounds().Size(), d.Bounds().Size())
						if q == 90 && sz[0] >= 16 {
							assert.GreaterOrEqual(t, psnr(m, d), 37.0)
						}
					})
				}
			}
		}
	}
}

// readPNM parses binary PGM (P5) or PPM (P6) with maxval 255.
func readPNM(data []byte) (image.Image, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	var magic string
	var w, h, maxval int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxval); err != nil {
		return nil, err
	}
	if _, err := r.ReadByte(); err != nil || maxval != 255 {
		return nil, fmt.Errorf("bad PNM header")
	}
	switch magic {
	case "P5":
		m := image.NewGray(image.Rect(0, 0, w, h))
		_, err := io.ReadFull(r, m.Pix)
		return m, err
	case "P6":
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		px := make([]byte, 3*w*h)
		if _, err := io.ReadFull(r, px); err != nil {
			return nil, err
		}
		for i := range w * h {
			copy(m.Pix[4*i:], px[3*i:3*i+3])
			m.Pix[4*i+3] = 255
		}
		return m, nil
	}
	return nil, fmt.Errorf("unexpected PNM type %q", magic)
}
