//go:build !linux

package codectest

import "time"

// ThreadCPU is not available here (see cputime_linux.go).
func ThreadCPU() (time.Duration, bool) { return 0, false }
