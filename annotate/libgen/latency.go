package libgen

import (
	"slices"
	"time"
)

// Latencies collects how long single operations took, for benchmarks that report the
// median and the 99th percentile (what a user waits for, typically and at worst) rather
// than the mean that ns/op gives.
type Latencies []time.Duration

// Time runs f and records how long it took.
func (l *Latencies) Time(f func() error) error {
	start := time.Now()
	err := f()
	*l = append(*l, time.Since(start))
	return err
}

// Percentile returns the duration that p percent of the operations took at most (nearest
// rank); 0 when none was recorded.
func (l Latencies) Percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Milliseconds returns the p-th percentile in milliseconds, as benchmarks report it.
func (l Latencies) Milliseconds(p float64) float64 {
	return float64(l.Percentile(p).Nanoseconds()) / 1e6
}
