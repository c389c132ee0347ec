package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"HTTPS://Example.COM/Path/To?q=1#frag", "https://example.com/Path/To?q=1"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com.", "https://example.com/"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"https://example.com/a?utm_source=tw&id=7&utm_medium=social&fbclid=abc&gclid=x", "https://example.com/a?id=7"},
		{"https://example.com/a?UTM_Campaign=x&b=2&a=1", "https://example.com/a?b=2&a=1"},
		{"https://example.com/a?utm_source=x", "https://example.com/a"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/search?q=a%20b&lang=fr", "https://example.com/search?q=a%20b&lang=fr"},
		{"https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"},
		{"https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"},
		{"file:/home/me/doc.html", "file:/home/me/doc.html"},
		{"text:0123abcd", "text:0123abcd"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSortTitle(t *testing.T) {
	tests := []struct {
		title, key, want string
	}{
		{"Hello World", "x", "hello world"},
		{"«Über alles»", "x", "uber alles»"},
		{`"Quoted" title`, "x", `quoted" title`},
		{"Éclair", "x", "eclair"},
		{"", "https://www.example.com/a", "example.com/a"},
		{"   ", "text:abc", "text:abc"},
	}
	for _, tt := range tests {
		if got := sortTitle(tt.title, tt.key); got != tt.want {
			t.Errorf("sortTitle(%q, %q) = %q, want %q", tt.title, tt.key, got, tt.want)
		}
	}
}

// listFixture saves articles in this order (so saved order is a, b, c, d, e).
var listFixture = []struct {
	key       string
	title     string
	published *time.Time
}{
	{"a", "banana", date(2020, 1, 1)},
	{"b", "Apple", nil},
	{"c", "cherry", date(2023, 5, 5)},
	{"d", "Ápricot", date(2019, 7, 7)},
	{"e", "date", nil},
}

func TestList(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	id := map[string]int64{}
	for _, f := range listFixture {
		c := sampleCapture(f.title, "text of "+f.key)
		c.Published = f.published
		aid, _, err := l.AddCapture(ctx, "https://example.com/"+f.key, c)
		if err != nil {
			t.Fatal(err)
		}
		id[f.key] = aid
	}
	// A second capture of b: its count grows, its saved time stays.
	again := sampleCapture("Apple", "new")
	again.Published = nil
	if _, _, err := l.AddCapture(ctx, "https://example.com/b", again); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		opt  ListOptions
		want string
	}{
		{ListOptions{}, "abcde"},
		{ListOptions{Sort: SortSaved, Desc: true}, "edcba"},
		{ListOptions{Sort: SortTitle}, "bdace"},
		{ListOptions{Sort: SortTitle, Desc: true}, "ecadb"},
		{ListOptions{Sort: SortPublished}, "dacbe"},             // undated last
		{ListOptions{Sort: SortPublished, Desc: true}, "cadeb"}, // undated last, newest id first
		{ListOptions{Sort: SortSaved, Limit: 2}, "ab"},
		{ListOptions{Sort: SortSaved, Limit: 2, Offset: 2}, "cd"},
		{ListOptions{Sort: SortSaved, Limit: 2, Offset: 4}, "e"},
		{ListOptions{Sort: SortSaved, Limit: 2, Offset: 6}, ""},
		{ListOptions{Sort: SortTitle, Limit: 3, Offset: 1}, "dac"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.opt), func(t *testing.T) {
			list, err := l.List(ctx, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, s := range list {
				got.WriteString(strings.TrimPrefix(s.URL, "https://example.com/"))
			}
			if got.String() != tt.want {
				t.Errorf("order = %q, want %q", got.String(), tt.want)
			}
		})
	}

	list, err := l.List(ctx, ListOptions{Sort: SortSaved, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := ArticleSummary{
		ID: id["b"], URL: "https://example.com/b", Title: "Apple", Site: "Example News", Byline: "Ada Lovelace",
		AddedAt: list[1].AddedAt, Published: nil, WordCount: 3, Captures: 2,
	}
	if !reflect.DeepEqual(list[1], want) {
		t.Errorf("summary of b =\n%+v\nwant\n%+v", list[1], want)
	}
	if !list[1].AddedAt.After(list[0].AddedAt) {
		t.Errorf("AddedAt of b %v not after a %v", list[1].AddedAt, list[0].AddedAt)
	}

	if n, err := l.Count(ctx); err != nil || n != len(listFixture) {
		t.Errorf("Count() = %d, %v; want %d", n, err, len(listFixture))
	}
	if _, err := l.List(ctx, ListOptions{Sort: "size"}); err == nil {
		t.Error("List with an unknown sort succeeded")
	}
}

// TestListUsesIndexes checks every list order is read from an index rather
// than by sorting the whole table, which would be slow at 100,000 articles.
func TestListUsesIndexes(t *testing.T) {
	l := openTest(t)
	for _, by := range []SortBy{SortSaved, SortTitle, SortPublished} {
		for _, desc := range []bool{false, true} {
			order, err := listOrder(by, desc)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := l.r.Query(`EXPLAIN QUERY PLAN `+listQuery(order), 50, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			joined := strings.Join(plan, "; ")
			if strings.Contains(joined, "TEMP B-TREE") || !strings.Contains(joined, "SCAN a USING INDEX articles_") {
				t.Errorf("sort %s desc=%v: plan %q, want an index scan of articles without a temp b-tree", by, desc, joined)
			}
		}
	}
}

func TestDeleteCascades(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	gone, _, err := l.AddCapture(ctx, "https://example.com/gone", sampleCapture("Gone", "zebra crossing"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AddCapture(ctx, "https://example.com/gone", sampleCapture("Gone again", "zebra again")); err != nil {
		t.Fatal(err)
	}
	kept, _, err := l.AddCapture(ctx, "https://example.com/kept", sampleCapture("Kept", "zebra stays"))
	if err != nil {
		t.Fatal(err)
	}
	// A table of another package that follows articles, as annotate's do.
	if _, err := l.w.Exec(`CREATE TABLE notes (article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE)`); err != nil {
		t.Fatal(err)
	}
	err = l.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO notes VALUES (?), (?)`, gone, kept); err != nil {
			return err
		}
		return l.SetAnnotationIndex(tx, gone, "my note")
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := l.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Article(ctx, gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Article(deleted) error = %v, want ErrNotFound", err)
	}
	counts := []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM captures WHERE article_id = ?`, 0},
		{`SELECT count(*) FROM article_fts WHERE rowid = ?`, 0},
		{`SELECT count(*) FROM notes WHERE article_id = ?`, 0},
		{`SELECT count(*) FROM captures WHERE article_id != ?`, 1},
		{`SELECT count(*) FROM notes WHERE article_id != ?`, 1},
	}
	for _, c := range counts {
		var n int
		if err := l.r.QueryRow(c.query, gone).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("%s = %d, want %d", c.query, n, c.want)
		}
	}
	res, err := l.Search(ctx, "zebra", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ArticleID != kept {
		t.Errorf("Search after delete = %+v, want only article %d", res, kept)
	}
	if err := l.Delete(ctx, gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete error = %v, want ErrNotFound", err)
	}
	if problems, err := l.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("Check() after delete = %q, %v; want none", problems, err)
	}
}

func TestArticleSize(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	c := Capture{Text: "café", CleanedHTML: "<p>café</p>", RawHTML: []byte(strings.Repeat("<p>café</p>", 1000))}
	id, _, err := l.AddCapture(ctx, "text:size", c)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := compress(c.RawHTML)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.ArticleSize(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Size{Text: 5, RawHTML: int64(len(gz)), CleanedHTML: 12}
	if got != want {
		t.Errorf("ArticleSize() = %+v, want %+v", got, want)
	}
	if _, _, err := l.AddCapture(ctx, "text:size", c); err != nil {
		t.Fatal(err)
	}
	got, err = l.ArticleSize(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want = Size{Text: 10, RawHTML: 2 * int64(len(gz)), CleanedHTML: 24}
	if got != want {
		t.Errorf("ArticleSize() after a second capture = %+v, want %+v", got, want)
	}
}

// BenchmarkList pages through a library of 100,000 articles in each order,
// deep into the list, as scrolling to the end would.
func BenchmarkList(b *testing.B) {
	l := openTest(b)
	ctx := context.Background()
	const articles = 100_000
	err := l.Write(ctx, func(tx *sql.Tx) error {
		for i := range articles {
			c := Capture{Title: fmt.Sprintf("Title %d", (i*7919)%articles), Text: "short"}
			if i%3 != 0 {
				c.Published = date(2000+i%25, time.Month(1+i%12), 1+i%28)
			}
			if _, _, err := l.addCapture(ctx, tx, fmt.Sprintf("text:%d", i), c, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, by := range []SortBy{SortSaved, SortTitle, SortPublished} {
		for _, desc := range []bool{false, true} {
			for _, offset := range []int{0, 90_000} {
				b.Run(fmt.Sprintf("%s/desc=%v/offset=%d", by, desc, offset), func(b *testing.B) {
					for b.Loop() {
						list, err := l.List(ctx, ListOptions{Sort: by, Desc: desc, Limit: 50, Offset: offset})
						if err != nil || len(list) != 50 {
							b.Fatalf("List() = %d rows, %v", len(list), err)
						}
					}
				})
			}
		}
	}
	b.Run("count", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.Count(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
