package jpegdec

// The QM-coder of ITU T.81 Annex D, decoder side: an adaptive binary
// arithmetic decoder whose probability estimates are the states of
// Table D.2.
//
// Registers as in D.2: c holds Cx (the part compared with the
// interval) in bits 31..16 and the byte being shifted in below it, a is
// the interval (0x8000..0xFFFF after renormalisation, 0x10000 at the
// start), ct the bits of that byte not yet shifted into Cx. The MPS
// subinterval is the lower one; the decoder swaps the meanings when the
// MPS subinterval has become the smaller (conditional exchange).

// qeState is one row of T.81 Table D.2: the LPS probability estimate Qe
// and the states that follow an LPS and an MPS decision; switchMPS
// reports that an LPS in this state inverts the sense of the MPS.
type qeState struct {
	qe        uint16
	nextLPS   uint8
	nextMPS   uint8
	switchMPS bool
}

// qeTable is T.81 Table D.2 (indices 0..112).
var qeTable = [113]qeState{
	{0x5A1D, 1, 1, true}, {0x2586, 14, 2, false}, {0x1114, 16, 3, false}, {0x080B, 18, 4, false},
	{0x03D8, 20, 5, false}, {0x01DA, 23, 6, false}, {0x00E5, 25, 7, false}, {0x006F, 28, 8, false},
	{0x0036, 30, 9, false}, {0x001A, 33, 10, false}, {0x000D, 35, 11, false}, {0x0006, 9, 12, false},
	{0x0003, 10, 13, false}, {0x0001, 12, 13, false}, {0x5A7F, 15, 15, true}, {0x3F25, 36, 16, false},
	{0x2CF2, 38, 17, false}, {0x207C, 39, 18, false}, {0x17B9, 40, 19, false}, {0x1182, 42, 20, false},
	{0x0CEF, 43, 21, false}, {0x09A1, 45, 22, false}, {0x072F, 46, 23, false}, {0x055C, 48, 24, false},
	{0x0406, 49, 25, false}, {0x0303, 51, 26, false}, {0x0240, 52, 27, false}, {0x01B1, 54, 28, false},
	{0x0144, 56, 29, false}, {0x00F5, 57, 30, false}, {0x00B7, 59, 31, false}, {0x008A, 60, 32, false},
	{0x0068, 62, 33, false}, {0x004E, 63, 34, false}, {0x003B, 32, 35, false}, {0x002C, 33, 9, false},
	{0x5AE1, 37, 37, true}, {0x484C, 64, 38, false}, {0x3A0D, 65, 39, false}, {0x2EF1, 67, 40, false},
	{0x261F, 68, 41, false}, {0x1F33, 69, 42, false}, {0x19A8, 70, 43, false}, {0x1518, 72, 44, false},
	{0x1177, 73, 45, false}, {0x0E74, 74, 46, false}, {0x0BFB, 75, 47, false}, {0x09F8, 77, 48, false},
	{0x0861, 78, 49, false}, {0x0706, 79, 50, false}, {0x05CD, 48, 51, false}, {0x04DE, 50, 52, false},
	{0x040F, 50, 53, false}, {0x0363, 51, 54, false}, {0x02D4, 52, 55, false}, {0x025C, 53, 56, false},
	{0x01F8, 54, 57, false}, {0x01A4, 55, 58, false}, {0x0160, 56, 59, false}, {0x0125, 57, 60, false},
	{0x00F6, 58, 61, false}, {0x00CB, 59, 62, false}, {0x00AB, 61, 63, false}, {0x008F, 61, 32, false},
	{0x5B12, 65, 65, true}, {0x4D04, 80, 66, false}, {0x412C, 81, 67, false}, {0x37D8, 82, 68, false},
	{0x2FE8, 83, 69, false}, {0x293C, 84, 70, false}, {0x2379, 86, 71, false}, {0x1EDF, 87, 72, false},
	{0x1AA9, 87, 73, false}, {0x174E, 72, 74, false}, {0x1424, 72, 75, false}, {0x119C, 74, 76, false},
	{0x0F6B, 74, 77, false}, {0x0D51, 75, 78, false}, {0x0BB6, 77, 79, false}, {0x0A40, 77, 48, false},
	{0x5832, 80, 81, true}, {0x4D1C, 88, 82, false}, {0x438E, 89, 83, false}, {0x3BDD, 90, 84, false},
	{0x34EE, 91, 85, false}, {0x2EAE, 92, 86, false}, {0x299A, 93, 87, false}, {0x2516, 86, 71, false},
	{0x5570, 88, 89, true}, {0x4CA9, 95, 90, false}, {0x44D9, 96, 91, false}, {0x3E22, 97, 92, false},
	{0x3824, 99, 93, false}, {0x32B4, 99, 94, false}, {0x2E17, 93, 86, false}, {0x56A8, 95, 96, true},
	{0x4F46, 101, 97, false}, {0x47E5, 102, 98, false}, {0x41CF, 103, 99, false}, {0x3C3D, 104, 100, false},
	{0x375E, 99, 93, false}, {0x5231, 105, 102, false}, {0x4C0F, 106, 103, false}, {0x4639, 107, 104, false},
	{0x415E, 103, 99, false}, {0x5627, 105, 106, true}, {0x50E7, 108, 107, false}, {0x4B85, 109, 103, false},
	{0x5597, 110, 109, false}, {0x504F, 111, 107, false}, {0x5A10, 110, 111, true}, {0x5522, 112, 109, false},
	{0x59EB, 112, 111, true},
}

