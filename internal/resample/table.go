package resample

import "math"

const (
	fracBits = 14            // fixed-point precision of the weights
	one      = 1 << fracBits // weight 1.0
	half     = one >> 1      // rounding constant
)

// axis describes the mapping of one axis: output sample i (centre i+0.5)
// samples the input at continuous coordinate (i+0.5)*scale + offset, where
// input sample j spans [j, j+1).
type axis struct {
	in, out       int
	scale, offset float64
}

// shrunk returns the axis after a box pre-reduction of the input by f.
func (a axis) shrunk(f int) axis {
	return axis{
		in:     (a.in + f - 1) / f,
		out:    a.out,
		scale:  a.scale / float64(f),
		offset: a.offset / float64(f),
	}
}

// table holds, for each output sample, the first input sample and taps
// fixed-point weights (summing exactly to one); weights of output i are
// w[i*taps : (i+1)*taps] applied to input samples start[i] ... start[i]+taps-1.
type table struct {
	start []int32
	w     []int32
	taps  int
	ident bool // output sample i is exactly input sample i
}

// newTable computes the weight table of kernel k for axis a. Rows of more
// than one tap are widened with zero weights to a multiple of align taps
// (at most a.in), which lets hrow1 run without a tail; the outputs are the
// same.
func newTable(k Kernel, a axis, align int) *table {
	fs := max(a.scale, 1) // filter scale: widen the kernel when reducing
	r := k.Support * fs
	wide := min(int(math.Ceil(2*r))+3, a.in)
	tmp := make([]int32, a.out*wide)
	first := make([]int32, a.out)
	lo := make([]int32, a.out)
	taps := 1
	fw := make([]float64, wide)
	for i := range a.out {
		c := (float64(i)+0.5)*a.scale + a.offset
		f := clampInt(int(math.Floor(c-r-0.5)), 0, a.in-wide)
		row := tmp[i*wide : (i+1)*wide]
		weigh(k, c, fs, f, fw, row)
		s, n := trim(row)
		first[i], lo[i] = int32(f), int32(f+s)
		taps = max(taps, n)
	}
	if taps > 1 && align > 1 {
		taps = min((taps+align-1)/align*align, a.in)
	}
	return compact(tmp, first, lo, wide, taps, a.in)
}

// weigh fills row with the fixed-point weights of the input samples
// first, first+1, ... around centre c, normalised to sum exactly to one.
func weigh(k Kernel, c, fs float64, first int, fw []float64, row []int32) {
	sum := 0.0
	for j := range fw {
		if x := float64(first + j); k.area {
			fw[j] = max(0, min(x+1, c+k.Support*fs)-max(x, c-k.Support*fs))
		} else {
			fw[j] = k.At((x + 0.5 - c) / fs)
		}
		sum += fw[j]
	}
	if sum == 0 { // kernel misses every sample (far outside): nearest sample
		clear(fw)
		fw[clampInt(int(c)-first, 0, len(fw)-1)] = 1
		sum = 1
	}
	total, big := int32(0), 0
	for j, v := range fw {
		row[j] = int32(math.Round(v / sum * one))
		total += row[j]
		if row[j] > row[big] {
			big = j
		}
	}
	row[big] += one - total // rounding residue goes to the centre tap
}

// trim returns the offset and length of the non-zero part of row.
func trim(row []int32) (int, int) {
	s, e := 0, len(row)
	for s < e-1 && row[s] == 0 {
		s++
	}
	for e > s+1 && row[e-1] == 0 {
		e--
	}
	return s, e - s
}

// compact re-lays the wide rows of tmp (row i starting at input sample
// first[i], non-zero from lo[i]) into rows of taps weights, moving the
// window left where it would run past the input end.
func compact(tmp, first, lo []int32, wide, taps, in int) *table {
	t := &table{start: make([]int32, len(lo)), w: make([]int32, len(lo)*taps), taps: taps}
	t.ident = taps == 1 && len(lo) == in
	for i := range lo {
		s := min(int(lo[i]), in-taps)
		t.start[i] = int32(s)
		src := tmp[i*wide : (i+1)*wide]
		dst := t.w[i*taps : (i+1)*taps]
		for j := range dst {
			if k := s + j - int(first[i]); k >= 0 && k < wide {
				dst[j] = src[k]
			}
		}
		if t.ident && (s != i || dst[0] != one) {
			t.ident = false
		}
	}
	return t
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
