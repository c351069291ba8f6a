package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// writeConfig writes the effective configuration for -print-config: every
// flag but those that only make sense on the command line, as a TOML file
// that -config reads back, each line with a comment saying where its
// value came from. Secrets are written as "***" and URL passwords
// redacted, so the output can be pasted into an issue.
func (c *config) writeConfig(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# imgproxy's effective configuration: each setting, its value and where it came from.\n")
	b.WriteString("# Read back with -config FILE (secrets are shown as ***: put the real ones back, or\n")
	b.WriteString("# better give them as files or in the environment).\n")
	if c.configFile != "" {
		fmt.Fprintf(&b, "# config file: %s\n", c.configFile)
	}
	type line struct{ key, value, origin string }
	var lines []line
	width := 0
	c.fs.VisitAll(func(f *flag.Flag) {
		if commandLineOnly[f.Name] || f.Name == "config" {
			return
		}
		v := f.Value.String()
		if isSecret(f.Name) && v != "" {
			v = "***"
		}
		l := line{f.Name, tomlQuote(redactURL(v)), c.origins[f.Name]}
		if file := f.Name + "-file"; l.origin == "" && v != "" && c.fs.Lookup(file) != nil && c.fs.Lookup(file).Value.String() != "" {
			l.origin = "read from -" + file // readSecrets filled it
		}
		if l.origin == "" {
			l.origin = "default"
		}
		width = min(max(width, len(l.key)+len(l.value)), 40) // a long value does not push every comment right
		lines = append(lines, l)
	})
	for _, l := range lines {
		pad := strings.Repeat(" ", max(0, width-len(l.key)-len(l.value)))
		fmt.Fprintf(&b, "%s = %s%s  # %s\n", l.key, l.value, pad, l.origin)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tomlQuote writes s as a TOML basic string.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
