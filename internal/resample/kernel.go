package resample

import "math"

// Kernel is a separable resampling filter.
type Kernel struct {
	// Name identifies the kernel in logs and reports.
	Name string
	// Support is the radius (in input pixels at scale 1) outside which At is 0.
	Support float64
	// At evaluates the filter at distance x (x in [-Support, Support]).
	At func(x float64) float64

	area bool // weights are exact overlaps of pixel and box (Box only)
}

// Predefined kernels. Lanczos3 is the default (the zero Kernel means Lanczos3).
var (
	// Lanczos3 is the windowed sinc with 3 lobes: sharp, slight ringing.
	Lanczos3 = Kernel{Name: "lanczos3", Support: 3, At: lanczos3}
	// CatmullRom is the cubic with B=0, C=0.5.
	CatmullRom = Kernel{Name: "catmullrom", Support: 2, At: catmullRom}
	// Linear is the triangle (bilinear) filter.
	Linear = Kernel{Name: "linear", Support: 1, At: linear}
	// Box averages the input area each output pixel covers (weights are
	// exact pixel overlaps, so non-integer factors stay centred).
	Box = Kernel{Name: "box", Support: 0.5, At: box, area: true}
)

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

func lanczos3(x float64) float64 {
	if x <= -3 || x >= 3 {
		return 0
	}
	return sinc(x) * sinc(x/3)
}

func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

func linear(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

func box(x float64) float64 {
	if x >= -0.5 && x < 0.5 {
		return 1
	}
	return 0
}

// orDefault returns k, or Lanczos3 when k has no At function.
func (k Kernel) orDefault() Kernel {
	if k.At == nil || !(k.Support > 0) {
		return Lanczos3
	}
	return k
}
