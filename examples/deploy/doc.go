// Package deploy holds the release checks of examples/deploy: the
// Dockerfile's build command makes a static binary that serves from an
// empty environment, and the systemd unit passes systemd-analyze verify.
// The files themselves (Dockerfile, imgproxy.service) are described in
// README.md beside this file.
package deploy
