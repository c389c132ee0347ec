package archive

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"
)

// schemaEntry is a row of sqlite_schema, less its root page.
type schemaEntry struct {
	typ, tblName string
	sql          sql.NullString
}

// schemaKey names an expected schema: owner's first version migrations on
// top of the archive's first archive.
type schemaKey struct {
	owner            string
	archive, version int
}

// expectedSchemas caches expectedSchema's answers for the life of the
// process: they depend only on the migrations built into it.
var expectedSchemas struct {
	sync.Mutex
	byKey map[schemaKey]map[string]schemaEntry
}

// expectedSchema returns the sqlite_schema entries, by name, of what the
// first k.version migrations of k.owner (ms) create, as SQLite writes them,
// on top of the archive's tables at version k.archive, which other owners'
// tables and triggers refer to; for the archive itself, its first k.archive
// migrations and the table recording them. It applies the migrations to an
// empty database in memory, once per process (about 2 ms). Their Go steps
// are left out: they change rows, not the schema.
//
// The search index's shadow tables (article_fts_data and the like) are
// written by FTS5 itself, in words that have not changed since SQLite 3.9; a
// SQLite that wrote them differently would make older libraries look
// damaged, so an upgrade of the driver must keep TestSchemaDamage and the
// tests that open older libraries passing.
func expectedSchema(ctx context.Context, k schemaKey, ms []migration) (map[string]schemaEntry, error) {
	expectedSchemas.Lock()
	defer expectedSchemas.Unlock()
	if s, ok := expectedSchemas.byKey[k]; ok {
		return s, nil
	}
	archive, err := readMigrations(archiveMigrations())
	if err != nil {
		return nil, err
	}
	if k.archive < 0 || k.archive > len(archive) || k.version < 0 || k.version > len(ms) {
		return nil, fmt.Errorf("%s schema version %d on archive version %d: this Gloss knows %d and %d",
			k.owner, k.version, k.archive, len(ms), len(archive))
	}
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one connection: each has its own in-memory database
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	apply := func(ms []migration) error {
		for _, m := range ms {
			if _, err := conn.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("%s schema: %s: %w", k.owner, m.name, err)
			}
		}
		return nil
	}
	if k.archive > 0 {
		if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
			return nil, fmt.Errorf("%s schema: %w", k.owner, err)
		}
	}
	if err := apply(archive[:k.archive]); err != nil {
		return nil, err
	}
	s, err := readSchema(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("%s schema: %w", k.owner, err)
	}
	if k.owner != ownerArchive {
		before := s
		if err := apply(ms[:k.version]); err != nil {
			return nil, err
		}
		if s, err = readSchema(ctx, conn); err != nil {
			return nil, fmt.Errorf("%s schema: %w", k.owner, err)
		}
		maps.DeleteFunc(s, func(name string, _ schemaEntry) bool { _, ok := before[name]; return ok })
	}
	if expectedSchemas.byKey == nil {
		expectedSchemas.byKey = map[schemaKey]map[string]schemaEntry{}
	}
	expectedSchemas.byKey[k] = s
	return s, nil
}

// SchemaProblems compares the library's schema entries for the tables,
// indexes and triggers owner's migrations (files, as given to MigrateWith)
// create with what those migrations make at the library's versions, and
// returns one sentence per entry lost or changed: a damaged byte in the text
// of a definition that still parses would otherwise change a table, a
// default or a trigger without an error. Entries of other owners are theirs
// to judge. A library from a newer Gloss is not judged here (Open refuses
// it), nor one that none of owner's migrations has reached yet. Call it in
// a Read or Write transaction.
func SchemaProblems(ctx context.Context, tx *sql.Tx, owner string, files fs.FS) ([]string, error) {
	ms, err := readMigrations(files)
	if err != nil {
		return nil, err
	}
	return schemaProblems(ctx, tx, owner, ms)
}

// schemaProblems is SchemaProblems on owner's migrations ms; for the archive
// it also checks the records of its migrations (migrationRecordProblems).
func schemaProblems(ctx context.Context, tx *sql.Tx, owner string, ms []migration) ([]string, error) {
	v, err := schemaVersion(ctx, tx, owner)
	if err != nil || v == 0 || v > len(ms) {
		return nil, err
	}
	av := v
	if owner != ownerArchive {
		if av, err = schemaVersion(ctx, tx, ownerArchive); err != nil {
			return nil, err
		}
	}
	want, err := expectedSchema(ctx, schemaKey{owner, av, v}, ms)
	if err != nil {
		return nil, err
	}
	got, err := readSchema(ctx, tx)
	if err != nil {
		return nil, err
	}
	var problems []string
	if owner == ownerArchive {
		if problems, err = migrationRecordProblems(ctx, tx, ms[:v]); err != nil {
			return nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		w := want[name]
		switch g, ok := got[name]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("the schema has lost its entry for %s %s", w.typ, name))
		case g != w:
			problems = append(problems, fmt.Sprintf("the schema entry for %s %s is damaged", w.typ, name))
		}
	}
	return problems, nil
}

// archiveSchemaProblems is schemaProblems for the archive's own migrations.
func archiveSchemaProblems(ctx context.Context, tx *sql.Tx) ([]string, error) {
	ms, err := readMigrations(archiveMigrations())
	if err != nil {
		return nil, err
	}
	return schemaProblems(ctx, tx, ownerArchive, ms)
}

// readSchema returns the entries of sqlite_schema by name.
func readSchema(ctx context.Context, db queryContexter) (map[string]schemaEntry, error) {
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, sql FROM sqlite_schema`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := map[string]schemaEntry{}
	for rows.Next() {
		var e schemaEntry
		var name string
		if err := rows.Scan(&e.typ, &name, &e.tblName, &e.sql); err != nil {
			return nil, err
		}
		s[name] = e
	}
	return s, rows.Err()
}

// migrationRecordProblems checks the rows of schema_migrations that record
// the archive migrations ms: one per migration, named as its file, applied
// at a time written as Gloss writes times, in order.
func migrationRecordProblems(ctx context.Context, tx *sql.Tx, ms []migration) ([]string, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT version, name, applied_at FROM schema_migrations WHERE owner = ? ORDER BY version`, ownerArchive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	var last string
	i := 0
	for ; rows.Next(); i++ {
		var v int
		var name, applied string
		if err := rows.Scan(&v, &name, &applied); err != nil {
			return nil, err
		}
		t, err := parseTime(applied)
		if i >= len(ms) || v != ms[i].version || name != ms[i].name || err != nil || formatTime(t) != applied || applied < last {
			problems = append(problems, fmt.Sprintf("the record of archive migration %d is damaged", v))
		}
		last = applied
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if i != len(ms) {
		problems = append(problems, fmt.Sprintf("the records of the archive migrations are damaged: %d for %d migrations", i, len(ms)))
	}
	return problems, nil
}
