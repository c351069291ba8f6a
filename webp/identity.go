package webp

import (
	"fmt"

	"github.com/imgproxy-go/imgproxy/internal/picture"
)

// Identity names the settings that decide the bytes Encode writes, with
// their defaults filled in, for the default namespace of the Handler
// whose Resizer uses e (see imgproxy.Identifier).
func (e *Encoder) Identity() string {
	return fmt.Sprintf("%+v", e.options(picture.EncodeOptions{}))
}
