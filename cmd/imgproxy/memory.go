package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/imgproxy-go/imgproxy"
)

const (
	// maxDefaultBudget caps the derived -memory-budget: past it, more
	// memory buys more queued bombs, not more throughput.
	maxDefaultBudget = 4 << 30
	// runtimeHeadroom is what the memory limit allows beyond the budget
	// and the caches: the runtime, connections, sources being fetched.
	runtimeHeadroom = 256 << 20
)

// defaultMemoryBudget is -memory-budget's default: a quarter of the
// machine's memory (MemTotal, or the process's cgroup v2 memory limit if
// lower), at most 4 GiB; imgproxy.DefaultMemoryBudget() where neither can
// be read. With GOMEMLIMIT set, no more than a quarter of that either.
func defaultMemoryBudget(getenv func(string) string) int64 {
	total := machineMemory(readProc("/proc/meminfo"), cgroupMemoryMax(readProc("/proc/self/cgroup"), readProc))
	return deriveBudget(total, getenv("GOMEMLIMIT") != "", imgproxy.DefaultMemoryBudget())
}

// deriveBudget is defaultMemoryBudget for a machine of total bytes (0 if
// unknown); lib is imgproxy.DefaultMemoryBudget(), which reflects
// GOMEMLIMIT when it is set.
func deriveBudget(total int64, gomemlimit bool, lib int64) int64 {
	if total <= 0 {
		return min(lib, maxDefaultBudget)
	}
	b := min(total/4, maxDefaultBudget)
	if gomemlimit {
		b = min(b, lib)
	}
	return b
}

// readProc returns the file's contents, nil if it cannot be read.
func readProc(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

// cgroupRoot is where the cgroup v2 hierarchy is mounted.
const cgroupRoot = "/sys/fs/cgroup"

// cgroupMemoryMax returns the text of the tightest cgroup v2 memory.max
// that applies to this process, nil if none can be read. selfCgroup is
// the text of /proc/self/cgroup, whose "0::<path>" line names the
// process's cgroup: a systemd service's MemoryMax= is set there
// (/system.slice/x.service/memory.max), not at the root, which is all a
// container sees. Every ancestor's limit applies too, so the smallest
// number along the path wins; "max" means none at that level.
func cgroupMemoryMax(selfCgroup []byte, read func(string) []byte) []byte {
	var dir string
	for line := range strings.SplitSeq(string(selfCgroup), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			dir = p
			break
		}
	}
	if !strings.HasPrefix(dir, "/") || strings.Contains(dir, "..") {
		return read(cgroupRoot + "/memory.max")
	}
	var best []byte
	bestN := int64(-1)
	for d := strings.TrimSuffix(dir, "/"); ; d = d[:strings.LastIndexByte(d, '/')] {
		v := read(cgroupRoot + d + "/memory.max")
		if n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); err == nil && n > 0 && (bestN < 0 || n < bestN) {
			best, bestN = v, n
		} else if best == nil && v != nil {
			best = v // "max": readable, no limit
		}
		if d == "" {
			break
		}
	}
	return best
}

// machineMemory returns the bytes of memory the process may use, from
// the text of /proc/meminfo (its MemTotal line, in kB) and of a cgroup v2
// memory.max ("max" or a number of bytes); 0 if neither says.
func machineMemory(meminfo, cgroupMax []byte) int64 {
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if n, err := strconv.ParseInt(num, 10, 64); err == nil && n > 0 && n < 1<<50 && strings.TrimSpace(unit) == "kB" {
			total = n << 10
		}
		break
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(string(cgroupMax)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
		total = n
	}
	return total
}

// memoryLimit is the Go runtime memory limit the server sets when
// GOMEMLIMIT is not: what admission and the caches may hold, plus
// headroom; 0 (set none) when the budget is off.
func memoryLimit(cfg *config) int64 {
	if cfg.memoryBudget <= 0 {
		return 0
	}
	limit := cfg.memoryBudget + cfg.cacheMemory + runtimeHeadroom
	if cfg.peers != "" {
		limit += 2 * imgproxy.DefaultGroupCacheBytes
	}
	return limit
}
