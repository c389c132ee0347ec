//go:build !unix

package durability

// PeakRSS returns the most memory this process has held in RAM so far, in
// bytes, and whether the system could tell: here it cannot.
func PeakRSS() (int64, bool) { return 0, false }
