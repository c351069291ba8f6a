package icc

import (
	"encoding/binary"
	"strconv"
)

const (
	headerSize = 128
	tagEntry   = 12
	// MaxTags bounds the tag count Parse accepts. Real profiles carry
	// fewer than 40 tags; the bound keeps the work on a hostile tag table
	// at a few microseconds.
	MaxTags = 1000
)

// Profile is the part of an ICC profile (ICC.1:2001-04 for version 2,
// ICC.1:2022 for version 4) that colour conversion needs.
type Profile struct {
	// Version is the profile version from the header, major.minor, e.g.
	// "2.1" or "4.3".
	Version string
	// Class is the 4-byte device class signature: "mntr" (display),
	// "scnr" (input), "prtr" (output), "link", "spac", "abst", "nmcl".
	Class string
	// ColorSpace is the 4-byte data colour space signature, e.g. "RGB ",
	// "GRAY", "CMYK".
	ColorSpace string
	// PCS is the profile connection space signature: "XYZ " or "Lab "
	// (for a device link, a data colour space signature).
	PCS string

	hasLUT    bool          // an A2B0 tag is present
	colorants [3][3]float64 // colorants[row][col]: X,Y,Z rows; r,g,b columns
	curves    [3]curve
	// unsupported is why the profile is not matrix/TRC RGB; empty if it is.
	unsupported string
}

// MatrixTRC reports whether the profile is an RGB profile whose rXYZ,
// gXYZ, bXYZ and rTRC, gTRC, bTRC tags ToSRGB uses. A display profile
// that also carries an A2B0 LUT counts (browsers use its matrix/TRC too);
// an input or output profile with an A2B0 LUT does not, since the LUT
// takes precedence for it.
func (p *Profile) MatrixTRC() bool { return p.unsupported == "" }

// Parse reads the header and tag table of an ICC profile and, if it is a
// matrix/TRC RGB profile, its colorant and curve tags. It returns a
// FormatError when the header, the tag table or one of those tags is
// malformed; a well-formed profile of a kind ToSRGB does not handle
// parses without error and reports MatrixTRC() == false.
//
// Parse copies what it keeps; profile may be reused after it returns.
func Parse(profile []byte) (*Profile, error) {
	if len(profile) < headerSize+4 {
		return nil, FormatError("shorter than its header")
	}
	size := binary.BigEndian.Uint32(profile[0:])
	if size < headerSize+4 || uint64(size) > uint64(len(profile)) {
		return nil, FormatError("size field " + strconv.FormatUint(uint64(size), 10) +
			" out of range for " + strconv.Itoa(len(profile)) + " bytes")
	}
	data := profile[:size]
	if string(data[36:40]) != "acsp" {
		return nil, FormatError("no 'acsp' signature")
	}
	p := &Profile{
		Version:    strconv.Itoa(int(data[8])) + "." + strconv.Itoa(int(data[9]>>4)),
		Class:      string(data[12:16]),
		ColorSpace: string(data[16:20]),
		PCS:        string(data[20:24]),
	}
	if !printable(p.Class) || !printable(p.ColorSpace) || !printable(p.PCS) {
		return nil, FormatError("header signatures are not ASCII")
	}
	tags, err := readTagTable(data)
	if err != nil {
		return nil, err
	}
	_, p.hasLUT = tags["A2B0"]
	p.unsupported = p.whyUnsupported(tags, data[8])
	if p.unsupported != "" {
		return p, nil
	}
	if err := p.readMatrixTRC(tags); err != nil {
		return nil, err
	}
	return p, nil
}

// printable reports whether a signature is four printable ASCII bytes
// (spaces included).
func printable(sig string) bool {
	for i := 0; i < len(sig); i++ {
		if sig[i] < 0x20 || sig[i] > 0x7e {
			return false
		}
	}
	return true
}

// readTagTable returns each tag's data, bounds-checked against data. The
// first entry wins when a signature repeats.
func readTagTable(data []byte) (map[string][]byte, error) {
	count := binary.BigEndian.Uint32(data[headerSize:])
	if count > MaxTags {
		return nil, FormatError("tag count " + strconv.FormatUint(uint64(count), 10) + " exceeds the limit")
	}
	table := uint64(headerSize + 4)
	if table+uint64(count)*tagEntry > uint64(len(data)) {
		return nil, FormatError("tag table runs past the end")
	}
	tags := make(map[string][]byte, count)
	for i := range uint64(count) {
		e := data[table+i*tagEntry:]
		sig := string(e[0:4])
		off := uint64(binary.BigEndian.Uint32(e[4:]))
		n := uint64(binary.BigEndian.Uint32(e[8:]))
		if off+n > uint64(len(data)) {
			return nil, FormatError("tag " + strconv.Quote(sig) + " runs past the end")
		}
		if _, dup := tags[sig]; !dup {
			tags[sig] = data[off : off+n]
		}
	}
	return tags, nil
}

