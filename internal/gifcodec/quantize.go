package gifcodec

import (
	"image"
	"image/color"
	"slices"
)

// The quantiser is a variance-based median cut on a 5-bit-per-channel
// histogram of the frame's opaque pixels (Wu's split criterion: each step
// splits the box whose best axis-aligned cut most reduces the squared
// error, at that cut), with palette entries at the boxes' exact means.
// Pixels are mapped to the nearest palette entry (squared RGB distance)
// through a lazily filled 6-bit-per-channel cache, optionally with
// Floyd-Steinberg error diffusion. A frame with at most 256 distinct
// colours (255 with transparency) whose colours fall in distinct 5-bit
// cells is mapped exactly.

const (
	histBits   = 5
	histLevels = 1 << histBits
	cacheBits  = 6
	alphaCut   = 128 // alpha below this is the transparent index
)

// bin is one histogram cell.
type bin struct {
	n     uint32
	mixed bool   // holds more than one exact colour
	first uint32 // the first exact colour seen, 0xRRGGBB
	s     [3]uint64
}

// entry is a non-empty histogram cell, as the median cut moves it.
type entry struct {
	c [3]uint8 // cell coordinates, 0..histLevels-1
	n float64
	s [3]float64
}

// box is a set of entries, entries[lo:hi], with its best split.
type box struct {
	lo, hi int
	n      float64
	s      [3]float64
	gain   float64 // squared-error reduction of the best split, 0 if none
	axis   int
	cut    uint8 // entries with c[axis] < cut go left
}

// quantizer holds the scratch space of one Encode call. Not safe for
// concurrent use.
type quantizer struct {
	hist    []bin
	entries []entry
	boxes   []box
	pal     [][3]int32
	sorted  [][4]int32 // palette sorted by green, with each colour's index
	gStart  [256]int16 // first index in sorted with green >= g
	cache   []int16
	errs    [2][]int32
}

// quantize returns m as a paletted image of at most 256 colours. Pixels
// with alpha < 128 become a fully transparent index (the last), so the
// palette has at most 255 opaque colours when there are any; the others
// keep their colour as if opaque.
func (q *quantizer) quantize(m *image.NRGBA, dither bool) *image.Paletted {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	if q.hist == nil {
		q.hist = make([]bin, 1<<(3*histBits))
		q.cache = make([]int16, 1<<(3*cacheBits))
	}
	clear(q.hist)
	transparent := false
	for y := range h {
		row := m.Pix[y*m.Stride:][:4*w]
		for i := 0; i < len(row); i += 4 {
			if row[i+3] < alphaCut {
				transparent = true
				continue
			}
			r, g, b := row[i], row[i+1], row[i+2]
			c := &q.hist[int(r>>3)<<10|int(g>>3)<<5|int(b>>3)]
			rgb := uint32(r)<<16 | uint32(g)<<8 | uint32(b)
			if c.n == 0 {
				c.first = rgb
			} else if c.first != rgb {
				c.mixed = true
			}
			c.n++
			c.s[0] += uint64(r)
			c.s[1] += uint64(g)
			c.s[2] += uint64(b)
		}
	}
	maxColors := 256
	if transparent {
		maxColors = 255
	}
	exact := q.collect(maxColors)
	var exactSet map[uint32]uint8
	if !exact && len(q.entries) <= maxColors {
		exactSet = q.exactColors(m, maxColors)
	}
	switch {
	case exact || exactSet != nil:
		dither = false
	default:
		q.medianCut(maxColors)
	}
	pal := make(color.Palette, len(q.pal), len(q.pal)+1)
	for i, c := range q.pal {
		pal[i] = color.RGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), 0xff}
	}
	tIdx := len(pal)
	if transparent {
		pal = append(pal, color.RGBA{})
	}
	if len(pal) == 0 {
		pal = append(pal, color.RGBA{0, 0, 0, 0xff}) // an empty image
	}
	out := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	switch {
	case exactSet != nil:
		mapExact(m, out, uint8(tIdx), exactSet)
	case dither:
		q.prepareLookup(false)
		q.mapDither(m, out, uint8(tIdx))
	default:
		q.prepareLookup(exact)
		q.mapNearest(m, out, uint8(tIdx), exact)
	}
	return out
}

