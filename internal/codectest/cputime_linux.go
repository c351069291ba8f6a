//go:build linux

package codectest

import (
	"syscall"
	"time"
	"unsafe"
)

// ThreadCPU returns the CPU time of the calling OS thread
// (CLOCK_THREAD_CPUTIME_ID), which other processes on a shared machine
// do not inflate; ok is false where it is not available. Benchmarks lock
// their goroutine to its thread (runtime.LockOSThread) around the work
// they time with it.
func ThreadCPU() (d time.Duration, ok bool) {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano()), e == 0
}
