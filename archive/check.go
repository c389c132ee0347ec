package archive

import (
	"context"
	"database/sql"
	"fmt"
)

// ContentCheck checks what another owner keeps in the library (package
// annotate's tables), as Check does the archive's, and returns one sentence
// per problem found. It reads tx, the snapshot Check reads, and must not
// write. An error means the check could not run.
type ContentCheck func(ctx context.Context, tx *sql.Tx) ([]string, error)

// Check looks for damage in the library and returns one sentence per
// problem found; none means healthy. It runs SQLite's integrity_check (which
// also checks the search index's own structure against its content) and
// foreign_key_check, compares the schema of the archive's tables with what
// its migrations make, checks that each article has a current capture of
// its own, a list entry matching it and a search entry, and checks every
// capture, image and search entry against its checksum or second copy (see
// contentProblems). It reads one snapshot and does not block writers.
func (l *Library) Check(ctx context.Context) ([]string, error) {
	return l.CheckWith(ctx)
}

// CheckWith is Check followed by checks, in the same snapshot: the way for
// another owner of tables in the library to have them checked with the
// archive's.
func (l *Library) CheckWith(ctx context.Context, checks ...ContentCheck) ([]string, error) {
	problems := []string{}
	err := l.Read(ctx, func(tx *sql.Tx) error {
		// FTS5's integrity check can reuse an index structure a pooled connection cached
		// before the last write and report a false checksum mismatch; any FTS5 query in the
		// same transaction refreshes it first.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE rowid = 0`).Scan(&n); err != nil {
			return fmt.Errorf("refresh search index: %w", err)
		}
		p, err := integrityCheck(ctx, tx)
		if err != nil {
			return err
		}
		problems = append(problems, p...)
		if p, err = foreignKeyCheck(ctx, tx); err != nil {
			return err
		}
		problems = append(problems, p...)
		stages := []ContentCheck{archiveSchemaProblems}
		for _, c := range consistencyChecks {
			stages = append(stages, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
				return listProblems(ctx, tx, c.query, c.format)
			})
		}
		for _, stage := range append(append(stages, contentProblems), checks...) {
			p, err := stage(ctx, tx)
			if isCorruption(err) || (len(problems) > 0 && isCheckFailure(err)) {
				// Reading the rows hit damage, most likely what
				// integrity_check reported: report it, not a failed check.
				problems = append(problems, "SQLite cannot read every row: "+sqliteDetail(err))
				return nil
			}
			if err != nil {
				return err
			}
			problems = append(problems, p...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check library: %w", err)
	}
	return problems, nil
}

type queryContexter interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// integrityCheck returns the problems PRAGMA integrity_check reports.
func integrityCheck(ctx context.Context, db queryContexter) ([]string, error) {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("integrity_check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, "integrity: "+s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	return problems, nil
}

func foreignKeyCheck(ctx context.Context, db queryContexter) ([]string, error) {
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, fmt.Errorf("foreign_key_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, fmt.Errorf("foreign_key_check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("%s row %d refers to a missing %s row", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("foreign_key_check: %w", err)
	}
	return problems, nil
}

// consistencyChecks are invariants of the archive tables that SQLite cannot
// enforce. Each query returns one id per offending row.
var consistencyChecks = []struct {
	query  string
	format string
}{
	{`SELECT a.id FROM articles a LEFT JOIN captures c ON c.id = a.current_capture_id
		WHERE c.id IS NULL OR c.article_id != a.id`,
		"article %d has no current capture of its own"},
	{`SELECT a.id FROM articles a JOIN captures c ON c.id = a.current_capture_id
		WHERE a.title != c.title OR a.byline != c.byline OR a.site_name != c.site_name
			OR a.published_at IS NOT c.published_at OR a.word_count != c.word_count`,
		"article %d: library list entry differs from its current capture"},
	{`SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_fts f WHERE f.rowid = a.id)`,
		"article %d is missing from the search index"},
	{`SELECT f.rowid FROM article_fts f WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = f.rowid)`,
		"search index has an entry for missing article %d"},
}

func listProblems(ctx context.Context, tx *sql.Tx, query, format string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		problems = append(problems, fmt.Sprintf(format, id))
	}
	return problems, rows.Err()
}
