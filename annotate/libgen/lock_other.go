//go:build !unix

package libgen

// lockFile does nothing where flock(2) is missing: concurrent benchmark processes may
// then each generate the same library, and the last rename wins, which is harmless.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }
