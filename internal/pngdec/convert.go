package pngdec

// converter turns unfiltered rows into the pixels of Decode's result
// type, as image/png stores them.
type converter struct {
	p        *PNG
	maxIndex int    // the largest palette index seen
	ty       uint16 // tRNS grey, scaled as image/png scales it
}

func (p *PNG) converter() *converter {
	c := &converter{p: p, maxIndex: -1}
	if p.ColorType == 0 && p.trns {
		c.ty = uint16(p.trnsKey[0])<<8 | uint16(p.trnsKey[1])
		if p.Depth < 16 {
			// image/png keeps the low byte, times the depth's scale,
			// in 8 bits.
			c.ty = uint16(p.trnsKey[1] * grayScale(p.Depth))
		}
	}
	return c
}

// grayScale maps a sample of depth d <= 8 to 8 bits by multiplication.
func grayScale(d int) uint8 {
	switch d {
	case 1:
		return 0xff
	case 2:
		return 0x55
	case 4:
		return 0x11
	}
	return 1
}

// row converts w pixels of the raw row src into dst.
func (c *converter) row(dst, src []byte, w int) {
	p := c.p
	switch {
	case p.Depth < 8:
		c.lowDepth(dst, src, w)
	case p.ColorType == 3:
		copy(dst, src[:w])
		c.indices(dst[:w])
	case p.Depth == 8:
		c.row8(dst, src, w)
	default:
		c.row16(dst, src, w)
	}
}

// lowDepth unpacks samples of 1, 2 or 4 bits (grey or palette indices).
func (c *converter) lowDepth(dst, src []byte, w int) {
	d := uint(c.p.Depth)
	mask := byte(1)<<d - 1
	perByte := 8 / int(d)
	scale := grayScale(int(d))
	gray, nrgba := c.p.ColorType == 0 && !c.p.trns, c.p.ColorType == 0 && c.p.trns
	for x := range w {
		v := src[x/perByte] >> (8 - d - d*uint(x%perByte)) & mask
		switch {
		case gray:
			dst[x] = v * scale
		case nrgba:
			g := v * scale
			a := uint8(0xff)
			if uint16(g) == c.ty {
				a = 0
			}
			o := dst[4*x : 4*x+4 : 4*x+4]
			o[0], o[1], o[2], o[3] = g, g, g, a
		default:
			dst[x] = v
		}
	}
	if c.p.ColorType == 3 {
		c.indices(dst[:w])
	}
}

func (c *converter) indices(ix []byte) {
	m := c.maxIndex
	for _, v := range ix {
		m = max(m, int(v))
	}
	c.maxIndex = m
}

func (c *converter) row8(dst, src []byte, w int) {
	p := c.p
	switch p.ColorType {
	case 0:
		if !p.trns {
			copy(dst, src[:w])
			return
		}
		for x, g := range src[:w] {
			a := uint8(0xff)
			if uint16(g) == c.ty {
				a = 0
			}
			o := dst[4*x : 4*x+4 : 4*x+4]
			o[0], o[1], o[2], o[3] = g, g, g, a
		}
	case 2:
		tr, tg, tb := p.trnsKey[1], p.trnsKey[3], p.trnsKey[5]
		for x := range w {
			s, o := src[3*x:3*x+3:3*x+3], dst[4*x:4*x+4:4*x+4]
			o[0], o[1], o[2], o[3] = s[0], s[1], s[2], 0xff
			if p.trns && s[0] == tr && s[1] == tg && s[2] == tb {
				o[3] = 0
			}
		}
	case 4:
		for x := range w {
			s, o := src[2*x:2*x+2:2*x+2], dst[4*x:4*x+4:4*x+4]
			o[0], o[1], o[2], o[3] = s[0], s[0], s[0], s[1]
		}
	case 6:
		copy(dst, src[:4*w])
	}
}

func (c *converter) row16(dst, src []byte, w int) {
	p := c.p
	k := p.trnsKey
	switch p.ColorType {
	case 0:
		if !p.trns {
			copy(dst, src[:2*w])
			return
		}
		for x := range w {
			s, o := src[2*x:2*x+2:2*x+2], dst[8*x:8*x+8:8*x+8]
			a := uint8(0xff)
			if s[0] == k[0] && s[1] == k[1] {
				a = 0
			}
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = s[0], s[1], s[0], s[1], s[0], s[1], a, a
		}
	case 2:
		for x := range w {
			s, o := src[6*x:6*x+6:6*x+6], dst[8*x:8*x+8:8*x+8]
			copy(o, s)
			o[6], o[7] = 0xff, 0xff
			if p.trns && [6]byte(s) == k {
				o[6], o[7] = 0, 0
			}
		}
	case 4:
		for x := range w {
			s, o := src[4*x:4*x+4:4*x+4], dst[8*x:8*x+8:8*x+8]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = s[0], s[1], s[0], s[1], s[0], s[1], s[2], s[3]
		}
	case 6:
		copy(dst, src[:8*w])
	}
}
