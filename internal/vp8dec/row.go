package vp8dec

// decodeRow decodes macroblock row mby: modes from the first partition,
// coefficients from br, prediction and residue into the planes (before
// loop filtering), and each macroblock's filter parameters into d.finfo.
func (d *Decoder) decodeRow(mby int, br *boolDecoder) {
	m := &d.mb
	m.leftModes = [4]uint8{}
	m.leftNz, m.leftNzY2 = 0, false
	d.startRow(m, mby)
	for mbx := range d.mbw {
		top := &d.top[mbx]
		d.parseModes(top, m)
		coded := false
		if !m.skip {
			coded = d.parseResiduals(br, top, m)
		} else {
			top.nz, m.leftNz = 0, 0
			if !m.is4x4 {
				top.nzY2, m.leftNzY2 = false, false
			}
			m.kinds = [24]uint8{}
		}
		f := d.levels[m.segment][boolInt(m.is4x4)]
		f.inner = m.is4x4 || coded
		d.finfo[mbx] = f
		d.loadEdges(m, mbx, mby)
		d.reconstruct(m, mbx > 0, mby > 0)
		if coded {
			clear(m.coeffs[:24*16])
		}
		d.storeMB(m, mbx)
	}
}

// startRow sets the left edges of the workspaces for the first macroblock
// of a row: 129 down the left, the corner 127 on the first row (its
// whole row above is 127) and 129 below it.
func (d *Decoder) startRow(m *mbState, mby int) {
	for r := range 16 {
		m.ws[wsY+r*wsStride-1] = 129
	}
	for r := range 8 {
		m.uws[cws+r*cwsStride-1] = 129
		m.vws[cws+r*cwsStride-1] = 129
	}
	corner := byte(129)
	if mby == 0 {
		corner = 127
	}
	m.ws[wsY-wsStride-1] = corner
	m.uws[cws-cwsStride-1] = corner
	m.vws[cws-cwsStride-1] = corner
}

// loadEdges fills the rows above (and above-right) of the workspaces from
// the unfiltered bottom rows of the macroblock row above, 127 on the
// first row.
func (d *Decoder) loadEdges(m *mbState, mbx, mby int) {
	above := m.ws[wsY-wsStride : wsY-wsStride+20]
	ua := m.uws[cws-cwsStride : cws-cwsStride+8]
	va := m.vws[cws-cwsStride : cws-cwsStride+8]
	if mby == 0 {
		for i := range above {
			above[i] = 127
		}
		for i := range ua {
			ua[i], va[i] = 127, 127
		}
	} else {
		t := &d.top[mbx]
		copy(above, t.y[:])
		if mbx+1 < d.mbw {
			copy(above[16:], d.top[mbx+1].y[:4])
		} else {
			v := t.y[15]
			above[16], above[17], above[18], above[19] = v, v, v, v
		}
		copy(ua, t.u[:])
		copy(va, t.v[:])
	}
	if m.is4x4 { // subblocks on the right take their above-right from the row above
		for _, r := range [3]int{3, 7, 11} {
			copy(m.ws[wsY+r*wsStride+16:wsY+r*wsStride+20], above[16:20])
		}
	}
}

// reconstruct predicts the macroblock in the workspaces and adds its
// residue.
func (d *Decoder) reconstruct(m *mbState, hasLeft, hasTop bool) {
	c := m.coeffs[:]
	if m.is4x4 {
		for b := range 16 {
			o := wsY + (b>>2)*4*wsStride + (b&3)*4
			predict4(m.ws[:], o, m.bmodes[b])
			addResidue(m.kinds[b], c[16*b:16*b+16], m.ws[:], o, wsStride)
		}
	} else {
		predict16(m.ws[:], m.ymode, hasTop, hasLeft)
		for b := range 16 {
			o := wsY + (b>>2)*4*wsStride + (b&3)*4
			addResidue(m.kinds[b], c[16*b:16*b+16], m.ws[:], o, wsStride)
		}
	}
	predictBlock(m.uws[:], cws, cwsStride, 8, m.uvmode, hasTop, hasLeft)
	predictBlock(m.vws[:], cws, cwsStride, 8, m.uvmode, hasTop, hasLeft)
	for b := range 4 {
		o := cws + (b>>1)*4*cwsStride + (b&1)*4
		addResidue(m.kinds[16+b], c[16*(16+b):16*(17+b)], m.uws[:], o, cwsStride)
		addResidue(m.kinds[20+b], c[16*(20+b):16*(21+b)], m.vws[:], o, cwsStride)
	}
}

func addResidue(kind uint8, blk []int16, ws []byte, o, stride int) {
	switch kind {
	case 1:
		dcAdd(blk[0], ws, o, stride)
	case 2:
		idctAdd(blk, ws, o, stride)
	}
}

// storeMB copies the reconstructed macroblock into the planes, keeps its
// bottom rows for the row below and moves its right column (with the
// corner above it) to the left edge of the workspaces for the next one.
func (d *Decoder) storeMB(m *mbState, mbx int) {
	yo := d.yOff + mbx*16
	for r := range 16 {
		copy(d.y[yo+r*d.yStride:yo+r*d.yStride+16], m.ws[wsY+r*wsStride:wsY+r*wsStride+16])
	}
	co := d.cOff + mbx*8
	for r := range 8 {
		copy(d.cb[co+r*d.cStride:co+r*d.cStride+8], m.uws[cws+r*cwsStride:cws+r*cwsStride+8])
		copy(d.cr[co+r*d.cStride:co+r*d.cStride+8], m.vws[cws+r*cwsStride:cws+r*cwsStride+8])
	}
	t := &d.top[mbx]
	copy(t.y[:], m.ws[wsY+15*wsStride:])
	copy(t.u[:], m.uws[cws+7*cwsStride:])
	copy(t.v[:], m.vws[cws+7*cwsStride:])
	for r := -1; r < 16; r++ {
		m.ws[wsY+r*wsStride-1] = m.ws[wsY+r*wsStride+15]
	}
	for r := -1; r < 8; r++ {
		m.uws[cws+r*cwsStride-1] = m.uws[cws+r*cwsStride+7]
		m.vws[cws+r*cwsStride-1] = m.vws[cws+r*cwsStride+7]
	}
}
