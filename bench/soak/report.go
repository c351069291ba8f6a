package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// report is what run measured besides the tallies.
type report struct {
	before, after int // live goroutines; -1: not measured
	settled       bool
	peakRSS, hwm  int64
	final         string // status of a valid request after everything
}

// report prints the tallies and the pass criteria that drive can judge
// (the script adds the cache walk), and fails if one does not hold.
func (d *driver) report(r report) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	total := 0
	fmt.Println("requests by class and status:")
	for _, class := range sortedKeys(d.statuses) {
		var parts []string
		for _, code := range sortedKeys(d.statuses[class]) {
			n := d.statuses[class][code]
			total += n
			parts = append(parts, fmt.Sprintf("%s x%d", code, n))
		}
		fmt.Printf("  %-28s %s\n", class, strings.Join(parts, ", "))
	}
	fmt.Printf("total %d requests and slow-client rounds in %v on %d connections (+%d slow clients)\n",
		total, d.c.duration, d.c.conns, d.c.slow)
	fmt.Println("latency by class (p50 / p99 / max):")
	for _, class := range sortedKeys(d.took) {
		ts := d.took[class]
		slices.Sort(ts)
		q := func(f float64) time.Duration {
			return ts[min(len(ts)-1, int(f*float64(len(ts))))].Round(time.Millisecond)
		}
		fmt.Printf("  %-28s %v / %v / %v\n", class, q(0.5), q(0.99), ts[len(ts)-1].Round(time.Millisecond))
	}
	fmt.Printf("peak RSS %.0f MiB (polled VmRSS), VmHWM %.0f MiB\n", float64(r.peakRSS)/(1<<20), float64(r.hwm)/(1<<20))
	if r.before >= 0 {
		fmt.Printf("goroutines: %d before the traffic, %d after\n", r.before, r.after)
	} else {
		fmt.Println("goroutines: not measured (no -sched-log)")
	}
	if len(d.valid4xx) > 0 {
		fmt.Println("valid requests answered 4xx (not a criterion; worth a look):")
		for _, k := range sortedKeys(d.valid4xx) {
			fmt.Printf("      %s x%d\n", k, d.valid4xx[k])
		}
	}
	fail := false
	check := func(ok bool, what string) {
		word := "PASS"
		if !ok {
			word, fail = "FAIL", true
		}
		fmt.Printf("%s  %s\n", word, what)
	}
	check(len(d.bad5xx) == 0, fmt.Sprintf("no valid request got a 5xx other than 503 with Retry-After (%d did)", len(d.bad5xx)))
	for i, s := range d.bad5xx {
		if i == 10 {
			fmt.Printf("      ... and %d more\n", len(d.bad5xx)-10)
			break
		}
		fmt.Println("      " + s)
	}
	if r.before >= 0 {
		check(r.settled, fmt.Sprintf("goroutines back to the start count (%d -> %d)", r.before, r.after))
	}
	if d.c.faultFile != "" {
		warm, served := 0, 0
		for class, codes := range d.statuses {
			if strings.HasSuffix(class, "-fault/warm") {
				for code, n := range codes {
					warm += n
					if code == "200" {
						served += n
					}
				}
			}
		}
		check(warm > 0 && served == warm, fmt.Sprintf("cached thumbnails kept being served during the faults (%d of %d)", served, warm))
	}
	check(r.final == "200", "a valid request is served after the soak ("+r.final+")")
	if fail {
		return fmt.Errorf("drive: a pass criterion failed")
	}
	return nil
}
