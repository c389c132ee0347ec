package annotate

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/archive"
)

// The article the tests annotate, and how it changes. v2 inserts a paragraph after the
// first, rewords "a recent study" and drops the third paragraph.
const (
	mothsV1 = "Moths of the Night\n\n" +
		"Moths outnumber butterflies by about nine to one, and most of them fly at night, guided by the moon and the stars.\n\n" +
		"Researchers have long wondered why moths circle street lamps; a recent study suggests they tilt their backs toward the brightest light.\n\n" +
		"That reflex keeps them level under an open sky but traps them in orbit around a lamp, until they tire or dawn comes.\n\n" +
		"Café owners in Zürich report that the moths — «les papillons de nuit» — gather at their lamps every summer night."
	mothsV2 = "Moths of the Night\n\n" +
		"Moths outnumber butterflies by about nine to one, and most of them fly at night, guided by the moon and the stars.\n\n" +
		"A note on method: the counts come from light traps set across three valleys during the summer.\n\n" +
		"Researchers have long wondered why moths circle street lamps; a new study suggests they tilt their backs toward the brightest light.\n\n" +
		"Café owners in Zürich report that the moths — «les papillons de nuit» — gather at their lamps every summer night."
	mothsURL = "https://example.org/moths"
)

// clock is a test clock that advances one second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	lib   *archive.Library
	store *Store
	clock *clock
	path  string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "library.db")
	lib, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Error(err)
		}
	})
	c := newClock()
	st, err := NewStore(lib, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{lib: lib, store: st, clock: c, path: path}
}

// capture adds a capture of the article at key, fetched at a time that tells captures
// apart, and returns the article and capture ids.
func (f *fixture) capture(t testing.TB, key, text string) (int64, int64) {
	t.Helper()
	aid, cid, err := f.lib.AddCapture(context.Background(), key, archive.Capture{
		Title: strings.SplitN(text, "\n", 2)[0], Text: text, FetchedAt: f.clock.now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aid, cid
}

func (f *fixture) highlight(t testing.TB, articleID int64, nh NewHighlight) Highlight {
	t.Helper()
	h, err := f.store.Highlight(context.Background(), articleID, nh)
	if err != nil {
		t.Fatalf("Highlight(%+v): %v", nh, err)
	}
	return h
}

// count returns the rows of a table, read behind the store's back.
func (f *fixture) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	err := f.lib.Read(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(query, args...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func searchIDs(t *testing.T, lib *archive.Library, q string) []int64 {
	t.Helper()
	res, err := lib.Search(context.Background(), q, 0)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	var ids []int64
	for _, r := range res {
		ids = append(ids, r.ArticleID)
	}
	return ids
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{"12", ArticleRef(12), false},
		{" 7 ", ArticleRef(7), false},
		{"6F9619FF-8B86-D011-B42D-00C04FC964FF", HighlightRef("6f9619ff-8b86-d011-b42d-00c04fc964ff"), false},
		{"urn:uuid:6f9619ff-8b86-d011-b42d-00c04fc964ff", HighlightRef("6f9619ff-8b86-d011-b42d-00c04fc964ff"), false},
		{"0", Ref{}, true},
		{"-3", Ref{}, true},
		{"abc", Ref{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRef(%q) error %v does not match ErrInvalid", tt.in, err)
		}
	}
}

func TestNormalizeTag(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"Climate", "climate", false},
		{"  #Fact  Check ", "fact check", false},
		{"Ünïcode", "ünïcode", false},
		{"   ", "", true},
		{"#", "", true},
		{strings.Repeat("x", 101), "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeTag(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormalizeTag(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewStoreIsIdempotent(t *testing.T) {
	f := newFixture(t)
	// A second store on the same library migrates nothing and works alongside.
	st2, err := NewStore(f.lib)
	if err != nil {
		t.Fatal(err)
	}
	aid, _ := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "nine to one"})
	got, err := st2.Get(context.Background(), h.ID)
	if err != nil || !reflect.DeepEqual(got, h) {
		t.Errorf("second store Get = %+v, %v; want %+v", got, err, h)
	}
	files, err := fs.Glob(migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM schema_migrations WHERE owner = 'annotate'`); n != len(files) {
		t.Errorf("annotate migrations recorded = %d, want %d", n, len(files))
	}
}

// TestCatchUp: a capture added by a Gloss without an annotation store (no hook) is caught
// up on by the next NewStore.
func TestCatchUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, c1 := f.capture(t, mothsURL, mothsV1)
	h := f.highlight(t, aid, NewHighlight{Quote: "tilt their backs toward the brightest light"})

	other, err := archive.Open(f.path)
	if err != nil {
		t.Fatal(err)
	}
	_, c2, err := other.AddCapture(ctx, mothsURL, archive.Capture{Text: mothsV2})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Get(ctx, h.ID)
	if err != nil || got.CaptureID != c1 {
		t.Fatalf("before catch-up: capture %d (%v), want %d", got.CaptureID, err, c1)
	}

	if _, err := NewStore(f.lib, WithClock(f.clock.now)); err != nil {
		t.Fatal(err)
	}
	got, err = f.store.Get(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CaptureID != c2 || got.Status != StatusMoved || mothsV2[got.Start:got.End] != h.Exact {
		t.Errorf("after catch-up: capture %d, status %s, text %q; want capture %d, moved, %q",
			got.CaptureID, got.Status, mothsV2[got.Start:got.End], c2, h.Exact)
	}
}

func TestArticleDeleteCascades(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	aid, _ := f.capture(t, mothsURL, mothsV1)
	keep, _ := f.capture(t, "https://example.org/other", "Other\n\nAnother article about beetles.")
	h := f.highlight(t, aid, NewHighlight{Quote: "nine to one", Tags: []string{"numbers"}, Claim: &Claim{Claimant: "Ada"}})
	gone := f.highlight(t, aid, NewHighlight{Quote: "street lamps"})
	kept := f.highlight(t, keep, NewHighlight{Quote: "beetles", Tags: []string{"numbers"}})
	if err := f.store.Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddTags(ctx, ArticleRef(aid), "insects"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetFavourite(ctx, aid, true); err != nil {
		t.Fatal(err)
	}

	if err := f.lib.Delete(ctx, aid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Get(ctx, h.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after article delete: %v, want ErrNotFound", err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM highlights WHERE article_id = ?`,
		`SELECT count(*) FROM article_tags WHERE article_id = ?`,
		`SELECT count(*) FROM article_meta WHERE article_id = ?`,
	} {
		if n := f.count(t, q, aid); n != 0 {
			t.Errorf("%s = %d, want 0", q, n)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM claims`); n != 0 {
		t.Errorf("claims left: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM highlight_tags`); n != 1 {
		t.Errorf("highlight tags left: %d, want 1 (the other article's)", n)
	}
	if _, err := f.store.Get(ctx, kept.ID); err != nil {
		t.Errorf("the other article's highlight: %v", err)
	}
	tags, err := f.store.Tags(ctx)
	if want := []TagCount{{Tag: "numbers", Articles: 1, Highlights: 1}}; err != nil || !reflect.DeepEqual(tags, want) {
		t.Errorf("Tags = %+v, %v; want %+v", tags, err, want)
	}
}
