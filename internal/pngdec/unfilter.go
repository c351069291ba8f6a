package pngdec

// Filter types (PNG specification, 3rd edition, section 9.2).
const (
	filterNone = iota
	filterSub
	filterUp
	filterAverage
	filterPaeth
)

// unfilter reverses the filter of row cur (its filter type byte first)
// against the previous, already unfiltered row prev (zeros for the first
// row of a pass); bpp is the bytes per complete pixel, at least 1.
func unfilter(cur, prev []byte, bpp int) error {
	ft, c, p := cur[0], cur[1:], prev[1:len(cur)]
	switch ft {
	case filterNone:
	case filterSub:
		unfilterSub(c, bpp)
	case filterUp:
		for i, v := range p {
			c[i] += v
		}
	case filterAverage:
		unfilterAverage(c, p, bpp)
	case filterPaeth:
		unfilterPaeth(c, p, bpp)
	default:
		return formatError("bad filter type %d", ft)
	}
	return nil
}

// unfilterSub adds to each byte the byte bpp to its left.
func unfilterSub(c []byte, bpp int) {
	switch bpp {
	case 3:
		for i := 3; i+2 < len(c); i += 3 {
			d := c[i : i+3 : i+3]
			d[0] += c[i-3]
			d[1] += c[i-2]
			d[2] += c[i-1]
		}
	case 4:
		for i := 4; i+3 < len(c); i += 4 {
			d := c[i : i+4 : i+4]
			d[0] += c[i-4]
			d[1] += c[i-3]
			d[2] += c[i-2]
			d[3] += c[i-1]
		}
	default:
		for i := bpp; i < len(c); i++ {
			c[i] += c[i-bpp]
		}
	}
}

// unfilterAverage adds to each byte the floor of the mean of the byte
// bpp to its left (0 in the first pixel) and the byte above.
func unfilterAverage(c, p []byte, bpp int) {
	for i := range min(bpp, len(c)) {
		c[i] += p[i] / 2
	}
	switch bpp {
	case 3:
		for i := 3; i+2 < len(c); i += 3 {
			d, u := c[i:i+3:i+3], p[i:i+3:i+3]
			d[0] += uint8((uint(c[i-3]) + uint(u[0])) / 2)
			d[1] += uint8((uint(c[i-2]) + uint(u[1])) / 2)
			d[2] += uint8((uint(c[i-1]) + uint(u[2])) / 2)
		}
	case 4:
		for i := 4; i+3 < len(c); i += 4 {
			d, u := c[i:i+4:i+4], p[i:i+4:i+4]
			d[0] += uint8((uint(c[i-4]) + uint(u[0])) / 2)
			d[1] += uint8((uint(c[i-3]) + uint(u[1])) / 2)
			d[2] += uint8((uint(c[i-2]) + uint(u[2])) / 2)
			d[3] += uint8((uint(c[i-1]) + uint(u[3])) / 2)
		}
	default:
		for i := bpp; i < len(c); i++ {
			c[i] += uint8((uint(c[i-bpp]) + uint(p[i])) / 2)
		}
	}
}

// paeth is the Paeth predictor of the left (a), upper (b) and upper
// left (c) bytes: whichever of the three is nearest a+b-c, ties going
// to a, then b.
func paeth(a, b, c uint8) uint8 {
	pa := absDiff(int(b), int(c))          // |p - a|
	pb := absDiff(int(a), int(c))          // |p - b|
	pc := absDiff(int(a)+int(b), 2*int(c)) // |p - c|
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func absDiff(x, y int) int {
	d := x - y
	m := d >> 63
	return (d ^ m) - m
}

// unfilterPaeth adds the Paeth predictor to each byte; in the first
// pixel a and c are 0, so the predictor is the byte above.
func unfilterPaeth(c, p []byte, bpp int) {
	for i := range min(bpp, len(c)) {
		c[i] += p[i]
	}
	switch bpp {
	case 3:
		for i := 3; i+2 < len(c); i += 3 {
			d, u, l, ul := c[i:i+3:i+3], p[i:i+3:i+3], c[i-3:i:i], p[i-3:i:i]
			d[0] += paeth(l[0], u[0], ul[0])
			d[1] += paeth(l[1], u[1], ul[1])
			d[2] += paeth(l[2], u[2], ul[2])
		}
	case 4:
		for i := 4; i+3 < len(c); i += 4 {
			d, u, l, ul := c[i:i+4:i+4], p[i:i+4:i+4], c[i-4:i:i], p[i-4:i:i]
			d[0] += paeth(l[0], u[0], ul[0])
			d[1] += paeth(l[1], u[1], ul[1])
			d[2] += paeth(l[2], u[2], ul[2])
			d[3] += paeth(l[3], u[3], ul[3])
		}
	default:
		for i := bpp; i < len(c); i++ {
			c[i] += paeth(c[i-bpp], p[i], p[i-bpp])
		}
	}
}
