package annotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gloss/archive"
)

// ErrDamaged matches (errors.Is) the error of a read or a write that met annotations
// whose stored values no longer match their checksum: a damaged byte in the library file
// changed them. The error is a *DamagedError. Gloss never shows such values as if they
// were what the user wrote; a backup of the library may hold them intact.
//
// Reads that list annotations fail as a whole (see queryHighlights). Writes to an article
// with a damaged annotation fail too and change nothing: a write gives new sums to the
// rows it touches, which must not vouch for a damaged value, and it re-indexes the
// article from all its annotations. A new capture re-anchors the intact highlights and
// leaves a damaged one as it is, so that the capture is kept and the damage still found.
var ErrDamaged = errors.New("annotations are damaged")

// DamagedError reports annotations whose stored values no longer match their checksum.
// It matches ErrDamaged.
type DamagedError struct {
	Rows []string // what is damaged: "highlight <id>", "tag \"x\" of article 3", …
}

// Error returns one sentence a person can act on.
func (e *DamagedError) Error() string {
	what := strings.Join(e.Rows[:min(len(e.Rows), 3)], ", ")
	if n := len(e.Rows) - 3; n > 0 {
		what += fmt.Sprintf(" and %d more", n)
	}
	return "the stored values of " + what + " are damaged in the library file; a backup may hold them intact"
}

// Is reports whether target is ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// sumTable is one of annotate's tables whose rows carry a checksum in their column sum
// (migration 0003): archive.RowSum over every other column, in the table's order, as
// the driver reads them back (INTEGER as int64, REAL as float64, TEXT as string, NULL as
// nil). Summing what is read back rather than what Go meant to write keeps writer and
// checker on one definition.
type sumTable struct {
	name string
	cols []string // every column but sum, in the table's order (TestSumColumns)
	key  int      // the first key columns name a row
	what func(v []any) string
}

// The tables that hold what users wrote. tag_counts (0002) is derived from them and is
// not summed.
var (
	highlightsTable = &sumTable{name: "highlights", key: 1,
		cols: []string{"id", "article_id", "capture_id", "checked_capture_id", "start_offset", "end_offset",
			"exact", "prefix", "suffix", "color", "note", "status", "created_at", "updated_at", "deleted_at", "deletion"},
		what: func(v []any) string { return fmt.Sprintf("highlight %v", v[0]) }}
	highlightTagsTable = &sumTable{name: "highlight_tags", key: 2,
		cols: []string{"highlight_id", "tag"},
		what: func(v []any) string { return fmt.Sprintf("tag %q of highlight %v", fmt.Sprint(v[1]), v[0]) }}
	articleTagsTable = &sumTable{name: "article_tags", key: 2,
		cols: []string{"article_id", "tag"},
		what: func(v []any) string { return fmt.Sprintf("tag %q of article %v", fmt.Sprint(v[1]), v[0]) }}
	claimsTable = &sumTable{name: "claims", key: 1,
		cols: []string{"highlight_id", "claimant", "kind", "evidence", "status", "verdict", "links", "reviewed_at"},
		what: func(v []any) string { return fmt.Sprintf("claim of highlight %v", v[0]) }}
	articleMetaTable = &sumTable{name: "article_meta", key: 1,
		cols: []string{"article_id", "note", "favourite", "archived", "progress", "progress_offset", "updated_at"},
		what: func(v []any) string { return fmt.Sprintf("note, flags and reading progress of article %v", v[0]) }}
	paletteTable = &sumTable{name: "palette", key: 1,
		cols: []string{"color", "position", "meaning"},
		what: func(v []any) string { return fmt.Sprintf("palette colour %v", v[0]) }}

	sumTables = []*sumTable{highlightsTable, highlightTagsTable, articleTagsTable, claimsTable, articleMetaTable, paletteTable}
)

// storedRow is a row as read: its values and its stored sum.
type storedRow struct {
	vals []any
	sum  any
}