// A context (statistics bin) is one byte: the state index in the low
// seven bits, the MPS value in bit 7. The zero value is the initial
// state of T.81 (index 0, MPS 0), so zeroing a statistics area resets it.
const mpsBit = 0x80

// qmDecoder is the arithmetic decoder of one scan or restart interval.
type qmDecoder struct {
	data []byte
	pos  int // next byte to read
	c, a uint32
	ct   int
}

// init starts decoding at data[pos] (T.81 Initdec).
func (q *qmDecoder) init(data []byte, pos int) {
	*q = qmDecoder{data: data, pos: pos, a: 0x10000}
	q.byteIn()
	q.c <<= 8
	q.byteIn()
	q.c <<= 8
	q.ct = 0
}

// byteIn adds the next byte of entropy-coded data below Cx (T.81
// Byte_in): a stuffed 0xFF 0x00 is one 0xFF; at a marker (or the end of
// the data) it adds zeros and stays put, so decoding always ends.
func (q *qmDecoder) byteIn() {
	q.ct = 8
	if q.pos >= len(q.data) {
		return
	}
	b := q.data[q.pos]
	if b != 0xFF {
		q.c += uint32(b) << 8
		q.pos++
		return
	}
	if q.pos+1 < len(q.data) && q.data[q.pos+1] == 0 {
		q.c += 0xFF << 8
		q.pos += 2
	}
}

// decode returns the next binary decision (0 or 1) coded with context
// *st and updates its estimate (T.81 Decode with Cond_MPS_exchange,
// Cond_LPS_exchange and Renorm_d).
func (q *qmDecoder) decode(st *uint8) int {
	s := *st
	e := &qeTable[s&^mpsBit]
	qe := uint32(e.qe)
	mps := int(s >> 7)
	q.a -= qe
	var d int
	if q.c>>16 < q.a {
		if q.a >= 0x8000 {
			return mps
		}
		if q.a < qe {
			d = 1 - mps
			*st = lpsNext(s, e)
		} else {
			d = mps
			*st = s&mpsBit | e.nextMPS
		}
	} else {
		q.c -= q.a << 16
		if q.a < qe {
			d = mps
			*st = s&mpsBit | e.nextMPS
		} else {
			d = 1 - mps
			*st = lpsNext(s, e)
		}
		q.a = qe
	}
	for {
		if q.ct == 0 {
			q.byteIn()
		}
		q.a <<= 1
		q.c <<= 1
		q.ct--
		if q.a >= 0x8000 {
			return d
		}
	}
}

// lpsNext is the context after an LPS decision in state s (row e).
func lpsNext(s uint8, e *qeState) uint8 {
	if e.switchMPS {
		s ^= mpsBit
	}
	return s&mpsBit | e.nextLPS
}

// fixed decodes a decision with the fixed probability estimate 0.5
// (Qe = 0x5A1D, MPS 0, never adapted), used for signs of AC values and
// for refinement bits.
func (q *qmDecoder) fixed() int {
	var st uint8
	return q.decode(&st)
}
