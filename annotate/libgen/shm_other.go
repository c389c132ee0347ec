//go:build !linux

package libgen

// memoryDir returns "": only Linux is known to have a memory file system at a fixed
// place (/dev/shm), so elsewhere libraries are generated where they are cached.
func memoryDir(int64) string { return "" }
