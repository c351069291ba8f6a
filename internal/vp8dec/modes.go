package vp8dec

// The intra prediction modes. Whole-macroblock (16x16 luma, 8x8 chroma)
// modes are numbered by this package; subblock modes follow the order of
// RFC 6386 section 11.2, which indexes kfBModeProbs.
const (
	predDC = iota
	predV
	predH
	predTM
)

const (
	bDC = iota
	bTM
	bVE
	bHE
	bLD
	bRD
	bVR
	bVL
	bHD
	bHU
)

// impliedBMode is the subblock mode that a whole-macroblock luma mode
// stands for in the contexts of its neighbours' subblock modes.
var impliedBMode = [4]uint8{predDC: bDC, predV: bVE, predH: bHE, predTM: bTM}

// mbTop is what the macroblock row below needs of a macroblock column.
type mbTop struct {
	modes [4]uint8 // subblock modes of the bottom subblock row
	nz    uint8    // bits 0-3: Y columns had coefficients; 4-5 U, 6-7 V
	nzY2  bool     // the last Y2 block of the column had coefficients
	y     [16]byte // bottom row before loop filtering
	u, v  [8]byte
}

// mbState is the macroblock being decoded and the left context of its
// row.
type mbState struct {
	leftModes [4]uint8
	leftNz    uint8
	leftNzY2  bool

	segment int
	skip    bool // no coefficients coded
	is4x4   bool // B_PRED
	ymode   uint8
	uvmode  uint8
	bmodes  [16]uint8

	coeffs [25 * 16]int16 // 16 Y, 4 U, 4 V blocks in raster order; then Y2
	kinds  [24]uint8      // per block: 0 no residual, 1 DC only, 2 full

	ws  [17 * wsStride]byte // luma workspace with edges, see wsY
	uws [9 * cwsStride]byte
	vws [9 * cwsStride]byte
}

// parseModes reads a macroblock's header from the first partition
// (section 11 and 19.3).
func (d *Decoder) parseModes(top *mbTop, m *mbState) {
	br := &d.modes
	m.segment = 0
	if d.seg.updateMap {
		p := &d.seg.probs
		if br.readBool(p[0]) {
			m.segment = 2 + boolInt(br.readBool(p[2]))
		} else {
			m.segment = boolInt(br.readBool(p[1]))
		}
	}
	m.skip = d.useSkip && br.readBool(d.skipProb)
	m.is4x4 = !br.readBool(145)
	if m.is4x4 {
		for y := range 4 {
			left := m.leftModes[y]
			for x := range 4 {
				mode := readBMode(br, kfBModeProbs[(int(top.modes[x])*10+int(left))*9:][:9])
				m.bmodes[y*4+x] = mode
				top.modes[x], left = mode, mode
			}
			m.leftModes[y] = left
		}
	} else {
		switch {
		case !br.readBool(156):
			m.ymode = uint8(boolInt(br.readBool(163))) // DC or V
		case !br.readBool(128):
			m.ymode = predH
		default:
			m.ymode = predTM
		}
		b := impliedBMode[m.ymode]
		top.modes = [4]uint8{b, b, b, b}
		m.leftModes = top.modes
	}
	switch {
	case !br.readBool(142):
		m.uvmode = predDC
	case !br.readBool(114):
		m.uvmode = predV
	case br.readBool(183):
		m.uvmode = predTM
	default:
		m.uvmode = predH
	}
}

// readBMode reads a subblock mode with the tree of section 11.2.
func readBMode(br *boolDecoder, p []uint8) uint8 {
	switch {
	case !br.readBool(p[0]):
		return bDC
	case !br.readBool(p[1]):
		return bTM
	case !br.readBool(p[2]):
		return bVE
	case !br.readBool(p[3]):
		switch {
		case !br.readBool(p[4]):
			return bHE
		case !br.readBool(p[5]):
			return bRD
		}
		return bVR
	case !br.readBool(p[6]):
		return bLD
	case !br.readBool(p[7]):
		return bVL
	case !br.readBool(p[8]):
		return bHD
	}
	return bHU
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
