package annotate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// schemaEntry is what sqlite_schema says of one table, index or trigger.
type schemaEntry struct {
	typ, table string
	sql        sql.NullString
}

// createdName finds the names of what a migration creates.
var createdName = regexp.MustCompile(`(?i)\bCREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)`)

// lineComment is an SQL comment to the end of the line (annotate's migrations have no
// "--" inside a string).
var lineComment = regexp.MustCompile(`--[^\n]*`)

// schemas caches annotateSchema's results by the definitions of the library's other
// tables: building one takes a few milliseconds, and a process opens the same library,
// or libraries of the same version, again and again.
var schemas struct {
	sync.Mutex
	byTables map[string]map[string]schemaEntry
}

// annotateSchema returns the schema entries annotate's migrations make, by name, as they
// make them on top of the tables of the library whose schema is lib: the library's other
// tables (the archive's, which annotate's tables and triggers refer to) are created as
// they are in lib in an empty database in memory, then each migration file and Go step is
// applied in order. The archive checks its own entries.
func annotateSchema(ctx context.Context, lib map[string]schemaEntry) (map[string]schemaEntry, error) {
	names, err := fs.Glob(migrations(), "*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	files := make([]string, len(names))
	ours := map[string]bool{}
	for i, name := range names {
		b, err := fs.ReadFile(migrations(), name)
		if err != nil {
			return nil, err
		}
		files[i] = string(b)
		for _, m := range createdName.FindAllStringSubmatch(lineComment.ReplaceAllString(files[i], ""), -1) {
			ours[strings.ToLower(m[1])] = true
		}
	}
	var virtual []string
	for name, e := range lib {
		if e.typ == "table" && strings.HasPrefix(strings.ToUpper(e.sql.String), "CREATE VIRTUAL") {
			virtual = append(virtual, name+"_")
		}
	}
	var tables []string
	for _, name := range slices.Sorted(maps.Keys(lib)) {
		e := lib[name]
		if e.typ != "table" || !e.sql.Valid || ours[strings.ToLower(name)] || strings.HasPrefix(name, "sqlite_") ||
			strings.HasPrefix(strings.ToUpper(e.sql.String), "CREATE VIRTUAL") ||
			slices.ContainsFunc(virtual, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		tables = append(tables, e.sql.String)
	}
	key := strings.Join(tables, "\x00")
	schemas.Lock()
	defer schemas.Unlock()
	if s, ok := schemas.byTables[key]; ok {
		return s, nil
	}
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // each connection has its own database in memory
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, t); err != nil {
			return nil, fmt.Errorf("annotate schema: the library's table %q: %w", t, err)
		}
	}
	before, err := readSchema(ctx, db)
	if err != nil {
		return nil, err
	}
	for i, name := range names {
		v, err := strconv.Atoi(name[:4])
		if err != nil {
			return nil, fmt.Errorf("annotate schema: %s: %w", name, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, files[i])
		if step := migrationSteps[v]; err == nil && step != nil {
			err = step(ctx, tx)
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			_ = tx.Rollback() // the migration's error is the one to report
			return nil, fmt.Errorf("annotate schema: %s: %w", name, err)
		}
	}
	after, err := readSchema(ctx, db)
	if err != nil {
		return nil, err
	}
	maps.DeleteFunc(after, func(name string, _ schemaEntry) bool { _, ok := before[name]; return ok })
	if schemas.byTables == nil {
		schemas.byTables = map[string]map[string]schemaEntry{}
	}
	schemas.byTables[key] = after
	return after, nil
}

// schemaQueryer is what readSchema needs of a *sql.DB or *sql.Tx.
type schemaQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readSchema(ctx context.Context, q schemaQueryer) (map[string]schemaEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, name, tbl_name, sql FROM sqlite_schema`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]schemaEntry{}
	for rows.Next() {
		var e schemaEntry
		var name string
		if err := rows.Scan(&e.typ, &name, &e.table, &e.sql); err != nil {
			return nil, err
		}
		out[name] = e
	}
	return out, rows.Err()
}

// schemaProblems compares the library's schema entries for the tables, indexes and
// triggers annotate's migrations create with what they make, and returns one sentence
// per entry lost or changed: a damaged byte in the text of a definition that still parses
// would otherwise change a table, a default or a trigger without an error. It is called
// once the library is at this Gloss's annotate version (NewStore migrates first).
func schemaProblems(ctx context.Context, tx *sql.Tx) ([]string, error) {
	got, err := readSchema(ctx, tx)
	if err != nil {
		return nil, err
	}
	want, err := annotateSchema(ctx, got)
	if err != nil {
		return nil, err
	}
	var problems []string
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