// exactColors returns the index of each distinct opaque colour of m, and
// sets the palette to them, if there are at most maxColors; else nil.
// For frames whose few colours share histogram cells (greys, flat
// graphics).
func (q *quantizer) exactColors(m *image.NRGBA, maxColors int) map[uint32]uint8 {
	set := make(map[uint32]uint8, maxColors)
	w := m.Rect.Dx()
	for y := range m.Rect.Dy() {
		row := m.Pix[y*m.Stride:][:4*w]
		for i := 0; i < len(row); i += 4 {
			if row[i+3] < alphaCut {
				continue
			}
			c := uint32(row[i])<<16 | uint32(row[i+1])<<8 | uint32(row[i+2])
			if _, ok := set[c]; !ok {
				if len(set) == maxColors {
					q.pal = q.pal[:0] // the median cut starts afresh
					return nil
				}
				set[c] = uint8(len(set))
				q.pal = append(q.pal, [3]int32{int32(row[i]), int32(row[i+1]), int32(row[i+2])})
			}
		}
	}
	return set
}

// mapExact maps each pixel to its colour's index in set.
func mapExact(m *image.NRGBA, out *image.Paletted, tIdx uint8, set map[uint32]uint8) {
	w := out.Rect.Dx()
	for y := range out.Rect.Dy() {
		row := m.Pix[y*m.Stride:][:4*w]
		dst := out.Pix[y*out.Stride:][:w]
		for x := range dst {
			p := row[4*x : 4*x+4]
			if p[3] < alphaCut {
				dst[x] = tIdx
			} else {
				dst[x] = set[uint32(p[0])<<16|uint32(p[1])<<8|uint32(p[2])]
			}
		}
	}
}

// collect gathers the non-empty cells into q.entries. If there are at
// most maxColors of them, each holding one exact colour, it sets the
// palette to those colours and reports true.
func (q *quantizer) collect(maxColors int) bool {
	q.entries = q.entries[:0]
	exact := true
	for i := range q.hist {
		c := &q.hist[i]
		if c.n == 0 {
			continue
		}
		exact = exact && !c.mixed
		q.entries = append(q.entries, entry{
			c: [3]uint8{uint8(i >> 10), uint8(i >> 5 & 31), uint8(i & 31)},
			n: float64(c.n),
			s: [3]float64{float64(c.s[0]), float64(c.s[1]), float64(c.s[2])},
		})
	}
	q.pal = q.pal[:0]
	if !exact || len(q.entries) > maxColors {
		return false
	}
	for i := range q.hist {
		if c := &q.hist[i]; c.n != 0 {
			q.pal = append(q.pal, [3]int32{int32(c.first >> 16), int32(c.first >> 8 & 0xff), int32(c.first & 0xff)})
		}
	}
	return true
}

