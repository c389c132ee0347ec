package archive

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// sampleCapture returns a capture with every field set.
func sampleCapture(title, text string) Capture {
	return Capture{
		RequestedURL: "https://example.com/a?utm_source=x",
		FinalURL:     "https://www.example.com/a",
		FetchedAt:    time.Date(2025, 2, 3, 4, 5, 6, 789, time.FixedZone("CET", 3600)),
		HTTPStatus:   200,
		ContentType:  "text/html; charset=windows-1252",
		// Not valid UTF-8: the bytes must come back exactly as given.
		RawHTML:     []byte("<html><head><title>" + title + "</title></head><body>\x93quoted\x94 \xe9t\xe9 " + text + "</body></html>"),
		RawCharset:  "windows-1252",
		CleanedHTML: "<article><p>" + text + "</p></article>",
		Text:        text,
		Title:       title,
		Byline:      "Ada Lovelace",
		SiteName:    "Example News",
		Published:   date(2024, 12, 31),
		Lang:        "en",
		Excerpt:     "An excerpt.",
		LeadImage:   "https://example.com/lead.jpg",
		WordCount:   len(text),
	}
}

// TestAddCaptureTwice saves an article twice: the second capture becomes
// current and the first stays exactly as it was.
func TestAddCaptureTwice(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	key := NormalizeURL("https://Example.com/a?utm_source=x#top")

	first := sampleCapture("First title", "first text")
	a1, c1, err := l.AddCapture(ctx, key, first)
	if err != nil {
		t.Fatal(err)
	}
	stored1, err := l.Capture(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	// Every field round-trips; times come back in UTC.
	want1 := first
	want1.ID, want1.ArticleID = c1, a1
	want1.FetchedAt = first.FetchedAt.UTC()
	want1.CreatedAt = stored1.CreatedAt
	if !reflect.DeepEqual(stored1, want1) {
		t.Errorf("stored capture =\n%+v\nwant\n%+v", stored1, want1)
	}

	second := sampleCapture("Second title", "second text, changed")
	second.RawHTML = []byte("<html>completely different</html>")
	second.Published = nil
	a2, c2, err := l.AddCapture(ctx, key, second)
	if err != nil {
		t.Fatal(err)
	}
	if a2 != a1 {
		t.Errorf("second save made article %d, want the same article %d", a2, a1)
	}
	if c2 == c1 {
		t.Errorf("second save reused capture %d", c1)
	}

	again1, err := l.Capture(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again1, stored1) {
		t.Errorf("first capture changed after a new save:\n%+v\nwas\n%+v", again1, stored1)
	}
	if !bytes.Equal(again1.RawHTML, first.RawHTML) {
		t.Errorf("first raw HTML = %q, want %q", again1.RawHTML, first.RawHTML)
	}

	a, err := l.Article(ctx, a1)
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != key || a.Captures != 2 || a.Current.ID != c2 || a.Current.Title != "Second title" ||
		a.Current.Published != nil || !bytes.Equal(a.Current.RawHTML, second.RawHTML) {
		t.Errorf("Article() = URL %q, %d captures, current %d %q published %v; want %q, 2, %d %q <nil>",
			a.URL, a.Captures, a.Current.ID, a.Current.Title, a.Current.Published, key, c2, "Second title")
	}
	if !a.UpdatedAt.After(a.AddedAt) {
		t.Errorf("UpdatedAt %v not after AddedAt %v", a.UpdatedAt, a.AddedAt)
	}
	byURL, err := l.ArticleByURL(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(byURL, a) {
		t.Errorf("ArticleByURL() differs from Article()")
	}

	list, err := l.Captures(ctx, a1)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range list {
		ids = append(ids, c.ID)
		if c.RawHTML != nil || c.Text != "" || c.CleanedHTML != "" {
			t.Errorf("Captures() returned bodies for capture %d", c.ID)
		}
	}
	if want := []int64{c2, c1}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Captures() ids = %v, want %v (newest first)", ids, want)
	}
	if list[1].Title != "First title" || !list[1].FetchedAt.Equal(first.FetchedAt) {
		t.Errorf("Captures()[1] = %q at %v, want %q at %v", list[1].Title, list[1].FetchedAt, "First title", first.FetchedAt)
	}
}

func TestAddCaptureDefaults(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	if _, _, err := l.AddCapture(ctx, "  ", Capture{Text: "x"}); err == nil {
		t.Error("AddCapture with an empty key succeeded")
	}
	// A pasted text: no HTML, no fetch time.
	_, id, err := l.AddCapture(ctx, "text:abc", Capture{Text: "pasted"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Capture(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.RawHTML != nil || c.FetchedAt.IsZero() || c.Published != nil {
		t.Errorf("capture = raw %q, fetched %v, published %v; want nil, a time, nil", c.RawHTML, c.FetchedAt, c.Published)
	}
}

func TestNotFound(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Article", func() error { _, err := l.Article(ctx, 42); return err }},
		{"ArticleByURL", func() error { _, err := l.ArticleByURL(ctx, "https://nowhere/"); return err }},
		{"Capture", func() error { _, err := l.Capture(ctx, 42); return err }},
		{"Captures", func() error { _, err := l.Captures(ctx, 42); return err }},
		{"Delete", func() error { return l.Delete(ctx, 42) }},
		{"ArticleSize", func() error { _, err := l.ArticleSize(ctx, 42); return err }},
		{"SetAnnotationIndex", func() error {
			return l.Write(ctx, func(tx *sql.Tx) error { return l.SetAnnotationIndex(tx, 42, "note") })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestWriteRollback: when anything in a write fails, nothing of it stays.
func TestWriteRollback(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := l.Write(ctx, func(tx *sql.Tx) error {
		raw, err := compress([]byte("<p>half</p>"))
		if err != nil {
			return err
		}
		if _, _, err := l.addCapture(ctx, tx, "https://example.com/half", sampleCapture("Half", "half written"), raw); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write() = %v, want %v", err, boom)
	}
	for _, table := range []string{"articles", "captures", "article_fts"} {
		var n int
		if err := l.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a rolled-back write, want 0", table, n)
		}
	}
}

func TestCompressRoundTrip(t *testing.T) {
	for _, in := range [][]byte{nil, {0}, []byte("\xff\xfe<html>"), bytes.Repeat([]byte("abc"), 100000)} {
		gz, err := compress(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := decompress(gz)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("round trip of %d bytes gave %d different bytes", len(in), len(out))
		}
	}
}

// BenchmarkAddCapture measures one save of a typical article, each a
// durable (synchronous=FULL) commit.
func BenchmarkAddCapture(b *testing.B) {
	l := openTest(b)
	ctx := context.Background()
	c := sampleCapture("A typical article", strings.Repeat("Some sentence of an article body. ", 300))
	c.RawHTML = bytes.Repeat([]byte("<p>Some sentence of an article body.</p>\n"), 2000)
	i := 0
	for b.Loop() {
		i++
		if _, _, err := l.AddCapture(ctx, fmt.Sprintf("text:%d", i), c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAddCaptureRunsHooks(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	var seen []string
	refuse := errors.New("refused by hook")
	l.OnCapture(func(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error {
		// The hook sees the new capture as current, inside the transaction.
		var current int64
		if err := tx.QueryRowContext(ctx, `SELECT current_capture_id FROM articles WHERE id = ?`, articleID).Scan(&current); err != nil {
			return err
		}
		if current != captureID {
			t.Errorf("hook: current capture %d, want %d", current, captureID)
		}
		seen = append(seen, text)
		if text == "refuse" {
			return refuse
		}
		return nil
	})
	if _, _, err := l.AddCapture(ctx, "text:1", Capture{Text: "accept"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AddCapture(ctx, "text:2", Capture{Text: "refuse"}); !errors.Is(err, refuse) {
		t.Errorf("AddCapture with a failing hook: err = %v, want %v", err, refuse)
	}
	if want := []string{"accept", "refuse"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("hook saw %q, want %q", seen, want)
	}
	if _, err := l.ArticleByURL(ctx, "text:2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("article refused by hook: err = %v, want ErrNotFound", err)
	}
}
