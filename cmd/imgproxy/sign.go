package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/imgproxy-go/imgproxy"
)

const signUsage = `Usage: imgproxy sign [flags] PATH

Prints a signed link to PATH, the path with its query, as its last line;
with -token, the bare token (auth or sig) instead. PATH is the decoded
request path, as nginx's $uri: "/image/150x150/a b.jpg", or, without its
leading "/", the part after -prefix: "150x150/a b.jpg". The link comes out
escaped ("a%20b.jpg"), ready to paste into curl or a page; a "%" in PATH is
a literal "%". Put "--" before a PATH that starts with "-" ("-x100/a.jpg").
A PATH the server would refuse ("?", "#" or "@" in a name,
".." segments, bad options) is an error, exit status 2.

The MD5 scheme (nginx secure_link_md5 "$uri secret", ?auth=) signs with
-secret, -secret-file or IMGPROXY_SECRET(_FILE); HMAC-SHA256 (?sig=) with
-hmac-key, -hmac-key-file or IMGPROXY_HMAC_KEY(_FILE), whose first key
signs. Give one scheme on the command line; the environment is read only
for a scheme the command line does not name, and if it holds both, HMAC
signs (a server given both accepts either). Prefer the files or the
environment: any local user can read a command line.

`

// signFlagsFromEnv are the flags of sign that the environment may set, as
// for the server.
var signFlagsFromEnv = []string{"secret", "secret-file", "hmac-key", "hmac-key-file", "prefix"}

// runSign is the sign subcommand: it prints the link or token to stdout
// and returns the exit status (2 for any error, 0 for -h).
func runSign(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	link, token, err := signLink(args, getenv, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "imgproxy sign:", strings.TrimPrefix(err.Error(), "imgproxy: "))
		return 2
	case token:
		u, err := url.Parse(link)
		if err != nil {
			fmt.Fprintln(stderr, "imgproxy sign:", err)
			return 2
		}
		q := u.Query()
		fmt.Fprintln(stdout, q.Get("auth")+q.Get("sig"))
		if e := q.Get("expires"); e != "" {
			fmt.Fprintln(stderr, "expires="+e)
		}
	default:
		fmt.Fprintln(stdout, link)
	}
	return 0
}

// signLink parses the command line and makes the link.
func signLink(args []string, getenv func(string) string, stderr io.Writer) (link string, token bool, err error) {
	c := &config{prefix: imgproxy.DefaultPrefix}
	var expires string
	fs := flag.NewFlagSet("imgproxy sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, signUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.secret, "secret", "", "MD5 scheme: the secure_link_md5 secret, at least 8 bytes")
	fs.StringVar(&c.secretFile, "secret-file", "", "MD5 scheme: file holding the secret (one trailing newline is ignored)")
	fs.Var(keyList{&c.hmacKeyArgs}, "hmac-key", "HMAC scheme: the key, at least 16 bytes (of several, comma-separated, the first)")
	fs.StringVar(&c.hmacKeyFile, "hmac-key-file", "", "HMAC scheme: file holding the keys, one per line: the first signs")
	fs.StringVar(&c.prefix, "prefix", c.prefix, "URL path prefix of image URLs, as the server's -prefix")
	fs.StringVar(&expires, "expires", "", "make the link expire: after a duration from now (90s, 1h, 7d) or at a Unix time (1767225600)")
	fs.BoolVar(&token, "token", false, "print only the token (auth or sig); with -expires, expires=<unix time> goes to stderr")
	if err := fs.Parse(args); err != nil {
		return "", false, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", false, fmt.Errorf("want one PATH, got %d arguments", fs.NArg())
	}
	if err := signEnv(fs, getenv); err != nil {
		return "", false, err
	}
	if err := c.readSecrets(); err != nil {
		return "", false, err
	}
	signer := c.signer()
	if signer == nil {
		return "", false, errors.New("no key: give -secret, -secret-file, -hmac-key or -hmac-key-file (or IMGPROXY_SECRET, IMGPROXY_HMAC_KEY)")
	}
	path := fs.Arg(0)
	if !strings.HasPrefix(path, "/") {
		path = c.prefix + path
	}
	h := &imgproxy.Handler{Prefix: c.prefix, Signer: signer}
	if expires == "" {
		link, err = h.Link(path)
		return link, token, err
	}
	until, err := parseExpiry(expires, time.Now())
	if err != nil {
		return "", false, err
	}
	if link, err = h.LinkExpires(path, until); errors.Is(err, imgproxy.ErrExpired) {
		return "", false, fmt.Errorf("-expires %s: %s is already past", expires, until.UTC().Format(time.RFC3339))
	}
	return link, token, err
}

// signEnv sets the flags of signFlagsFromEnv not given on the command
// line from their IMGPROXY_* variables, except the other scheme's if the
// command line names one.
func signEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	md5 := set["secret"] || set["secret-file"]
	hm := set["hmac-key"] || set["hmac-key-file"]
	if md5 && hm {
		return errors.New("give one scheme: -secret (or -secret-file) or -hmac-key (or -hmac-key-file), not both")
	}
	for _, name := range signFlagsFromEnv {
		skip := set[name] || (hm && strings.HasPrefix(name, "secret")) || (md5 && strings.HasPrefix(name, "hmac"))
		if v := getenv(envName(name)); v != "" && !skip {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", envName(name), err)
			}
		}
	}
	return nil
}

// parseExpiry reads -expires: a Unix time if all digits, else a duration
// after now (with the server's units: 90s, 1h, 7d).
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return time.Time{}, fmt.Errorf("-expires %q: want a Unix time or a duration (1h, 7d)", s)
		}
		return time.Unix(n, 0), nil
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("-expires %q: want a duration (90s, 1h, 7d) or a Unix time", s)
	}
	return now.Add(d), nil
}
