package imgproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// Fit says how an image is fitted to the requested box.
type Fit int

const (
	// FitInside keeps the aspect ratio and fits the image inside the box,
	// never enlarging it: nginx's "image_filter resize". The zero value.
	FitInside Fit = iota
	// FitCrop keeps the aspect ratio, fills the box (never enlarging) and
	// cuts off what overflows, centred: nginx's "image_filter crop".
	FitCrop
)

// String returns the URL token of f ("" for FitInside).
func (f Fit) String() string {
	if f == FitCrop {
		return "crop"
	}
	return ""
}

// Format is an output image format.
type Format int

const (
	// FormatSource keeps the source's format. The zero value.
	FormatSource Format = iota
	// FormatJPEG is image/jpeg.
	FormatJPEG
	// FormatPNG is image/png.
	FormatPNG
	// FormatGIF is image/gif.
	FormatGIF
	// FormatWebP is image/webp. Written by a Resizer that has a WebP
	// encoder (see the webp subpackage).
	FormatWebP
	// FormatAVIF is image/avif. Written by a Resizer that has an AVIF
	// encoder (see the avif subpackage); not a source format.
	FormatAVIF
)

var formatNames = [...]string{FormatSource: "", FormatJPEG: "jpeg", FormatPNG: "png", FormatGIF: "gif", FormatWebP: "webp", FormatAVIF: "avif"}

// String returns the URL token of f ("" for FormatSource).
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// ContentType returns the MIME type of f ("" for FormatSource).
func (f Format) ContentType() string {
	switch f {
	case FormatJPEG, FormatPNG, FormatGIF, FormatWebP, FormatAVIF:
		return "image/" + f.String()
	}
	return ""
}

// MaxDimension is the largest width or height a URL may ask for.
const MaxDimension = 16384

// Options is a parsed transformation request. The zero value (both sides
// free, nothing else) asks for the source unchanged.
type Options struct {
	// Width and Height bound the result in pixels; 0 leaves that side
	// free (the "-" of nginx's image_filter).
	Width, Height int
	// Fit is how the image fills the box.
	Fit Fit
	// Rotate is 0, 90, 180 or 270 degrees counter-clockwise, applied after
	// resizing, as nginx's "image_filter rotate" does.
	Rotate int
	// Quality is the JPEG quality 1..100; 0 means the Resizer's default.
	Quality int
	// Format is the output format; FormatSource keeps the source's.
	Format Format
	// Auto lists, in order of preference, the formats the client accepts
	// beyond the source's (FormatWebP, FormatAVIF), for a Format of
	// FormatSource: the Resizer writes the first it can write for this
	// picture (an encoder that cannot animate is skipped for an animated
	// source), else the source format. Unused entries are FormatSource.
	// The Handler fills it in from the request's Accept header (see
	// Handler.Negotiate); in a URL it is the "auto-" option.
	Auto [2]Format
	// Background is the colour that transparent pixels are flattened onto
	// when the output format has no alpha channel (JPEG). If not Valid,
	// the Resizer's default (white).
	Background Color
	// Sharpen is the strength in percent of an unsharp mask applied after
	// resizing (nginx's image_filter_sharpen); 0 means none.
	Sharpen int
	// Info asks for the source's size and type as nginx's "image_filter
	// size" JSON instead of an image; the size options are ignored.
	Info bool
}

// Color is an opaque sRGB colour. The zero value is not Valid: no colour.
type Color struct {
	R, G, B uint8
	Valid   bool
}

// OptionsError reports a malformed options segment. The Handler answers it
// with 400.
type OptionsError struct {
	Segment string // the segment as given
	Reason  string // what is wrong with it
}

func (e *OptionsError) Error() string {
	return fmt.Sprintf("imgproxy: bad options %q: %s", e.Segment, e.Reason)
}

// String returns the canonical options segment: the size, then the options
// in the fixed order fit, rotation, quality, format, auto, background,
// sharpen, info. It is the options part
// of cache keys, and ParseOptions(o.String()) == o for every valid o.
func (o Options) String() string {
	var buf [64]byte
	return string(o.appendTo(buf[:0]))
}

