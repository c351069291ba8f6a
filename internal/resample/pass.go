package resample

import "sync"

// plane is an 8-bit image plane of w x h pixels of ch (1 or 4) bytes.
type plane struct {
	pix    []byte
	stride int
	w, h   int
	ch     int
}

// row returns the w*ch bytes of row y.
func (p plane) row(y int) []byte {
	o := y * p.stride
	return p.pix[o : o+p.w*p.ch]
}

func clamp8(v int32) uint8 {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// hpass resamples rows [y0, y1) of src horizontally into dst with table t.
func hpass(src, dst plane, t *table, y0, y1 int) {
	for y := y0; y < y1; y++ {
		if src.ch == 4 {
			hrow4(src.row(y), dst.row(y), t)
		} else {
			hrow1(src.row(y), dst.row(y), t)
		}
	}
}

func hrow1(in, out []byte, t *table) {
	taps := t.taps
	start := t.start[:len(out)]
	for x := range out {
		ws := t.w[x*taps : x*taps+taps]
		px := in[start[x]:]
		px = px[:len(ws)]
		sum := int32(half)
		for len(ws) >= 4 && len(px) >= 4 {
			sum += int32(px[0])*ws[0] + int32(px[1])*ws[1] + int32(px[2])*ws[2] + int32(px[3])*ws[3]
			ws, px = ws[4:], px[4:]
		}
		for len(ws) > 0 && len(px) > 0 {
			sum += int32(px[0]) * ws[0]
			ws, px = ws[1:], px[1:]
		}
		out[x] = clamp8(sum >> fracBits)
	}
}

func hrow4(in, out []byte, t *table) {
	taps := t.taps
	n := len(out) / 4
	start := t.start[:n]
	for x := range n {
		ws := t.w[x*taps : x*taps+taps]
		px := in[4*int(start[x]):]
		px = px[:4*len(ws)]
		r, g, b, a := int32(half), int32(half), int32(half), int32(half)
		for len(ws) >= 2 && len(px) >= 8 {
			w0, w1 := ws[0], ws[1]
			r += int32(px[0])*w0 + int32(px[4])*w1
			g += int32(px[1])*w0 + int32(px[5])*w1
			b += int32(px[2])*w0 + int32(px[6])*w1
			a += int32(px[3])*w0 + int32(px[7])*w1
			ws, px = ws[2:], px[8:]
		}
		for len(ws) > 0 && len(px) >= 4 {
			w := ws[0]
			r += int32(px[0]) * w
			g += int32(px[1]) * w
			b += int32(px[2]) * w
			a += int32(px[3]) * w
			ws, px = ws[1:], px[4:]
		}
		o := out[4*x : 4*x+4 : 4*x+4]
		o[0] = clamp8(r >> fracBits)
		o[1] = clamp8(g >> fracBits)
		o[2] = clamp8(b >> fracBits)
		o[3] = clamp8(a >> fracBits)
	}
}

// vpass resamples output rows [y0, y1) of dst vertically from src with t.
func vpass(src, dst plane, t *table, y0, y1 int) {
	bp := getInts(dst.w * dst.ch)
	defer intPool.Put(bp)
	acc := *bp
	taps := t.taps
	for y := y0; y < y1; y++ {
		s := int(t.start[y])
		ws := t.w[y*taps : y*taps+taps]
		for i := range acc {
			acc[i] = half
		}
		k := 0
		for ; k+1 < len(ws); k += 2 {
			accumulate2(acc, src.row(s+k), src.row(s+k+1), ws[k], ws[k+1])
		}
		if k < len(ws) {
			accumulate1(acc, src.row(s+k), ws[k])
		}
		out := dst.row(y)
		out = out[:len(acc)]
		for i, v := range acc {
			out[i] = clamp8(v >> fracBits)
		}
	}
}

func accumulate2(acc []int32, r0, r1 []byte, w0, w1 int32) {
	r0 = r0[:len(acc)]
	r1 = r1[:len(acc)]
	for i := range acc {
		acc[i] += int32(r0[i])*w0 + int32(r1[i])*w1
	}
}

func accumulate1(acc []int32, r0 []byte, w0 int32) {
	r0 = r0[:len(acc)]
	for i := range acc {
		acc[i] += int32(r0[i]) * w0
	}
}

// parallel runs fn over [0, n) split into at most workers contiguous bands;
// the first band runs on the calling goroutine.
func parallel(n, workers int, fn func(lo, hi int)) {
	workers = min(workers, n)
	if workers <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < workers; i++ {
		lo, hi := n*i/workers, n*(i+1)/workers
		wg.Go(func() { fn(lo, hi) })
	}
	fn(0, n/workers)
	wg.Wait()
}

var (
	bytePool sync.Pool // *[]byte intermediate planes
	intPool  sync.Pool // *[]int32 accumulator rows
)

// getBytes returns a pooled buffer of length n (contents undefined);
// return it with bytePool.Put.
func getBytes(n int) *[]byte {
	if p, ok := bytePool.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n)
	return &b
}

func getInts(n int) *[]int32 {
	if p, ok := intPool.Get().(*[]int32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]int32, n)
	return &b
}

// newPlane returns a pooled w x h plane of ch bytes per pixel and its buffer.
func newPlane(w, h, ch int) (plane, *[]byte) {
	b := getBytes(w * h * ch)
	return plane{pix: *b, stride: w * ch, w: w, h: h, ch: ch}, b
}
