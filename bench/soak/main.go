// Command soak is the helper of bench/soak.sh: it writes the pictures
// the soak serves, plays the origin, drives the mixed traffic and checks
// the disk cache afterwards.
//
//	soak gen -out DIR [-corpus DIR]     valid samples and hostile bodies
//	soak origin -dir DIR -listen ADDR   the upstream, with slow and stalling paths
//	soak drive -target URL ...          32 connections of mixed traffic; prints a report
//	soak verify -cache DIR              every disk cache entry must decode
//
// Everything is deterministic except the order of requests, which is
// random with a fixed seed per connection.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: soak gen|origin|drive|verify [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "gen":
		err = gen(args)
	case "origin":
		err = origin(args)
	case "drive":
		err = drive(args)
	case "verify":
		err = verify(args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}
