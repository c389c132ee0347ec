//go:build unix

package durability

import (
	"runtime"
	"syscall"
)

// PeakRSS returns the most memory this process has held in RAM so far, in
// bytes, and whether the system could tell.
func PeakRSS() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss), true // bytes there, kilobytes elsewhere
	}
	return int64(ru.Maxrss) * 1024, true
}
