// Package e2e holds the tests that drive imgproxy from outside, with
// dependencies the library itself must not carry: mounting in the chi and
// gin routers, the gallery in a real headless Chromium, and files at the
// edges of the JPEG and PNG specifications that Chromium shows and we must
// serve too. It is a module
// of its own (go.mod here, replacing the library with the checkout above),
// so that `go get github.com/imgproxy-go/imgproxy` never pulls them in.
// Run its tests from the repository root with
//
//	go -C e2e test -race ./...
package e2e
