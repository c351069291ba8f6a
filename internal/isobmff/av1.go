package isobmff

import "fmt"

// SeqHeader is what ParseSeqHeader reads of an AV1 sequence header OBU
// (AV1 Bitstream & Decoding Process Specification 5.5): the largest
// frame size any frame of the sequence may have.
type SeqHeader struct {
	MaxWidth, MaxHeight int // max_frame_width_minus_1+1, max_frame_height_minus_1+1
}

// AV1 OBU types (5.3.1) read here.
const (
	obuSequenceHeader = 1
	obuFrameHeader    = 3
	obuFrame          = 6
)

// maxOBUs bounds how many OBUs before the sequence header are skipped
// (temporal delimiters, metadata): a sequence header comes first.
const maxOBUs = 8

// ParseSeqHeader finds the sequence header among the first OBUs of p
// (low-overhead bitstream format, 5.2: av1C configOBUs or an item's
// data) and reads its maximum frame size. It stops at the first frame
// (header) OBU: a sequence header after it comes too late.
func ParseSeqHeader(p []byte) (SeqHeader, error) {
	for range maxOBUs {
		if len(p) == 0 {
			break
		}
		typ, payload, rest, err := nextOBU(p)
		if err != nil {
			return SeqHeader{}, err
		}
		switch typ {
		case obuSequenceHeader:
			return readSeqHeader(payload)
		case obuFrameHeader, obuFrame:
			return SeqHeader{}, fmt.Errorf("%w: av1 frame before its sequence header", ErrFormat)
		}
		p = rest
	}
	return SeqHeader{}, fmt.Errorf("%w: no av1 sequence header", ErrFormat)
}

// nextOBU splits the first OBU off p (5.3.1-5.3.3): its type, its
// payload and what follows it. An OBU without obu_size runs to the end.
func nextOBU(p []byte) (typ int, payload, rest []byte, err error) {
	h := p[0]
	if h&0x80 != 0 {
		return 0, nil, nil, fmt.Errorf("%w: av1 obu forbidden bit set", ErrFormat)
	}
	typ, n := int(h>>3&0xf), 1
	if h&0x04 != 0 { // obu_extension_flag
		n++
	}
	if len(p) < n {
		return 0, nil, nil, fmt.Errorf("%w: truncated av1 obu header", ErrFormat)
	}
	if h&0x02 == 0 { // no obu_has_size_field
		return typ, p[n:], nil, nil
	}
	size, m, err := leb128(p[n:])
	if err != nil {
		return 0, nil, nil, err
	}
	n += m
	if size > uint64(len(p)-n) {
		return 0, nil, nil, fmt.Errorf("%w: av1 obu of %d bytes past the data", ErrFormat, size)
	}
	return typ, p[n : n+int(size)], p[n+int(size):], nil
}

// leb128 reads an unsigned LEB128 value (4.10.5): at most 8 bytes, the
// value within 32 bits. It returns the value and the bytes it took.
func leb128(p []byte) (uint64, int, error) {
	var v uint64
	for i := range 8 {
		if i >= len(p) {
			return 0, 0, fmt.Errorf("%w: truncated leb128", ErrFormat)
		}
		v |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			if v > 1<<32-1 {
				return 0, 0, fmt.Errorf("%w: leb128 %d past 32 bits", ErrFormat, v)
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: leb128 longer than 8 bytes", ErrFormat)
}

// readSeqHeader reads sequence_header_obu() (5.5.1) up to the maximum
// frame size.
func readSeqHeader(p []byte) (SeqHeader, error) {
	r := &bitReader{p: p}
	r.skip(3)    // seq_profile
	r.skip(1)    // still_picture
	if r.bit() { // reduced_still_picture_header
		r.skip(5) // seq_level_idx[0]
	} else if err := skipOperatingPoints(r); err != nil {
		return SeqHeader{}, err
	}
	wb, hb := int(r.bits(4))+1, int(r.bits(4))+1
	w, h := int(r.bits(wb))+1, int(r.bits(hb))+1
	if r.short {
		return SeqHeader{}, fmt.Errorf("%w: truncated av1 sequence header", ErrFormat)
	}
	return SeqHeader{MaxWidth: w, MaxHeight: h}, nil
}

// skipOperatingPoints skips the fields of a full sequence header
// between reduced_still_picture_header and frame_width_bits_minus_1:
// timing_info (5.5.3), decoder_model_info (5.5.4) and the operating
// points with their operating_parameters_info (5.5.5).
func skipOperatingPoints(r *bitReader) error {
	decoderModel, bufferDelayBits := false, 0
	if r.bit() { // timing_info_present_flag
		r.skip(32)   // num_units_in_display_tick
		r.skip(32)   // time_scale
		if r.bit() { // equal_picture_interval
			r.uvlc() // num_ticks_per_picture_minus_1
		}
		if decoderModel = r.bit(); decoderModel {
			bufferDelayBits = int(r.bits(5)) + 1
			r.skip(32) // num_units_in_decoding_tick
			r.skip(5)  // buffer_removal_time_length_minus_1
			r.skip(5)  // frame_presentation_time_length_minus_1
		}
	}
	initialDelay := r.bit() // initial_display_delay_present_flag
	count := int(r.bits(5)) + 1
	for range count {
		r.skip(12)         // operating_point_idc
		if r.bits(5) > 7 { // seq_level_idx
			r.skip(1) // seq_tier
		}
		if decoderModel && r.bit() { // decoder_model_present_for_this_op
			r.skip(2*bufferDelayBits + 1) // decoder/encoder_buffer_delay, low_delay_mode_flag
		}
		if initialDelay && r.bit() { // initial_display_delay_present_for_this_op
			r.skip(4) // initial_display_delay_minus_1
		}
	}
	if r.short {
		return fmt.Errorf("%w: truncated av1 sequence header", ErrFormat)
	}
	return nil
}

// bitReader reads bits most significant first (4.10.1 f(n)). Past the
// end it reads zeros and sets short.
type bitReader struct {
	p     []byte
	pos   int // in bits
	short bool
}

func (r *bitReader) bits(n int) uint64 {
	var v uint64
	for range n {
		v <<= 1
		if r.pos >= 8*len(r.p) {
			r.short = true
			continue
		}
		v |= uint64(r.p[r.pos/8] >> (7 - r.pos%8) & 1)
		r.pos++
	}
	return v
}

func (r *bitReader) bit() bool { return r.bits(1) == 1 }

func (r *bitReader) skip(n int) {
	if r.pos+n > 8*len(r.p) {
		r.pos, r.short = 8*len(r.p), true
		return
	}
	r.pos += n
}

// uvlc reads a variable-length unsigned value (4.10.3).
func (r *bitReader) uvlc() uint64 {
	zeros := 0
	for !r.short && !r.bit() {
		zeros++
	}
	if zeros >= 32 {
		return 1<<32 - 1
	}
	return r.bits(zeros) + (1<<zeros - 1)
}
