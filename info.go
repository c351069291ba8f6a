package imgproxy

import (
	"strconv"
)

// infoImage answers the "info" option as nginx's "image_filter size" does:
// the stored width, height and type of the source as
//
//	{ "img" : { "width": W, "height": H, "type": "jpeg" } }
//
// (the same spacing and CRLF as nginx), taken from the header without
// decoding pixels; "{}" for anything that is not an image we read.
func infoImage(c *codec, src *Source) *Image {
	body := []byte("{}\r\n")
	if c != nil {
		if h, err := c.header(src.Data); err == nil && h.width > 0 && h.height > 0 {
			b := make([]byte, 0, 80)
			b = append(b, `{ "img" : { "width": `...)
			b = strconv.AppendInt(b, int64(h.width), 10)
			b = append(b, `, "height": `...)
			b = strconv.AppendInt(b, int64(h.height), 10)
			b = append(b, `, "type": "`...)
			b = append(b, c.format.String()...)
			b = append(b, "\" } }\r\n"...)
			body = b
		}
	}
	return NewImage(body, "application/json", src.LastModified)
}
