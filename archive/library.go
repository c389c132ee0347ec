// Package archive gets articles in and keeps them: fetching, extraction and
// cleaning, and the library database — one SQLite file holding articles, every
// capture of them, and a full-text index.
package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver
)

// ErrNotFound is returned when an article or capture does not exist.
var ErrNotFound = errors.New("not found")

// readers is the size of the read-only connection pool.
const readers = 4

// busyTimeout is how long a connection waits for a lock held by another
// connection or process (another Gloss window, a backup) before failing.
const busyTimeout = 10 * time.Second

// The writer waits for the write lock in Go rather than in SQLite. SQLite's
// busy handler sleeps 1, 2, 5, 10 … up to 100 ms between tries, and a
// process that writes in a tight loop (a command-line import) takes the
// lock again between two of them: an interactive write then waited half a
// second (p99, BenchmarkInteractiveWriteDuringImport). Write tries BEGIN
// IMMEDIATE every lockPoll instead, for up to busyTimeout; the connection's
// own timeout, writerBusyTimeout, only covers the short waits inside a
// transaction that holds the lock (reading the log index while another
// process checkpoints).
const (
	lockPoll          = 500 * time.Microsecond
	writerBusyTimeout = 5 * time.Millisecond
)

// Library is an open library database. It is safe for concurrent use.
//
// All writes go through one connection, so they are serialised in Go rather
// than fighting over SQLite's lock; reads use a separate pool of read-only
// connections and, in WAL mode, never wait for a writer.
type Library struct {
	path string
	w    *sql.DB // exactly one connection
	r    *sql.DB // read-only pool
	now  func() time.Time

	hooksMu sync.Mutex
	hooks   []CaptureHook
}

// DefaultPath returns where the library lives when no path is given:
// $GLOSS_DB if set, else $XDG_DATA_HOME/gloss/library.db, else
// ~/.local/share/gloss/library.db. It creates the gloss folder (mode 0700)
// in the latter two cases.
func DefaultPath() (string, error) {
	if p := os.Getenv("GLOSS_DB"); p != "" {
		return p, nil
	}
	// The XDG spec says relative values are invalid and must be ignored.
	base := os.Getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("default library path: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	dir := filepath.Join(base, "gloss")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("default library path: %w", err)
	}
	return filepath.Join(dir, "library.db"), nil
}

// Open opens the library at path, creating it if needed, and brings the
// archive tables up to date. It refuses, with an error matching
// ErrNewerSchema and without changing the file, a library written by a newer
// Gloss, and with a *CorruptError matching ErrCorrupt a damaged one (see
// checkOpen in open_check.go).
func Open(path string) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	if err := checkOpen(abs); err != nil {
		return nil, err // a *CorruptError or an already worded error
	}
	// Look before touching: opening the writer sets the journal mode, which
	// could rewrite the header of a file that a newer Gloss laid out
	// differently.
	if err := refuseNewer(abs, ownerArchive, archiveMigrations()); err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}

	w, err := sql.Open("sqlite3", writerDSN(abs))
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	l := &Library{path: abs, w: w, now: time.Now}
	// Migrating first also creates the file and switches it to WAL before
	// any read-only connection opens it (a read-only connection cannot).
	if err := l.Migrate(ownerArchive, archiveMigrations()); err != nil {
		_ = w.Close() // the migration error is the one to report
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}

	r, err := sql.Open("sqlite3", readerDSN(abs))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(5 * time.Minute)
	if err := r.Ping(); err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	l.r = r
	return l, nil
}

// Close closes the library. The writer closes last so that SQLite
// checkpoints the write-ahead log into the main file and removes it.
func (l *Library) Close() error {
	var errs []error
	if l.r != nil {
		errs = append(errs, l.r.Close())
	}
	errs = append(errs, l.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close library %s: %w", l.path, err)
	}
	return nil
}

// Path returns the absolute path of the library file.
func (l *Library) Path() string { return l.path }

// Write runs fn in one immediate transaction on the writer connection and
// commits if fn returns nil; otherwise it rolls back and returns fn's error.
// Packages that keep their own tables in the library (annotate) use it.
func (l *Library) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var tx *sql.Tx
	err := retryBusy(ctx, func() (err error) {
		tx, err = l.w.BeginTx(ctx, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return writeError(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", writeError(err))
	}
	return nil
}

// retryBusy runs try until it returns anything but SQLITE_BUSY, every
// lockPoll for up to busyTimeout, and returns its last error. When ctx ends
// while it waits, the error is SQLITE_BUSY, which says why it waited, even
// if the last try saw the context end first.
func retryBusy(ctx context.Context, try func() error) error {
	deadline := time.Now().Add(busyTimeout)
	var busy error
	for {
		err := try()
		if busy != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return busy
		}
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy || time.Now().After(deadline) {
			return err
		}
		busy = err
		select {
		case <-ctx.Done():
			return err
		case <-time.After(lockPoll):
		}
	}
}

// Read runs fn in a transaction on a read-only connection, so everything fn
// reads comes from one consistent snapshot. Writes inside fn fail.
func (l *Library) Read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := l.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("end read: %w", err)
	}
	return nil
}

// writerDSN configures the single read-write connection. mattn/go-sqlite3
// ignores keys it does not know, so the spellings here are its own
// (sqlite3.go: _journal_mode, _synchronous, _foreign_keys, _busy_timeout,
// _txlock) and library_test.go checks every setting on a real connection.
//
//   - WAL lets readers run while a write is in progress.
//   - synchronous=FULL syncs the WAL on every commit. The driver's default
//     with WAL is NORMAL, which is safe from corruption but can lose the last
//     commits on power loss; an article the user was told is saved must still
//     be there after the laptop dies.
//   - secure_delete overwrites deleted rows with zeros: a journalist who
//     deletes an article expects its text gone from the file, not lingering
//     in free pages until the next VACUUM.
//   - _txlock=immediate takes the write lock at BEGIN, so a transaction never
//     fails half-way with SQLITE_BUSY when it upgrades from read to write; it
//     waits at the start instead (see lockPoll).
func writerDSN(path string) string {
	return fileURI(path, url.Values{
		"_journal_mode":  {"WAL"},
		"_synchronous":   {"FULL"},
		"_foreign_keys":  {"on"},
		"_busy_timeout":  {fmt.Sprint(writerBusyTimeout.Milliseconds())},
		"_txlock":        {"immediate"},
		"_cache_size":    {"-8000"}, // 8 MB page cache
		"_secure_delete": {"on"},
	})
}

// readerDSN configures the read-only pool: mode=ro opens the file read-only
// at the OS level and query_only makes SQLite refuse writes as well. No
// journal mode is set: WAL is a property of the file, set by the writer.
func readerDSN(path string) string {
	return fileURI(path, readOnlyParams(true))
}

func readOnlyParams(queryOnly bool) url.Values {
	v := url.Values{
		"mode":          {"ro"},
		"_synchronous":  {"FULL"},
		"_foreign_keys": {"on"},
		"_busy_timeout": {fmt.Sprint(busyTimeout.Milliseconds())},
		"_cache_size":   {"-8000"},
	}
	if queryOnly {
		v.Set("_query_only", "on")
	}
	return v
}

// fileURI builds a SQLite URI filename. A plain path with '?' or '%' in it
// would be misread, by the driver (which splits at the first '?') or by SQLite.
func fileURI(path string, params url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:///C:/…
	}
	u := url.URL{Path: p}
	return "file://" + u.EscapedPath() + "?" + params.Encode()
}

// timeLayout is how times are stored: UTC, fixed width, so that string order
// is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

func formatNullTime(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(*t), Valid: true}
}

func parseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
