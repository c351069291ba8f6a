package imgproxy

import (
	"context"
	"fmt"
	"image"

	"github.com/imgproxy-go/imgproxy/internal/isobmff"
	"github.com/imgproxy-go/imgproxy/internal/picture"
	"github.com/imgproxy-go/imgproxy/internal/resample"
)

// Decoder decodes one source format that the root package does not link
// a decoder for (AVIF); see BildResizer.Decoders and the avif
// subpackage, which provides one. The root package reads the format's
// header itself (size, alpha, ICC profile, orientation), so a Decoder
// only turns the bytes into pixels.
type Decoder interface {
	// Decode decodes data, a whole file, at its stored size and
	// orientation (the pipeline applies the orientation the header
	// gives); of an animation, the first frame. It need not stop when
	// asked: it runs on a goroutine of its own, which the request leaves
	// running past its deadline (the transform's memory and CPU slot
	// stay taken until it ends). It must be safe for concurrent use.
	Decode(data []byte) (image.Image, error)
}

// avifCodec is the AVIF row of the source formats. It is not in
// sourceCodecs: a BildResizer sniffs it only when Decoders has an AVIF
// decoder (see BildResizer.sniff), so that without one AVIF stays
// "not a known image format" (415), as before.
var avifCodec = codec{
	format: FormatAVIF,
	sniff:  isobmff.IsAVIF,
	header: avifHeader,
	decode: decodeAVIF,
}

// sniff returns the codec for data: a built-in one, else one of the
// formats Decoders adds; nil if no format matches.
func (r *BildResizer) sniff(data []byte) *codec {
	if c := sniffCodec(data); c != nil {
		return c
	}
	if r.decoders[FormatAVIF] != nil && avifCodec.sniff(data) {
		return &avifCodec
	}
	return nil
}

// knownPicture reports whether data sniffs as any source format, AVIF
// included: what may travel between peers, whose Resizers decide.
func knownPicture(data []byte) bool { return sniffCodec(data) != nil || avifCodec.sniff(data) }

// avifHeader reads the primary item of an AVIF (ISO/IEC 23008-12 HEIF
// boxes, see internal/isobmff): its size, bit depth, alpha item, ICC
// profile (colr prof) and irot/imir as an EXIF orientation; the frame
// count of a sequence.
func avifHeader(data []byte) (header, error) {
	a, err := isobmff.ParseAVIF(data)
	if err != nil {
		return header{}, err
	}
	fw, fh, err := avifFrame(data, a)
	if err != nil {
		return header{}, err
	}
	return header{
		width: a.Width, height: a.Height, frames: a.Frames, alpha: a.Alpha,
		meta:   picture.Meta{Orientation: a.Orientation, ICC: a.ICC, Format: "avif"},
		layout: layout{depth: a.Depth, frameW: fw, frameH: fh},
	}, nil
}

// avifFrameSlack is how far an AV1 frame may exceed ispe in each
// dimension: an encoder may code a frame padded to a multiple of 64
// (a superblock) and crop it through ispe (or clap).
const avifFrameSlack = 64

// avifFrame reads the largest frame the primary item's and the alpha
// item's AV1 sequence headers allow (see isobmff.MaxFrame): the decoder
// allocates that whatever ispe says. A frame more than avifFrameSlack
// beyond ispe is refused rather than charged: no encoder writes one,
// and a file that claims a small ispe to pass the admission checks is
// hostile.
func avifFrame(data []byte, a isobmff.AVIF) (int, int, error) {
	w, h, err := isobmff.MaxFrame(data)
	if err != nil {
		return 0, 0, err
	}
	if w > a.Width+avifFrameSlack || h > a.Height+avifFrameSlack {
		return 0, 0, fmt.Errorf("av1 frames up to %dx%d in a %dx%d item", w, h, a.Width, a.Height)
	}
	return max(w, a.Width), max(h, a.Height), nil
}

// decodeAVIF decodes an AVIF (the first frame of a sequence) with the
// Resizer's registered Decoder, whole, on a goroutine of its own: the
// decoder cannot be stopped, so a request whose context ends first
// detaches it (see detachable). The worst case is the decoder's (see
// the avif subpackage). A result of another size than the header's is
// refused.
func decodeAVIF(ctx context.Context, data []byte, h *header, req decodeRequest) (*picture.Picture, resample.Extent, error) {
	if err := ctx.Err(); err != nil {
		return nil, resample.Extent{}, decodeStopped(FormatAVIF, err)
	}
	if req.decoder == nil {
		return nil, resample.Extent{}, fmt.Errorf("%w: no avif decoder", ErrUnsupported)
	}
	m, err := detachable(ctx, req, func() (image.Image, error) { return req.decoder.Decode(data) })
	if err != nil {
		return nil, resample.Extent{}, decodeError(ctx, FormatAVIF, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, resample.Extent{}, decodeStopped(FormatAVIF, err)
	}
	if m == nil || m.Bounds().Dx() != h.width || m.Bounds().Dy() != h.height {
		return nil, resample.Extent{}, fmt.Errorf("%w: the avif decoder returned another size than %dx%d", ErrUnsupported, h.width, h.height)
	}
	return &picture.Picture{Image: m, Meta: h.meta}, resample.Extent{}, nil
}

// keptAsSource reports whether out is a source format that, kept as the
// source's without an encoder for it, is written as JPEG or PNG (see
// finalFormat).
func keptAsSource(out Format) bool { return out == FormatWebP || out == FormatAVIF }

// avifDecodeWeight is the peak of the registered decoder, at the larger
// of ispe and the largest AV1 frame (layout.frameW, frameH), measured for
// avif.Decoder (gen2brain/avif's WebAssembly libavif, whose linear
// memory holds the file, the YUV planes and an RGB copy, grown by
// doubling, beside the result it copies out): on 4000x3000 avifenc
// files, the Go heap in use rose at most 51 B/px for 8-bit 4:2:0
// (*image.RGBA), 87 for 10-bit 4:2:0 and 107 for 10-bit 4:4:4
// (*image.RGBA64, converted through a second buffer), 9 MB allocated
// for a 64x48 file; the first decode in a process compiles the module
// (30 MB more, once).
func avifDecodeWeight(h *header) int64 {
	px := max(int64(h.width)*int64(h.height), int64(h.layout.frameW)*int64(h.layout.frameH))
	if h.layout.depth > 8 {
		return px*112 + 8<<20
	}
	return px*56 + 8<<20
}
