package gifcodec

// GIF block introducers and extension labels (GIF89a spec, sections 17-27).
const (
	blockExtension  = 0x21
	blockImage      = 0x2c
	blockTrailer    = 0x3b
	extGraphicCtl   = 0xf9
	extApplication  = 0xff
	flagColorTable  = 0x80 // in the logical screen and image descriptors
	flagInterlace   = 0x40 // in the image descriptor
	flagTransparent = 0x01 // in the graphic control extension
)

// Info describes a GIF.
type Info struct {
	// Width and Height are the canvas size: the logical screen's, or, if
	// that is empty (a broken but seen writer), the first frame's extent
	// (its offset plus its size).
	Width, Height int
	// Frames is the number of frames in the file. A file damaged after its
	// first frame counts the frames before the damage (see DecodeFrames).
	Frames int
	// Pixels is the sum of the counted frames' areas: how many pixels
	// decoding produces (frames can be smaller than the canvas, or, up to
	// a bound, larger). With Frames x Width x Height (compositing), it
	// measures the decoding work.
	Pixels int64
	// LoopCount is how many times the animation plays, as in
	// picture.Picture: 0 forever, n > 0 n times. A file without a
	// NETSCAPE2.0 (or ANIMEXTS1.0) loop extension plays once (1); a loop
	// extension's count n means n repetitions after the first play (n+1),
	// and 0 means forever.
	LoopCount int
	// Truncated reports that DecodeFrames stopped at maxFrames before the
	// last frame. Config never sets it.
	Truncated bool
}

// frameInfo is one frame's blocks as found by the scanner; slices point
// into the input.
type frameInfo struct {
	x, y, w, h  int
	interlaced  bool
	palette     []byte // colour table in effect, 3 bytes an entry; nil if none
	transparent int    // transparent colour index, -1 if none
	disposal    byte   // disposal method from the graphic control extension
	delay       int    // in 1/100 s
	lzw         []byte // LZW minimum code size, data sub-blocks, terminator
}

// scanner walks the block structure of a GIF without decoding pixels.
type scanner struct {
	data          []byte
	off           int
	width, height int    // logical screen size
	global        []byte // global colour table, nil if none
	loopCount     int    // picture semantics; 1 until a loop extension says otherwise
	loopSeen      bool
}

// newScanner reads the header, logical screen descriptor and global
// colour table.
func newScanner(data []byte) (*scanner, error) {
	if len(data) < 13 || (string(data[:6]) != "GIF87a" && string(data[:6]) != "GIF89a") {
		return nil, FormatError("not a GIF header")
	}
	s := &scanner{data: data, off: 13, loopCount: 1}
	s.width, s.height = le16(data[6:]), le16(data[8:])
	if flags := data[10]; flags&flagColorTable != 0 {
		n := 3 << (flags&7 + 1)
		if len(data) < s.off+n {
			return nil, FormatError("truncated global colour table")
		}
		s.global = data[s.off : s.off+n]
		s.off += n
	}
	return s, nil
}

func le16(b []byte) int { return int(b[0]) | int(b[1])<<8 }

// next returns the next frame, or ok false at the trailer or the end of
// the data. An error reports a malformed or truncated block.
func (s *scanner) next() (f frameInfo, ok bool, err error) {
	f.transparent = -1
	for {
		if s.off >= len(s.data) {
			return f, false, nil // a missing trailer is common and harmless
		}
		b := s.data[s.off]
		s.off++
		switch b {
		case blockTrailer:
			s.off = len(s.data)
			return f, false, nil
		case blockExtension:
			if err := s.extension(&f); err != nil {
				return f, false, err
			}
		case blockImage:
			return f, true, s.image(&f)
		default:
			return f, false, FormatError("unknown block")
		}
	}
}

