package isobmff

// flip is an element of the dihedral group of the square as a 2x2
// integer matrix: (x, y) -> (a*x + b*y, c*x + d*y), with x to the right
// and y down, mapping stored pixels to displayed ones.
type flip struct{ a, b, c, d int8 }

var (
	identity  = flip{1, 0, 0, 1}
	rotateCCW = flip{0, 1, -1, 0} // irot: 90 degrees anti-clockwise
	// mirrors[axis] is imir: 0 exchanges top and bottom (as EXIF 4), 1
	// left and right (as EXIF 2) (ISO/IEC 23008-12:2022 6.5.12).
	mirrors = [2]flip{{1, 0, 0, -1}, {-1, 0, 0, 1}}
)

// exifFlips[o] is the transform EXIF orientation o asks a viewer to
// apply to the stored pixels.
var exifFlips = [9]flip{
	1: identity,
	2: {-1, 0, 0, 1},  // mirror left-right
	3: {-1, 0, 0, -1}, // rotate 180
	4: {1, 0, 0, -1},  // mirror top-bottom
	5: {0, 1, 1, 0},   // transpose
	6: {0, -1, 1, 0},  // rotate 90 clockwise
	7: {0, -1, -1, 0}, // transverse
	8: {0, 1, -1, 0},  // rotate 90 anti-clockwise
}

// mul returns f after g: f*g.
func (f flip) mul(g flip) flip {
	return flip{
		f.a*g.a + f.b*g.c, f.a*g.b + f.b*g.d,
		f.c*g.a + f.d*g.c, f.c*g.b + f.d*g.d,
	}
}

// exif returns the EXIF orientation of f.
func (f flip) exif() int {
	for o := 1; o < len(exifFlips); o++ {
		if exifFlips[o] == f {
			return o
		}
	}
	return 1 // unreachable: the group has eight elements
}
