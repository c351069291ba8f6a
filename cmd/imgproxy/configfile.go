package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/imgproxy-go/imgproxy"
)

// layers holds the settings of this file and what parseLayers learnt:
// where each flag's value came from. A value is taken from the first of
// the command line, the environment (IMGPROXY_*), the -config file and
// the default that sets it.
type layers struct {
	handlerTimeout time.Duration
	maxInFlight    int
	userAgent      string

	configFile  string
	printConfig bool
	version     bool

	fs      *flag.FlagSet     // every flag, parsed
	origins map[string]string // flag name -> where its value came from; absent: the default
}

// Where a value came from, as -print-config shows it.
const (
	originFlag = "command line"
	originFile = "config file "
)

// commandLineOnly are the flags that the environment and a config file do
// not set: they make the command print and exit instead of serving.
var commandLineOnly = map[string]bool{"version": true, "print-config": true}

// requestFlags declares the flags of making a variant: its time and
// concurrency bounds, and the requests to the origin.
func (c *config) requestFlags(fs *flag.FlagSet) {
	c.handlerTimeout = imgproxy.DefaultTimeout
	c.userAgent = imgproxy.DefaultUserAgent
	fs.Var(durationValue{&c.handlerTimeout}, "timeout", "longest time to fetch and transform one variant, shared by every request waiting for it; longer is 504")
	fs.IntVar(&c.maxInFlight, "max-in-flight", 0, "variants made at once (fetch and transform), bounding the sources held in memory; more wait up to -timeout, then 503; 0: twice the number of CPUs")
	fs.StringVar(&c.userAgent, "user-agent", c.userAgent, "User-Agent sent to an http(s) upstream; Wikimedia asks every client to name itself with a contact: set your site's")
}

// configFlags declares the flags of the configuration itself.
func (c *config) configFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.configFile, "config", "", "TOML file of settings named as the flags (max-source-bytes = \"20M\"); the environment and the command line win over it")
	fs.BoolVar(&c.printConfig, "print-config", false, "print the effective configuration, each value with where it came from (secrets as ***), as a -config file, and exit")
	fs.BoolVar(&c.version, "version", false, "print the version and VCS revision, and exit")
}

// checkRequests reports the values of requestFlags that cannot work.
func (c *config) checkRequests() error {
	if c.handlerTimeout <= 0 {
		return fmt.Errorf("-timeout %v: want more than 0", c.handlerTimeout)
	}
	if c.maxInFlight < 0 {
		return fmt.Errorf("-max-in-flight %d: want 0 or more", c.maxInFlight)
	}
	return nil
}

// parseLayers parses args, then sets every flag the command line did not
// from the environment, then from the -config file, recording where each
// value came from. With -version, only the command line is read.
func (c *config) parseLayers(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	c.fs, c.origins = fs, map[string]string{}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) { c.origins[f.Name] = originFlag })
	if c.version {
		return nil
	}
	if err := c.fromEnv(getenv); err != nil {
		return err
	}
	if c.configFile == "" {
		return nil
	}
	return c.fromFile(c.configFile)
}

// parseArgs parses the command line. Errors are returned, not printed:
// one line naming the flag and the value; usage is printed for -h only.
func parseArgs(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	var first error
	saved := map[*flag.Flag]flag.Value{}
	fs.VisitAll(func(f *flag.Flag) {
		saved[f] = f.Value
		f.Value = &checkedValue{Value: f.Value, name: f.Name, first: &first}
	})
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	for f, v := range saved {
		f.Value = v // PrintDefaults compares the original values with their zero
	}
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	case first != nil:
		return first
	case err != nil:
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
			return fmt.Errorf("%s: no such flag (imgproxy -h lists them)", name)
		}
		return err
	}
	return nil
}

// checkedValue is a flag.Value that words its errors as valueError does,
// keeping the first.
type checkedValue struct {
	flag.Value
	name  string
	first *error
}

func (v *checkedValue) Set(s string) error {
	err := v.Value.Set(s)
	if err != nil {
		err = valueError("-"+v.name+" ", v.name, v.Value, s, err)
		if *v.first == nil {
			*v.first = err
		}
	}
	return err
}

