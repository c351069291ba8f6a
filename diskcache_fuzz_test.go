package imgproxy

import (
	"bytes"
	"hash/crc32"
	"reflect"
	"testing"
	"time"
)

// FuzzDiskDecode feeds arbitrary bytes to the entry-file parser (used for
// disk cache files and for entries from cluster peers): it must never
// panic, and whatever it accepts must round-trip. diskVerify, given the
// diskMeta of the seed entry as the index would keep it, must accept
// exactly what diskDecode accepts, with the same image and headers.
func FuzzDiskDecode(f *testing.F) {
	tab := crc32.MakeTable(crc32.Castagnoli)
	img := &Image{Data: []byte("\xff\xd8\xff data"), ContentType: "image/jpeg", ETag: `"abc"`,
		LastModified: time.Unix(1700000000, 0), Created: time.Unix(1700000001, 5)}
	head, _ := diskEncode(tab, "150x150/a.jpg", img)
	f.Add(append(head, img.Data...), "150x150/a.jpg")
	f.Add([]byte("IPXC"), "k")
	f.Add([]byte{}, "")
	seed, err := diskDecode(tab, append(head, img.Data...), "150x150/a.jpg")
	if err != nil {
		f.Fatal(err)
	}
	meta := newDiskMeta(seed, head)
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		got, err := diskDecode(tab, b, key)
		vgot, _, verr := diskVerify(tab, b, key, meta, nil)
		if (err == nil) != (verr == nil) {
			t.Fatalf("diskDecode: %v; diskVerify: %v", err, verr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(vgot.headers(), got.headers()) || !bytes.Equal(vgot.Data, got.Data) ||
			vgot.ETag != got.ETag || vgot.ContentType != got.ContentType || vgot.FirstFrameOnly != got.FirstFrameOnly ||
			!vgot.Created.Equal(got.Created) || !vgot.LastModified.Equal(got.LastModified) {
			t.Fatalf("diskVerify and diskDecode differ")
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
