package imgproxy

import (
	"fmt"
	"strings"
)

// Size is a box of an options segment, as listed in Handler.Sizes: W x H
// pixels, where 0 leaves that side free ("-"). The zero value is "-x-",
// the full size.
type Size struct{ W, H int }

// String returns s as a URL writes it, such as "150x150" or "640x-".
func (s Size) String() string {
	var buf [16]byte
	b := appendSide(buf[:0], s.W)
	b = append(b, 'x')
	return string(appendSide(b, s.H))
}

// ParseSize parses one box with the URL's syntax: "150x150", "150x-",
// "-x100" or "-x-", each side 1..MaxDimension or "-".
func ParseSize(s string) (Size, error) {
	ws, hs, ok := strings.Cut(s, "x")
	if !ok {
		return Size{}, fmt.Errorf("%w: size %q: want <width>x<height>", ErrBadRequest, s)
	}
	w, err := parseSide(ws)
	if err != nil {
		return Size{}, fmt.Errorf("%w: size %q: width: %w", ErrBadRequest, s, err)
	}
	h, err := parseSide(hs)
	if err != nil {
		return Size{}, fmt.Errorf("%w: size %q: height: %w", ErrBadRequest, s, err)
	}
	return Size{W: w, H: h}, nil
}

// ParseSizes parses a comma-separated list of boxes, such as the server's
// "-sizes 150x150,640x480"; an empty list is nil.
func ParseSizes(list string) ([]Size, error) {
	if list == "" {
		return nil, nil
	}
	var sizes []Size
	for part := range strings.SplitSeq(list, ",") {
		s, err := ParseSize(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, s)
	}
	return sizes, validateSizes(sizes, false)
}

// validateSizes checks a Handler's Sizes and SnapSizes.
func validateSizes(sizes []Size, snap bool) error {
	if snap && len(sizes) == 0 {
		return fmt.Errorf("imgproxy: SnapSizes needs Sizes")
	}
	seen := make(map[Size]bool, len(sizes))
	for _, s := range sizes {
		if s.W < 0 || s.H < 0 || s.W > MaxDimension || s.H > MaxDimension {
			return fmt.Errorf("imgproxy: size %dx%d: sides must be 0 (free) to %d", s.W, s.H, MaxDimension)
		}
		if seen[s] {
			return fmt.Errorf("imgproxy: size %v listed twice", s)
		}
		seen[s] = true
	}
	return nil
}

// SnapSize returns the allowed box nearest to want: the smallest (by
// area, a free side counting as the other side; the first listed among
// equals) that contains it, side by side, so that the picture is never
// made smaller than asked; if none does, the largest. A free side is
// contained only by a free side, since any bound might make that side
// smaller. For a crop, which needs both sides, only boxes with both are
// candidates. It reports false if there is none.
//
// Containing boxes are the right answer for a page that asks for the
// size of its slot: a slightly larger picture scaled down by the browser
// looks as sharp as the exact one, a smaller one scaled up looks blurred.
func SnapSize(allowed []Size, want Size, crop bool) (Size, bool) {
	best, found := Size{}, false
	bestFits := false
	for _, s := range allowed {
		if crop && (s.W == 0 || s.H == 0) {
			continue
		}
		fits := covers(s.W, want.W) && covers(s.H, want.H)
		better := !found || fits && !bestFits
		if found && fits == bestFits {
			better = fits && area(s) < area(best) || !fits && area(s) > area(best)
		}
		if better {
			best, found, bestFits = s, true, fits
		}
	}
	return best, found
}

// covers reports whether an allowed side a contains a wanted side w.
func covers(a, w int) bool {
	return a == 0 || (w != 0 && a >= w)
}

// area orders boxes for SnapSize: a free side counts as the other side
// (the box of a square picture), both free as MaxDimension squared.
func area(s Size) int64 {
	w, h := int64(s.W), int64(s.H)
	switch {
	case w == 0 && h == 0:
		return MaxDimension * MaxDimension
	case w == 0:
		return h * h
	case h == 0:
		return w * w
	}
	return w * h
}

// allowSize applies Sizes to o's box: unchanged if listed (or if there
// is no list, or o asks for info), snapped with SnapSizes, else
// ErrBadRequest.
func (h *Handler) allowSize(o Options) (Options, error) {
	if len(h.allowed) == 0 || o.Info {
		return o, nil
	}
	want := Size{W: o.Width, H: o.Height}
	for _, s := range h.allowed {
		if s == want {
			return o, nil
		}
	}
	if h.SnapSizes {
		if s, ok := SnapSize(h.allowed, want, o.Fit == FitCrop); ok {
			o.Width, o.Height = s.W, s.H
			return o, nil
		}
	}
	return o, fmt.Errorf("%w: size %v is not allowed", ErrBadRequest, want)
}
