package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/imgproxy-go/imgproxy"
)

// flagOfField names the flag that sets each field a *imgproxy.FieldError
// can name, so that start-up errors name what the operator wrote.
var flagOfField = map[string]string{
	"Prefix":                "-prefix",
	"DirFetcher.Dir":        "-upstream",
	"HTTPFetcher.BaseURL":   "-upstream",
	"HTTPFetcher.UserAgent": "-user-agent",
	"DiskCache.Dir":         "-cache-dir",
}

// flagError rewords a Handler's Validate error that names a field as one
// that names its flag: -cache-dir "/x": cannot be written: permission
// denied.
func flagError(err error) error {
	var fe *imgproxy.FieldError
	if errors.As(err, &fe) {
		if name, ok := flagOfField[fe.Field]; ok {
			return fmt.Errorf("%s %q: %w", name, fe.Value, fe.Reason)
		}
	}
	return err
}

// errorLine is the one line the command prints for err before exiting
// with status 2: "imgproxy: " once, then the error, whose parts from the
// library carry that prefix of their own.
func errorLine(err error) string {
	msg := strings.TrimPrefix(err.Error(), "imgproxy: ")
	msg = strings.ReplaceAll(msg, ": imgproxy: ", ": ")
	return "imgproxy: " + strings.NewReplacer("\r\n", " ", "\n", " ").Replace(msg)
}

// printAndExit writes what -version or -print-config asks for to w and
// returns errHelp, so the command exits with status 0 without serving.
func (c *config) printAndExit(w io.Writer) error {
	if c.version {
		fmt.Fprintln(w, versionLine(readBuildInfo()))
		return errHelp
	}
	if err := c.writeConfig(w); err != nil {
		return err
	}
	return errHelp
}