func (v *checkedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// fromEnv sets every flag not set yet from its IMGPROXY_* variable, if
// that is set.
func (c *config) fromEnv(getenv func(string) string) error {
	var err error
	c.fs.VisitAll(func(f *flag.Flag) {
		_, set := c.origins[f.Name]
		v := getenv(envName(f.Name))
		if err != nil || set || v == "" || commandLineOnly[f.Name] {
			return
		}
		if e := f.Value.Set(v); e != nil {
			err = valueError(envName(f.Name)+"=", f.Name, f.Value, v, e)
			return
		}
		c.origins[f.Name] = envName(f.Name)
	})
	return err
}

// fromFile sets every flag not set yet from the TOML file at path: a flat
// table of flag names. Strings, numbers and booleans are given to the
// flag as written; an array is joined with commas (peers = ["http://a",
// "http://b"]). A key that is not a flag is an error.
func (c *config) fromFile(path string) error {
	where := fmt.Sprintf("-config %q: ", path)
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s%w", where, err)
	}
	var m map[string]any
	md, err := toml.Decode(string(b), &m)
	if err != nil {
		return fmt.Errorf("%s%s", where, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	for _, key := range md.Keys() { // in the file's order
		if len(key) != 1 {
			continue // inside a table: the table's key is reported
		}
		name := key[0]
		f := c.fs.Lookup(name)
		switch {
		case f == nil:
			return fmt.Errorf("%sunknown key %q (the keys are the flag names)", where, name)
		case name == "config" || commandLineOnly[name]:
			return fmt.Errorf("%s%q: only on the command line", where, name)
		}
		s, err := tomlText(m[name])
		if err != nil {
			return fmt.Errorf("%s%s: %w", where, name, err)
		}
		if _, set := c.origins[name]; set {
			continue
		}
		if err := f.Value.Set(s); err != nil {
			return valueError(where+name+" = ", name, f.Value, s, err)
		}
		c.origins[name] = originFile + path
	}
	return nil
}

// tomlText is a TOML value as the flag's text.
func tomlText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, err := tomlText(e)
			if _, nested := e.([]any); err != nil || nested {
				return "", errors.New("want an array of strings, numbers or booleans")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("a %T: want a string, number, boolean or array", v)
}

// valueError is the error of a value a flag refused: where names the
// flag, variable or key and ends as the value is to follow; the value is
// masked if it is a secret.
func valueError(where, name string, v flag.Value, s string, err error) error {
	shown := strconv.Quote(s)
	if isSecret(name) {
		shown = `"***"`
	}
	return fmt.Errorf("%s%s: %s", where, shown, reason(v, err))
}

// reason is why v refused a value: the flag package's own "parse error"
// and "value out of range" say what was wanted instead.
func reason(v flag.Value, err error) string {
	var got any
	if g, ok := v.(flag.Getter); ok {
		got = g.Get()
	}
	if _, ok := got.(*slog.Level); ok {
		return "want debug, info, warn or error"
	}
	msg := err.Error()
	if msg != "parse error" && msg != "value out of range" {
		return msg
	}
	switch got.(type) {
	case int, int64, uint, uint64:
		if msg == "value out of range" {
			return "out of range"
		}
		return "want an integer"
	case float64:
		return "want a number"
	case bool:
		return "want true or false"
	case time.Duration:
		return "want a duration such as 90s or 1h30m"
	}
	return msg
}

// isSecret reports whether the flag's value is a secret, which errors and
// -print-config show as ***: -secret, -peer-secret, -hmac-key and the
// like, not the files they may be read from.
func isSecret(name string) bool {
	if strings.HasSuffix(name, "-file") {
		return false
	}
	for _, s := range []string{"secret", "key", "keys", "password", "token"} {
		if name == s || strings.HasSuffix(name, "-"+s) {
			return true
		}
	}
	return false
}

// explain adds where a value came from to an error that names its flag
// first ("-jpeg-quality 0: want 1..100"), if not the command line.
func (c *config) explain(err error) error {
	rest, ok := strings.CutPrefix(err.Error(), "-")
	if !ok || c.origins == nil {
		return err
	}
	name, _, _ := strings.Cut(rest, " ")
	name = strings.TrimSuffix(name, ":")
	if o, ok := c.origins[name]; ok && o != originFlag {
		return fmt.Errorf("%w (set by %s)", err, o)
	}
	return err
}
