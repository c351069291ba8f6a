package hostile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"path"
)

// Kind says what a Case is, so that a test can decide what answer it is
// owed; the answers themselves are the caller's policy, not this
// package's.
type Kind int

const (
	// Damaged is a real picture truncated or with its coded data
	// corrupted: a decoder may fail on it or recover part of it.
	Damaged Kind = iota
	// BadHeader is a picture whose header is impossible (zero size, bad
	// checksum, wrong signature): no decoder can make a picture of it.
	BadHeader
	// NotImage is a body that is no picture at all, though its Content-Type
	// says it is.
	NotImage
	// Empty is a body of no picture data: nothing, or a signature alone.
	Empty
	// Bomb is a small file that decodes to a huge picture or costs a huge
	// amount of work to decode.
	Bomb
	// Animation is a well-formed GIF of thousands of frames.
	Animation
)

var kindNames = [...]string{"damaged", "bad-header", "not-image", "empty", "bomb", "animation"}

// String returns the kind's name, such as "bomb".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(?)"
	}
	return kindNames[k]
}

// Case is one hostile body, as an origin would serve it.
type Case struct {
	// Name identifies the case and can serve as a file name: it has the
	// extension its Content-Type suggests, such as "png-bomb-16bit.png".
	Name string
	// ContentType is what the origin claims the body is.
	ContentType string
	Body        []byte
	Kind        Kind
}

// Sizes of the bombs in Cases: each under the default 50 megapixel limit,
// so that only a memory or work bound refuses it.
const (
	BombSide   = 7000 // width and height of the PNG, GIF, WebP and JPEG bombs
	BombScans  = 1000 // scans of the JPEG scan bomb
	ManyFrames = 5000 // frames of the 100x100 animation
)

// Cases returns every hostile body, built afresh: damaged, bad-header,
// non-image and empty bodies of each format, and the bombs. Building them
// all takes about 0.1 s; the largest, the deep JPEG bomb, is 1.3 MB.
func Cases() []Case {
	var cs []Case
	add := func(name, ct string, k Kind, body []byte) {
		cs = append(cs, Case{Name: name, ContentType: ct, Body: body, Kind: k})
	}
	sources := []struct {
		name, ct string
		body     []byte
	}{
		{"jpeg-baseline.jpg", "image/jpeg", ValidJPEG(640, 480, false)},
		{"jpeg-progressive.jpg", "image/jpeg", ValidJPEG(640, 480, true)},
		{"png.png", "image/png", ValidPNG(320, 240)},
		{"gif.gif", "image/gif", ValidGIF(160, 120, 3)},
		{"webp.webp", "image/webp", WebPChecker(640, 480)},
	}
	for _, s := range sources {
		n := len(s.body)
		add("truncated-half-"+s.name, s.ct, Damaged, Truncate(s.body, n/2))
		add("truncated-last-byte-"+s.name, s.ct, Damaged, Truncate(s.body, n-1))
		add("truncated-header-"+s.name, s.ct, Damaged, Truncate(s.body, min(n, 24)))
		add("corrupt-tail-"+s.name, s.ct, Damaged, Corrupt(s.body, n/3))
	}
	for _, c := range badHeaders() {
		add(c.Name, c.ContentType, BadHeader, c.Body)
	}
	for _, c := range notImages() {
		add(c.Name, c.ContentType, NotImage, c.Body)
	}
	for _, e := range [][2]string{
		{"empty.jpg", ""}, {"one-byte.png", "\x89"}, {"jpeg-soi-only.jpg", "\xFF\xD8"},
		{"png-signature-only.png", "\x89PNG\r\n\x1a\n"}, {"gif-signature-only.gif", "GIF89a"},
		{"webp-riff-only.webp", "RIFF\x04\x00\x00\x00WEBP"},
	} {
		add(e[0], contentTypeOf(e[0]), Empty, []byte(e[1]))
	}
	add("png-bomb-16bit.png", "image/png", Bomb, PNGBomb(BombSide, BombSide, false))
	add("png-bomb-16bit-interlaced.png", "image/png", Bomb, PNGBomb(BombSide, BombSide, true))
	add("gif-bomb.gif", "image/gif", Bomb, GIFBomb(BombSide, BombSide))
	add("webp-bomb.webp", "image/webp", Bomb, WebPBomb(BombSide, BombSide))
	add("webp-bomb-16384.webp", "image/webp", Bomb, WebPBomb(16384, 16384))
	add("jpeg-scan-bomb.jpg", "image/jpeg", Bomb, ScanBomb(BombSide, BombSide, BombScans))
	add("jpeg-scan-bomb-2000.jpg", "image/jpeg", Bomb, ScanBomb(2000, 2000, BombScans))
	add("jpeg-deep-bomb.jpg", "image/jpeg", Bomb, DeepBomb(BombSide, BombSide))
	add("gif-many-frames.gif", "image/gif", Animation, GIFFrames(100, 100, ManyFrames))
	return cs
}