// medianCut splits q.entries into at most maxColors boxes and sets the
// palette to their means.
func (q *quantizer) medianCut(maxColors int) {
	q.boxes = q.boxes[:0]
	if len(q.entries) > 0 {
		q.boxes = append(q.boxes, q.newBox(0, len(q.entries)))
	}
	for len(q.boxes) < maxColors {
		best := -1
		for i := range q.boxes {
			if q.boxes[i].gain > 0 && (best < 0 || q.boxes[i].gain > q.boxes[best].gain) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		b := q.boxes[best]
		mid := q.partition(b)
		q.boxes[best] = q.newBox(b.lo, mid)
		q.boxes = append(q.boxes, q.newBox(mid, b.hi))
	}
	for _, b := range q.boxes {
		q.pal = append(q.pal, [3]int32{
			int32(b.s[0]/b.n + 0.5), int32(b.s[1]/b.n + 0.5), int32(b.s[2]/b.n + 0.5),
		})
	}
	for range refineIterations {
		q.refine()
	}
}

// refineIterations is the number of k-means (Lloyd) steps over the
// histogram's cells after the median cut. On the test photo one step adds
// 0.05 dB, more steps nothing; on images with tight colour clusters it
// moves colours that the cut's boxes split onto the clusters.
const refineIterations = 1

// refine moves each palette colour to the mean of the cells nearest to
// it: one k-means step over the histogram's cells (weighted by their
// pixel counts), which lets colours cross the cut's box boundaries.
func (q *quantizer) refine() {
	q.sortPalette()
	sums := make([][4]float64, len(q.pal))
	for _, e := range q.entries {
		r, g, b := e.s[0]/e.n, e.s[1]/e.n, e.s[2]/e.n
		i := q.nearest(int32(r+0.5), int32(g+0.5), int32(b+0.5))
		sums[i][0] += e.s[0]
		sums[i][1] += e.s[1]
		sums[i][2] += e.s[2]
		sums[i][3] += e.n
	}
	for i, s := range sums {
		if s[3] > 0 {
			q.pal[i] = [3]int32{int32(s[0]/s[3] + 0.5), int32(s[1]/s[3] + 0.5), int32(s[2]/s[3] + 0.5)}
		}
	}
}

// sortPalette prepares nearest: the palette sorted by green, and where
// each green value's search starts.
func (q *quantizer) sortPalette() {
	q.sorted = q.sorted[:0]
	for i, c := range q.pal {
		q.sorted = append(q.sorted, [4]int32{c[0], c[1], c[2], int32(i)})
	}
	slices.SortFunc(q.sorted, func(a, b [4]int32) int { return int(a[1] - b[1]) })
	i := 0
	for g := range q.gStart {
		for i < len(q.sorted) && q.sorted[i][1] < int32(g) {
			i++
		}
		q.gStart[g] = int16(i)
	}
}

// partition reorders entries[b.lo:b.hi] so that those left of b's cut
// come first, and returns where the right ones start.
func (q *quantizer) partition(b box) int {
	e := q.entries
	i, j := b.lo, b.hi-1
	for i <= j {
		if e[i].c[b.axis] < b.cut {
			i++
		} else {
			e[i], e[j] = e[j], e[i]
			j--
		}
	}
	return i
}

// newBox sums entries[lo:hi] and finds their best split: the axis and cut
// maximising |S_L|^2/N_L + |S_R|^2/N_R, which minimises the two halves'
// total squared error.
func (q *quantizer) newBox(lo, hi int) box {
	type acc struct {
		n float64
		s [3]float64
	}
	var buckets [3][histLevels]acc
	b := box{lo: lo, hi: hi}
	for _, e := range q.entries[lo:hi] {
		for a := range 3 {
			k := &buckets[a][e.c[a]]
			k.n += e.n
			k.s[0] += e.s[0]
			k.s[1] += e.s[1]
			k.s[2] += e.s[2]
		}
		b.n += e.n
		b.s[0] += e.s[0]
		b.s[1] += e.s[1]
		b.s[2] += e.s[2]
	}
	sq := func(s [3]float64) float64 { return s[0]*s[0] + s[1]*s[1] + s[2]*s[2] }
	whole := sq(b.s) / b.n
	for a := range 3 {
		var l acc
		for cut := 1; cut < histLevels; cut++ {
			k := buckets[a][cut-1]
			l.n += k.n
			l.s[0] += k.s[0]
			l.s[1] += k.s[1]
			l.s[2] += k.s[2]
			rn := b.n - l.n
			if l.n == 0 || rn <= 0 {
				continue
			}
			r := [3]float64{b.s[0] - l.s[0], b.s[1] - l.s[1], b.s[2] - l.s[2]}
			if g := sq(l.s)/l.n + sq(r)/rn - whole; g > b.gain {
				b.gain, b.axis, b.cut = g, a, uint8(cut)
			}
		}
	}
	return b
}

// prepareLookup resets the nearest-colour cache and sorts the palette for
// nearest.
func (q *quantizer) prepareLookup(exact bool) {
	if exact {
		// The cache is keyed by the 5-bit histogram cell instead: fill it
		// with each cell's palette index.
		n := int16(0)
		for i := range q.hist {
			if q.hist[i].n != 0 {
				q.cache[i] = n
				n++
			}
		}
		return
	}
	for i := range q.cache {
		q.cache[i] = -1
	}
	q.sortPalette()
}

// lookup returns the palette index nearest to (r, g, b), cached by 6-bit
// cell: the search is for the cell's centre.
func (q *quantizer) lookup(r, g, b int32) uint8 {
	key := int(r>>2)<<12 | int(g>>2)<<6 | int(b>>2)
	if v := q.cache[key]; v >= 0 {
		return uint8(v)
	}
	v := q.nearest(r|2, g|2, b|2)
	q.cache[key] = int16(v)
	return uint8(v)
}

// nearest returns the palette index nearest to (r, g, b), searching the
// green-sorted palette outwards from g and stopping each way once the
// green distance alone is no better than the best.
func (q *quantizer) nearest(r, g, b int32) int {
	sorted := q.sorted
	start := int(q.gStart[g])
	best, bestD := 0, int32(1<<30)
	for i := start; i < len(sorted); i++ {
		p := &sorted[i]
		dg := p[1] - g
		if dg*dg >= bestD {
			break
		}
		dr, db := p[0]-r, p[2]-b
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = int(p[3]), d
		}
	}
	for i := start - 1; i >= 0; i-- {
		p := &sorted[i]
		dg := p[1] - g
		if dg*dg >= bestD {
			break
		}
		dr, db := p[0]-r, p[2]-b
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = int(p[3]), d
		}
	}
	return best
}

