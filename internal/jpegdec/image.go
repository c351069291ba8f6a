package jpegdec

import "image"

// geometry computes the MCU and block geometry of the frame.
func (d *decoder) geometry() {
	if d.ncomp == 1 {
		d.comp[0].h, d.comp[0].v = 1, 1
	}
	d.hmax, d.vmax = 1, 1
	for i := range d.ncomp {
		d.hmax, d.vmax = max(d.hmax, d.comp[i].h), max(d.vmax, d.comp[i].v)
	}
	d.mcusX = ceilDiv(d.width, 8*d.hmax)
	d.mcusY = ceilDiv(d.height, 8*d.vmax)
	k := d.k
	for i := range d.ncomp {
		c := &d.comp[i]
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		c.nbw = ceilDiv(ceilDiv(d.width*c.h, d.hmax), 8)
		c.nbh = ceilDiv(ceilDiv(d.height*c.v, d.vmax), 8)
		c.stride = c.bw * k
	}
}

// allocate allocates the output planes (after geometry), returning the
// output image: a view of the MCU-padded planes for gray and YCbCr, an
// *image.RGBA filled by conversion for the other colour spaces (see
// color.go).
func (d *decoder) allocate() image.Image {
	k := d.k
	w, h := ceilDiv(d.width, d.scale), ceilDiv(d.height, d.scale)
	if d.needsConvert() {
		return d.allocateRGBA(w, h)
	}
	for i := range d.ncomp {
		c := &d.comp[i]
		c.plane = make([]byte, c.stride*c.bh*k)
	}
	r := image.Rect(0, 0, w, h)
	if d.ncomp == 1 {
		c := &d.comp[0]
		return &image.Gray{Pix: c.plane[:c.stride*h], Stride: c.stride, Rect: r}
	}
	ss, _ := d.subsampling()
	ch := h
	if ss == image.YCbCrSubsampleRatio420 || ss == image.YCbCrSubsampleRatio440 || ss == image.YCbCrSubsampleRatio410 {
		ch = (h + 1) / 2
	}
	y, cb, cr := &d.comp[0], &d.comp[1], &d.comp[2]
	return &image.YCbCr{
		Y: y.plane[:y.stride*h], Cb: cb.plane[:cb.stride*ch], Cr: cr.plane[:cr.stride*ch],
		YStride: y.stride, CStride: cb.stride, SubsampleRatio: ss, Rect: r,
	}
}
