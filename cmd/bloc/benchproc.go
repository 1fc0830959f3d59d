package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Helpers the benchmarks share: process figures from /proc (Linux) and
// percentiles of sorted latencies.

// procStatusOf reads a "kB" field of /proc/PID/status (e.g. "VmRSS:",
// "VmHWM:"); 0 when pid is 0 or the field cannot be read.
func procStatusOf(pid int, field string) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// percentile is the p-quantile (0..1) of sorted latencies; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))]
}

// loadAverage is the one-minute load average, printed with every figure
// because these machines are shared.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
