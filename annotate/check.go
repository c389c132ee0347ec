package annotate

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"

	"gloss/archive"
)

// Check looks for damage in the whole library and returns one sentence per problem
// found; none means healthy. It runs archive.Library.Check's checks of the file and the
// archive's tables and, in the same snapshot, checks that the schema entries of
// annotate's tables, indexes and triggers are what its migrations made, every row of
// highlights, their tags and claims, article tags, article notes and flags, and the
// palette against the sum stored with it ("highlight <id>: its stored values are
// damaged"), and, if all are intact, that the search index holds each article's
// annotations as they are. It does not block writers.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	return s.lib.CheckWith(ctx, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		r, err := checkTx(ctx, tx, checkIndex)
		if err != nil {
			return nil, fmt.Errorf("check annotations: %w", err)
		}
		return r.sentences(), nil
	})
}

// checkDepth is how much check reads.
type checkDepth int

const (
	checkSchema checkDepth = iota // the schema entries only: they cost nothing
	checkRows                     // and every summed row
	checkIndex                    // and the search index's annotation text
)

// checkResult is what check found.
type checkResult struct {
	schema  []string // the schema entries lost or damaged, as sentences
	damaged []string // the rows whose values do not match their sum, as sumTable.what names them
	stale   []int64  // the articles whose annotations the search index holds differently
}

// corrupt reports whether what r found is damage to what users wrote (the search index's
// copy is derived from it, and is not).
func (r checkResult) corrupt() bool { return len(r.schema) > 0 || len(r.damaged) > 0 }

func (r checkResult) sentences() []string {
	out := append([]string{}, r.schema...)
	for _, d := range r.damaged {
		out = append(out, d+": its stored values are damaged")
	}
	for _, id := range r.stale {
		out = append(out, fmt.Sprintf("article %d: the search index's copy of its annotations differs from them", id))
	}
	return out
}

// articleAnnotations is what check gathers of one article to compare with the index.
type articleAnnotations struct {
	note string
	tags []string
	hs   []Highlight
}

// checkTx reads in tx, as deep as depth says, the schema entries, every summed row
// once, and then, if nothing is damaged, the search index's annotation text of every
// article.
func checkTx(ctx context.Context, tx *sql.Tx, depth checkDepth) (checkResult, error) {
	var r checkResult
	err := func() error {
		var err error
		if r.schema, err = archive.SchemaProblems(ctx, tx, migrationOwner, migrations()); err != nil {
			return fmt.Errorf("read the schema: %w", err)
		}
		if depth == checkSchema || len(r.schema) > 0 {
			return nil // rows are read by the schema's definitions
		}
		live := map[string]*Highlight{}
		var order []string
		articles := map[int64]*articleAnnotations{}
		article := func(id int64) *articleAnnotations {
			a := articles[id]
			if a == nil {
				a = &articleAnnotations{}
				articles[id] = a
			}
			return a
		}
		collect := map[*sumTable]func(v []any) error{
			// Only what the index holds is read: a value the index does not hold (a time)
			// cannot make it differ.
			highlightsTable: func(v []any) error {
				var rr rowReader
				h := Highlight{ID: rr.str(v[0]), ArticleID: rr.int(v[1]), Note: rr.str(v[10])}
				if v[14] == nil {
					live[h.ID] = &h
					order = append(order, h.ID)
				}
				return rr.err
			},
			highlightTagsTable: func(v []any) error {
				var rr rowReader
				id, tag := rr.str(v[0]), rr.str(v[1])
				if h := live[id]; h != nil {
					h.Tags = append(h.Tags, tag)
				}
				return rr.err
			},
			claimsTable: func(v []any) error {
				var rr rowReader
				c := Claim{Claimant: rr.str(v[1]), Kind: ClaimKind(rr.str(v[2])), Status: ClaimStatus(rr.str(v[4])), Verdict: rr.str(v[5])}
				if h := live[rr.str(v[0])]; h != nil {
					h.Claim = &c
				}
				return rr.err
			},
			articleTagsTable: func(v []any) error {
				var rr rowReader
				id, tag := rr.int(v[0]), rr.str(v[1])
				a := article(id)
				a.tags = append(a.tags, tag)
				return rr.err
			},
			articleMetaTable: func(v []any) error {
				var rr rowReader
				article(rr.int(v[0])).note = rr.str(v[1])
				return rr.err
			},
			paletteTable: func([]any) error { return nil },
		}
		for _, t := range sumTables {
			err := t.scan(ctx, tx, `1`, nil, func(row storedRow) error {
				if !row.intact() {
					r.damaged = append(r.damaged, t.what(row.vals))
					return nil
				}
				if err := collect[t](row.vals); err != nil {
					return fmt.Errorf("%s: %w", t.what(row.vals), err)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("read %s: %w", t.name, err)
			}
		}
		if len(r.damaged) > 0 || depth < checkIndex {
			return nil // the index is compared with intact annotations only
		}
		for _, id := range order {
			h := live[id]
			slices.Sort(h.Tags)
			a := article(h.ArticleID)
			a.hs = append(a.hs, *h)
		}
		rows, err := tx.QueryContext(ctx, `SELECT rowid, annotations FROM article_fts ORDER BY rowid`)
		if err != nil {
			return fmt.Errorf("read search index: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var got sql.NullString
			if err := rows.Scan(&id, &got); err != nil {
				return fmt.Errorf("read search index: %w", err)
			}
			want := ""
			if a := articles[id]; a != nil {
				slices.Sort(a.tags)
				want = annotationText(a.note, a.tags, a.hs)
			}
			if !sameLines(got.String, want) {
				r.stale = append(r.stale, id)
			}
		}
		return rows.Err()
	}()
	return r, err
}

// sameLines reports whether a and b hold the same lines in any order. The index is
// compared so because its text follows document order, which a new capture changes
// without the index being rewritten; what the text says does not change.
func sameLines(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(la)
	slices.Sort(lb)
	return slices.Equal(la, lb)
}

// checkAtOpen checks the schema entries of annotate's tables, and every summed row when
// archive.Open checks the library file in full, and returns a *archive.CorruptError if
// it finds damage. The search index's copy of the annotations is derived from them and
// left to Check: a difference there loses nothing the user wrote, and archive.Open's
// integrity_check already finds a damaged index.
func (s *Store) checkAtOpen(ctx context.Context) error {
	path := s.lib.Path()
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("annotations: %w", err)
	}
	depth := checkSchema
	if archive.FullCheckAtOpen(st.Size()) {
		depth = checkRows
	}
	var r checkResult
	err = s.lib.Read(ctx, func(tx *sql.Tx) error {
		r, err = checkTx(ctx, tx, depth)
		return err
	})
	if err != nil {
		return fmt.Errorf("annotations: check: %w", err)
	}
	if !r.corrupt() {
		return nil
	}
	p := r.sentences()
	return &archive.CorruptError{
		Path:    path,
		Detail:  strings.Join(p[:min(len(p), 5)], "; "),
		Backups: archive.GoodBackups(ctx, archive.BackupDir(path)),
	}
}