// mapNearest maps each pixel to its nearest palette entry.
func (q *quantizer) mapNearest(m *image.NRGBA, out *image.Paletted, tIdx uint8, exact bool) {
	w := out.Rect.Dx()
	for y := range out.Rect.Dy() {
		row := m.Pix[y*m.Stride:][:4*w]
		dst := out.Pix[y*out.Stride:][:w]
		for x := range dst {
			p := row[4*x : 4*x+4]
			switch {
			case p[3] < alphaCut:
				dst[x] = tIdx
			case exact:
				dst[x] = uint8(q.cache[int(p[0]>>3)<<10|int(p[1]>>3)<<5|int(p[2]>>3)])
			default:
				dst[x] = q.lookup(int32(p[0]), int32(p[1]), int32(p[2]))
			}
		}
	}
}

// mapDither maps pixels with Floyd-Steinberg error diffusion (7/16 right,
// 3/16 down-left, 5/16 down, 1/16 down-right), in serpentine order.
// Transparent pixels neither take nor pass on error.
func (q *quantizer) mapDither(m *image.NRGBA, out *image.Paletted, tIdx uint8) {
	w := out.Rect.Dx()
	for i := range q.errs {
		q.errs[i] = slices.Grow(q.errs[i][:0], 3*(w+2))[:3*(w+2)]
		clear(q.errs[i])
	}
	for y := range out.Rect.Dy() {
		cur, next := q.errs[y&1], q.errs[1-y&1]
		clear(next)
		row := m.Pix[y*m.Stride:][:4*w]
		dst := out.Pix[y*out.Stride:][:w]
		x, dx, end := 0, 1, w
		if y&1 == 1 {
			x, dx, end = w-1, -1, -1
		}
		for ; x != end; x += dx {
			p := row[4*x : 4*x+4]
			if p[3] < alphaCut {
				dst[x] = tIdx
				continue
			}
			e := 3 * (x + 1) // error buffers have one cell of margin each side
			var c [3]int32
			for k := range 3 {
				c[k] = min(max(int32(p[k])+(cur[e+k]+8)>>4, 0), 255)
			}
			idx := q.lookup(c[0], c[1], c[2])
			dst[x] = idx
			for k := range 3 {
				d := c[k] - q.pal[idx][k]
				cur[e+3*dx+k] += d * 7
				next[e-3*dx+k] += d * 3
				next[e+k] += d * 5
				next[e+3*dx+k] += d
			}
		}
	}
}
