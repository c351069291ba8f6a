package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/imgproxy-go/imgproxy"
)

// minPeerSecretLen is the shortest -peer-secret accepted, as for HMAC keys.
const minPeerSecretLen = imgproxy.MinHMACKeyLen

// readSecrets fills the secrets given as files and checks their lengths,
// the HMAC keys' included (see signflags.go).
// A secret and its file together are an error, whichever came from the
// command line and whichever from the environment.
func (c *config) readSecrets() error {
	for _, s := range []struct {
		name  string
		value *string
		file  string
		min   int
		why   string
	}{
		{"-secret", &c.secret, c.secretFile, imgproxy.MinMD5SecretLen, "nginx sites keep theirs"},
		{"-peer-secret", &c.peerSecret, c.peerSecretFile, minPeerSecretLen, "as for HMAC keys"},
	} {
		name := s.name
		if s.file != "" {
			if *s.value != "" {
				return fmt.Errorf("%s and %s-file are both set (on the command line or as %s and %s): give one", s.name, s.name, envName(s.name[1:]), envName(s.name[1:]+"-file"))
			}
			v, err := readSecretFile(s.file)
			if err != nil {
				return fmt.Errorf("%s-file: %w", s.name, err)
			}
			if v == "" {
				return fmt.Errorf("%s-file %q is empty", s.name, s.file)
			}
			*s.value, name = v, s.name+"-file "+s.file
		}
		if n := len(*s.value); n > 0 && n < s.min {
			return fmt.Errorf("%s is %d bytes: want at least %d (%s)", name, n, s.min, s.why)
		}
	}
	return c.readHMACKeys()
}

// readSecretFile returns the contents of the file at path, without one
// trailing newline ("\n" or "\r\n"), as editors and echo leave one.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := string(b)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	return s, nil
}

// redactURL returns s with the password of a URL replaced by "xxxxx", for
// logs; anything that is not a URL with a password is returned as is.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// redactErr returns err's text with every spelling of the upstream URL
// replaced by its redacted form, so that an error quoting it (a bad
// -upstream) does not print its password.
func redactErr(err error, upstream string) error {
	r := redactURL(upstream)
	if r == upstream || !strings.Contains(err.Error(), upstream) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), upstream, r))
}
