package archive

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"climate", `"climate"`},
		{"climate change", `"climate" AND "change"`},
		{`"climate change"`, `"climate change"`},
		{`"climate change`, `"climate change"`}, // unclosed phrase
		{"clim*", `"clim"*`},
		{`"new yor"*`, `"new yor"*`},
		{"c++", `"c++"`},
		{"it's", `"it's"`},
		{`say"hi"`, `"say" AND "hi"`},
		{"-", ``},
		{"- -- ***", ``},
		{"", ``},
		{"cats AND dogs", `"cats" AND "dogs"`},
		{"cats OR dogs", `("cats" OR "dogs")`},
		{"pets cats OR dogs OR fish", `"pets" AND ("cats" OR "dogs" OR "fish")`},
		{"a OR b c", `("a" OR "b") AND "c"`},
		{"OR cats OR", `"cats"`},
		{"or and not", `"or" AND "and" AND "not"`},
		{"cats NOT dogs", `("cats") NOT "dogs"`},
		{`cats NOT "hot dogs"`, `("cats") NOT "hot dogs"`},
		{"NOT", ``},
		{"cats -dogs", `("cats") NOT "dogs"`},
		{`cats -"hot dogs" -fish*`, `("cats") NOT "hot dogs" NOT "fish"*`},
		{"-dogs", ``}, // nothing to subtract from
		{"NEAR(a b)", `"NEAR(a" AND "b)"`},
		{"title:foo ^bar {x}", `"title:foo" AND "^bar" AND "{x}"`},
		{"e-mail", `"e-mail"`},
		{"café", `"café"`},
		{"0\x00", `"0"`},
		{"a\tb\nc\x00d", `"a" AND "b" AND "c" AND "d"`},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

type testDoc struct {
	key, title, byline, text string
}

func addDocs(t testing.TB, l *Library, docs []testDoc) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, d := range docs {
		c := Capture{Title: d.title, Byline: d.byline, Text: d.text, SiteName: "Site " + d.key}
		id, _, err := l.AddCapture(context.Background(), "text:"+d.key, c)
		if err != nil {
			t.Fatal(err)
		}
		ids[d.key] = id
	}
	return ids
}

func searchKeys(t *testing.T, l *Library, ids map[string]int64, q string) []string {
	t.Helper()
	res, err := l.Search(context.Background(), q, 20)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	byID := map[int64]string{}
	for k, id := range ids {
		byID[id] = k
	}
	var keys []string
	for i, r := range res {
		keys = append(keys, byID[r.ArticleID])
		if i > 0 && r.Rank > res[i-1].Rank {
			t.Errorf("Search(%q): rank %v after %v, want descending", q, r.Rank, res[i-1].Rank)
		}
	}
	return keys
}

const filler = "The committee met on Tuesday to discuss the budget for next year and several other matters of local interest. "

