package vp8dec

// The workspaces hold a macroblock with its edges (section 12): the row
// above (and, for luma, 4 pixels above-right) and the column to the left,
// before loop filtering. Luma pixel (r, c), r and c from -1, is at
// wsY + r*wsStride + c; chroma likewise with cws and cwsStride.
const (
	wsStride  = 32
	wsY       = wsStride + 4
	cwsStride = 16
	cws       = cwsStride + 4
)

// predict16 fills the 16x16 luma block with mode (section 12.2); hasTop
// and hasLeft say whether the macroblock has neighbours there (DC_PRED
// only uses the ones it has).
func predict16(ws []byte, mode uint8, hasTop, hasLeft bool) {
	predictBlock(ws, wsY, wsStride, 16, mode, hasTop, hasLeft)
}

// predictBlock fills the n x n block at ws[o:] (rows stride apart) with a
// whole-block mode; the edges are at row -1 and column -1.
func predictBlock(ws []byte, o, stride, n int, mode uint8, hasTop, hasLeft bool) {
	switch mode {
	case predDC:
		sum, count := 0, 0
		if hasTop {
			for _, v := range ws[o-stride : o-stride+n] {
				sum += int(v)
			}
			count += n
		}
		if hasLeft {
			for r := range n {
				sum += int(ws[o+r*stride-1])
			}
			count += n
		}
		v := byte(128)
		if count > 0 {
			v = byte((sum + count/2) / count)
		}
		for r := range n {
			row := ws[o+r*stride : o+r*stride+n]
			for i := range row {
				row[i] = v
			}
		}
	case predV:
		top := ws[o-stride : o-stride+n]
		for r := range n {
			copy(ws[o+r*stride:o+r*stride+n], top)
		}
	case predH:
		for r := range n {
			row := ws[o+r*stride : o+r*stride+n]
			v := ws[o+r*stride-1]
			for i := range row {
				row[i] = v
			}
		}
	default: // TM_PRED
		top := ws[o-stride : o-stride+n]
		p := int32(ws[o-stride-1])
		for r := range n {
			row := ws[o+r*stride : o+r*stride+n]
			l := int32(ws[o+r*stride-1]) - p
			for i, a := range top {
				row[i] = clamp255(l + int32(a))
			}
		}
	}
}

func avg2(x, y byte) byte    { return byte((int(x) + int(y) + 1) >> 1) }
func avg3(x, y, z byte) byte { return byte((int(x) + 2*int(y) + int(z) + 2) >> 2) }

// predict4 fills the 4x4 subblock at ws[o:] with a subblock mode (section
// 12.3), from the 8 pixels above (4 of them above-right), the 4 to the
// left and the corner.
func predict4(ws []byte, o int, mode uint8) {
	const s = wsStride
	a := ws[o-s : o-s+8]
	p := ws[o-s-1]
	l := [4]byte{ws[o-1], ws[o+s-1], ws[o+2*s-1], ws[o+3*s-1]}
	// e is the edge from the bottom-left pixel up to the corner and along
	// the top: e[0] = l[3] ... e[3] = l[0], e[4] = p, e[5..8] = a[0..3].
	e := [9]byte{l[3], l[2], l[1], l[0], p, a[0], a[1], a[2], a[3]}
	var b [4][4]byte // [row][column]
	switch mode {
	case bDC:
		v := 4
		for i := range 4 {
			v += int(a[i]) + int(l[i])
		}
		for r := range 4 {
			b[r] = [4]byte{byte(v >> 3), byte(v >> 3), byte(v >> 3), byte(v >> 3)}
		}
	case bTM:
		for r := range 4 {
			for c := range 4 {
				b[r][c] = clamp255(int32(l[r]) + int32(a[c]) - int32(p))
			}
		}
	case bVE:
		row := [4]byte{avg3(p, a[0], a[1]), avg3(a[0], a[1], a[2]), avg3(a[1], a[2], a[3]), avg3(a[2], a[3], a[4])}
		b = [4][4]byte{row, row, row, row}
	case bHE:
		v := [4]byte{avg3(p, l[0], l[1]), avg3(l[0], l[1], l[2]), avg3(l[1], l[2], l[3]), avg3(l[2], l[3], l[3])}
		for r := range 4 {
			b[r] = [4]byte{v[r], v[r], v[r], v[r]}
		}
	case bLD:
		for r := range 4 {
			for c := range 4 {
				i := r + c
				if i == 6 {
					b[r][c] = avg3(a[6], a[7], a[7])
				} else {
					b[r][c] = avg3(a[i], a[i+1], a[i+2])
				}
			}
		}
	case bRD:
		for r := range 4 {
			for c := range 4 {
				i := 3 - r + c // e index of the centre, 0..6, +1
				b[r][c] = avg3(e[i], e[i+1], e[i+2])
			}
		}
	default:
		predict4Steep(&b, &e, a, l, mode)
	}
	for r := range 4 {
		copy(ws[o+r*s:o+r*s+4], b[r][:])
	}
}

