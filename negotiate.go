package imgproxy

import (
	"strconv"
	"strings"
)

// negotiate returns the formats of offer (in offer's order) that the
// Accept header values list with a non-zero quality, as Options.Auto.
// Only explicit types count: "image/*" and "*/*" do not promise WebP or
// AVIF support (browsers that have it say so by name).
func negotiate(offer []Format, accept []string) [2]Format {
	var auto [2]Format
	n := 0
	for _, f := range offer {
		if n == len(auto) {
			break
		}
		if (f == FormatWebP || f == FormatAVIF) && accepts(accept, f.ContentType()) && auto[0] != f {
			auto[n] = f
			n++
		}
	}
	return auto
}

// accepts reports whether the Accept header values list the media type
// mime with a quality above zero.
func accepts(accept []string, mime string) bool {
	for _, v := range accept {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			typ, params, _ := strings.Cut(item, ";")
			if !strings.EqualFold(strings.TrimSpace(typ), mime) {
				continue
			}
			if acceptQuality(params) > 0 {
				return true
			}
		}
	}
	return false
}

// acceptQuality reads the q parameter of a media range's parameters; 1
// when absent, 0 when malformed.
func acceptQuality(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
