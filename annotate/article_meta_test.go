package annotate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gloss/archive"
)

func TestArticleMeta(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	m, err := f.store.ArticleMeta(ctx, aid)
	if err != nil || !reflect.DeepEqual(m, ArticleMeta{ArticleID: aid}) {
		t.Errorf("ArticleMeta of an unannotated article = %+v, %v", m, err)
	}
	steps := []func() error{
		func() error { return f.store.SetArticleNote(ctx, aid, "Worth a *second* read.") },
		func() error { return f.store.SetFavourite(ctx, aid, true) },
		func() error { return f.store.SetArchived(ctx, aid, true) },
		func() error { return f.store.SetArchived(ctx, aid, false) },
		func() error { return f.store.SetProgress(ctx, aid, Progress{Fraction: 0.4, Offset: 120}) },
		func() error { return f.store.AddTags(ctx, ArticleRef(aid), "Insects", "night") },
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	m, err = f.store.ArticleMeta(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	want := ArticleMeta{ArticleID: aid, Tags: []string{"insects", "night"}, Note: "Worth a *second* read.",
		Favourite: true, Progress: Progress{Fraction: 0.4, Offset: 120}, Updated: m.Updated}
	if !reflect.DeepEqual(m, want) || m.Updated.IsZero() {
		t.Errorf("ArticleMeta = %+v, want %+v", m, want)
	}

	bad := []struct {
		name string
		err  error
		want error
	}{
		{"progress above 1", f.store.SetProgress(ctx, aid, Progress{Fraction: 1.5}), ErrInvalid},
		{"negative offset", f.store.SetProgress(ctx, aid, Progress{Fraction: 0.5, Offset: -1}), ErrInvalid},
		{"missing article note", f.store.SetArticleNote(ctx, 999, "x"), ErrNotFound},
		{"missing article favourite", f.store.SetFavourite(ctx, 999, true), ErrNotFound},
		{"missing article meta", func() error { _, err := f.store.ArticleMeta(ctx, 999); return err }(), ErrNotFound},
	}
	for _, b := range bad {
		if !errors.Is(b.err, b.want) {
			t.Errorf("%s: %v, want %v", b.name, b.err, b.want)
		}
	}
}

// listFixture is a library of four articles:
//
//	a1: tagged "climate", favourite, read halfway, one highlight whose claim is false
//	a2: archived, one highlight tagged "climate"
//	a3: nothing
//	a4: a highlight tagged "climate" with a disputed claim, in the trash
func listFixture(t *testing.T) (*fixture, [4]int64) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	var ids [4]int64
	for i := range ids {
		ids[i], _ = f.capture(t, fmt.Sprintf("https://example.org/%d", i+1),
			fmt.Sprintf("Article %c\n\nThe sea level rose by %d centimetres in a century.", 'A'+i, 10+i))
	}
	a1, a2, _, a4 := ids[0], ids[1], ids[2], ids[3]
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.store.AddTags(ctx, ArticleRef(a1), "Climate"))
	must(f.store.SetFavourite(ctx, a1, true))
	must(f.store.SetProgress(ctx, a1, Progress{Fraction: 0.5, Offset: 20}))
	f.highlight(t, a1, NewHighlight{Quote: "sea level", Claim: &Claim{Status: ClaimFalse}})
	must(f.store.SetArchived(ctx, a2, true))
	f.highlight(t, a2, NewHighlight{Quote: "sea level", Tags: []string{"climate"}})
	h4 := f.highlight(t, a4, NewHighlight{Quote: "sea level", Tags: []string{"climate"}, Claim: &Claim{Status: ClaimDisputed}})
	must(f.store.Delete(ctx, h4.ID))
	return f, ids
}