// appendTo appends the canonical segment to b.
func (o Options) appendTo(b []byte) []byte {
	b = appendSide(b, o.Width)
	b = append(b, 'x')
	b = appendSide(b, o.Height)
	if o.Fit == FitCrop {
		b = append(b, ",crop"...)
	}
	if o.Rotate != 0 {
		b = append(b, ",r"...)
		b = strconv.AppendInt(b, int64(o.Rotate), 10)
	}
	if o.Quality != 0 {
		b = append(b, ",q"...)
		b = strconv.AppendInt(b, int64(o.Quality), 10)
	}
	if o.Format != FormatSource {
		b = append(b, ',')
		b = append(b, o.Format.String()...)
	}
	if o.Auto[0] != FormatSource {
		b = append(b, ",auto"...)
		for _, f := range o.Auto {
			if f != FormatSource {
				b = append(b, '-')
				b = append(b, f.String()...)
			}
		}
	}
	if o.Background.Valid {
		const hex = "0123456789abcdef"
		c := o.Background
		b = append(b, ",bg"...)
		for _, v := range [3]uint8{c.R, c.G, c.B} {
			b = append(b, hex[v>>4], hex[v&15])
		}
	}
	if o.Sharpen != 0 {
		b = append(b, ",sh"...)
		b = strconv.AppendInt(b, int64(o.Sharpen), 10)
	}
	if o.Info {
		b = append(b, ",info"...)
	}
	return b
}

// isCanonical reports whether segment is o's canonical form, without
// allocating.
func (o Options) isCanonical(segment string) bool {
	var buf [64]byte
	return string(o.appendTo(buf[:0])) == segment
}