func TestSearchRanking(t *testing.T) {
	l := openTest(t)
	ids := addDocs(t, l, []testDoc{
		{"body", "Council notes", "", filler + "The glacier was mentioned once. " + filler},
		{"title", "Glacier retreat", "", filler + filler + "Nothing else here."},
		{"once", "Report A", "", filler + "The moraine appeared. " + filler},
		{"five", "Report B", "", "moraine moraine moraine moraine moraine " + filler + filler},
	})
	tests := []struct {
		query string
		want  []string
	}{
		{"glacier", []string{"title", "body"}},
		{"moraine", []string{"five", "once"}},
	}
	for _, tt := range tests {
		if got := searchKeys(t, l, ids, tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestSearchSyntax(t *testing.T) {
	l := openTest(t)
	ids := addDocs(t, l, []testDoc{
		{"cpp", "Modern C++ in practice", "", "Templates and the C++ standard library; it's big."},
		{"phrase", "Birds", "", "The quick brown fox jumps over the lazy dog."},
		{"shuffled", "Birds again", "", "A brown dog is quick to jump."},
		{"climate", "Weather", "Zoë Müller", "Climatology and the climate of the café district."},
		{"dogs", "Pets", "", "Dogs and cats living together."},
	})
	tests := []struct {
		query string
		want  []string // in any order
	}{
		{`"quick brown"`, []string{"phrase"}},
		{"quick brown", []string{"phrase", "shuffled"}},
		{"clim*", []string{"climate"}},
		{"climate", []string{"climate"}},
		{"cafe", []string{"climate"}},       // diacritics folded
		{"zoe muller", []string{"climate"}}, // byline searched
		{"c++", []string{"cpp"}},
		{"it's", []string{"cpp"}},
		{"fox OR cats", []string{"phrase", "dogs"}},
		{"fox OR cats together", []string{"dogs"}},
		{"lazy fox OR cats", []string{"phrase"}},
		{"dog -fox", []string{"shuffled"}},
		{"dogs AND cats", []string{"dogs"}},
		{"brown -", []string{"phrase", "shuffled"}},
		// Punctuation and operators typed by the user are never errors.
		{"-", nil},
		{"AND", nil},
		{"OR", nil},
		{"NOT", nil},
		{`"`, nil},
		{`""`, nil},
		{"*", nil},
		{"(", nil},
		{")", nil},
		{":", nil},
		{"^", nil},
		{"'", nil},
		{"NEAR(quick brown)", nil},
		{"title:birds", nil},
		{"{title}: birds", nil},
		{"a OR", []string{"shuffled"}},
		{"dog NOT fox", []string{"shuffled"}},
		{"+", nil},
		{"\x00", nil},
		{"fox\x00", []string{"phrase"}},
	}
	for _, tt := range tests {
		got := searchKeys(t, l, ids, tt.query)
		slices.Sort(got)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, want)
		}
	}
}

func TestSearchSnippet(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	ids := addDocs(t, l, []testDoc{
		{"a", "Rivers", "", filler + "The delta floods every spring. " + filler},
		{"b", "Deltas", "", "Another delta, another river."},
		{"c", "Hills", "", "No water here."},
	})
	res, err := l.Search(ctx, "delta", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("Search() = %+v, want two results", res)
	}
	var r SearchResult
	for _, x := range res {
		if x.ArticleID == ids["a"] {
			r = x
		}
	}
	if r.Title != "Rivers" || r.Site != "Site a" || r.Rank <= 0 {
		t.Errorf("result = %+v, want article %d, title Rivers, site %q, positive rank", r, ids["a"], "Site a")
	}

	// Snippets of some of the results, of an article that does not match and of
	// one that does not exist: only the matching ones have one.
	got, err := l.Snippets(ctx, "delta", []int64{ids["a"], ids["c"], 9999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("Snippets = %v, want article a only", got)
	}
	if want := SnippetOpen + "delta" + SnippetClose + " floods"; !strings.Contains(got[ids["a"]], want) {
		t.Errorf("snippet %q does not contain %q", got[ids["a"]], want)
	}
	if strings.Contains(got[ids["a"]], filler) {
		t.Errorf("snippet %q is the whole text, not the words around the match", got[ids["a"]])
	}
	// More ids than one query takes: the matching ones at both ends are found.
	many := []int64{ids["b"]}
	for id := int64(10000); len(many) < 2*snippetBatch; id++ {
		many = append(many, id)
	}
	many = append(many, ids["a"])
	if got, err := l.Snippets(ctx, "delta", many); err != nil || len(got) != 2 || got[ids["a"]] == "" || got[ids["b"]] == "" {
		t.Errorf("Snippets of %d ids = %v, %v; want articles a and b", len(many), got, err)
	}
	for _, q := range []string{"", "-", "delta"} {
		got, err := l.Snippets(ctx, q, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Snippets(%q, no ids) = %v, %v; want none", q, got, err)
		}
	}
	if got, err := l.Snippets(ctx, "***", []int64{ids["a"]}); err != nil || len(got) != 0 {
		t.Errorf("Snippets of a query that matches nothing = %v, %v; want none", got, err)
	}
}

// TestSnippetQueryPlan checks that Snippets evaluates the full-text query once, with
// the range of the rowids asked for, rather than once for each rowid.
func TestSnippetQueryPlan(t *testing.T) {
	l := openTest(t)
	var plan []string
	err := l.Read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`EXPLAIN QUERY PLAN `+snippetQuery(3), "«", "»", "«", "»", `"clim"*`, 1, 9, 1, 5, 9)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// FTS5's plan names its constraints: M the query, > and < a rowid range, = a
	// rowid looked up (once for each value of an IN).
	if len(plan) != 1 || !strings.Contains(plan[0], "M") || !strings.Contains(plan[0], "><") || strings.Contains(plan[0], "=") {
		t.Errorf("plan %q, want one scan of the query within a rowid range", plan)
	}
}

func TestSearchAnnotations(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	ids := addDocs(t, l, []testDoc{{"a", "Plain", "", "Nothing special in the body."}})
	err := l.Write(ctx, func(tx *sql.Tx) error {
		return l.SetAnnotationIndex(tx, ids["a"], "Check this claim against the ministry figures")
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Search(ctx, "ministry", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ArticleID != ids["a"] {
		t.Fatalf("Search(ministry) = %+v, want article a", res)
	}
	snippets, err := l.Snippets(ctx, "ministry", []int64{ids["a"]})
	if err != nil || !strings.Contains(snippets[ids["a"]], SnippetOpen+"ministry"+SnippetClose) {
		t.Fatalf("Snippets(ministry) = %v, %v; want the annotation's words around the match", snippets, err)
	}
	// A new capture replaces the text but keeps the annotations indexed.
	if _, _, err := l.AddCapture(ctx, "text:a", Capture{Title: "Plain v2", Text: "Rewritten body."}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ministry", "rewritten"} {
		if res, err := l.Search(ctx, q, 5); err != nil || len(res) != 1 || res[0].Title != "Plain v2" {
			t.Errorf("Search(%q) after new capture = %+v, %v; want article a titled Plain v2", q, res, err)
		}
	}
	if res, err := l.Search(ctx, "special", 5); err != nil || len(res) != 0 {
		t.Errorf("Search(special) after new capture = %+v, %v; want nothing (old capture not indexed)", res, err)
	}
}

// words is a small vocabulary for generated articles.
var words = strings.Fields(`the of and to in is was for on that with as by at from his her
they which be this have are or had not but were one all their has there been would when who will
more no if out so said what up its about into than them can only other new some could time these
two may then do first any my now such like our over man me even most made after also did many
before must through back years where much your way well down should because each just those people
climate river glacier election parliament budget vaccine protein orbit harbour railway ministry
archive journal witness statement evidence inquiry report council minister treaty border tariff`)

func generateText(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

func BenchmarkSearch(b *testing.B) {
	l := openTest(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	const articles = 3000
	err := l.Write(ctx, func(tx *sql.Tx) error {
		for i := range articles {
			c := Capture{Title: generateText(r, 6), Byline: generateText(r, 2), SiteName: "site", Text: generateText(r, 1200)}
			if _, _, err := l.addCapture(ctx, tx, fmt.Sprintf("text:%d", i), c, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// As the library view searches: 200 results, the snippets of the first 20.
	for _, q := range []string{"glacier", "the", `"climate river"`, "elect*", "treaty -border"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				res, err := l.Search(ctx, q, 200)
				if err != nil {
					b.Fatal(err)
				}
				var ids []int64
				for _, r := range res[:min(20, len(res))] {
					ids = append(ids, r.ArticleID)
				}
				if _, err := l.Snippets(ctx, q, ids); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSetAnnotationIndexRepairs: if the search entry is missing (a damaged
// index), indexing annotations recreates it from the current capture.
func TestSetAnnotationIndexRepairs(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	ids := addDocs(t, l, []testDoc{{"a", "Lost", "", "An orphaned body."}})
	raw := rawDB(t, l.Path(), "")
	if _, err := raw.Exec(`DELETE FROM article_fts WHERE rowid = ?`, ids["a"]); err != nil {
		t.Fatal(err)
	}
	err := l.Write(ctx, func(tx *sql.Tx) error { return l.SetAnnotationIndex(tx, ids["a"], "a note") })
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"orphaned", "note"} {
		if res, err := l.Search(ctx, q, 5); err != nil || len(res) != 1 || res[0].ArticleID != ids["a"] {
			t.Errorf("Search(%q) = %+v, %v; want article a", q, res, err)
		}
	}
	if problems, err := l.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("Check() = %q, %v; want none", problems, err)
	}
}

// FuzzSearch states the property that whatever a user types, Search does
// not fail.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{`"c++"`, "it's", "-", "AND", `a OR -"b c"* NOT`, "NEAR(a b, 2)", `"""`, "\x00", "col:x^y", "\xff\xfe", "0\x00", "0 OR 0 0"} {
		f.Add(seed)
	}
	l := openTest(f)
	addDocs(f, l, []testDoc{{"a", "C++ and it's friends", "Zoë", "A body with some words: c, plus, plus."}})
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := l.Search(context.Background(), q, 5); err != nil {
			t.Errorf("Search(%q) via %s: %v", q, ftsQuery(q), err)
		}
	})
}
