package imgproxy

import (
	"bytes"
	"hash/crc32"
	"testing"
	"time"
)

// FuzzDiskDecode feeds arbitrary bytes to the entry-file parser (used for
// disk cache files and for entries from cluster peers): it must never
// panic, and whatever it accepts must round-trip.
func FuzzDiskDecode(f *testing.F) {
	tab := crc32.MakeTable(crc32.Castagnoli)
	img := &Image{Data: []byte("\xff\xd8\xff data"), ContentType: "image/jpeg", ETag: `"abc"`,
		LastModified: time.Unix(1700000000, 0), Created: time.Unix(1700000001, 5)}
	head, _ := diskEncode(tab, "150x150/a.jpg", img)
	f.Add(append(head, img.Data...), "150x150/a.jpg")
	f.Add([]byte("IPXC"), "k")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		got, err := diskDecode(tab, b, key)
		if err != nil {
			return
		}
		head, err := diskEncode(tab, key, got)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if !bytes.Equal(append(head, got.Data...), b) {
			t.Fatalf("round trip differs")
		}
	})
}
