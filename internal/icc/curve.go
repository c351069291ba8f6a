package icc

import "math"

// curveKind says how a curve maps encoded values to linear light.
type curveKind uint8

const (
	curveIdentity curveKind = iota // curv with no entries
	curveGamma                     // curv with one entry, or para type 0
	curveTable                     // curv with two or more entries
	curveParam                     // para types 1 to 4
)

// curve is a tone reproduction curve (rTRC, gTRC, bTRC): a map from the
// device's encoded value in [0, 1] to linear light in [0, 1].
type curve struct {
	kind  curveKind
	fn    uint16     // para function type, 0..4
	p     [7]float64 // para parameters g, a, b, c, d, e, f
	table []uint16   // curv entries, 0..65535 meaning 0..1
}

// eval returns the curve's value at x, with x clamped to [0, 1]. The result
// is clamped to [0, 1] too (parametric curves may leave it), and is 0 where
// the parameters make the formula undefined.
func (c *curve) eval(x float64) float64 {
	x = clamp01(x)
	var y float64
	switch c.kind {
	case curveIdentity:
		y = x
	case curveGamma:
		y = math.Pow(x, c.p[0])
	case curveTable:
		y = c.evalTable(x)
	case curveParam:
		y = c.evalParam(x)
	}
	if math.IsNaN(y) {
		return 0
	}
	return clamp01(y)
}

// evalTable interpolates linearly between the table's entries, spaced
// evenly over [0, 1].
func (c *curve) evalTable(x float64) float64 {
	last := len(c.table) - 1
	pos := x * float64(last)
	i := int(pos)
	if i >= last {
		return float64(c.table[last]) / 65535
	}
	frac := pos - float64(i)
	lo, hi := float64(c.table[i]), float64(c.table[i+1])
	return (lo + frac*(hi-lo)) / 65535
}

// evalParam evaluates the parametricCurveType functions of ICC.1:
//
//	type 0: Y = X^g
//	type 1: Y = (aX+b)^g             for X >= -b/a, else 0
//	type 2: Y = (aX+b)^g + c         for X >= -b/a, else c
//	type 3: Y = (aX+b)^g             for X >= d,    else cX
//	type 4: Y = (aX+b)^g + e         for X >= d,    else cX + f
func (c *curve) evalParam(x float64) float64 {
	g, a, b, cc, d, e, f := c.p[0], c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6]
	switch c.fn {
	case 0:
		return math.Pow(x, g)
	case 1:
		if a*x+b < 0 {
			return 0
		}
		return math.Pow(a*x+b, g)
	case 2:
		if a*x+b < 0 {
			return cc
		}
		return math.Pow(a*x+b, g) + cc
	case 3:
		if x < d {
			return cc * x
		}
		return powNonNeg(a*x+b, g)
	default: // 4
		if x < d {
			return cc*x + f
		}
		return powNonNeg(a*x+b, g) + e
	}
}

// powNonNeg is math.Pow with a negative base treated as 0, so that badly
// chosen parameters give a clamped value instead of NaN.
func powNonNeg(x, y float64) float64 {
	if x <= 0 {
		return 0
	}
	return math.Pow(x, y)
}

func clamp01(x float64) float64 {
	switch {
	case x > 1:
		return 1
	case x >= 0:
		return x
	default: // negative or NaN
		return 0
	}
}
