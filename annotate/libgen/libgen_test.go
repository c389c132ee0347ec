package libgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/doc"
)

// generate makes a small library in a temporary folder and opens it.
func generate(t *testing.T, opt Options) (*archive.Library, *annotate.Store, Stats) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "library.db")
	st, err := Generate(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Error(err)
		}
	})
	store, err := annotate.NewStore(lib)
	if err != nil {
		t.Fatal(err)
	}
	return lib, store, st
}

// content is everything a generated library holds that a seed decides, article by
// article.
type content struct {
	Key, Title, Byline, Site, Text, HTML string
	Raw                                  []byte
	Tags                                 []string
	Note                                 string
	Favourite, Archived                  bool
	Highlights                           []string
}

func readContent(t *testing.T, lib *archive.Library, store *annotate.Store) []content {
	t.Helper()
	ctx := context.Background()
	list, err := lib.List(ctx, archive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []content
	for _, s := range list {
		a, err := lib.Article(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := store.ArticleMeta(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := store.ForArticle(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := a.Current
		ct := content{Key: a.URL, Title: c.Title, Byline: c.Byline, Site: c.SiteName, Text: c.Text, HTML: c.CleanedHTML,
			Raw: c.RawHTML, Tags: m.Tags, Note: m.Note, Favourite: m.Favourite, Archived: m.Archived}
		for _, h := range hs {
			ct.Highlights = append(ct.Highlights, fmt.Sprintf("%s %d-%d %s %q %v %+v %s", h.ID, h.Start, h.End, h.Color, h.Note, h.Tags, h.Claim, h.Created))
		}
		out = append(out, ct)
	}
	return out
}

// TestGenerate checks a small generated library against what Generate reports and what
// the benchmarks rely on: the fixtures at their addresses and sizes, every highlight
// anchored on its text, tags and claims to filter by.
func TestGenerate(t *testing.T) {
	lib, store, st := generate(t, Options{Articles: 60, Seed: 7})
	ctx := context.Background()
	if got, want := st.Articles, 60+len(Fixtures); got != want {
		t.Errorf("Stats.Articles = %d, want %d", got, want)
	}
	if n, err := lib.Count(ctx); err != nil || n != st.Articles {
		t.Errorf("library holds %d articles (%v), want %d", n, err, st.Articles)
	}

	var highlights, claims, tags int
	var words int64
	for _, a := range readContent(t, lib, store) {
		tags += len(a.Tags)
		if got := doc.Text(a.HTML); got != a.Text {
			t.Errorf("%s: stored text is not the canonical text of the cleaned HTML", a.Key)
		}
		words += int64(doc.WordCount(a.Text))
		highlights += len(a.Highlights)
	}
	for _, status := range annotate.ClaimStatuses {
		rows, err := store.ListArticles(ctx, annotate.ListFilter{ClaimStatus: status}, archive.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			hs, err := store.ForArticle(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if h.Claim != nil && h.Claim.Status == status {
					claims++
				}
			}
		}
	}
	if highlights != st.Highlights || claims != st.Claims || tags != st.ArticleTags || words != st.Words {
		t.Errorf("library holds %d highlights, %d claims, %d article tags, %d words; Stats says %+v",
			highlights, claims, tags, words, st)
	}
	if st.Claims == 0 || st.ArticleTags == 0 {
		t.Errorf("no claims or no tags to filter by: %+v", st)
	}

	for _, f := range Fixtures {
		a, err := lib.ArticleByURL(ctx, f.URL)
		if err != nil {
			t.Fatalf("fixture %s: %v", f.URL, err)
		}
		if got := doc.WordCount(a.Current.Text); got < f.Words-f.Words/100 || got > f.Words {
			t.Errorf("fixture %s has %d words, want %d (-1%%)", f.URL, got, f.Words)
		}
		hs, err := store.ForArticle(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != f.Highlights {
			t.Errorf("fixture %s has %d highlights, want %d", f.URL, len(hs), f.Highlights)
		}
		for i, h := range hs {
			if h.Status != annotate.StatusAnchored || a.Current.Text[h.Start:h.End] != h.Exact {
				t.Errorf("fixture %s: highlight %d is %s at [%d, %d), want anchored on its quote", f.URL, i, h.Status, h.Start, h.End)
			}
			if i > 0 && h.Start < hs[i-1].End {
				t.Errorf("fixture %s: highlights %d and %d overlap", f.URL, i-1, i)
			}
		}
	}
}

// TestGenerateReproducible generates twice with one seed and once with another.
func TestGenerateReproducible(t *testing.T) {
	lib1, store1, _ := generate(t, Options{Articles: 25, Seed: 3})
	lib2, store2, _ := generate(t, Options{Articles: 25, Seed: 3})
	lib3, store3, _ := generate(t, Options{Articles: 25, Seed: 4})
	a, b, c := readContent(t, lib1, store1), readContent(t, lib2, store2), readContent(t, lib3, store3)
	if !reflect.DeepEqual(a, b) {
		for i := range min(len(a), len(b)) {
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Fatalf("seed 3 gave two libraries; article %d differs:\n%+v\n%+v", i, a[i].Highlights, b[i].Highlights)
			}
		}
		t.Fatalf("seed 3 gave %d and %d articles", len(a), len(b))
	}
	if reflect.DeepEqual(a[:25], c[:25]) {
		t.Error("seeds 3 and 4 gave the same articles")
	}
}

// TestGenerateCorpus generates from the shared extraction corpus.
func TestGenerateCorpus(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	corpus := FindCorpus(wd)
	if corpus == "" {
		t.Skip("the shared extraction corpus (../shared/corpus/extraction-dev) is not here")
	}
	sources, err := loadCorpus(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var known []string // the corpus paragraphs as canonical text
	hosts := map[string]bool{}
	for _, s := range sources {
		hosts[s.host] = true
		for _, p := range s.paras {
			known = append(known, doc.Text("<p>"+html.EscapeString(p)+"</p>"))
		}
	}
	lib, store, _ := generate(t, Options{Articles: 30, Seed: 1, Corpus: corpus})
	for _, a := range readContent(t, lib, store) {
		if !hosts[a.Site] {
			t.Errorf("%s: site %q is not a host of the corpus", a.Key, a.Site)
		}
		if !bytes.Contains(a.Raw, []byte("<title>")) || !bytes.Contains(a.Raw, []byte("</article>")) {
			t.Errorf("%s: raw page %.200q lacks its title or article", a.Key, a.Raw)
		}
		// Every paragraph and list item is a corpus paragraph or part of one (a list is
		// a paragraph split into sentences; a fixture's last paragraph is cut short):
		// links and emphasis do not change the words.
		d := doc.Parse(a.HTML)
		for _, b := range d.Blocks {
			if b.Kind != doc.Paragraph && b.Kind != doc.ListItem {
				continue
			}
			if p := d.Text[b.Start:b.End]; !anyContains(known, p) {
				t.Errorf("%s: %s %.80q is not from the corpus", a.Key, b.Kind, p)
			}
		}
	}
}

func anyContains(list []string, s string) bool {
	for _, k := range list {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// TestCached generates a library once, hands out the same file again, and opens copies
// that can be written without touching it.
func TestCached(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	opt := Options{Articles: 20, Seed: 9}
	stale := filepath.Join(dir, "library-20-9-0123456789abcdef.db") // made by an older generator
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := Cached(ctx, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale library of the same size and seed is still there (%v)", err)
	}
	before := fileHash(t, path)
	st1, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Cached(ctx, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := os.Stat(again)
	if err != nil {
		t.Fatal(err)
	}
	if again != path || !st2.ModTime().Equal(st1.ModTime()) {
		t.Errorf("second Cached = %s (modified %v), want %s unchanged (%v)", again, st2.ModTime(), path, st1.ModTime())
	}
	other, err := Cached(ctx, dir, Options{Articles: 21, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if other == path {
		t.Errorf("libraries of 20 and 21 articles share the file %s", path)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.partial.db*")); len(m) > 0 {
		t.Errorf("partial files left behind: %q", m)
	}

	t.Setenv(EnvDir, dir)
	lib, store, err := OpenCopy(ctx, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	a, err := lib.ArticleByURL(ctx, LongArticle.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddTags(ctx, annotate.ArticleRef(a.ID), "written to the copy"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	if fileHash(t, path) != before {
		t.Error("writing to a copy changed the cached library")
	}
	if err := Copy(path, path); err == nil {
		t.Error("Copy over an existing file succeeded")
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestGenerateRefusesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), path, Options{Articles: 1}); !errors.Is(err, ErrExists) {
		t.Errorf("Generate over a file: err = %v, want ErrExists", err)
	}
}

// TestSearchQueries checks that every query drawn finds an article of the library.
func TestSearchQueries(t *testing.T) {
	opt := Options{Articles: 40, Seed: 5}
	lib, _, _ := generate(t, opt)
	q, err := SearchQueries(opt, 15)
	if err != nil {
		t.Fatal(err)
	}
	for kind, qs := range map[string][]string{"word": q.Words, "phrase": q.Phrases, "prefix": q.Prefixes} {
		if len(qs) != 15 {
			t.Errorf("%d %s queries, want 15: %q", len(qs), kind, qs)
		}
		for _, s := range qs {
			res, err := lib.Search(context.Background(), s, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) == 0 {
				t.Errorf("%s query %s finds nothing", kind, s)
			}
		}
	}
}

// TestPickSpans checks the passages chosen for highlights: inside the text, on rune
// boundaries, within one paragraph, in order and apart.
func TestPickSpans(t *testing.T) {
	d := doc.Parse(`<p>Short. This is the first real sentence of the paragraph. And here is another one that runs on a little longer!</p>
<h2>A heading is never highlighted at all</h2>
<p>Ünïcödé wörds àre hére tóo, in a sentence long enough to count. 日本語の文章です。これは二番目の文章になります。</p>
<ul><li>A list item with a sentence long enough to be picked.</li></ul>`)
	tests := []struct {
		n      int
		spread bool
	}{{1, false}, {3, false}, {5, true}, {50, true}, {50, false}}
	for _, tt := range tests {
		rng := rand.New(rand.NewPCG(1, uint64(tt.n)))
		spans := pickSpans(rng, d, tt.n, tt.spread)
		if len(spans) == 0 || len(spans) > tt.n {
			t.Errorf("pickSpans(%d, %v) gave %d spans", tt.n, tt.spread, len(spans))
		}
		for i, sp := range spans {
			s, e := sp[0], sp[1]
			if s < 0 || e > len(d.Text) || e-s < 20 || !utf8.RuneStart(d.Text[s]) || (e < len(d.Text) && !utf8.RuneStart(d.Text[e])) {
				t.Errorf("pickSpans(%d, %v): span %d [%d, %d) is not a passage of the text", tt.n, tt.spread, i, s, e)
				continue
			}
			if strings.Contains(d.Text[s:e], "\n") || strings.Contains(d.Text[s:e], "heading") {
				t.Errorf("pickSpans(%d, %v): span %q leaves its paragraph", tt.n, tt.spread, d.Text[s:e])
			}
			if i > 0 && s < spans[i-1][1] {
				t.Errorf("pickSpans(%d, %v): spans %d and %d overlap or are out of order", tt.n, tt.spread, i-1, i)
			}
		}
	}
}

func TestLatencies(t *testing.T) {
	var l Latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}}
	for _, tt := range tests {
		if got := l.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := (Latencies{}).Percentile(50); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
	if err := l.Time(func() error { return nil }); err != nil || len(l) != 101 {
		t.Errorf("Time recorded %d durations (%v), want 101", len(l), err)
	}
}
