package vp8dec

import (
	"fmt"
)

// Config is what the first ten bytes of a key frame say.
type Config struct {
	Width, Height int // in pixels, 1..16383
}

// DecodeConfig reads the frame tag and the key-frame header of a VP8 bit
// stream (the payload of a WebP VP8 chunk).
func DecodeConfig(data []byte) (Config, error) {
	c, _, err := parseTag(data)
	return c, err
}

// parseTag reads the 3-byte frame tag and the 7-byte key-frame start code
// and dimensions (RFC 6386 section 9.1), returning the size of the first
// partition.
func parseTag(data []byte) (Config, int, error) {
	if len(data) < 10 {
		return Config{}, 0, fmt.Errorf("%w: %d bytes, fewer than a frame header", ErrFormat, len(data))
	}
	tag := int(data[0]) | int(data[1])<<8 | int(data[2])<<16
	if tag&1 != 0 {
		return Config{}, 0, fmt.Errorf("%w: inter frame", ErrUnsupported)
	}
	if profile := tag >> 1 & 7; profile > 3 {
		return Config{}, 0, fmt.Errorf("%w: profile %d", ErrUnsupported, profile)
	}
	if tag>>4&1 == 0 {
		return Config{}, 0, fmt.Errorf("%w: frame not shown", ErrUnsupported)
	}
	if data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a {
		return Config{}, 0, fmt.Errorf("%w: bad start code", ErrFormat)
	}
	c := Config{
		Width:  int(data[6]) | int(data[7]&0x3f)<<8, // the top 2 bits are a scaling hint WebP ignores
		Height: int(data[8]) | int(data[9]&0x3f)<<8,
	}
	if c.Width == 0 || c.Height == 0 {
		return Config{}, 0, fmt.Errorf("%w: %dx%d frame", ErrFormat, c.Width, c.Height)
	}
	return c, tag >> 5, nil
}

// segmentHeader is the segmentation of section 9.3.
type segmentHeader struct {
	enabled   bool
	updateMap bool
	absolute  bool     // values replace the frame's rather than adjust them
	quant     [4]int   // quantiser index or delta per segment
	filter    [4]int   // loop-filter level or delta per segment
	probs     [3]uint8 // segment id tree probabilities, 255 when absent
}

// filterHeader is the loop-filter part of the frame header (sections
// 9.4 and 9.6).
type filterHeader struct {
	simple    bool
	level     int // 0..63; 0 turns the filter off for the whole frame
	sharpness int // 0..7
	useDeltas bool
	refDelta  [4]int // the intra frame's is refDelta[0]
	modeDelta [4]int // B_PRED's is modeDelta[0]
}

// parseSegments reads update_segmentation() (section 19.2).
func (s *segmentHeader) parse(br *boolDecoder) {
	s.enabled = br.readBool(128)
	if !s.enabled {
		return
	}
	s.updateMap = br.readBool(128)
	if br.readBool(128) { // update_segment_feature_data
		s.absolute = br.readBool(128)
		for i := range s.quant {
			s.quant[i] = br.readOptionalSigned(7)
		}
		for i := range s.filter {
			s.filter[i] = br.readOptionalSigned(6)
		}
	}
	if s.updateMap {
		for i := range s.probs {
			s.probs[i] = 255
			if br.readBool(128) {
				s.probs[i] = uint8(br.readLiteral(8))
			}
		}
	}
}

// parse reads the filter type, level, sharpness and mb_lf_adjustments().
func (f *filterHeader) parse(br *boolDecoder) {
	f.simple = br.readBool(128)
	f.level = br.readLiteral(6)
	f.sharpness = br.readLiteral(3)
	f.useDeltas = br.readBool(128)
	if f.useDeltas && br.readBool(128) { // mode_ref_lf_delta_update
		for i := range f.refDelta {
			f.refDelta[i] = br.readOptionalSigned(6)
		}
		for i := range f.modeDelta {
			f.modeDelta[i] = br.readOptionalSigned(6)
		}
	}
}

// quant holds the dequantisation factors of one segment: [0] for the DC
// coefficient, [1] for the others.
type quant struct {
	y1, y2, uv [2]int32
}

// parseQuant reads quant_indices() and computes the factors of each
// segment (section 9.6 and 14.1).
func (d *Decoder) parseQuant(br *boolDecoder) {
	base := br.readLiteral(7)
	ydc := br.readOptionalSigned(4)
	y2dc := br.readOptionalSigned(4)
	y2ac := br.readOptionalSigned(4)
	uvdc := br.readOptionalSigned(4)
	uvac := br.readOptionalSigned(4)
	for s := range d.quant {
		q := base
		if d.seg.enabled {
			q = d.seg.quant[s]
			if !d.seg.absolute {
				q += base
			}
		}
		q = clampIndex(q)
		m := &d.quant[s]
		m.y1 = [2]int32{int32(dcQLookup[clampIndex(q+ydc)]), int32(acQLookup[q])}
		m.y2 = [2]int32{2 * int32(dcQLookup[clampIndex(q+y2dc)]), int32(acQLookup[clampIndex(q+y2ac)]) * 155 / 100}
		m.y2[1] = max(m.y2[1], 8)
		m.uv = [2]int32{min(int32(dcQLookup[clampIndex(q+uvdc)]), 132), int32(acQLookup[clampIndex(q+uvac)])}
	}
}

func clampIndex(q int) int { return min(max(q, 0), 127) }

// parseProbs reads token_prob_update() over the default probabilities.
func (d *Decoder) parseProbs(br *boolDecoder) {
	for i := range d.probs {
		for j := range d.probs[i] {
			for k := range d.probs[i][j] {
				for t := range d.probs[i][j][k] {
					n := ((i*8+j)*3+k)*11 + t
					p := defaultCoeffProbs[n]
					if br.readBool(coeffUpdateProbs[n]) {
						p = uint8(br.readLiteral(8))
					}
					d.probs[i][j][k][t] = p
				}
			}
		}
	}
}