// Truncate returns a copy of the first n bytes of b (all of b if n is
// larger).
func Truncate(b []byte, n int) []byte {
	return bytes.Clone(b[:min(max(n, 0), len(b))])
}

// Corrupt returns a copy of b with every 97th byte from offset from on
// inverted: the headers before from survive, the coded data after it does
// not, and the damage is the same on every call.
func Corrupt(b []byte, from int) []byte {
	c := bytes.Clone(b)
	for i := max(from, 0); i < len(c); i += 97 {
		c[i] = ^c[i]
	}
	return c
}

// badHeaders are pictures whose header cannot describe a picture.
func badHeaders() []Case {
	jpg := ValidJPEG(64, 48, false)
	zeroWidth := bytes.Clone(jpg)
	if i := bytes.Index(zeroWidth, []byte{0xFF, 0xC0}); i >= 0 {
		zeroWidth[i+7], zeroWidth[i+8] = 0, 0 // SOF0: length, precision, height, width
	}
	pngFile := ValidPNG(64, 48)
	badCRC := bytes.Clone(pngFile)
	badCRC[29] ^= 0xFF // IHDR CRC: 8 signature + 8 chunk head + 13 data
	pngZero := bytes.Clone(pngFile)
	binary.BigEndian.PutUint32(pngZero[16:], 0) // IHDR width, CRC left stale
	pngZero = repairIHDR(pngZero)
	gifZero := GIFBomb(1, 1)
	// Logical screen size at 6, then after the screen (7 bytes) and the
	// palette (12), the frame descriptor at 25 with its size at 30.
	copy(gifZero[6:10], []byte{0, 0, 0, 0})
	copy(gifZero[30:34], []byte{0, 0, 0, 0})
	webp := WebPChecker(64, 48)
	badSig := bytes.Clone(webp)
	badSig[20] = 0x2E // VP8L signature byte 0x2F
	noFrames := gifHeader(64, 48, true)
	noFrames = append(noFrames, 0x3B)
	return []Case{
		{Name: "jpeg-zero-width.jpg", ContentType: "image/jpeg", Body: zeroWidth},
		{Name: "png-ihdr-bad-crc.png", ContentType: "image/png", Body: badCRC},
		{Name: "png-zero-width.png", ContentType: "image/png", Body: pngZero},
		{Name: "gif-zero-size.gif", ContentType: "image/gif", Body: gifZero},
		{Name: "gif-no-frames.gif", ContentType: "image/gif", Body: noFrames},
		{Name: "webp-bad-signature.webp", ContentType: "image/webp", Body: badSig},
	}
}

// repairIHDR rewrites the CRC of the IHDR chunk of a PNG file.
func repairIHDR(b []byte) []byte {
	ihdr := pngChunk(nil, "IHDR", b[16:29])
	copy(b[8:], ihdr)
	return b
}

// notImages are bodies that are not pictures, each labelled as one.
func notImages() []Case {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ValidPNG(64, 48))
	zw.Close()
	noise := make([]byte, 64<<10)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range noise { // xorshift: the same noise every time
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		noise[i] = byte(x >> 32)
	}
	html := "<!doctype html><html><head><title>Not Found</title></head><body>not here</body></html>\n"
	return []Case{
		{Name: "html.jpg", ContentType: "image/jpeg", Body: []byte(html)},
		{Name: "text.png", ContentType: "image/png", Body: []byte("this is not a picture\n")},
		{Name: "svg.svg", ContentType: "image/svg+xml", Body: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"><rect width="9000" height="9000"/></svg>`)},
		{Name: "pdf.gif", ContentType: "image/gif", Body: []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")},
		{Name: "zip.webp", ContentType: "image/webp", Body: append([]byte("PK\x03\x04\x14\x00\x00\x00"), noise[:512]...)},
		{Name: "wave.webp", ContentType: "image/webp", Body: append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), noise[:28]...)},
		{Name: "gzip.png", ContentType: "image/png", Body: gz.Bytes()},
		{Name: "noise.jpg", ContentType: "image/jpeg", Body: noise},
		{Name: "jpeg-soi-then-html.jpg", ContentType: "image/jpeg", Body: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, html...)},
	}
}

// contentTypeOf returns the image type a name's extension suggests.
func contentTypeOf(name string) string {
	switch path.Ext(name) {
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	}
	return "image/jpeg"
}
