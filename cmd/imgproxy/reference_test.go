package main

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite README.md's configuration reference from the flags")

// reference is the configuration reference the flags make, with no
// environment and whatever the machine.
func reference(t *testing.T) string {
	t.Helper()
	c, err := parseConfig(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	var b strings.Builder
	writeReference(&b, c.fs, declaredGroups(t))
	return b.String()
}

// TestConfigReference fails when README.md's configuration reference is not
// what the flags make; with -update (regenerateCommand) it rewrites it.
func TestConfigReference(t *testing.T) {
	const readme = "../../README.md"
	b, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(b)
	head, rest, ok := strings.Cut(text, referenceBegin)
	require.True(t, ok, "README.md has no line %s", referenceBegin)
	old, tail, ok := strings.Cut(rest, referenceEnd)
	require.True(t, ok, "README.md has no line %s", referenceEnd)
	want := reference(t) + "\n"
	if *update {
		require.NoError(t, os.WriteFile(readme, []byte(head+referenceBegin+want+referenceEnd+tail), 0o644))
		return
	}
	assert.Equal(t, want, old, "README.md's configuration reference differs from the flags: run\n\t%s", regenerateCommand)
}

// TestReferenceListsEveryFlag checks the reference against imgproxy -h:
// every flag the command lists is in it, with its variable and default.
func TestReferenceListsEveryFlag(t *testing.T) {
	t.Parallel()
	ref := reference(t)
	_, usage, code := runBinary(t, t.TempDir(), nil, "-h")
	require.Equal(t, 0, code)
	names := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(usage, -1)
	require.Greater(t, len(names), 40)
	for _, m := range names {
		assert.Contains(t, ref, "| `-"+m[1]+"` | ", m[1])
		if !commandLineOnly[m[1]] {
			assert.Contains(t, ref, "`"+envName(m[1])+"`", m[1])
		}
	}
	assert.Equal(t, len(names), strings.Count(ref, "\n| `-"), "one row per flag")
	assert.Contains(t, ref, "| `-jpeg-quality` | `IMGPROXY_JPEG_QUALITY` | `75` | default JPEG quality 1..100 |")
	assert.Contains(t, ref, "| `-memory-budget` | `IMGPROXY_MEMORY_BUDGET` | a quarter of memory, at most 4G |", "no machine's own number")
	assert.Contains(t, ref, "| `-version` | (command line only) | `false` |")
	assert.NotContains(t, ref, "### "+referenceOtherName, "a flag's declaring function was not found: declare flags in a method taking the *flag.FlagSet, called from parseConfig as c.name(fs), with the flag's name as a string literal")
	for _, title := range []string{"The origin and the pictures", "The cache tiers and the cluster", "The configuration itself"} {
		assert.Contains(t, ref, "\n### "+title+"\n", "a group per declaring function, titled from its doc comment")
	}
}

// declaredGroups reads this package's source for the functions parseConfig
// calls with its FlagSet, in order, and the flag names each declares (the
// first string literal of each call on its FlagSet parameter).
func declaredGroups(t *testing.T) []flagGroup {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	decls := map[string]*ast.FuncDecl{}
	var order []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fd.Name.Name == "parseConfig" && fd.Recv == nil {
				order = declaringCalls(fd)
			}
			if fd.Recv != nil && flagSetParam(fd) != "" {
				decls[fd.Name.Name] = fd
			}
		}
	}
	require.NotEmpty(t, order, "parseConfig calls no c.xxxFlags(fs)")
	var groups []flagGroup
	for _, name := range order {
		if fd := decls[name]; fd != nil {
			groups = append(groups, flagGroup{title: groupTitle(fd), names: declaredNames(fd)})
		}
	}
	return groups
}

// declaringCalls lists the methods parseConfig calls as x.name(fs).
func declaringCalls(fd *ast.FuncDecl) []string {
	var names []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if arg, isIdent := call.Args[0].(*ast.Ident); ok && isIdent && arg.Name == "fs" {
			names = append(names, sel.Sel.Name) // c.imageFlags(fs), c.obs.flags(fs)
		}
		return true
	})
	return names
}

func selectorRecv(sel *ast.SelectorExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

// flagSetParam is the name of fd's *flag.FlagSet parameter, if it has
// exactly one parameter of that type.
func flagSetParam(fd *ast.FuncDecl) string {
	params := fd.Type.Params.List
	if len(params) != 1 || len(params[0].Names) != 1 {
		return ""
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return ""
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if recv, ok := selectorRecv(sel, ok); !ok || recv != "flag" || sel.Sel.Name != "FlagSet" {
		return ""
	}
	return params[0].Names[0].Name
}

// declaredNames lists the flag names fd declares on its FlagSet.
func declaredNames(fd *ast.FuncDecl) []string {
	fs := flagSetParam(fd)
	var names []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if recv, ok := selectorRecv(sel, ok); !ok || recv != fs {
			return true
		}
		for _, a := range call.Args {
			if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					names = append(names, s)
				}
				break
			}
		}
		return true
	})
	return names
}

// groupTitle is a section title from fd's doc comment: "imageFlags
// declares the flags of the origin and the pictures." is "The origin and
// the pictures"; with no such comment, the function's name.
func groupTitle(fd *ast.FuncDecl) string {
	doc := strings.Join(strings.Fields(fd.Doc.Text()), " ")
	rest, ok := strings.CutPrefix(doc, fd.Name.Name+" declares ")
	if !ok {
		return fd.Name.Name
	}
	for _, p := range []string{"the flags of ", "the flags for ", "the flags about ", "flags of ", "flags for "} {
		if r, ok := strings.CutPrefix(rest, p); ok {
			rest = r
			break
		}
	}
	if i := strings.IndexAny(rest, ".:;("); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return fd.Name.Name
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}

// TestReadmeConfigExample checks that the README's example config file is
// one the command reads.
func TestReadmeConfigExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(b), "```toml\n# imgproxy.toml\n")
	require.True(t, ok, "README.md has no ```toml example starting # imgproxy.toml")
	example, _, _ := strings.Cut(rest, "```")
	file := writeFile(t, t.TempDir(), "imgproxy.toml", example)
	c, err := parseConfig([]string{"-config", file}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "150x150,640x-", c.sizes)
	assert.Equal(t, originFile+file, c.origins["user-agent"])
}
