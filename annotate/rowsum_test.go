package annotate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gloss/archive"
	"gloss/archive/importer"
)

// resealAll gives every row of annotate's tables its sum as the row now reads, in tx: for
// tests that write the tables behind the store's back, as a writer that keeps the sums
// would.
func resealAll(ctx context.Context, tx *sql.Tx) error {
	for _, t := range sumTables {
		if err := t.seal(ctx, tx, `1`); err != nil {
			return err
		}
	}
	return nil
}

// TestSumColumns: each summed table's column list is every column of the table but sum,
// in the table's order, so that a column added by a later migration cannot go unsummed.
func TestSumColumns(t *testing.T) {
	f := newFixture(t)
	for _, tb := range sumTables {
		var got []string
		err := f.lib.Read(context.Background(), func(tx *sql.Tx) error {
			rows, err := tx.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, tb.name)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					return err
				}
				got = append(got, n)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := append(slices.Clone(tb.cols), "sum"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s has columns %q, want %q", tb.name, got, want)
		}
	}
}

// checkClean fails the test unless Check finds nothing wrong.
func checkClean(t *testing.T, st *Store, after string) {
	t.Helper()
	problems, err := st.Check(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("after %s: Check = %q, %v; want no problems", after, problems, err)
	}
}

// TestEveryWritePathKeepsSums takes a library through every way annotate writes its
// tables and checks after each that every row's sum matches (Check is clean), so that a
// write that forgets a sum fails here.
func TestEveryWritePathKeepsSums(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const otherURL = "https://example.org/moths-again"
	aid, _ := f.capture(t, mothsURL, mothsV1)
	bid, _ := f.capture(t, otherURL, mothsV1)
	var h1, h2, h3 Highlight
	newHL := func(dst *Highlight, articleID int64, nh NewHighlight) func() error {
		return func() error {
			h, err := f.store.Highlight(ctx, articleID, nh)
			*dst = h
			return err
		}
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"highlight a quote with a note, tags and a claim", newHL(&h1, aid, NewHighlight{Quote: "nine to one", Color: "green",
			Note: "A ratio without a source.", Tags: []string{"numbers", "Ratio"},
			Claim: &Claim{Claimant: "the author", Status: ClaimDisputed, Links: []string{"https://example.org/paper"}}})},
		{"highlight by offsets", newHL(&h2, aid, NewHighlight{Start: 0, End: 5})},
		{"highlight a passage the next capture rewords", newHL(&h3, aid, NewHighlight{Quote: "a recent study", Note: "which?"})},
		{"set a highlight's note", func() error { return f.store.SetNote(ctx, HighlightRef(h1.ID), "Nine to one, says who?") }},
		{"set a colour", func() error { return f.store.SetColor(ctx, h2.ID, "blue") }},
		{"tag a highlight", func() error { return f.store.AddTags(ctx, HighlightRef(h2.ID), "title", "moths") }},
		{"tag a highlight with a tag it has", func() error { return f.store.AddTags(ctx, HighlightRef(h2.ID), "title") }},
		{"untag a highlight", func() error { return f.store.RemoveTags(ctx, HighlightRef(h2.ID), "moths") }},
		{"tag an article", func() error { return f.store.AddTags(ctx, ArticleRef(aid), "moths", "night", "insects") }},
		{"tag an article with a tag it has", func() error { return f.store.AddTags(ctx, ArticleRef(aid), "moths") }},
		{"untag an article", func() error { return f.store.RemoveTags(ctx, ArticleRef(aid), "night") }},
		{"set a claim", func() error { _, err := f.store.SetClaim(ctx, h2.ID, Claim{Kind: KindStatistic}); return err }},
		{"rate a claim", func() error {
			_, err := f.store.SetClaim(ctx, h2.ID, Claim{Kind: KindStatistic, Status: ClaimSupported, Verdict: "Checked."})
			return err
		}},
		{"clear a claim", func() error { return f.store.ClearClaim(ctx, h1.ID) }},
		{"set an article note", func() error { return f.store.SetArticleNote(ctx, aid, "Read again.") }},
		{"set an article note through SetNote", func() error { return f.store.SetNote(ctx, ArticleRef(aid), "Read twice.") }},
		{"favourite", func() error { return f.store.SetFavourite(ctx, aid, true) }},
		{"archive", func() error { return f.store.SetArchived(ctx, aid, true) }},
		{"unarchive", func() error { return f.store.SetArchived(ctx, aid, false) }},
		{"set reading progress", func() error { return f.store.SetProgress(ctx, aid, Progress{Fraction: 0.5, Offset: 120}) }},
		{"give a colour a meaning", func() error { return f.store.SetMeaning(ctx, "blue", "a question to ask") }},
		{"capture again (the capture hook re-anchors)", func() error {
			_, _, err := f.lib.AddCapture(ctx, mothsURL, archive.Capture{Title: "Moths", Text: mothsV2, FetchedAt: f.clock.now()})
			return err
		}},
		{"reattach an orphan", func() error {
			i := strings.Index(mothsV2, "a new study")
			_, err := f.store.Reattach(ctx, h3.ID, i, i+len("a new study"))
			return err
		}},
		{"re-anchor", func() error { _, err := f.store.Reanchor(ctx, aid); return err }},
		{"delete", func() error { return f.store.Delete(ctx, h1.ID, h3.ID) }},
		{"undo", func() error { _, err := f.store.Undo(ctx); return err }},
		{"delete again", func() error { return f.store.Delete(ctx, h3.ID) }},
		{"purge the trash", func() error {
			f.clock.set(f.clock.now().Add(TrashRetention + time.Hour))
			n, err := f.store.PurgeTrash(ctx)
			if err == nil && n != 1 {
				err = fmt.Errorf("purged %d, want 1", n)
			}
			return err
		}},
		{"import W3C annotations", func() error {
			data := `[{"type": "Annotation", "target": {"source": "` + otherURL + `",
				"selector": {"type": "TextQuoteSelector", "exact": "guided by the moon"}},
				"body": [{"type": "TextualBody", "purpose": "commenting", "value": "Which moon?"},
					{"type": "TextualBody", "purpose": "tagging", "value": "sky"}]}]`
			rep, err := f.store.ImportAnnotations(ctx, []byte(data))
			if err == nil && rep.Anchored != 1 {
				err = fmt.Errorf("import report %+v, want 1 anchored", rep)
			}
			return err
		}},
		{"import W3C annotations over a highlight in the trash", func() error {
			col, err := f.store.ExportW3C(ctx, aid)
			if err != nil {
				return err
			}
			data, err := json.Marshal(col)
			if err != nil {
				return err
			}
			if err := f.store.Delete(ctx, h2.ID); err != nil {
				return err
			}
			rep, err := f.store.ImportAnnotations(ctx, data)
			if err == nil && rep.Anchored != 1 {
				err = fmt.Errorf("import report %+v, want 1 anchored", rep)
			}
			return err
		}},
		{"import an entry of another tool", func() error {
			_, err := f.store.ImportEntry(ctx, bid, importer.Entry{URL: otherURL, Tags: []string{"imported"},
				Favourite: true, Archived: true, Progress: 0.7, Note: "From Pocket.",
				Highlights: []importer.Highlight{{Quote: "street lamps", Note: "lamps", Tags: []string{"light"}, Color: "pink"}}})
			return err
		}},
		{"catch up on a capture added with no store listening", func() error {
			other, err := archive.Open(f.path)
			if err != nil {
				return err
			}
			_, _, err = other.AddCapture(ctx, otherURL, archive.Capture{Title: "Moths", Text: mothsV2, FetchedAt: f.clock.now()})
			if cerr := other.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			f.store, err = NewStore(f.lib, WithClock(f.clock.now))
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkClean(t, f.store, s.name)
	}
	// Every summed table was written, so Check had something to check.
	for _, tb := range sumTables {
		if n := f.count(t, `SELECT count(*) FROM `+tb.name+` WHERE sum IS NOT NULL`); n == 0 {
			t.Errorf("%s has no summed rows", tb.name)
		}
	}
}

// TestMigrationFillsSums: rows written before migration 0003 get their sums when it is
// applied, and Check finds them intact.
func TestMigrationFillsSums(t *testing.T) {
	path := t.TempDir() + "/library.db"
	lib, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	old := fstest.MapFS{}
	for _, name := range []string{"0001_annotations.sql", "0002_tag_counts.sql"} {
		b, err := fs.ReadFile(migrations(), name)
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := lib.Migrate(migrationOwner, old); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	aid, _, err := lib.AddCapture(ctx, mothsURL, archive.Capture{Title: "Moths", Text: mothsV1})
	if err != nil {
		t.Fatal(err)
	}
	at := formatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	err = lib.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO highlights (id, article_id, start_offset, end_offset, exact, color, note, status, created_at, updated_at)
				VALUES ('00000000-0000-0000-0000-000000000001', ?, 0, 5, 'Moths', 'yellow', 'a note', 'anchored', ?, ?)`, []any{aid, at, at}},
			{`INSERT INTO highlight_tags (highlight_id, tag) VALUES ('00000000-0000-0000-0000-000000000001', 'title')`, nil},
			{`INSERT INTO claims (highlight_id, kind, evidence, status) VALUES ('00000000-0000-0000-0000-000000000001', 'fact', 'none', 'unchecked')`, nil},
			{`INSERT INTO article_tags (article_id, tag) VALUES (?, 'moths')`, []any{aid}},
			{`INSERT INTO article_meta (article_id, note, favourite, progress, updated_at) VALUES (?, 'Read it.', 1, 0.25, ?)`, []any{aid, at}},
			{`UPDATE palette SET meaning = 'mine' WHERE color = 'pink'`, nil},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStore(lib)
	if err != nil {
		t.Fatal(err)
	}
	// The rows went in behind the store's back: a write indexes them for search.
	if err := st.SetArchived(ctx, aid, true); err != nil {
		t.Fatal(err)
	}
	checkClean(t, st, "the migration")
	for _, tb := range sumTables {
		if n := countRows(t, lib, `SELECT count(*) FROM `+tb.name+` WHERE sum IS NULL`); n != 0 {
			t.Errorf("%s has %d rows without a sum", tb.name, n)
		}
	}
	hs, err := st.ForArticle(ctx, aid)
	if err != nil || len(hs) != 1 || hs[0].Note != "a note" || hs[0].Claim == nil {
		t.Errorf("ForArticle = %+v, %v; want the highlight written before the migration", hs, err)
	}
}

func countRows(t *testing.T, lib *archive.Library, query string) int {
	t.Helper()
	var n int
	if err := lib.Read(context.Background(), func(tx *sql.Tx) error { return tx.QueryRow(query).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// sample is what annotatedSample made.
type sample struct {
	article int64
	noted   Highlight // with a note, tags and a claim
	plain   Highlight
}

// annotatedSample makes a library with an article carrying every kind of annotation.
func annotatedSample(t *testing.T) (*fixture, sample) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	s := sample{article: aid}
	s.noted = f.highlight(t, aid, NewHighlight{Quote: "nine to one", Note: "A ratio without a source.",
		Tags: []string{"numbers"}, Claim: &Claim{Claimant: "the author", Status: ClaimDisputed, Verdict: "Unsourced."}})
	s.plain = f.highlight(t, aid, NewHighlight{Quote: "street lamps"})
	for _, err := range []error{
		f.store.AddTags(ctx, ArticleRef(aid), "moths"),
		f.store.SetArticleNote(ctx, aid, "Read again."),
		f.store.SetFavourite(ctx, aid, true),
		f.store.SetProgress(ctx, aid, Progress{Fraction: 0.5, Offset: 100}),
		f.store.SetMeaning(ctx, "yellow", "the point"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return f, s
}

// TestDamageIsDetected changes one stored value of each table behind the store's back,
// as a damaged byte would, and checks that Check names the row, that reads showing it
// fail with ErrDamaged, that a write does not vouch for it, and that NewStore refuses the
// library with a *archive.CorruptError.
func TestDamageIsDetected(t *testing.T) {
	ctx := context.Background()
	forArticle := func(st *Store, s sample) error { _, err := st.ForArticle(ctx, s.article); return err }
	meta := func(st *Store, s sample) error { _, err := st.ArticleMeta(ctx, s.article); return err }
	list := func(st *Store, s sample) error {
		_, err := st.ListArticles(ctx, ListFilter{}, archive.ListOptions{})
		return err
	}
	tests := []struct {
		name    string
		damage  string // an UPDATE; ? is the noted highlight's id or the article's id
		byID    bool   // ? is the highlight's id
		problem string // the row Check names; %h the highlight's id, %a the article's
		reads   []func(*Store, sample) error
		write   func(*Store, sample) error // must fail with ErrDamaged
	}{
		{"highlight note", `UPDATE highlights SET note = 'A ratio with a source.' WHERE id = ?`, true, "highlight %h",
			[]func(*Store, sample) error{forArticle, func(st *Store, s sample) error { _, err := st.Get(ctx, s.noted.ID); return err }},
			func(st *Store, s sample) error { return st.SetColor(ctx, s.noted.ID, "green") }},
		{"highlight offset", `UPDATE highlights SET start_offset = start_offset + 1 WHERE id = ?`, true, "highlight %h",
			[]func(*Store, sample) error{forArticle},
			func(st *Store, s sample) error { return st.Delete(ctx, s.noted.ID) }},
		{"highlight status", `UPDATE highlights SET status = 'orphan' WHERE id = ?`, true, "highlight %h",
			[]func(*Store, sample) error{forArticle, func(st *Store, _ sample) error { _, err := st.Orphans(ctx); return err }},
			func(st *Store, s sample) error { return st.SetNote(ctx, HighlightRef(s.noted.ID), "x") }},
		{"highlight sum", `UPDATE highlights SET sum = NULL WHERE id = ?`, true, "highlight %h",
			[]func(*Store, sample) error{forArticle}, nil},
		{"highlight tag", `UPDATE highlight_tags SET tag = 'figures' WHERE highlight_id = ?`, true, `tag "figures" of highlight %h`,
			[]func(*Store, sample) error{forArticle},
			func(st *Store, s sample) error { return st.AddTags(ctx, HighlightRef(s.plain.ID), "x") }},
		{"claim verdict", `UPDATE claims SET verdict = 'Sourced.' WHERE highlight_id = ?`, true, "claim of highlight %h",
			[]func(*Store, sample) error{forArticle},
			func(st *Store, s sample) error { return st.SetNote(ctx, HighlightRef(s.plain.ID), "x") }},
		{"article tag", `UPDATE article_tags SET tag = 'butterflies' WHERE article_id = ?`, false, `tag "butterflies" of article %a`,
			[]func(*Store, sample) error{meta, list},
			func(st *Store, s sample) error { return st.SetFavourite(ctx, s.article, false) }},
		{"article note", `UPDATE article_meta SET note = 'Never again.' WHERE article_id = ?`, false, "note, flags and reading progress of article %a",
			[]func(*Store, sample) error{meta, list},
			func(st *Store, s sample) error { return st.SetArchived(ctx, s.article, true) }},
		{"favourite flag", `UPDATE article_meta SET favourite = 0 WHERE article_id = ?`, false, "note, flags and reading progress of article %a",
			[]func(*Store, sample) error{meta, list},
			func(st *Store, s sample) error { return st.SetArticleNote(ctx, s.article, "x") }},
		{"reading progress", `UPDATE article_meta SET progress = 0.75 WHERE article_id = ?`, false, "note, flags and reading progress of article %a",
			[]func(*Store, sample) error{meta, list}, nil},
		{"palette meaning", `UPDATE palette SET meaning = 'not the point' WHERE color = 'yellow' AND ? > 0`, false, "palette colour yellow",
			[]func(*Store, sample) error{func(st *Store, _ sample) error { _, err := st.Palette(ctx); return err }},
			func(st *Store, _ sample) error { return st.SetMeaning(ctx, "yellow", "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, s := annotatedSample(t)
			arg := any(s.article)
			if tt.byID {
				arg = s.noted.ID
			}
			err := f.lib.Write(ctx, func(tx *sql.Tx) error {
				res, err := tx.Exec(tt.damage, arg)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return fmt.Errorf("%d rows changed, want 1", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := strings.NewReplacer("%h", s.noted.ID, "%a", fmt.Sprint(s.article)).Replace(tt.problem) + ": its stored values are damaged"
			problems, err := f.store.Check(ctx)
			if err != nil || !reflect.DeepEqual(problems, []string{want}) {
				t.Errorf("Check = %q, %v; want %q", problems, err, want)
			}
			for i, read := range tt.reads {
				err := read(f.store, s)
				var de *DamagedError
				if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) {
					t.Errorf("read %d: error %v, want a *DamagedError matching ErrDamaged", i, err)
				}
			}
			if tt.write != nil {
				if err := tt.write(f.store, s); !errors.Is(err, ErrDamaged) {
					t.Errorf("write: error %v, want one matching ErrDamaged", err)
				}
				if problems, err := f.store.Check(ctx); err != nil || !slices.Contains(problems, want) {
					t.Errorf("after the write, Check = %q, %v; want it to still report %q", problems, err, want)
				}
			}
			// Opening the library again: the file is small enough to be checked in full.
			lib, err := archive.Open(f.path)
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			_, err = NewStore(lib)
			var ce *archive.CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, archive.ErrCorrupt) || !strings.Contains(ce.Detail, want) {
				t.Errorf("NewStore error %v, want a *archive.CorruptError saying %q", err, want)
			}
		})
	}
}

// TestCheckFindsStaleIndex: Check reports an article whose annotations the search index
// holds differently from the tables.
func TestCheckFindsStaleIndex(t *testing.T) {
	f, s := annotatedSample(t)
	ctx := context.Background()
	err := f.lib.Write(ctx, func(tx *sql.Tx) error { return f.lib.SetAnnotationIndex(tx, s.article, "something else") })
	if err != nil {
		t.Fatal(err)
	}
	problems, err := f.store.Check(ctx)
	want := []string{fmt.Sprintf("article %d: the search index's copy of its annotations differs from them", s.article)}
	if err != nil || !reflect.DeepEqual(problems, want) {
		t.Errorf("Check = %q, %v; want %q", problems, err, want)
	}
}

// TestSchemaDamageIsDetected changes the text of one of annotate's schema entries, as a
// damaged byte could while leaving it valid SQL (a trigger that now counts a tag twice),
// and checks that NewStore refuses the library and names the entry.
func TestSchemaDamageIsDetected(t *testing.T) {
	f, _ := annotatedSample(t)
	if err := f.lib.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, q := range []string{
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = replace(sql, 'articles + 1', 'articles + 2') WHERE name = 'tag_counts_article_tag_insert'`,
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	lib, err := archive.Open(f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	_, err = NewStore(lib)
	var ce *archive.CorruptError
	want := "the schema entry for trigger tag_counts_article_tag_insert is damaged"
	if !errors.As(err, &ce) || !errors.Is(err, archive.ErrCorrupt) || !strings.Contains(ce.Detail, want) {
		t.Errorf("NewStore error %v, want a *archive.CorruptError saying %q", err, want)
	}
}
