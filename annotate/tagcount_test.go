package annotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"gloss/archive"
)

// countedTags is what Tags must return, counted the slow way from every tag row: the
// query Tags ran before the counts were kept (migration 0002_tag_counts).
func countedTags(t testing.TB, lib *archive.Library) []TagCount {
	t.Helper()
	out, err := readTagCounts(context.Background(), lib, `
			SELECT tag, count(DISTINCT article_id), sum(highlight) FROM (
				SELECT tag, article_id, 0 AS highlight FROM article_tags
				UNION ALL
				SELECT t.tag, h.article_id, 1 FROM highlight_tags t JOIN highlights h ON h.id = t.highlight_id
				WHERE h.deleted_at IS NULL
			) GROUP BY tag ORDER BY tag`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTagCounts fails the test when Tags and the slow count disagree.
func checkTagCounts(t testing.TB, f *fixture, after string) {
	t.Helper()
	got, err := f.store.Tags(context.Background())
	if err != nil {
		t.Fatalf("after %s: Tags: %v", after, err)
	}
	if want := countedTags(t, f.lib); !reflect.DeepEqual(got, want) {
		t.Fatalf("after %s: Tags = %+v\nwant %+v", after, got, want)
	}
}

// exec runs SQL behind the store's back, as another writer of the tables might.
func (f *fixture) exec(query string, args ...any) func() error {
	return func() error {
		return f.lib.Write(context.Background(), func(tx *sql.Tx) error {
			if _, err := tx.Exec(query, args...); err != nil {
				return err
			}
			// Rows changed behind the store's back get their checksums again, as the
			// store's own writes do.
			return resealAll(context.Background(), tx)
		})
	}
}

// TestTagCountsFollowEveryChange walks a library through every way a tag is added or
// lost, and checks after each step that the kept counts equal the counts of the rows.
func TestTagCountsFollowEveryChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a1, _ := f.capture(t, mothsURL, mothsV1)
	a2, _ := f.capture(t, "https://example.org/moths-2", mothsV2)
	h := map[string]Highlight{}
	newHighlight := func(name string, article int64, quote string, tags ...string) func() error {
		return func() error {
			hl, err := f.store.Highlight(ctx, article, NewHighlight{Quote: quote, Tags: tags})
			h[name] = hl
			return err
		}
	}
	id := func(name string) string { return h[name].ID }

	// The store's own changes first; then changes behind its back (SQL another writer
	// might run), after which nothing reads the rows through the store: they carry no
	// row sums, which the store would report as damage.
	steps := []struct {
		name string
		do   func() error
	}{
		{"tag an article", func() error { return f.store.AddTags(ctx, ArticleRef(a1), "Climate", "oceans") }},
		{"tag it again", func() error { return f.store.AddTags(ctx, ArticleRef(a1), "climate") }},
		{"highlight with a tag the article has", newHighlight("h1", a1, "nine to one", "climate")},
		{"highlight with new tags", newHighlight("h2", a2, "light traps", "climate", "birds")},
		{"second highlight, same tag", newHighlight("h3", a2, "three valleys", "birds")},
		{"tag a highlight", func() error { return f.store.AddTags(ctx, HighlightRef(id("h3")), "oceans", "moths") }},
		{"untag the article, a highlight still carries the tag", func() error {
			return f.store.RemoveTags(ctx, ArticleRef(a1), "climate")
		}},
		{"untag that highlight", func() error { return f.store.RemoveTags(ctx, HighlightRef(id("h1")), "climate") }},
		{"untag a tag the highlight lacks", func() error { return f.store.RemoveTags(ctx, HighlightRef(id("h1")), "birds") }},
		{"delete a highlight", func() error { return f.store.Delete(ctx, id("h2")) }},
		{"delete two in one go", func() error { return f.store.Delete(ctx, id("h3"), id("h1")) }},
		{"undo", func() error { _, err := f.store.Undo(ctx); return err }},
		{"undo the first deletion", func() error { _, err := f.store.Undo(ctx); return err }},
		{"delete again", func() error { return f.store.Delete(ctx, id("h2"), id("h3")) }},
		{"purge the trash", func() error {
			f.clock.set(f.clock.now().Add(TrashRetention + time.Hour))
			_, err := f.store.PurgeTrash(ctx)
			return err
		}},
		{"article and highlight carry one tag", func() error {
			if err := f.store.AddTags(ctx, ArticleRef(a2), "birds", "europe"); err != nil {
				return err
			}
			return newHighlight("h4", a2, "summer night", "birds", "night")()
		}},
		{"highlights carrying the article's tags", func() error {
			if err := newHighlight("h5", a2, "light traps", "birds", "europe")(); err != nil {
				return err
			}
			return newHighlight("h6", a2, "three valleys", "night")()
		}},
		{"a tagged highlight in the trash", func() error {
			if err := newHighlight("h7", a1, "street lamps", "lamps")(); err != nil {
				return err
			}
			return f.store.Delete(ctx, id("h7"))
		}},

		{"tag a highlight in the trash, behind the store's back", func() error {
			return f.exec(`INSERT INTO highlight_tags (highlight_id, tag) VALUES (?, 'trashed')`, id("h7"))()
		}},
		{"untag it", func() error {
			return f.exec(`DELETE FROM highlight_tags WHERE highlight_id = ? AND tag = 'trashed'`, id("h7"))()
		}},
		{"a highlight carrying the article's tag, deleted outright", func() error {
			return f.exec(`DELETE FROM highlights WHERE id = ?`, id("h4"))()
		}},
		{"rename an article tag", f.exec(`UPDATE article_tags SET tag = 'eu' WHERE tag = 'europe'`)},
		{"rename a highlight tag", f.exec(`UPDATE highlight_tags SET tag = 'birding' WHERE tag = 'birds'`)},
		{"rename a tag to itself", f.exec(`UPDATE highlight_tags SET tag = tag`)},
		{"move a tag to another highlight of the article", func() error {
			return f.exec(`UPDATE highlight_tags SET highlight_id = ? WHERE highlight_id = ? AND tag = 'night'`, id("h5"), id("h6"))()
		}},
		{"move an article tag to another article", f.exec(`UPDATE article_tags SET article_id = ? WHERE tag = 'oceans'`, a2)},
		{"tag an article with a tag a highlight elsewhere carries", f.exec(`INSERT INTO article_tags (article_id, tag) VALUES (?, 'night')`, a1)},
		{"move that highlight to the article", func() error {
			return f.exec(`UPDATE highlights SET article_id = ? WHERE id = ?`, a1, id("h5"))()
		}},
		{"delete an article with tags and tagged highlights", func() error { return f.lib.Delete(ctx, a1) }},
		{"delete the other one", func() error { return f.lib.Delete(ctx, a2) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkTagCounts(t, f, s.name)
	}
	if got := f.count(t, `SELECT count(*) FROM tag_counts`); got != 0 {
		t.Errorf("tag_counts keeps %d rows for an empty library", got)
	}
}

// TestTagCountsRandom runs a long random mix of tag, highlight, trash and article
// changes and compares the kept counts with the rows after each.
func TestTagCountsRandom(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	tags := []string{"a", "b", "c", "d"}
	someTags := func() []string {
		var out []string
		for _, tag := range tags {
			if rng.IntN(3) == 0 {
				out = append(out, tag)
			}
		}
		return out
	}
	var articles []int64
	var live []string
	newArticle := func() error {
		aid, _ := f.capture(t, fmt.Sprintf("https://example.org/%d", rng.Int()), mothsV1)
		articles = append(articles, aid)
		return nil
	}
	ops := []struct {
		name string
		do   func() error
	}{
		{"new article", newArticle},
		{"tag article", func() error {
			return f.store.AddTags(ctx, ArticleRef(articles[rng.IntN(len(articles))]), append(someTags(), "a")...)
		}},
		{"untag article", func() error {
			return f.store.RemoveTags(ctx, ArticleRef(articles[rng.IntN(len(articles))]), append(someTags(), "b")...)
		}},
		{"highlight", func() error {
			start := rng.IntN(len(mothsV1) - 40)
			for mothsV1[start]&0xC0 == 0x80 {
				start++ // not inside a character
			}
			end := start + 5
			for mothsV1[end]&0xC0 == 0x80 {
				end++
			}
			h, err := f.store.Highlight(ctx, articles[rng.IntN(len(articles))],
				NewHighlight{Start: start, End: end, Tags: someTags()})
			live = append(live, h.ID)
			return err
		}},
		{"tag highlight", func() error {
			if len(live) == 0 {
				return nil
			}
			return f.store.AddTags(ctx, HighlightRef(live[rng.IntN(len(live))]), append(someTags(), "c")...)
		}},
		{"untag highlight", func() error {
			if len(live) == 0 {
				return nil
			}
			return f.store.RemoveTags(ctx, HighlightRef(live[rng.IntN(len(live))]), append(someTags(), "c")...)
		}},
		{"delete highlight", func() error {
			if len(live) == 0 {
				return nil
			}
			i := rng.IntN(len(live))
			id := live[i]
			live = append(live[:i], live[i+1:]...)
			return f.store.Delete(ctx, id)
		}},
		{"undo", func() error {
			hs, err := f.store.Undo(ctx)
			for _, h := range hs {
				live = append(live, h.ID)
			}
			if errors.Is(err, ErrNothingToUndo) {
				return nil
			}
			return err
		}},
		{"purge", func() error {
			f.clock.set(f.clock.now().Add(TrashRetention + time.Hour))
			_, err := f.store.PurgeTrash(ctx)
			return err
		}},
		{"delete article", func() error {
			if len(articles) < 3 {
				return nil
			}
			i := rng.IntN(len(articles))
			aid := articles[i]
			articles = append(articles[:i], articles[i+1:]...)
			hs, err := f.store.ForArticle(ctx, aid)
			if err != nil {
				return err
			}
			for _, h := range hs {
				for j, id := range live {
					if id == h.ID {
						live = append(live[:j], live[j+1:]...)
						break
					}
				}
			}
			return f.lib.Delete(ctx, aid)
		}},
	}
	for range 3 {
		if err := newArticle(); err != nil {
			t.Fatal(err)
		}
	}
	// Weights: tagging and highlighting are the common changes.
	weights := []int{1, 4, 2, 4, 3, 2, 2, 1, 1, 1}
	var pick []int
	for i, w := range weights {
		for range w {
			pick = append(pick, i)
		}
	}
	for i := range 300 {
		op := ops[pick[rng.IntN(len(pick))]]
		if err := op.do(); err != nil {
			t.Fatalf("step %d, %s: %v", i, op.name, err)
		}
		checkTagCounts(t, f, fmt.Sprintf("step %d, %s", i, op.name))
	}
}

// TestTagCountsMigration checks that migration 0002 counts the tags of a library
// annotated before it.
func TestTagCountsMigration(t *testing.T) {
	path := t.TempDir() + "/library.db"
	lib, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := lib.Close(); err != nil {
			t.Error(err)
		}
	}()
	first, err := fs.ReadFile(migrations(), "0001_annotations.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Migrate(migrationOwner, fstest.MapFS{"0001_annotations.sql": {Data: first}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		aid, _, err := lib.AddCapture(ctx, fmt.Sprintf("https://example.org/%d", i), archive.Capture{
			Title: "Moths", Text: mothsV1, FetchedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aid)
	}
	// Rows as a Gloss without the counts wrote them: tags on articles and on
	// highlights, one highlight in the trash.
	err = lib.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO article_tags (article_id, tag) VALUES (?, 'climate'), (?, 'climate'), (?, 'oceans')`, []any{ids[0], ids[1], ids[1]}},
			{`INSERT INTO highlights (id, article_id, start_offset, end_offset, exact, color, status, created_at, updated_at, deleted_at, deletion)
				VALUES ('h1', ?, 0, 5, 'Moths', 'yellow', 'anchored', 'x', 'x', NULL, NULL),
				       ('h2', ?, 0, 5, 'Moths', 'yellow', 'anchored', 'x', 'x', NULL, NULL),
				       ('h3', ?, 0, 5, 'Moths', 'yellow', 'anchored', 'x', 'x', 'x', 1)`, []any{ids[0], ids[2], ids[2]}},
			{`INSERT INTO highlight_tags (highlight_id, tag) VALUES ('h1', 'climate'), ('h2', 'climate'), ('h2', 'birds'), ('h3', 'trashed')`, nil},
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
	store, err := NewStore(lib)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Tags(ctx)
	want := []TagCount{
		{Tag: "birds", Articles: 1, Highlights: 1},
		{Tag: "climate", Articles: 3, Highlights: 2},
		{Tag: "oceans", Articles: 1, Highlights: 0},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Tags after the migration = %+v, %v; want %+v", got, err, want)
	}
}
