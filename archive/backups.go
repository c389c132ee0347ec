package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// BackupDir returns the folder that holds the rolling backups of the library
// at libPath: beside it, named after it ("library.db-backups"), the way
// SQLite names the files that belong to a database.
func BackupDir(libPath string) string { return libPath + "-backups" }

// backupName matches the files RollingBackup makes: the library's name
// without its extension, a dash and the date.
var backupName = regexp.MustCompile(`^(.+)-([0-9]{4}-[0-9]{2}-[0-9]{2})\.db$`)

// staleTemp is how old an unfinished backup's temporary file must be before
// RollingBackup deletes it: older than any backup could take, so that it
// never pulls the file from under another Gloss still writing it.
const staleTemp = 24 * time.Hour

// RollingBackup keeps daily backups of the library in dir (created if
// needed): if dir has none dated today (in now's time zone) it makes one
// with Backup, named after the library and the date
// ("library-2025-03-01.db"), then deletes the oldest backups so that keep
// remain. It returns the path of the backup it made, or "" if today's
// existed already. Old backups are deleted only after the new one is
// complete and verified, and temporary files left by a backup that was
// interrupted (by a crash, say) are cleaned up.
//
// Making the copy reads every row of the library, so RollingBackup is also
// the daily check of a library too big to check fully at every Open: it
// returns a *CorruptError (matching ErrCorrupt) if SQLite finds damage.
func (l *Library) RollingBackup(ctx context.Context, dir string, keep int, now time.Time) (string, error) {
	if keep < 1 {
		return "", fmt.Errorf("rolling backup: keep %d backups: must keep at least one", keep)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("rolling backup: %w", err)
	}
	stem := strings.TrimSuffix(filepath.Base(l.path), filepath.Ext(l.path))
	dest := filepath.Join(dir, stem+"-"+now.Format("2006-01-02")+".db")
	if _, err := os.Stat(dest); err == nil {
		return "", nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("rolling backup: %w", err)
	}
	if err := removeStaleTemps(dir, now); err != nil {
		return "", fmt.Errorf("rolling backup: %w", err)
	}
	if err := l.Backup(ctx, dest); err != nil {
		if isCorruption(err) {
			// Copying reads every row: this is the daily check of a
			// library too big to check at every start.
			return "", &CorruptError{Path: l.path, Detail: sqliteDetail(err), Backups: GoodBackups(ctx, dir)}
		}
		return "", fmt.Errorf("rolling backup: %w", err)
	}
	all, err := Backups(dir)
	if err != nil {
		return dest, fmt.Errorf("rolling backup: %w", err)
	}
	// Only this library's: a folder given by hand may hold others'.
	var mine []string
	for _, p := range all {
		if m := backupName.FindStringSubmatch(filepath.Base(p)); m[1] == stem {
			mine = append(mine, p)
		}
	}
	var errs []error
	for _, old := range mine[min(keep, len(mine)):] {
		errs = append(errs, os.Remove(old))
	}
	if err := errors.Join(errs...); err != nil {
		return dest, fmt.Errorf("rolling backup: delete old backups: %w", err)
	}
	return dest, nil
}

// removeStaleTemps deletes the temporary files Backup leaves when it is
// killed half-way, once they are staleTemp old.
func removeStaleTemps(dir string, now time.Time) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), ".db.tmp-") {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleTemp {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Backups lists the rolling backups in dir, newest first, without checking
// them. A missing folder has none.
func Backups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	type dated struct{ date, path string }
	var found []dated
	for _, e := range entries {
		m := backupName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		if _, err := time.Parse("2006-01-02", m[2]); err != nil {
			continue
		}
		found = append(found, dated{m[2], filepath.Join(dir, e.Name())})
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].date != found[j].date {
			return found[i].date > found[j].date
		}
		return found[i].path < found[j].path
	})
	out := make([]string, len(found))
	for i, d := range found {
		out[i] = d.path
	}
	return out, nil
}

