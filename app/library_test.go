package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
	"gloss/archive"
)

// page makes a small article page with a title and a paragraph.
func page(title, body string) []byte {
	return []byte(fmt.Sprintf(`<html><head><title>%s</title></head><body><article><h1>%s</h1>
<p>%s</p><p>A second paragraph, so that there is an article to extract and some words to count.</p></article></body></html>`, title, title, body))
}

// listIDs returns the ids of the rows the list shows, loading pages as the list would.
func (h *harness) listIDs() []int64 {
	h.t.Helper()
	v := h.g.Library
	var ids []int64
	for i := 0; i < v.length(); i++ {
		if v.query != "" {
			ids = append(ids, v.results[i].ArticleID)
			continue
		}
		var r annotate.ArticleRow
		h.waitFor(fmt.Sprintf("row %d", i), func() bool {
			var ok bool
			r, ok = v.row(i)
			return ok
		})
		ids = append(ids, r.ID)
	}
	return ids
}

// reloaded waits for the list to show the library after a change of filter or sort.
func (h *harness) reloaded(change func()) {
	h.t.Helper()
	done := false
	h.g.Library.loaded = func() { done = true }
	change()
	h.waitFor("the list", func() bool { return done })
	h.g.Library.loaded = nil
}

func TestFilterList(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	moths := h.importPage("moths.html", page("Moths at night", "Moths outnumber butterflies ten to one."), "https://example.org/moths")
	bees := h.importPage("bees.html", page("Bees in winter", "Bees cluster to keep warm through the cold months."), "https://example.org/bees")
	ants := h.importPage("ants.html", page("Ants underground", "Ants farm fungus in chambers below the soil."), "https://example.org/ants")
	old := h.importPage("old.html", page("An archived piece", "Something read long ago and put away."), "https://example.org/old")
	if err := h.store.AddTags(ctx, annotate.ArticleRef(moths), "insects", "night"); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetFavourite(ctx, bees, true); err != nil {
		t.Fatal(err)
	}
	hl, err := h.store.Highlight(ctx, ants, annotate.NewHighlight{Quote: "Ants farm fungus"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.SetClaim(ctx, hl.ID, annotate.Claim{Status: annotate.ClaimDisputed}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetArchived(ctx, old, true); err != nil {
		t.Fatal(err)
	}
	v := h.g.Library
	h.reloaded(v.reload)

	tests := []struct {
		name   string
		change func()
		want   []int64
	}{
		{"newest first, archived hidden", func() {}, []int64{ants, bees, moths}},
		{"oldest first", func() { v.Sort.SetSelected(sortOldest) }, []int64{moths, bees, ants}},
		{"title", func() { v.Sort.SetSelected(sortTitle) }, []int64{ants, bees, moths}},
		{"tag", func() { v.TagFilter.SetSelected("insects") }, []int64{moths}},
		{"all tags again", func() { v.TagFilter.SetSelected(anyTag) }, []int64{ants, bees, moths}},
		{"favourites", func() { v.Favourites.SetChecked(true) }, []int64{bees}},
		{"not only favourites", func() { v.Favourites.SetChecked(false) }, []int64{ants, bees, moths}},
		{"highlighted", func() { v.Highlighted.SetChecked(true) }, []int64{ants}},
		{"disputed claims", func() {
			v.Highlighted.SetChecked(false)
			v.ClaimFilter.SetSelected(claimStatusLabel(annotate.ClaimDisputed))
		}, []int64{ants}},
		{"false claims", func() { v.ClaimFilter.SetSelected(claimStatusLabel(annotate.ClaimFalse)) }, nil},
		{"archived", func() {
			v.ClaimFilter.SetSelected(anyClaim)
			v.Archived.SetChecked(true)
		}, []int64{old}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.reloaded(func() { tt.change(); v.reload() })
			got := h.listIDs()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("list = %v, want %v", got, tt.want)
			}
			if want := plural(len(tt.want), "article", "articles"); v.Count.Text != want {
				t.Errorf("count = %q, want %q", v.Count.Text, want)
			}
		})
	}
	// The sort is a preference, kept in the library.
	saved := false
	h.g.onPrefsSaved = func() { saved = true }
	h.g.savePrefs()
	h.waitFor("the preferences", func() bool { return saved })
	if p, err := LoadPrefs(ctx, h.lib); err != nil || p.Sort != archive.SortTitle {
		t.Errorf("stored sort = %q, %v, want title", p.Sort, err)
	}
}

func TestSearchLibrary(t *testing.T) {
	h := newHarness(t)
	moths := h.importPage("moths.html", page("Moths at night", "Moths outnumber butterflies ten to one in most gardens."), "https://example.org/moths")
	h.importPage("bees.html", page("Bees in winter", "Bees cluster to keep warm through the cold months."), "https://example.org/bees")
	v := h.g.Library
	h.reloaded(v.reload)

	tests := []struct {
		query       string
		want        []int64
		wantSnippet string // a matched word, in bold in the snippet
	}{
		{"butterflies", []int64{moths}, "butterflies"},
		{"nothing-matches-this", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var searched string
			v.searched = func(q string) { searched = q }
			v.Search.SetText("")
			test.Type(v.Search, tt.query)
			h.waitFor("the search", func() bool { return searched == tt.query })
			if got := h.listIDs(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("results = %v, want %v", got, tt.want)
			}
			if tt.wantSnippet == "" {
				return
			}
			if bold := shownSnippet(v, 0); !strings.EqualFold(bold, tt.wantSnippet) {
				t.Errorf("row 0 sets apart %q in its snippet, want %q", bold, tt.wantSnippet)
			}
		})
	}

	// Choosing a result opens it; clearing the box shows the whole list again.
	v.Search.SetText("")
	test.Type(v.Search, "moths")
	var searched string
	v.searched = func(q string) { searched = q }
	h.waitFor("the search", func() bool { return searched == "moths" })
	v.List.Select(0)
	h.waitFor("the article", func() bool { return h.g.Reader.Article() == moths })
	v.Search.SetText("")
	if got := v.length(); got != 2 {
		t.Errorf("list length after clearing the search = %d, want 2", got)
	}
}

