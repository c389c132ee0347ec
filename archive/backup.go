package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// ErrBackupOverLibrary is returned by Backup when the destination is the
// open library itself (or its write-ahead log).
var ErrBackupOverLibrary = errors.New("backup destination is the open library")

// Backup writes a consistent copy of the library to dest while Gloss may
// keep writing. The copy is a single self-contained file. It is made in a
// temporary file next to dest, checked with integrity_check, synced and
// only then renamed over dest, so dest is always either the old file or a
// complete, verified new one.
func (l *Library) Backup(ctx context.Context, dest string) (err error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := l.refuseLive(abs); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	tmpName := tmp.Name()
	// VACUUM INTO accepts an existing file only if it is empty, as this is.
	defer func() {
		if err != nil {
			// Best effort: the error being returned is the one that matters.
			_ = os.Remove(tmpName)
			_ = os.Remove(tmpName + "-journal")
		}
	}()
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}

	if err := l.vacuumInto(ctx, tmpName); err != nil {
		return fmt.Errorf("backup to %s: copy: %w", abs, err)
	}
	if err := verifyCopy(ctx, tmpName); err != nil {
		return fmt.Errorf("backup to %s: verify copy: %w", abs, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := os.Rename(tmpName, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	// Make the rename itself durable. Not every system can sync a folder
	// (Windows cannot); the file's contents are already safe.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// refuseLive fails if dest is the library file or one of its companions.
func (l *Library) refuseLive(dest string) error {
	di, err := os.Stat(dest)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, p := range []string{l.path, l.path + "-wal", l.path + "-shm"} {
		if filepath.Clean(dest) == filepath.Clean(p) {
			return ErrBackupOverLibrary
		}
		// The same file under another name: a link, or another spelling
		// on a case-insensitive file system.
		if di != nil {
			if pi, err := os.Stat(p); err == nil && os.SameFile(di, pi) {
				return ErrBackupOverLibrary
			}
		}
	}
	return nil
}

// vacuumInto copies the library to path from a read snapshot, so writers
// are not blocked while it runs. It uses its own read-only connection:
// the pool's connections are query_only, which forbids VACUUM INTO.
func (l *Library) vacuumInto(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", fileURI(l.path, readOnlyParams(false)))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return err
	}
	return db.Close()
}

// verifyCopy runs integrity_check on the database file at path.
func verifyCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", fileURI(path, url.Values{"mode": {"ro"}}))
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := integrityCheck(ctx, db)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("copy is damaged: %s", problems[0])
	}
	return db.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Vacuum rebuilds the library file, returning the space of deleted articles
// to the system. It holds the write lock while it runs.
func (l *Library) Vacuum(ctx context.Context) error {
	// Images are shared between captures by content, so deleting an article leaves the
	// ones no other capture shows; they go here.
	err := l.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM images WHERE hash NOT IN (SELECT hash FROM capture_images WHERE hash IS NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("vacuum: drop unused images: %w", err)
	}
	err = retryBusy(ctx, func() error {
		_, err := l.w.ExecContext(ctx, `VACUUM`)
		return err
	})
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}