func TestListArticles(t *testing.T) {
	f, ids := listFixture(t)
	a1, a2, a3, a4 := ids[0], ids[1], ids[2], ids[3]
	ctx := context.Background()
	yes, no := true, false
	tests := []struct {
		name   string
		filter ListFilter
		opt    archive.ListOptions
		want   []int64
	}{
		{"all, newest first", ListFilter{}, archive.ListOptions{Desc: true}, []int64{a4, a3, a2, a1}},
		{"all by title", ListFilter{}, archive.ListOptions{Sort: archive.SortTitle}, []int64{a1, a2, a3, a4}},
		{"a page", ListFilter{}, archive.ListOptions{Limit: 2, Offset: 1}, []int64{a2, a3}},
		{"tag, article or highlight", ListFilter{Tag: "#Climate"}, archive.ListOptions{}, []int64{a1, a2}},
		{"claim status", ListFilter{ClaimStatus: ClaimFalse}, archive.ListOptions{}, []int64{a1}},
		{"claim in the trash", ListFilter{ClaimStatus: ClaimDisputed}, archive.ListOptions{}, nil},
		{"favourite", ListFilter{Favourite: &yes}, archive.ListOptions{}, []int64{a1}},
		{"not favourite", ListFilter{Favourite: &no}, archive.ListOptions{}, []int64{a2, a3, a4}},
		{"archived", ListFilter{Archived: &yes}, archive.ListOptions{}, []int64{a2}},
		{"with highlights", ListFilter{HasHighlights: &yes}, archive.ListOptions{}, []int64{a1, a2}},
		{"without highlights", ListFilter{HasHighlights: &no}, archive.ListOptions{}, []int64{a3, a4}},
		{"tag and not archived", ListFilter{Tag: "climate", Archived: &no}, archive.ListOptions{}, []int64{a1}},
		{"unknown tag", ListFilter{Tag: "weather"}, archive.ListOptions{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := f.store.ListArticles(ctx, tt.filter, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListArticles = %v, want %v", got, tt.want)
			}
			if tt.opt.Limit == 0 {
				n, err := f.store.CountArticles(ctx, tt.filter)
				if err != nil || n != len(tt.want) {
					t.Errorf("CountArticles = %d, %v; want %d", n, err, len(tt.want))
				}
			}
		})
	}

	rows, err := f.store.ListArticles(ctx, ListFilter{Favourite: &yes}, archive.ListOptions{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ListArticles = %+v, %v", rows, err)
	}
	r := rows[0]
	if r.Title != "Article A" || r.URL != "https://example.org/1" || r.Captures != 1 || r.WordCount != 0 && r.WordCount < 0 ||
		!reflect.DeepEqual(r.Tags, []string{"climate"}) || r.Highlights != 1 || !r.Favourite || r.Archived ||
		r.Progress != (Progress{Fraction: 0.5, Offset: 20}) {
		t.Errorf("row = %+v", r)
	}

	for _, bad := range []ListFilter{{Tag: " "}, {ClaimStatus: "wrong"}} {
		if _, err := f.store.ListArticles(ctx, bad, archive.ListOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("ListArticles(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := f.store.ListArticles(ctx, ListFilter{}, archive.ListOptions{Sort: "colour"}); err == nil {
		t.Errorf("unknown sort order accepted")
	}
}

func TestTags(t *testing.T) {
	f, ids := listFixture(t)
	ctx := context.Background()
	if err := f.store.AddTags(ctx, ArticleRef(ids[2]), "oceans"); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Tags(ctx)
	want := []TagCount{{Tag: "climate", Articles: 2, Highlights: 1}, {Tag: "oceans", Articles: 1, Highlights: 0}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Tags = %+v, %v; want %+v", got, err, want)
	}
}

// TestListUsesIndexes checks the query plans: the unfiltered list walks a sort index
// without sorting, and filters look up their indexes instead of scanning tables.
func TestListUsesIndexes(t *testing.T) {
	f, _ := listFixture(t)
	yes := true
	tests := []struct {
		name   string
		filter ListFilter
		opt    archive.ListOptions
		want   []string
		forbid []string
	}{
		{"newest first", ListFilter{}, archive.ListOptions{Desc: true}, []string{"articles_added_at"}, []string{"TEMP B-TREE"}},
		{"by title", ListFilter{}, archive.ListOptions{Sort: archive.SortTitle}, []string{"articles_sort_title"}, []string{"TEMP B-TREE"}},
		{"tag", ListFilter{Tag: "climate"}, archive.ListOptions{}, []string{"article_tags_tag", "highlight_tags_tag"}, []string{"SCAN t", "SCAN article_tags"}},
		{"claim", ListFilter{ClaimStatus: ClaimFalse}, archive.ListOptions{}, []string{"claims_status"}, []string{"SCAN c "}},
		{"favourite", ListFilter{Favourite: &yes}, archive.ListOptions{}, []string{"article_meta_favourite"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order, err := listOrder(tt.opt.Sort, tt.opt.Desc)
			if err != nil {
				t.Fatal(err)
			}
			where, args, err := tt.filter.where()
			if err != nil {
				t.Fatal(err)
			}
			plan := queryPlan(t, f.lib, listArticlesQuery(where, order), append(args, 50, 0)...)
			for _, w := range tt.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan does not use %s:\n%s", w, plan)
				}
			}
			for _, bad := range tt.forbid {
				if strings.Contains(plan, bad) {
					t.Errorf("plan has %q:\n%s", bad, plan)
				}
			}
		})
	}
}

func queryPlan(t *testing.T, lib *archive.Library, query string, args ...any) string {
	t.Helper()
	var b strings.Builder
	err := lib.Read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			b.WriteString(detail + "\n")
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func BenchmarkListArticles(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	for i := range 300 {
		aid, _ := f.capture(b, fmt.Sprintf("https://example.org/%d", i), fmt.Sprintf("Article %d\n\nSome text about topic %d.", i, i%10))
		if i%3 == 0 {
			if err := f.store.AddTags(ctx, ArticleRef(aid), fmt.Sprintf("topic%d", i%10)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		if _, err := f.store.ListArticles(ctx, ListFilter{Tag: "topic3"}, archive.ListOptions{Limit: 50, Desc: true}); err != nil {
			b.Fatal(err)
		}
	}
}