// shownSnippet draws search result i as the list would and returns the words its snippet
// sets apart in bold, "" if it shows none.
func shownSnippet(v *LibraryView, i int) string {
	o := newArticleRow()
	v.updateRow(i, o)
	var bold []string
	for _, s := range o.(*articleRow).snippet.Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
			bold = append(bold, ts.Text)
		}
	}
	return strings.Join(bold, " ")
}

// TestSearchSnippetsFollowScrolling checks that a search reads the snippets of its first
// page of results only, and the snippets of another page when its rows are drawn.
func TestSearchSnippetsFollowScrolling(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const n = 2*snippetPage + 5
	for i := range n {
		text := fmt.Sprintf("Article %d: birds of the meadow, counted at dawn.", i)
		if _, _, err := h.lib.AddCapture(ctx, fmt.Sprintf("https://example.org/%d", i), archive.Capture{Title: fmt.Sprintf("Meadow %d", i), Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	v := h.g.Library
	h.reloaded(v.reload)
	searched := false
	v.searched = func(string) { searched = true }
	test.Type(v.Search, "meadow")
	h.waitFor("the search", func() bool { return searched })

	if got := len(v.results); got != n {
		t.Fatalf("%d results, want %d", got, n)
	}
	if got := len(v.snippets); got != snippetPage {
		t.Errorf("snippets read with the results: %d, want the first page's %d", got, snippetPage)
	}
	for _, i := range []int{0, snippetPage - 1} {
		if got := shownSnippet(v, i); got != "meadow" {
			t.Errorf("row %d sets apart %q, want meadow", i, got)
		}
	}

	// A row further down has no snippet yet; drawing it reads its page's.
	loaded := false
	v.snippetsLoaded = func() { loaded = true }
	row := snippetPage + 3
	if got := shownSnippet(v, row); got != "" {
		t.Errorf("row %d sets apart %q before its snippets were read", row, got)
	}
	h.waitFor("the snippets", func() bool { return loaded })
	if got := shownSnippet(v, row); got != "meadow" {
		t.Errorf("row %d sets apart %q, want meadow", row, got)
	}
	if got := len(v.snippets); got != 2*snippetPage {
		t.Errorf("snippets read: %d, want two pages' %d", got, 2*snippetPage)
	}
}

func TestSearchWithFilters(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	moths := h.importPage("moths.html", page("Moths at night", "Moths visit the meadow garden after dark."), "https://example.org/moths")
	bees := h.importPage("bees.html", page("Bees in winter", "Bees leave the meadow garden in the cold months."), "https://example.org/bees")
	ants := h.importPage("ants.html", page("Ants underground", "Ants farm fungus below the meadow garden."), "https://example.org/ants")
	h.importPage("owls.html", page("Owls", "Owls hunt over fields, far from any garden wall."), "https://example.org/owls")
	if err := h.store.AddTags(ctx, annotate.ArticleRef(moths), "insects"); err != nil {
		t.Fatal(err)
	}
	hl, err := h.store.Highlight(ctx, ants, annotate.NewHighlight{Quote: "Ants farm fungus"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddTags(ctx, annotate.HighlightRef(hl.ID), "insects"); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetFavourite(ctx, bees, true); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetArchived(ctx, ants, true); err != nil {
		t.Fatal(err)
	}
	v := h.g.Library
	h.reloaded(v.reload)
	var searched int
	v.searched = func(string) { searched++ }
	test.Type(v.Search, "meadow")
	h.waitFor("the search", func() bool { return searched > 0 })

	tests := []struct {
		name   string
		change func()
		want   []int64
	}{
		// Search looks through archived articles too while the list hides them.
		{"no filter", func() {}, []int64{moths, bees, ants}},
		{"tag, on the article or a highlight", func() { v.TagFilter.SetSelected("insects") }, []int64{moths, ants}},
		{"tag and archived", func() { v.Archived.SetChecked(true) }, []int64{ants}},
		{"favourites", func() {
			v.Archived.SetChecked(false)
			v.TagFilter.SetSelected(anyTag)
			v.Favourites.SetChecked(true)
		}, []int64{bees}},
		{"highlighted", func() {
			v.Favourites.SetChecked(false)
			v.Highlighted.SetChecked(true)
		}, []int64{ants}},
		{"no filter again", func() { v.Highlighted.SetChecked(false) }, []int64{moths, bees, ants}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each box changed searches again; only the latest search's results are shown.
			n := searched
			tt.change()
			v.reload()
			h.waitFor("the search again", func() bool { return searched > n })
			got := map[int64]bool{}
			for _, r := range v.results {
				got[r.ArticleID] = true
			}
			if len(got) != len(tt.want) {
				t.Errorf("results = %v, want %v", h.listIDs(), tt.want)
			}
			for _, id := range tt.want {
				if !got[id] {
					t.Errorf("results = %v, want %v", h.listIDs(), tt.want)
					break
				}
			}
			if want := plural(len(tt.want), "result", "results"); v.Count.Text != want {
				t.Errorf("count = %q, want %q", v.Count.Text, want)
			}
		})
	}
}

// benchLibrary returns a library of n articles, "Article I" with text(i), its store, and
// the articles' ids in that order.
func benchLibrary(b *testing.B, n int, text func(i int) string) (*archive.Library, *annotate.Store, []int64) {
	lib, err := archive.Open(b.TempDir() + "/library.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	store, err := annotate.NewStore(lib)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ids []int64
	for i := range n {
		t := text(i)
		c := archive.Capture{Title: fmt.Sprintf("Article %d", i), Text: t, CleanedHTML: "<p>" + t + "</p>"}
		id, _, err := lib.AddCapture(ctx, fmt.Sprintf("https://example.org/%d", i), c)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	return lib, store, ids
}

// BenchmarkListLargeLibrary reads the first page and counts a library of 10,000 articles,
// which is what opening the app costs at that size.
func BenchmarkListLargeLibrary(b *testing.B) {
	_, store, _ := benchLibrary(b, 10000, func(int) string { return "Some words." })
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := store.CountArticles(ctx, annotate.ListFilter{}); err != nil {
			b.Fatal(err)
		}
		if _, err := store.ListArticles(ctx, annotate.ListFilter{}, archive.ListOptions{Limit: pageSize}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchWithFilter searches a library of 10,000 articles with the Archived box
// ticked, half of them archived: what a search within a large filter costs, the filter's
// articles read afresh each time.
func BenchmarkSearchWithFilter(b *testing.B) {
	lib, store, ids := benchLibrary(b, 10000, func(i int) string {
		return fmt.Sprintf("Article %d about the meadow and its birds.", i)
	})
	ctx := context.Background()
	for i, id := range ids {
		if i%2 == 0 {
			if err := store.SetArchived(ctx, id, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	yes := true
	f := annotate.ListFilter{Archived: &yes}
	b.ResetTimer()
	for b.Loop() {
		passing, err := passingFilter(ctx, store, f)
		if err != nil {
			b.Fatal(err)
		}
		res, err := searchWithin(ctx, lib, "meadow", passing, true)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != searchLimit {
			b.Fatalf("%d results, want %d", len(res), searchLimit)
		}
	}
}
