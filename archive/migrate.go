package archive

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ownerArchive is the migration owner of the tables in migrations/.
const ownerArchive = "archive"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func archiveMigrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // a constant, valid path: cannot happen
	}
	return sub
}

// ErrNewerSchema matches (errors.Is) the error returned when the library has
// schema versions this Gloss does not know: it was written by a newer Gloss.
// Such a library is never migrated down or modified.
var ErrNewerSchema = errors.New("library written by a newer version of Gloss")

// SchemaError reports a library whose schema for Owner is at version Found
// while this Gloss knows versions up to Known. It matches ErrNewerSchema.
type SchemaError struct {
	Owner string
	Found int
	Known int
}

// Error returns the sentence to show the user.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("this library was written by a newer version of Gloss (schema %s v%d, this Gloss knows v%d); update Gloss",
		e.Owner, e.Found, e.Known)
}

// Is reports whether target is ErrNewerSchema.
func (e *SchemaError) Is(target error) bool { return target == ErrNewerSchema }

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]+)_[A-Za-z0-9_-]+\.sql$`)

// readMigrations returns the .sql files at the root of files in order. Their
// numbers must run 1, 2, 3… without gaps or repeats, so a misnamed file fails
// loudly instead of being skipped. Other files are ignored.
func readMigrations(files fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: name must be NNNN_words.sql", e.Name())
		}
		v, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, fmt.Errorf("migration file %q: %w", e.Name(), err)
		}
		if want := len(ms) + 1; v != want {
			return nil, fmt.Errorf("migration file %q: version %d, want %d", e.Name(), v, want)
		}
		b, err := fs.ReadFile(files, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    owner      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    applied_at TEXT NOT NULL,
    PRIMARY KEY (owner, version)
)`

// MigrationStep is Go work a migration needs besides its SQL, such as
// filling a new column with values computed from the others (a checksum).
// It runs in the migration's transaction, after its SQL file.
type MigrationStep func(ctx context.Context, tx *sql.Tx) error

// archiveSteps are the Go steps of the archive's own migrations, by version.
var archiveSteps = map[int]MigrationStep{8: fillCaptureSums}

// Migrate brings the tables of owner up to date with files: the root of files
// holds numbered migrations 0001_name.sql, 0002_name.sql, …; each one not yet
// applied runs in its own transaction together with the row recording it, so
// a crash leaves either both or neither. Open migrates owner "archive", with
// that owner's Go steps; package annotate migrates its own tables under its
// own owner name (see MigrateWith for migrations with Go steps).
//
// If the library records a version for owner above the highest file, Migrate
// changes nothing and returns a *SchemaError matching ErrNewerSchema.
//
// Migrations run with foreign keys on, and PRAGMA foreign_keys is ignored
// inside a transaction: a migration that rebuilds a table must use PRAGMA
// defer_foreign_keys = ON.
func (l *Library) Migrate(owner string, files fs.FS) error {
	var steps map[int]MigrationStep
	if owner == ownerArchive {
		steps = archiveSteps
	}
	return l.MigrateWith(owner, files, steps)
}

// MigrateWith is Migrate with Go steps: steps[v], if there is one, runs
// after migration file v in the same transaction, and so exactly once, when
// that migration is applied.
func (l *Library) MigrateWith(owner string, files fs.FS, steps map[int]MigrationStep) error {
	ms, err := readMigrations(files)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", owner, err)
	}
	ctx := context.Background()
	// Checked before anything is written, even the bookkeeping table.
	found, err := schemaVersion(ctx, l.w, owner)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", owner, err)
	}
	if found > len(ms) {
		return &SchemaError{Owner: owner, Found: found, Known: len(ms)}
	}
	if found == len(ms) {
		return nil
	}
	err = l.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate %s: create schema_migrations: %w", owner, err)
	}
	for _, m := range ms {
		err := l.Write(ctx, func(tx *sql.Tx) error { return applyMigration(ctx, tx, owner, m, steps[m.version], l.now()) })
		if err != nil {
			return fmt.Errorf("migrate %s: %s: %w", owner, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, tx *sql.Tx, owner string, m migration, step MigrationStep, now time.Time) error {
	// The write lock is held from BEGIN IMMEDIATE, so this answer stays true
	// even if another Gloss process opened the same library at the same time.
	var n int
	err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM schema_migrations WHERE owner = ? AND version = ?`,
		owner, m.version).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if step != nil {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES (?, ?, ?, ?)`,
		owner, m.version, m.name, formatTime(now))
	return err
}

// queryer is what schemaVersion needs from a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the highest version recorded for owner, or 0.
func schemaVersion(ctx context.Context, db queryer, owner string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	err = db.QueryRowContext(ctx,
		`SELECT max(version) FROM schema_migrations WHERE owner = ?`, owner).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// refuseNewer checks an existing library file through a read-only connection
// and returns a *SchemaError if it was written by a newer Gloss. A missing or
// empty file is a new library.
func refuseNewer(path, owner string, files fs.FS) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	ms, err := readMigrations(files)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", fileURI(path, readOnlyParams(true)))
	if err != nil {
		return err
	}
	defer db.Close()
	found, err := schemaVersion(context.Background(), db, owner)
	if err != nil {
		return err
	}
	if found > len(ms) {
		return &SchemaError{Owner: owner, Found: found, Known: len(ms)}
	}
	return db.Close()
}
