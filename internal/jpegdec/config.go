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
	ColorRGB                         // 3 components stored as RGB (Adobe transform 0 without JFIF, or ids 'R','G','B')
	ColorCMYK                        // 4 components, no Adobe marker (plain CMYK) or Adobe transform 0 (inverted CMYK)
	ColorYCCK                        // 4 components, Adobe transform 2 (or another non-zero transform, as libjpeg)
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
	// Subsample is the chroma subsampling ratio of YCbCr images
	// (meaningless otherwise, and where RGBA is true). Only valid when
	// Supported is true.
	Subsample image.YCbCrSubsampleRatio
	// RGBA reports that Decode returns an opaque *image.RGBA: CMYK, YCCK
	// and RGB frames, and YCbCr frames whose sampling factors are none
	// of image.YCbCr's six ratios (false: *image.YCbCr or *image.Gray).
	RGBA bool
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
	// padding; converted CMYK, YCCK and RGB frames: 4*MaxPixels/scale²
	// of RGBA output plus, only for sequential files with one scan per
	// component, MaxPixels*Components/scale² of planes), and for
	// progressive files coefficient storage per source sample (of every
	// component, as stored) of 2.125 bytes at scale 1, 0.625 at scale 2,
	// 0.25 at scale 4 (the stored corner of each block and a 64-bit mask
	// of its non-zero coefficients) and 1/32 at scale 8.
	MaxPixels int64

	// Approximate trades exactness for speed when decoding progressive
	// files at scale 2 or 4. It has no effect on baseline (sequential)
	// files and at scales 1 and 8, which are always decoded exactly (at
	// scale 8 only the DC scans are read anyway).
	//
	// An exact decode at scale 2 or 4 has to entropy-decode every scan
	// whose band meets the needed k×k low-frequency corner of the blocks
	// (k = 8/scale) and also every earlier scan over the same band,
	// because a refinement scan can only be parsed with the full history
	// of its band. With libjpeg's standard script the last refinement of
	// luma spans coefficients 1..63, so nothing can be skipped.
	//
	// With Approximate, Decode reads every DC scan, the AC first scans
	// (Ah=0) whose band meets the k×k corner, and only those AC refinement
	// scans (Ah>0) whose band lies inside the corner and whose earlier
	// scans were all read; it skips everything else by jumping to the next
	// marker. A coefficient whose refinement was skipped is known to the
	// precision 2^Al of the last scan read over it and is reconstructed at
	// the middle of its uncertainty interval: a value transmitted as
	// ±m (m > 0) becomes ±(m·2^Al + (2^Al−1)/2), a zero stays zero.
	// Coefficients that first become non-zero in a skipped refinement are
	// lost. DC coefficients are always exact.
	//
	// With libjpeg's standard script (cjpeg -progressive, the usual
	// "progressive" setting of encoders built on libjpeg) luma AC ends up
	// at 1/4 and chroma AC at 1/2 precision, and Decode reads about half
	// of the entropy-coded data at scale 2 and a fifth at scale 4
	// (16.3 MB photo: 8.3 and 3.3 MB); on our corpus it measured 2.2-2.6x
	// faster than the exact decode at scale 2 and 3.3-5.6x at scale 4
	// (5640x3172: 758 -> 294 ms and 708 -> 127 ms). Against the exact
	// decode at the same scale, high-quality photos score 47-55 dB PSNR
	// at scale 2 and 52-56 dB at scale 4, a quality-85 image about 40 and
	// 47 dB (the error grows with the quantiser step); decoding at scale 8
	// and upsampling scores 24-36 dB. See approx_test.go.
	//
	// Use it where speed matters more than the last bit of fidelity,
	// e.g. thumbnails that are resampled further anyway.
	Approximate bool
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
