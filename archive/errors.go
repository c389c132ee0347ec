package archive

import (
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// ErrDiskFull matches (errors.Is) a write that failed because the disk, or
// the size limit of the library file, is full. Nothing of that write was
// saved and everything saved before it is intact: SQLite rolls the
// transaction back.
var ErrDiskFull = errors.New("the disk is full")

// ErrInUse is returned by RestoreBackup when another process, such as a running Gloss,
// has the library open: putting a file in its place would leave that process writing to
// the file set aside, and what it saves would seem lost.
var ErrInUse = errors.New("the library is open in another program, such as a running Gloss: quit it, then restore")

// ErrDamaged matches (errors.Is) the error returned for a record that reads
// back different from what was saved: it no longer matches the checksum
// stored with it. The record is not returned, so that damaged text is never
// shown as if it were what was saved. The error is a *DamagedError.
var ErrDamaged = errors.New("the stored copy is damaged")

// DamagedError reports a record whose stored copy no longer matches its
// checksum, such as a capture (see RowSum).
type DamagedError struct {
	Kind string // what the record is, as a person would call it: "capture"
	ID   int64
}

// Error returns the sentence to show the user.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s %d is damaged in the library file, so Gloss will not show it as if it were intact; a backup may hold a good copy", e.Kind, e.ID)
}

// Is reports whether target is ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// diskFullError is a write refused with SQLITE_FULL. It matches ErrDiskFull
// and unwraps to the driver's error.
type diskFullError struct{ err error }

func (e *diskFullError) Error() string {
	return "the disk is full: nothing was saved, and what was saved before is safe; free some space and try again (" + e.err.Error() + ")"
}

func (e *diskFullError) Unwrap() error { return e.err }

func (e *diskFullError) Is(target error) bool { return target == ErrDiskFull }

// writeError maps the SQLite errors a person can act on to their sentinels;
// other errors pass through unchanged.
func writeError(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	if se.Code == sqlite3.ErrFull && !errors.Is(err, ErrDiskFull) {
		return &diskFullError{err: err}
	}
	return err
}

// isCorruption reports whether err is SQLite saying the file is damaged or
// not a database at all.
func isCorruption(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrFormat)
}

// isCheckFailure reports whether err, from a checking query on a file that
// opened, means the file is damaged: SQLite's generic error, raised for
// instance by FTS5 on a damaged index, counts, while being busy, out of
// memory or unable to read the disk does not.
func isCheckFailure(err error) bool {
	var se sqlite3.Error
	return isCorruption(err) || (errors.As(err, &se) && se.Code == sqlite3.ErrError)
}

// sqliteDetail returns the message of the SQLite error inside err, or err's
// own message.
func sqliteDetail(err error) string {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Error()
	}
	return fmt.Sprint(err)
}
