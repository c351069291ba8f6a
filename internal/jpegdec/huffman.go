package jpegdec

// lutBits is the number of bits resolved by one lookahead-table lookup.
const lutBits = 10

const lutSize = 1 << lutBits

// huffTable is a decoding table for one Huffman code (T.81 annex C/F.2.2.3).
type huffTable struct {
	// lut maps the next lutBits bits to symbol<<8 | code length for codes
	// of at most lutBits bits; 0 means a longer (or invalid) code.
	lut [lutSize]uint16
	// fast maps the next lutBits bits to a fully decoded coefficient when
	// code and magnitude bits both fit: value<<16 | run<<8 | total length.
	// 0 means "use lut". For DC tables run is 0.
	fast [lutSize]int32
	// skip maps the next lutBits bits to total length | advance<<8 for AC
	// tables, where advance is run+1, 16 for ZRL or 64 for EOB; 0 means
	// "use the slow path". It is used when coefficient values are unneeded.
	skip    [lutSize]uint16
	maxcode [17]int32 // largest code of each length (mincode-1 if none)
	valptr  [17]int32 // index into vals of the first code of a length, minus that code
	vals    [256]uint8
	defined bool
	// pending reports that counts and vals hold a definition not yet
	// built into the lookup tables: a DHT segment only stores it, and
	// ready builds it for the scans that are decoded, so that a file of
	// many DHT segments costs what it weighs, not 10 KB of table
	// building per 18-byte segment.
	pending bool
	isDC    bool
	counts  [17]int
}

// parseDHT reads one or more Huffman table definitions.
func (d *decoder) parseDHT(p []byte) error {
	for len(p) > 0 {
		if len(p) < 17 {
			return FormatError("short DHT")
		}
		tc, th := p[0]>>4, p[0]&15
		if tc > 1 || th > 3 {
			return FormatError("bad DHT class or id")
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(p[l])
			total += counts[l]
		}
		if total == 0 || total > 256 || len(p) < 17+total {
			return FormatError("bad DHT symbol count")
		}
		if err := d.huff[tc][th].set(&counts, p[17:17+total], tc == 0); err != nil {
			return err
		}
		p = p[17+total:]
	}
	return nil
}

// build fills the table from the BITS counts and HUFFVAL symbols.
func (t *huffTable) build(counts *[17]int, syms []byte, isDC bool) error {
	if err := t.set(counts, syms, isDC); err != nil {
		return err
	}
	t.ready()
	return nil
}

// set validates and stores a table definition (BITS counts, HUFFVAL
// symbols); ready builds it.
func (t *huffTable) set(counts *[17]int, syms []byte, isDC bool) error {
	code := 0
	for l := 1; l <= 16; l++ {
		if code+counts[l] > 1<<l {
			return FormatError("bad Huffman code lengths")
		}
		code = (code + counts[l]) << 1
	}
	t.vals = [256]uint8{}
	copy(t.vals[:], syms)
	t.counts, t.isDC = *counts, isDC
	t.defined, t.pending = true, true
	return nil
}

// ready builds the lookup tables of a pending definition.
func (t *huffTable) ready() {
	if !t.pending {
		return
	}
	t.pending = false
	t.lut, t.fast, t.skip = [lutSize]uint16{}, [lutSize]int32{}, [lutSize]uint16{}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(t.counts[l])
		t.valptr[l] = k - code
		for i := int32(0); i < n; i++ {
			if l <= lutBits {
				t.fill(code+i, uint(l), t.vals[k+i], t.isDC)
			}
		}
		code += n
		k += n
		t.maxcode[l] = code - 1
		code <<= 1
	}
}

// fill sets the lookahead entries for one code of length l <= lutBits.
func (t *huffTable) fill(code int32, l uint, sym byte, isDC bool) {
	shift := lutBits - l
	lo := int(code) << shift
	for i := lo; i < lo+(1<<shift); i++ {
		t.lut[i] = uint16(sym)<<8 | uint16(l)
		run, s := uint(sym>>4), uint(sym&15)
		if isDC {
			run, s = 0, uint(sym)
		}
		if isDC || s != 0 {
			if l+s <= lutBits && s <= 15 {
				bits := int32(i>>(lutBits-l-s)) & (1<<s - 1)
				v := extend(bits, s)
				t.fast[i] = v<<16 | int32(run)<<8 | int32(l+s)
			}
			t.skip[i] = uint16(l+s) | uint16(run+1)<<8
		} else if run == 15 {
			t.skip[i] = uint16(l) | 16<<8
		} else if run == 0 {
			t.skip[i] = uint16(l) | 64<<8
		}
	}
}

// extend converts s magnitude bits to a signed value (T.81 F.2.2.1).
func extend(v int32, s uint) int32 {
	if s == 0 {
		return 0
	}
	if v < 1<<(s-1) {
		v -= 1<<s - 1
	}
	return v
}

// slowDecode decodes a code longer than lutBits from the top of acc,
// returning the symbol and code length (0 for an invalid code).
func (t *huffTable) slowDecode(acc uint64) (byte, uint) {
	for l := uint(lutBits + 1); l <= 16; l++ {
		code := int32(acc >> (64 - l))
		if code <= t.maxcode[l] {
			return t.vals[uint8(t.valptr[l]+code)], l
		}
	}
	return 0, 0
}
