package jpegenc

import (
	"cmp"
	"slices"
)

// huffTable is one Huffman table: symbol statistics gathered by a counting
// pass, the DHT description built from them and the resulting codes.
type huffTable struct {
	freq [256]int32
	bits [16]uint8 // number of codes of length 1..16 (BITS)
	vals []uint8   // symbols in order of increasing code length (HUFFVAL)
	code [256]uint16
	size [256]uint8 // 0: symbol not in the table
}

// build derives an optimal length-limited table from t.freq following
// T.81 Annex K.2, assigns the codes (Annex C) and clears the statistics.
// At least one symbol must have been counted.
//
// Code sizes come from a Huffman tree, as in Figure K.1, but built with
// the two-queue method (leaves sorted by frequency, merged nodes in
// creation order) instead of K.1's quadratic search. As in K.2, a reserved
// symbol of frequency 1 takes part, so that no code consists of all 1
// bits; it sorts first and so gets one of the longest codes. Lengths are
// then limited to 16 bits (Figure K.3) and symbols ordered by code size
// (Figure K.4).
func (t *huffTable) build() {
	const reserved = 256
	type node struct {
		freq   int64
		sym    int16 // leaves: symbol; merged nodes: -1
		parent int16
	}
	var nodes [2 * 257]node
	n := 0
	nodes[n] = node{freq: 1, sym: reserved}
	n++
	for v, f := range t.freq {
		if f > 0 {
			nodes[n] = node{freq: int64(f), sym: int16(v)}
			n++
		}
	}
	if n == 1 {
		panic("jpegenc: Huffman table without symbols") // every scan codes some
	}
	leaves := nodes[:n]
	slices.SortStableFunc(leaves, func(a, b node) int { return cmp.Compare(a.freq, b.freq) })

	// Merge the two least frequent of the leaf queue (i) and the merged
	// queue (j..n), whose frequencies are non-decreasing.
	i, j, total := 0, len(leaves), len(leaves)
	least := func() int {
		if i < total && (j >= n || nodes[i].freq <= nodes[j].freq) {
			i++
			return i - 1
		}
		j++
		return j - 1
	}
	for range total - 1 {
		a, b := least(), least()
		nodes[n] = node{freq: nodes[a].freq + nodes[b].freq, sym: -1}
		nodes[a].parent, nodes[b].parent = int16(n), int16(n)
		n++
	}
	// Depths from the root down: parents are created after children.
	var depth [2 * 257]int
	var codesize [257]int
	var bits [2 * 257]int
	maxLen := 0
	for k := n - 2; k >= 0; k-- {
		depth[k] = depth[nodes[k].parent] + 1
		if s := nodes[k].sym; s >= 0 {
			codesize[s] = depth[k]
			bits[depth[k]]++
			maxLen = max(maxLen, depth[k])
		}
	}

	// Limit lengths to 16 bits (Figure K.3), then drop the reserved code.
	for i := maxLen; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	i = 16
	for bits[i] == 0 {
		i--
	}
	bits[i]--

	// HUFFVAL: symbols sorted by code size, then value (Figure K.4).
	t.vals = t.vals[:0]
	for l := 1; l <= maxLen; l++ {
		for v := range 256 {
			if codesize[v] == l {
				t.vals = append(t.vals, uint8(v))
			}
		}
	}
	for l := range 16 {
		t.bits[l] = uint8(bits[l+1])
	}
	t.assign()
	t.freq = [256]int32{}
}

// assign generates the codes of t.bits/t.vals (Annex C, Figures C.1-C.3).
func (t *huffTable) assign() {
	t.size = [256]uint8{}
	code, k := uint16(0), 0
	for n := 1; n <= 16; n++ {
		for range t.bits[n-1] {
			v := t.vals[k]
			t.code[v], t.size[v] = code, uint8(n)
			code++
			k++
		}
		code <<= 1
	}
}