// GoodBackups returns the backups in dir that pass a check, newest first:
// SQLite's quick_check, or for a backup over quickCheckBelow, which would
// take seconds, a check of its header and schema (RestoreBackup checks the
// one chosen fully). Unreadable folders and damaged backups are left out.
func GoodBackups(ctx context.Context, dir string) []string {
	all, err := Backups(dir)
	if err != nil {
		return nil
	}
	var good []string
	for _, p := range all {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		level := checkQuick
		if st.Size() >= quickCheckBelow {
			level = checkSchema
		}
		if h, err := readHeader(p); err != nil {
			continue
		} else if _, d := checkHeader(h); d != "" {
			continue
		}
		if d, err := checkDB(ctx, p, level); err == nil && d == "" {
			good = append(good, p)
		}
	}
	return good
}

// readHeader returns the first 100 bytes of the file at path, or all of it
// if it is shorter.
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 100)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:n], nil
}

// RestoreBackup puts a copy of the backup at backupPath in place of the
// library at libPath. It refuses with ErrInUse while another process has the
// library open, and this process must not have it open either. It checks the
// backup with integrity_check and refuses a damaged one. The library file
// it replaces is never deleted or overwritten: it is kept beside it as
// "<libPath>.damaged-<time>" (with its write-ahead log, if any, as
// "…-wal"), and RestoreBackup returns that name, or "" if there was no
// library file. The new file appears in one rename, so libPath is always
// either the old file or the complete copy.
func RestoreBackup(ctx context.Context, libPath, backupPath string) (aside string, err error) {
	lib, err := filepath.Abs(libPath)
	if err != nil {
		return "", fmt.Errorf("restore backup: %w", err)
	}
	if open, err := openElsewhere(lib); err != nil {
		return "", fmt.Errorf("restore backup: %w", err)
	} else if open {
		return "", ErrInUse
	}
	if err := verifyCopy(ctx, backupPath); err != nil {
		return "", fmt.Errorf("restore backup %s: the backup is not usable: %w", backupPath, err)
	}
	dir := filepath.Dir(lib)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(lib)+".restore-*")
	if err != nil {
		return "", fmt.Errorf("restore backup: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmpName) // the error being returned matters more
		}
	}()
	if err := copyInto(tmp, backupPath); err != nil {
		return "", fmt.Errorf("restore backup: copy %s: %w", backupPath, err)
	}

	if _, err := os.Lstat(lib); err == nil {
		if aside, err = keepAside(lib, time.Now()); err != nil {
			return "", fmt.Errorf("restore backup: keep the damaged library: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("restore backup: %w", err)
	}
	// The old log must go before the copy arrives: SQLite would replay it
	// onto the restored file. It is kept beside the damaged file; the
	// shared-memory index is only derived from it.
	if _, err := os.Lstat(lib + "-wal"); err == nil {
		if err := keepCopy(lib+"-wal", aside+"-wal"); err != nil {
			return "", fmt.Errorf("restore backup: keep the damaged library's log: %w", err)
		}
		if err := os.Remove(lib + "-wal"); err != nil {
			return "", fmt.Errorf("restore backup: %w", err)
		}
	}
	if err := os.Remove(lib + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("restore backup: %w", err)
	}
	if err := os.Rename(tmpName, lib); err != nil {
		return "", fmt.Errorf("restore backup: %w", err)
	}
	syncDir(dir)
	return aside, nil
}

// keepAside gives the file at path a second name, "<path>.damaged-<time>",
// never taking a name that exists, and returns it.
func keepAside(path string, now time.Time) (string, error) {
	base := path + ".damaged-" + now.Format("2006-01-02-150405")
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(name); err == nil {
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if _, err := os.Lstat(name + "-wal"); err == nil {
			continue
		}
		err := keepCopy(path, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
	return "", fmt.Errorf("no free name beside %s", path)
}

// keepCopy makes dst a second name of src (a hard link), or where links are
// not supported a synced copy. It fails with fs.ErrExist rather than replace
// dst.
func keepCopy(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := copyInto(f, src); err != nil {
		_ = os.Remove(dst) // a partial copy is worth nothing; the original is untouched
		return err
	}
	return nil
}

// copyInto copies the file at src into f, syncs and closes f.
func copyInto(f *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		_ = f.Close()
		return err
	}
	defer in.Close()
	if _, err := io.Copy(f, in); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes renames in dir durable. Not every system can sync a folder
// (Windows cannot); the files themselves are already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
