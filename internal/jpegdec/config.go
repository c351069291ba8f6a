package jpegdec

import (
	"errors"
	"image"
)

// ColorSpace is the colour interpretation of a JPEG's components.
type ColorSpace uint8

// Colour spaces reported in Config.
const (
	ColorGray  ColorSpace = iota + 1 // 1 component
	ColorYCbCr                       // 3 components, JFIF YCbCr
	ColorRGB                         // 3 components stored as RGB (Adobe transform 0 or ids 'R','G','B'); unsupported
	ColorCMYK                        // 4 components, Adobe transform 0; unsupported
	ColorYCCK                        // 4 components, Adobe transform 2; unsupported
)

// String returns a short name such as "ycbcr".
func (c ColorSpace) String() string {
	switch c {
	case ColorGray:
		return "gray"
	case ColorYCbCr:
		return "ycbcr"
	case ColorRGB:
		return "rgb"
	case ColorCMYK:
		return "cmyk"
	case ColorYCCK:
		return "ycck"
	}
	return "unknown"
}

// Config describes a JPEG frame as found in its headers.
type Config struct {
	Width, Height int
	Components    int
	Progressive   bool
	ColorSpace    ColorSpace
	// Subsample is the chroma subsampling ratio of 3-component images
	// (meaningless otherwise). Only valid when Supported is true.
	Subsample image.YCbCrSubsampleRatio
	// Supported reports whether Decode can handle the frame; when false,
	// Decode returns an UnsupportedError.
	Supported bool
}

// Options tunes Decode. A nil *Options means no limits.
type Options struct {
	// MaxPixels bounds Width*Height of the source frame (0: no limit).
	// It is checked from the frame header before any image memory is
	// allocated; exceeding it returns ErrTooLarge. Allocation is then at
	// most about MaxPixels*Components/scale² bytes of output (plus MCU
	// padding), and for progressive files decoded at scale 1, 2 or 4 two
	// bytes of coefficients per source sample.
	MaxPixels int64
}

// ErrTooLarge is returned when the frame exceeds Options.MaxPixels or the
// absolute limit of maxFramePixels.
var ErrTooLarge = errors.New("jpegdec: image too large")

// maxFramePixels is an absolute bound on Width*Height regardless of
// Options, so that size arithmetic can never overflow.
const maxFramePixels = 1 << 30

// DecodeConfig parses the headers up to the frame header and returns the
// image configuration without decoding any pixel data.
func DecodeConfig(data []byte) (Config, error) {
	d := decoder{walker: walker{data: data}}
	if err := d.readHeaders(true); err != nil {
		return Config{}, err
	}
	return d.config(), nil
}

// ScaleFor returns the largest scale in {8,4,2,1} such that
// ceil(srcW/s) >= dstW and ceil(srcH/s) >= dstH. A zero dst side is
// unconstrained.
func ScaleFor(srcW, srcH, dstW, dstH int) int {
	for _, s := range [...]int{8, 4, 2} {
		if (dstW <= 0 || ceilDiv(srcW, s) >= dstW) && (dstH <= 0 || ceilDiv(srcH, s) >= dstH) {
			return s
		}
	}
	return 1
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