// intact reports whether the row's values match its stored sum. A NULL sum is damage:
// every row gets its sum in the transaction that writes it.
func (r storedRow) intact() bool {
	s, ok := r.sum.(int64)
	return ok && s == archive.RowSum(r.vals...)
}

// columns returns the table's columns and then sum, each prefixed with alias and a dot
// unless alias is "".
func (t *sumTable) columns(alias string) string {
	if alias != "" {
		alias += "."
	}
	var b strings.Builder
	for _, c := range append(t.cols[:len(t.cols):len(t.cols)], "sum") {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + c)
	}
	return b.String()
}

// scan calls fn with each row of t that where selects (where may end in ORDER BY).
func (t *sumTable) scan(ctx context.Context, tx *sql.Tx, where string, args []any, fn func(storedRow) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+t.columns("")+` FROM `+t.name+` WHERE `+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := len(t.cols)
	for rows.Next() {
		vals := make([]any, n+1)
		ptrs := make([]any, n+1)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(storedRow{vals: vals[:n], sum: vals[n]}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// read returns the rows of t that where selects, or a *DamagedError naming those whose
// values do not match their sum.
func (t *sumTable) read(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]storedRow, error) {
	var out []storedRow
	var damaged []string
	err := t.scan(ctx, tx, where, args, func(r storedRow) error {
		if !r.intact() {
			damaged = append(damaged, t.what(r.vals))
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(damaged) > 0 {
		return nil, &DamagedError{Rows: damaged}
	}
	return out, nil
}

// verify returns a *DamagedError if a row of t that where selects is damaged. Writes call
// it before they change a row in place, so that a new sum never vouches for a damaged
// value the write left as it was.
func (t *sumTable) verify(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	_, err := t.read(ctx, tx, where, args...)
	return err
}

// seal stores the sum of every row of t that where selects, as the rows now read. Every
// write to a row of t calls it, in the same transaction, after its last change to the row.
func (t *sumTable) seal(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	var rows []storedRow
	err := t.scan(ctx, tx, where, args, func(r storedRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("checksum %s: %w", t.name, err)
	}
	conds := make([]string, t.key)
	for i, c := range t.cols[:t.key] {
		conds[i] = c + " = ?"
	}
	update := `UPDATE ` + t.name + ` SET sum = ? WHERE ` + strings.Join(conds, " AND ")
	for _, r := range rows {
		args := append([]any{archive.RowSum(r.vals...)}, r.vals[:t.key]...)
		if _, err := tx.ExecContext(ctx, update, args...); err != nil {
			return fmt.Errorf("checksum %s: %w", t.name, err)
		}
	}
	return nil
}

// fillRowSums is the Go step of migration 0003: it gives every row present its sum, in
// the migration's transaction.
func fillRowSums(ctx context.Context, tx *sql.Tx) error {
	for _, t := range sumTables {
		if err := t.seal(ctx, tx, `sum IS NULL`); err != nil {
			return err
		}
	}
	return nil
}

// migrationSteps are the Go steps of annotate's migrations, by version.
var migrationSteps = map[int]archive.MigrationStep{3: fillRowSums}

// value converters for rows read as []any: a value of another type than the column holds
// is damage the sum did not see (it cannot happen to a row whose sum matches).

func asString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("stored value %v is not text", v)
}

func asInt(v any) (int64, error) {
	if n, ok := v.(int64); ok {
		return n, nil
	}
	return 0, fmt.Errorf("stored value %v is not a whole number", v)
}

// asNullInt reads an INTEGER column that may be NULL (0).
func asNullInt(v any) (int64, error) {
	if v == nil {
		return 0, nil
	}
	return asInt(v)
}

// asNullString reads a TEXT column that may be NULL.
func asNullString(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	s, err := asString(v)
	return sql.NullString{String: s, Valid: err == nil}, err
}