func appendSide(b []byte, n int) []byte {
	if n == 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// ParseOptions parses an options segment, the part of a URL between the
// Handler's prefix and the image path. Its grammar:
//
//	segment = size *( "," option )
//	size    = side "x" side
//	side    = "-" / dimension     ; "-" leaves that side free
//	option  = "crop" / "r90" / "r180" / "r270" / "q" quality / format /
//	          "auto-" modern [ "-" modern ] / "bg" 6HEXDIG / "sh" percent /
//	          "info"
//	format  = "jpeg" / "png" / "gif" / modern
//	modern  = "webp" / "avif"
//
// A dimension is a decimal integer 1..MaxDimension without a sign or leading
// zeros; a quality is 1..100, likewise; a sharpening percent 1..500. The
// background colour is lower-case hexadecimal rrggbb. "auto-" lists the
// formats the client accepts in order of preference (see Options.Auto),
// each at most once; it cannot be combined with an explicit format. The
// Handler adds it from the Accept header, so it rarely appears in links. Each option may appear once, in any
// order; Options.String writes them in canonical order. Anything else is an
// *OptionsError. Examples:
//
//	segment               meaning
//	150x150               fit inside 150x150, keep aspect ratio, never enlarge
//	150x-                 150 wide, height follows the aspect ratio
//	-x100                 100 high, width follows the aspect ratio
//	-x-                   original size (useful with r90, q or a format)
//	150x150,crop          fill 150x150 exactly, centre-cropping the overflow
//	300x200,r90           fit inside 300x200, then rotate 90° counter-clockwise
//	640x480,q60           JPEG quality 60 instead of the default 75
//	640x480,png           re-encode as PNG whatever the source format
//	640x480,webp          write WebP (needs a Resizer with a WebP encoder)
//	640x480,auto-avif-webp  AVIF if possible, else WebP, else the source's
//	300x300,bg000000      flatten transparency onto black (JPEG output)
//	300x300,sh50          sharpen after resizing by 50 percent
//	-x-,info              the source's size and type as nginx's JSON
//	150x150,crop,r180,q90,jpeg   in canonical order
//
// Crop needs both sides: "150x-,crop" is an error.
func ParseOptions(segment string) (Options, error) {
	var o Options
	bad := func(reason string) (Options, error) {
		return Options{}, &OptionsError{Segment: segment, Reason: reason}
	}
	size, rest, hasOpts := strings.Cut(segment, ",")
	ws, hs, ok := strings.Cut(size, "x")
	if !ok {
		return bad("size must be <width>x<height>")
	}
	var err error
	if o.Width, err = parseSide(ws); err != nil {
		return bad("width: " + err.Error())
	}
	if o.Height, err = parseSide(hs); err != nil {
		return bad("height: " + err.Error())
	}
	if !hasOpts {
		return o, nil
	}
	var seen uint8 // a bit per option kind
	for tok := range strings.SplitSeq(rest, ",") {
		kind, err := o.apply(tok)
		if err != nil {
			return bad(err.Error())
		}
		if seen&kind != 0 {
			return bad("repeated option " + strconv.Quote(tok))
		}
		seen |= kind
	}
	if o.Fit == FitCrop && (o.Width == 0 || o.Height == 0) {
		return bad("crop needs both width and height")
	}
	if o.Format != FormatSource && o.Auto[0] != FormatSource {
		return bad("auto cannot be combined with a format")
	}
	return o, nil
}

// Option kinds, as bits, so that ParseOptions can refuse repeats.
const (
	kindFit uint8 = 1 << iota
	kindRotate
	kindQuality
	kindFormat
	kindAuto
	kindBackground
	kindSharpen
	kindInfo
)

// apply sets the option named by tok and returns its kind.
func (o *Options) apply(tok string) (uint8, error) {
	switch tok {
	case "crop":
		o.Fit = FitCrop
		return kindFit, nil
	case "r90", "r180", "r270":
		o.Rotate, _ = strconv.Atoi(tok[1:])
		return kindRotate, nil
	case "jpeg", "png", "gif", "webp", "avif":
		o.Format = formatNamed(tok)
		return kindFormat, nil
	case "info":
		o.Info = true
		return kindInfo, nil
	}
	if list, ok := strings.CutPrefix(tok, "auto-"); ok {
		return kindAuto, o.parseAuto(list)
	}
	if hex, ok := strings.CutPrefix(tok, "bg"); ok {
		c, err := parseColor(hex)
		o.Background = c
		return kindBackground, err
	}
	if pct, ok := strings.CutPrefix(tok, "sh"); ok {
		n, err := parseNumber(pct, 500)
		if err != nil {
			return 0, fmt.Errorf("sharpen: %w", err)
		}
		o.Sharpen = n
		return kindSharpen, nil
	}
	if len(tok) > 1 && tok[0] == 'q' {
		q, err := parseNumber(tok[1:], 100)
		if err != nil {
			return 0, fmt.Errorf("quality: %w", err)
		}
		o.Quality = q
		return kindQuality, nil
	}
	return 0, fmt.Errorf("unknown option %q", tok)
}

// formatNamed returns the format whose URL token is name, FormatSource if
// none.
func formatNamed(name string) Format {
	for f, n := range formatNames {
		if n == name && name != "" {
			return Format(f)
		}
	}
	return FormatSource
}

// parseAuto parses the format list of an "auto-" option.
func (o *Options) parseAuto(list string) error {
	names := strings.Split(list, "-")
	if len(names) > len(o.Auto) {
		return fmt.Errorf("auto: at most %d formats", len(o.Auto))
	}
	for i, name := range names {
		f := formatNamed(name)
		if f != FormatWebP && f != FormatAVIF {
			return fmt.Errorf("auto: want webp or avif, got %q", name)
		}
		if i > 0 && o.Auto[0] == f {
			return fmt.Errorf("auto: repeated %q", name)
		}
		o.Auto[i] = f
	}
	return nil
}

// parseColor parses exactly six lower-case hexadecimal digits.
func parseColor(s string) (Color, error) {
	if len(s) != 6 {
		return Color{}, fmt.Errorf("background: want rrggbb, got %q", s)
	}
	var v [3]uint8
	for i := 0; i < 6; i++ {
		c := s[i]
		var d uint8
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return Color{}, fmt.Errorf("background: want lower-case rrggbb, got %q", s)
		}
		v[i/2] = v[i/2]<<4 | d
	}
	return Color{R: v[0], G: v[1], B: v[2], Valid: true}, nil
}

func parseSide(s string) (int, error) {
	if s == "-" {
		return 0, nil
	}
	return parseNumber(s, MaxDimension)
}

// parseNumber accepts exactly the decimal form of 1..max: no sign, no
// leading zeros, no spaces.
func parseNumber(s string, max int) (int, error) {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return 0, fmt.Errorf("want 1..%d, got %q", max, s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("want 1..%d, got %q", max, s)
		}
		n = n*10 + int(c-'0')
	}
	if n > max {
		return 0, fmt.Errorf("want 1..%d, got %q", max, s)
	}
	return n, nil
}