// whyUnsupported says why ToSRGB cannot use the profile, or "" if it can
// as far as the header and the tag list show.
func (p *Profile) whyUnsupported(tags map[string][]byte, major byte) string {
	switch {
	case major < 2 || major > 4:
		return "version " + p.Version
	case p.ColorSpace != "RGB ":
		return "colour space " + strconv.Quote(p.ColorSpace)
	case p.PCS != "XYZ ":
		return "PCS " + strconv.Quote(p.PCS)
	case p.Class != "mntr" && p.Class != "scnr" && p.Class != "spac":
		return "device class " + strconv.Quote(p.Class)
	case p.hasLUT && p.Class != "mntr":
		return "A2B0 LUT in a " + strconv.Quote(p.Class) + " profile"
	}
	for _, sig := range [...]string{"rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"} {
		if _, ok := tags[sig]; !ok {
			return "no " + sig + " tag"
		}
	}
	for _, sig := range [...]string{"rTRC", "gTRC", "bTRC"} {
		if t := tags[sig]; len(t) >= 4 && string(t[:4]) != "curv" && string(t[:4]) != "para" {
			return sig + " of type " + strconv.Quote(string(t[:4]))
		}
	}
	return ""
}

// readMatrixTRC decodes the colorant and curve tags.
func (p *Profile) readMatrixTRC(tags map[string][]byte) error {
	for col, sig := range [...]string{"rXYZ", "gXYZ", "bXYZ"} {
		xyz, err := readXYZ(sig, tags[sig])
		if err != nil {
			return err
		}
		for row := range 3 {
			p.colorants[row][col] = xyz[row]
		}
	}
	for i, sig := range [...]string{"rTRC", "gTRC", "bTRC"} {
		c, err := readCurve(sig, tags[sig])
		if err != nil {
			return err
		}
		p.curves[i] = c
	}
	return nil
}

// readXYZ decodes an XYZType holding one XYZNumber.
func readXYZ(sig string, t []byte) ([3]float64, error) {
	if len(t) < 20 || string(t[:4]) != "XYZ " {
		return [3]float64{}, FormatError(sig + " is not an XYZType of one value")
	}
	return [3]float64{s15f16(t[8:]), s15f16(t[12:]), s15f16(t[16:])}, nil
}

// paraParams is the number of parameters of each para function type.
var paraParams = [...]int{1, 3, 4, 5, 7}

// readCurve decodes a curveType or parametricCurveType.
func readCurve(sig string, t []byte) (curve, error) {
	if len(t) < 12 {
		return curve{}, FormatError(sig + " is cut short")
	}
	switch string(t[:4]) {
	case "curv":
		n := uint64(binary.BigEndian.Uint32(t[8:]))
		if 12+2*n > uint64(len(t)) {
			return curve{}, FormatError(sig + " has more entries than bytes")
		}
		switch n {
		case 0:
			return curve{kind: curveIdentity}, nil
		case 1:
			return curve{kind: curveGamma, p: [7]float64{float64(binary.BigEndian.Uint16(t[12:])) / 256}}, nil
		}
		table := make([]uint16, n)
		for i := range table {
			table[i] = binary.BigEndian.Uint16(t[12+2*i:])
		}
		return curve{kind: curveTable, table: table}, nil
	case "para":
		fn := binary.BigEndian.Uint16(t[8:])
		if int(fn) >= len(paraParams) {
			return curve{}, FormatError(sig + " has unknown function type " + strconv.Itoa(int(fn)))
		}
		np := paraParams[fn]
		if len(t) < 12+4*np {
			return curve{}, FormatError(sig + " is cut short")
		}
		c := curve{kind: curveParam, fn: fn}
		for i := range np {
			c.p[i] = s15f16(t[12+4*i:])
		}
		if fn == 0 {
			c.kind = curveGamma
		}
		return c, nil
	}
	return curve{}, FormatError(sig + " is not a curve")
}

// s15f16 decodes an s15Fixed16Number.
func s15f16(b []byte) float64 {
	return float64(int32(binary.BigEndian.Uint32(b))) / 65536
}
