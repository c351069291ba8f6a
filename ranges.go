package imgproxy

import (
	"net/http"
	"strings"
)

// DefaultMaxRanges is the Handler's MaxRanges when it sets none: more
// than any client that resumes or seeks sends, few enough that the
// multipart headers (about 100 bytes a part) stay small beside the
// picture.
const DefaultMaxRanges = 16

// boundRanges returns r, or a copy of r without its Range header when it
// asks for more than h.maxRanges parts (or when ranges are off): the
// whole entity is then served with 200, as nginx's max_ranges does.
// http.ServeContent already serves the whole entity when the parts sum
// to more than its size (overlapping ranges), so only the count is left.
func (h *Handler) boundRanges(r *http.Request) *http.Request {
	v, ok := r.Header["Range"]
	if !ok || (h.maxRanges > 0 && len(v) == 1 && rangeParts(v[0], h.maxRanges) <= h.maxRanges) {
		return r
	}
	c := *r
	c.Header = r.Header.Clone()
	c.Header.Del("Range")
	return &c
}

// rangeParts counts the non-empty parts of a Range header value, as
// http.ServeContent parses them, stopping once past limit.
func rangeParts(v string, limit int) int {
	n := 0
	for part := range strings.SplitSeq(v, ",") {
		if strings.TrimSpace(part) != "" {
			n++
			if n > limit {
				break
			}
		}
	}
	return n
}
