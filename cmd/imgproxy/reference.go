package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"strings"
)

// The README's configuration reference is generated from the flags, between
// these markers; TestConfigReference fails when it differs and rewrites it
// with -update (regenerateCommand). It groups the flags by the function
// that declares them, in parseConfig's order, titled from the function's
// doc comment ("imageFlags declares the flags of the origin and the
// pictures." is "The origin and the pictures").
const (
	referenceBegin     = "<!-- configuration reference: begin (generated from the flags; do not edit: run " + regenerateCommand + ") -->"
	referenceEnd       = "<!-- configuration reference: end -->"
	regenerateCommand  = "go test ./cmd/imgproxy -run TestConfigReference -update"
	referenceOtherName = "Other flags"
)

// flagGroup is a section of the reference: the flags one function
// declares.
type flagGroup struct {
	title string
	names []string
}

// machineDefaults are the defaults the reference describes instead of
// printing, because they depend on the machine.
var machineDefaults = map[string]string{
	"memory-budget": "a quarter of memory, at most 4G",
}

// writeReference writes the Markdown of the configuration reference for
// the flags of fs (every flag parseConfig declares): per group, a table
// of each flag, its variable, its default and its usage. Flags in no
// group come last, as "Other flags".
func writeReference(w io.Writer, fs *flag.FlagSet, groups []flagGroup) {
	group := map[string]string{}
	titles := make([]string, 0, len(groups)+1)
	for _, g := range groups {
		titles = append(titles, g.title)
		for _, name := range g.names {
			group[name] = g.title
		}
	}
	for _, title := range append(titles, referenceOtherName) {
		var rows []string
		fs.VisitAll(func(f *flag.Flag) {
			if cmp.Or(group[f.Name], referenceOtherName) == title {
				rows = append(rows, referenceRow(f))
			}
		})
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n### %s\n\n| flag | environment | default | meaning |\n| --- | --- | --- | --- |\n", title)
		for _, r := range rows {
			fmt.Fprintln(w, r)
		}
	}
}

// referenceRow is the table row of one flag.
func referenceRow(f *flag.Flag) string {
	env := "`" + envName(f.Name) + "`"
	if commandLineOnly[f.Name] {
		env = "(command line only)"
	}
	def := "`" + f.DefValue + "`"
	switch {
	case machineDefaults[f.Name] != "":
		def = machineDefaults[f.Name]
	case f.DefValue == "":
		def = "(none)"
	}
	return fmt.Sprintf("| `-%s` | %s | %s | %s |", f.Name, env, def, markdownCell(f.Usage))
}

// markdownCell escapes what Markdown would read in a table cell's text.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}
