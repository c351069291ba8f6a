package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

// signConfig holds the HMAC settings of URL signing; -secret and
// -secret-file, the MD5 scheme's, are config's own.
type signConfig struct {
	hmacKeyArgs []string // -hmac-key values, split at commas, in order
	hmacKeyFile string
	hmacKeys    [][]byte // the keys, from either, checked: the first signs
}

// keyList is the flag.Value of -hmac-key: repeatable, each value a
// comma-separated list. Set never fails and String never shows a key,
// so that the flag package cannot print one.
type keyList struct{ keys *[]string }

// String is "" without keys, else how many there are (never a key).
func (k keyList) String() string {
	if k.keys == nil || len(*k.keys) == 0 {
		return ""
	}
	return fmt.Sprintf("(%d keys)", len(*k.keys))
}

// Set appends the comma-separated keys of s; "" (an empty setting, as
// -print-config writes one) adds none.
func (k keyList) Set(s string) error {
	if s == "" {
		return nil
	}
	*k.keys = append(*k.keys, strings.Split(s, ",")...)
	return nil
}

// signFlags declares the flags of HMAC signing.
func (c *config) signFlags(fs *flag.FlagSet) {
	fs.Var(keyList{&c.hmacKeyArgs}, "hmac-key", "if set, require HMAC-SHA256 links (?sig=) made with this key, at least 16 bytes; repeat it or separate keys with commas to rotate: the first signs, all verify. With -secret too, either kind of link is accepted. Prefer -hmac-key-file or IMGPROXY_HMAC_KEY")
	fs.StringVar(&c.hmacKeyFile, "hmac-key-file", "", "file holding the HMAC keys, one per line (blank lines ignored, commas kept): the first signs, all verify")
}

// readHMACKeys fills hmacKeys from -hmac-key or -hmac-key-file and checks
// their lengths. The errors name the key by its place, never its value.
func (c *config) readHMACKeys() error {
	if c.hmacKeyFile != "" && len(c.hmacKeyArgs) > 0 {
		return fmt.Errorf("-hmac-key and -hmac-key-file are both set (on the command line or as %s and %s): give one", envName("hmac-key"), envName("hmac-key-file"))
	}
	if c.hmacKeyFile != "" {
		text, err := readSecretFile(c.hmacKeyFile)
		if err != nil {
			return fmt.Errorf("-hmac-key-file: %w", err)
		}
		for i, line := range strings.Split(text, "\n") {
			line = strings.TrimSuffix(line, "\r")
			if line == "" {
				continue
			}
			if len(line) < imgproxy.MinHMACKeyLen {
				return fmt.Errorf("-hmac-key-file %s line %d is %d bytes: want at least %d", c.hmacKeyFile, i+1, len(line), imgproxy.MinHMACKeyLen)
			}
			c.hmacKeys = append(c.hmacKeys, []byte(line))
		}
		if len(c.hmacKeys) == 0 {
			return fmt.Errorf("-hmac-key-file %q holds no key", c.hmacKeyFile)
		}
		return nil
	}
	for i, k := range c.hmacKeyArgs {
		if len(k) < imgproxy.MinHMACKeyLen {
			name := "-hmac-key"
			if len(c.hmacKeyArgs) > 1 {
				name = fmt.Sprintf("-hmac-key #%d of %d", i+1, len(c.hmacKeyArgs))
			}
			return fmt.Errorf("%s is %d bytes: want at least %d", name, len(k), imgproxy.MinHMACKeyLen)
		}
		c.hmacKeys = append(c.hmacKeys, []byte(k))
	}
	return nil
}

// signer returns the Signer the settings ask for: MD5 with -secret, HMAC
// with HMAC keys, either with both, none (nil) without.
func (c *config) signer() imgproxy.Signer {
	var md5 *imgproxy.SecureLinkMD5
	var hm *imgproxy.HMACSigner
	if c.secret != "" {
		md5 = &imgproxy.SecureLinkMD5{Secret: c.secret}
	}
	if len(c.hmacKeys) > 0 {
		hm = &imgproxy.HMACSigner{Keys: c.hmacKeys}
	}
	switch {
	case md5 != nil && hm != nil:
		return &eitherSigner{hmac: hm, md5: md5}
	case md5 != nil:
		return md5
	case hm != nil:
		return hm
	}
	return nil
}

// eitherSigner accepts links signed either way, for a site moving from
// nginx's MD5 tokens to HMAC: a link carrying "sig" is checked as HMAC,
// any other as MD5 (so it needs "auth"). New links are signed with HMAC.
type eitherSigner struct {
	hmac *imgproxy.HMACSigner
	md5  *imgproxy.SecureLinkMD5
}

var (
	_ imgproxy.LinkSigner         = (*eitherSigner)(nil)
	_ imgproxy.ExpiringLinkSigner = (*eitherSigner)(nil)
)

// Verify checks r with the scheme its query names.
func (s *eitherSigner) Verify(r *http.Request) error {
	if r.URL.Query().Has("sig") {
		return s.hmac.Verify(r)
	}
	return s.md5.Verify(r)
}

// Sign signs path with HMAC.
func (s *eitherSigner) Sign(path string) string { return s.hmac.Sign(path) }

// SignExpires signs path with HMAC, valid until until.
func (s *eitherSigner) SignExpires(path string, until time.Time) string {
	return s.hmac.SignExpires(path, until)
}

// Validate checks both signers.
func (s *eitherSigner) Validate() error {
	return errors.Join(s.hmac.Validate(), s.md5.Validate())
}
