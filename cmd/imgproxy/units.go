package main

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// sizeValue is a flag.Value for sizes written as nginx writes them: a
// number with an optional K, M or G suffix (case-insensitive). unit is the
// multiplier step: 1024 for bytes, 1000 for pixel counts.
type sizeValue struct {
	n    *int64
	unit int64
}

func (v sizeValue) String() string {
	if v.n == nil {
		return ""
	}
	return formatSize(*v.n, v.unit)
}

func (v sizeValue) Set(s string) error {
	n, err := parseSize(s, v.unit)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

func parseSize(s string, unit int64) (int64, error) {
	mult := int64(1)
	num := s
	if len(s) > 0 {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult = unit
		case 'm', 'M':
			mult = unit * unit
		case 'g', 'G':
			mult = unit * unit * unit
		}
		if mult != 1 {
			num = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("want a number with an optional K, M or G suffix") // the caller names the value
	}
	return n * mult, nil
}

func formatSize(n, unit int64) string {
	for _, s := range []struct {
		suffix string
		pow    int
	}{{"G", 3}, {"M", 2}, {"K", 1}} {
		m := int64(1)
		for range s.pow {
			m *= unit
		}
		if n != 0 && n%m == 0 {
			return strconv.FormatInt(n/m, 10) + s.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// durationValue is a flag.Value for durations written as nginx writes them
// ("30d", "40d", "2s", "1h30m") or as Go does ("1.5h", "500ms").
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return formatDuration(*v.d)
}

func (v durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

// parseDuration accepts Go durations plus the nginx units d (day) and w
// (week), which may lead a Go duration ("1d12h").
func parseDuration(s string) (time.Duration, error) {
	bad := errors.New("want a duration such as 30d, 12h or 90s") // the caller names the value
	var total time.Duration
	rest := s
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		i := strings.Index(rest, u.suffix)
		if i < 0 {
			continue
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n < 0 || n > 100000 {
			return 0, bad
		}
		total += time.Duration(n) * u.d
		rest = rest[i+1:]
	}
	if rest == "" {
		if s == "" {
			return 0, bad
		}
		return total, nil
	}
	d, err := time.ParseDuration(rest)
	if err != nil || d < 0 {
		return 0, bad
	}
	return total + d, nil
}

func formatDuration(d time.Duration) string {
	if day := 24 * time.Hour; d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
