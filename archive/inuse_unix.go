//go:build unix

package archive

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// shmDeadManByte is the byte of a WAL library's shared-memory file (path-shm) on which
// every SQLite connection holds a read lock for as long as it is open: SQLite's unix VFS
// tests it before it resets the file, to learn whether it is the only user.
const shmDeadManByte = 128

// openElsewhere reports whether another process has the library at path open, by testing
// for a lock on its shared-memory file's dead-man byte as SQLite does. It must not run
// while this process has the library open: closing the file it opens here would drop
// this process's own locks on it.
func openElsewhere(path string) (bool, error) {
	f, err := os.Open(path + "-shm")
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // SQLite removes the file when the last connection closes
	}
	if err != nil {
		return false, fmt.Errorf("see whether the library is in use: %w", err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: shmDeadManByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false, fmt.Errorf("see whether the library is in use: %w", err)
	}
	return lk.Type != syscall.F_UNLCK, nil
}