// predict4Steep is predict4 for the four modes along lines of slope 2 and
// 1/2: VR, VL, HD and HU.
func predict4Steep(b *[4][4]byte, e *[9]byte, a []byte, l [4]byte, mode uint8) {
	switch mode {
	case bVR:
		b[3][0] = avg3(e[1], e[2], e[3])
		b[2][0] = avg3(e[2], e[3], e[4])
		b[3][1], b[1][0] = avg3(e[3], e[4], e[5]), avg3(e[3], e[4], e[5])
		b[2][1], b[0][0] = avg2(e[4], e[5]), avg2(e[4], e[5])
		b[3][2], b[1][1] = avg3(e[4], e[5], e[6]), avg3(e[4], e[5], e[6])
		b[2][2], b[0][1] = avg2(e[5], e[6]), avg2(e[5], e[6])
		b[3][3], b[1][2] = avg3(e[5], e[6], e[7]), avg3(e[5], e[6], e[7])
		b[2][3], b[0][2] = avg2(e[6], e[7]), avg2(e[6], e[7])
		b[1][3] = avg3(e[6], e[7], e[8])
		b[0][3] = avg2(e[7], e[8])
	case bVL:
		b[0][0] = avg2(a[0], a[1])
		b[1][0] = avg3(a[0], a[1], a[2])
		b[2][0], b[0][1] = avg2(a[1], a[2]), avg2(a[1], a[2])
		b[1][1], b[3][0] = avg3(a[1], a[2], a[3]), avg3(a[1], a[2], a[3])
		b[2][1], b[0][2] = avg2(a[2], a[3]), avg2(a[2], a[3])
		b[3][1], b[1][2] = avg3(a[2], a[3], a[4]), avg3(a[2], a[3], a[4])
		b[2][2], b[0][3] = avg2(a[3], a[4]), avg2(a[3], a[4])
		b[3][2], b[1][3] = avg3(a[3], a[4], a[5]), avg3(a[3], a[4], a[5])
		b[2][3] = avg3(a[4], a[5], a[6])
		b[3][3] = avg3(a[5], a[6], a[7])
	case bHD:
		b[3][0] = avg2(e[0], e[1])
		b[3][1] = avg3(e[0], e[1], e[2])
		b[2][0], b[3][2] = avg2(e[1], e[2]), avg2(e[1], e[2])
		b[2][1], b[3][3] = avg3(e[1], e[2], e[3]), avg3(e[1], e[2], e[3])
		b[2][2], b[1][0] = avg2(e[2], e[3]), avg2(e[2], e[3])
		b[2][3], b[1][1] = avg3(e[2], e[3], e[4]), avg3(e[2], e[3], e[4])
		b[1][2], b[0][0] = avg2(e[3], e[4]), avg2(e[3], e[4])
		b[1][3], b[0][1] = avg3(e[3], e[4], e[5]), avg3(e[3], e[4], e[5])
		b[0][2] = avg3(e[4], e[5], e[6])
		b[0][3] = avg3(e[5], e[6], e[7])
	default: // bHU
		b[0][0] = avg2(l[0], l[1])
		b[0][1] = avg3(l[0], l[1], l[2])
		b[0][2], b[1][0] = avg2(l[1], l[2]), avg2(l[1], l[2])
		b[0][3], b[1][1] = avg3(l[1], l[2], l[3]), avg3(l[1], l[2], l[3])
		b[1][2], b[2][0] = avg2(l[2], l[3]), avg2(l[2], l[3])
		b[1][3], b[2][1] = avg3(l[2], l[3], l[3]), avg3(l[2], l[3], l[3])
		b[2][2], b[2][3] = l[3], l[3]
		b[3] = [4]byte{l[3], l[3], l[3], l[3]}
	}
}