// extension reads an extension block, keeping what a graphic control or
// loop extension says.
func (s *scanner) extension(f *frameInfo) error {
	if s.off >= len(s.data) {
		return FormatError("truncated extension")
	}
	label := s.data[s.off]
	s.off++
	loopApp := false // the application extension carries a loop count
	for i := 0; ; i++ {
		blk, err := s.subBlock()
		if err != nil {
			return err
		}
		if blk == nil {
			return nil
		}
		switch {
		case label == extGraphicCtl && i == 0 && len(blk) >= 4:
			f.disposal = blk[0] >> 2 & 7
			f.delay = le16(blk[1:])
			if blk[0]&flagTransparent != 0 {
				f.transparent = int(blk[3])
			}
		case label == extApplication && i == 0:
			loopApp = string(blk) == "NETSCAPE2.0" || string(blk) == "ANIMEXTS1.0"
		case loopApp && i == 1 && !s.loopSeen && len(blk) >= 3 && blk[0] == 1:
			s.loopSeen = true
			if n := le16(blk[1:]); n == 0 {
				s.loopCount = 0
			} else {
				s.loopCount = n + 1
			}
		}
	}
}

// subBlock returns the next data sub-block, nil at the block terminator.
func (s *scanner) subBlock() ([]byte, error) {
	if s.off >= len(s.data) {
		return nil, FormatError("truncated data sub-block")
	}
	n := int(s.data[s.off])
	s.off++
	if n == 0 {
		return nil, nil
	}
	if len(s.data)-s.off < n {
		return nil, FormatError("truncated data sub-block")
	}
	s.off += n
	return s.data[s.off-n : s.off], nil
}

// image reads an image descriptor, its local colour table and skips its
// LZW data.
func (s *scanner) image(f *frameInfo) error {
	d := s.data[s.off:]
	if len(d) < 9 {
		return FormatError("truncated image descriptor")
	}
	f.x, f.y, f.w, f.h = le16(d), le16(d[2:]), le16(d[4:]), le16(d[6:])
	flags := d[8]
	f.interlaced = flags&flagInterlace != 0
	s.off += 9
	f.palette = s.global
	if flags&flagColorTable != 0 {
		n := 3 << (flags&7 + 1)
		if len(s.data)-s.off < n {
			return FormatError("truncated local colour table")
		}
		f.palette = s.data[s.off : s.off+n]
		s.off += n
	}
	start := s.off
	if s.off >= len(s.data) {
		return FormatError("truncated image data")
	}
	s.off++ // LZW minimum code size
	for {
		blk, err := s.subBlock()
		if err != nil {
			return err
		}
		if blk == nil {
			break
		}
	}
	f.lzw = s.data[start:s.off]
	return nil
}

// canvasSize is the size of the canvas for a GIF whose first frame is f.
func (s *scanner) canvasSize(f frameInfo) (int, int) {
	if s.width == 0 || s.height == 0 {
		return f.x + f.w, f.y + f.h
	}
	return s.width, s.height
}

// Config reads a GIF's canvas size, frame count and loop count by walking
// its block structure, without decoding any pixels: the cost is one step
// per 255-byte data sub-block and no allocation beyond a small constant.
// Use it to check a budget (Width*Height*4 bytes per canvas, Frames frames)
// before DecodeFrames.
//
// A file whose blocks are damaged or cut short after at least one whole
// frame counts the whole frames before the damage, as browsers show them;
// one with no whole frame is a FormatError. DecodeFrames may find fewer
// frames than Config when a frame's LZW data is corrupt.
func Config(data []byte) (Info, error) {
	s, err := newScanner(data)
	if err != nil {
		return Info{}, err
	}
	var info Info
	for {
		f, ok, err := s.next()
		if err != nil || !ok {
			if info.Frames == 0 {
				if err == nil {
					err = FormatError("no image")
				}
				return Info{}, err
			}
			info.LoopCount = s.loopCount
			return info, nil
		}
		if info.Frames == 0 {
			info.Width, info.Height = s.canvasSize(f)
		}
		info.Frames++
		info.Pixels += int64(f.w) * int64(f.h)
	}
}
