package imgproxy

// geometry is the plan for one transform: resize the source (srcW x srcH)
// to resizeW x resizeH, then keep the centred cropW x cropH window of it.
// Rotation comes after and only swaps the sides.
type geometry struct {
	srcW, srcH       int
	resizeW, resizeH int
	cropW, cropH     int
}

// identity reports whether the plan leaves the pixels as they are.
func (g geometry) identity() bool {
	return g.resizeW == g.srcW && g.resizeH == g.srcH && g.cropW == g.srcW && g.cropH == g.srcH
}

// planGeometry computes nginx image_filter's sizes for a w x h source:
// "resize" fits inside the box keeping the aspect ratio; "crop" scales so
// that the box is covered, then cuts the overflow. Neither enlarges. Sides
// are rounded to the nearest pixel (nginx truncates, so it may be 1 px
// smaller) and never below 1.
func planGeometry(w, h int, o Options) geometry {
	g := geometry{srcW: w, srcH: h, resizeW: w, resizeH: h}
	bw, bh := o.Width, o.Height
	switch {
	case o.Fit == FitCrop && bw > 0 && bh > 0:
		// Scale by the larger of the two ratios (the one that covers the
		// box), never above 1.
		if w*bh > h*bw { // relatively wider than the box: height decides
			if h > bh {
				g.resizeW, g.resizeH = scaleSide(w, bh, h), bh
			}
		} else if w > bw {
			g.resizeW, g.resizeH = bw, scaleSide(h, bw, w)
		}
	default:
		if bw > 0 && g.resizeW > bw {
			g.resizeW, g.resizeH = bw, scaleSide(g.resizeH, bw, g.resizeW)
		}
		if bh > 0 && g.resizeH > bh {
			g.resizeW, g.resizeH = scaleSide(g.resizeW, bh, g.resizeH), bh
		}
	}
	g.cropW, g.cropH = g.resizeW, g.resizeH
	if o.Fit == FitCrop {
		g.cropW, g.cropH = min(g.resizeW, bw), min(g.resizeH, bh)
	}
	return g
}

// scaleSide returns side*num/den rounded to nearest, at least 1.
func scaleSide(side, num, den int) int {
	v := (2*side*num + den) / (2 * den)
	return max(v, 1)
}
