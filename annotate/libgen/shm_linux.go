package libgen

import "syscall"

// memoryDir returns a folder in memory (/dev/shm) with room for need bytes twice over,
// "" if there is none. A library is generated there and then copied into the cache: a
// memory file system makes the thousands of small annotation commits, each synced to
// disk, cost nothing but their CPU time.
func memoryDir(need int64) string {
	const dir = "/dev/shm"
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return ""
	}
	if int64(st.Bavail)*int64(st.Bsize) < 2*need {
		return ""
	}
	return dir
}
