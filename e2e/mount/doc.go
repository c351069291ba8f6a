// Package mount holds the tests of imgproxy mounted in three routers
// (net/http's ServeMux, chi and gin) beside a site's own routes, with
// signed links. The README's "Mount it in a Go site" snippets are the
// functions of its tests between "readme:begin" and "readme:end" lines;
// TestReadmeSnippets fails when the two drift apart.
package mount
