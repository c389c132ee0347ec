package archive_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	xhtml "golang.org/x/net/html"

	"gloss/archive"
	"gloss/archive/clean"
	"gloss/archive/doc"
	"gloss/archive/sanitize"
)

// TestEval runs the production extraction pipeline (archive.Extract: parse, extract and
// clean, sanitise, derive the canonical text) over the shared evaluation corpora and writes
// one text file per page for the scorers in /work/shared/tools; DIR/readability/ gets the
// same for readability alone, the baseline. With GLOSS_EVAL_HTML set it also writes each
// page's sanitised HTML (ID.html) and what cleaning removed (ID.removed).
//
//	GLOSS_EVAL_OUT=/tmp/eval go test ./archive -run TestEval
//	python3 ../shared/tools/score_extraction.py --truth ../shared/corpus/extraction-dev/ground-truth.json --pred /tmp/eval/extraction
//	python3 ../shared/tools/score_comments.py --truth ../shared/corpus/comments-dev/truth.json --pred /tmp/eval/comments
//
// The text written is exactly the article text Gloss stores: the canonical text of the
// cleaned article, without the title, which Gloss keeps as metadata and which the
// extraction benchmark's article bodies leave out too.
func TestEval(t *testing.T) {
	out := os.Getenv("GLOSS_EVAL_OUT")
	if out == "" {
		t.Skip("set GLOSS_EVAL_OUT=DIR to write the evaluation texts")
	}
	shared := sharedDir(t)
	corpora := []struct {
		name, dir, truth, urlKey string
	}{
		{"extraction", "extraction-dev", "ground-truth.json", "url"},
		{"comments", "comments-dev", "truth.json", ""},
	}
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(shared, "corpus", c.dir)
			pages := loadCorpus(t, dir, c.truth, c.urlKey)
			for _, run := range []struct {
				dst     string
				extract func([]byte, *url.URL) (text, cleaned string, removed []clean.Removal, err error)
			}{
				{filepath.Join(out, c.name), production},
				{filepath.Join(out, "readability", c.name), baseline},
			} {
				if err := os.MkdirAll(run.dst, 0o755); err != nil {
					t.Fatal(err)
				}
				for _, p := range pages {
					text, cleaned, removed, err := run.extract(p.html, p.url)
					if err != nil && !errors.Is(err, archive.ErrNoArticle) {
						t.Errorf("%s: %v", p.id, err)
					}
					if os.Getenv("GLOSS_EVAL_HTML") != "" {
						var log strings.Builder
						for _, r := range removed {
							fmt.Fprintf(&log, "%s\t%s\t%s\n", r.Rule, r.Path, r.Text)
						}
						if err := os.WriteFile(filepath.Join(run.dst, p.id+".html"), []byte(cleaned), 0o644); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(filepath.Join(run.dst, p.id+".removed"), []byte(log.String()), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					if err := os.WriteFile(filepath.Join(run.dst, p.id+".txt"), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				t.Logf("wrote %d texts to %s", len(pages), run.dst)
			}
		})
	}
}

// BenchmarkExtract measures extraction over the extraction corpus: readability alone and
// readability with the cleaning stage, side by side.
func BenchmarkExtract(b *testing.B) {
	shared := sharedDir(b)
	pages := loadCorpus(b, filepath.Join(shared, "corpus", "extraction-dev"), "ground-truth.json", "url")
	run := func(b *testing.B, extract func(*xhtml.Node, *url.URL) (*archive.Extracted, error)) {
		var n int64
		for _, p := range pages {
			n += int64(len(p.html))
		}
		b.SetBytes(n)
		b.ResetTimer()
		for b.Loop() {
			for _, p := range pages {
				root, err := archive.Parse(p.html)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := extract(root, p.url); err != nil && !errors.Is(err, archive.ErrNoArticle) {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("readability", func(b *testing.B) { run(b, readabilityOnly) })
	b.Run("cleaned", func(b *testing.B) {
		run(b, func(n *xhtml.Node, u *url.URL) (*archive.Extracted, error) { return archive.ExtractNode(n, u) })
	})
}

type evalPage struct {
	id   string
	url  *url.URL
	html []byte
}

// readabilityOnly is extraction as it was before the cleaning stage: ExtractNode with
// readability alone.
func readabilityOnly(page *xhtml.Node, u *url.URL) (*archive.Extracted, error) {
	p := readability.NewParser()
	art, err := p.ParseAndMutate(page, u)
	if err != nil {
		return nil, fmt.Errorf("extract article: %w", err)
	}
	if art.Node == nil {
		return nil, archive.ErrNoArticle
	}
	e := &archive.Extracted{
		Title:     collapse(art.Title()),
		Byline:    collapse(art.Byline()),
		SiteName:  collapse(art.SiteName()),
		Lang:      collapse(art.Language()),
		Excerpt:   collapse(art.Excerpt()),
		LeadImage: strings.TrimSpace(art.ImageURL()),
		Node:      art.Node,
	}
	if t, err := art.PublishedTime(); err == nil && !t.IsZero() {
		t = t.UTC()
		e.Published = &t
	}
	var b strings.Builder
	if err := xhtml.Render(&b, art.Node); err != nil || doc.Text(b.String()) == "" {
		return nil, archive.ErrNoArticle
	}
	return e, nil
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// production is what Gloss stores for a page: the canonical text of the sanitised,
// cleaned article (archive.Extract: parse, extract, clean, sanitise, derive the text).
func production(page []byte, u *url.URL) (text, cleaned string, removed []clean.Removal, err error) {
	art, err := archive.Extract(page, u)
	if err != nil {
		return "", "", nil, err
	}
	return art.Text, art.HTML, art.Removed, nil
}

// baseline is the same pipeline with readability alone in place of ExtractNode.
func baseline(page []byte, u *url.URL) (text, cleaned string, removed []clean.Removal, err error) {
	root, err := archive.Parse(page)
	if err != nil {
		return "", "", nil, err
	}
	e, err := readabilityOnly(root, u)
	if err != nil {
		return "", "", nil, err
	}
	var b strings.Builder
	if err := xhtml.Render(&b, e.Node); err != nil {
		return "", "", nil, err
	}
	cleaned = sanitize.HTML(b.String(), sanitize.Options{})
	return doc.Text(cleaned), cleaned, nil, nil
}

func loadCorpus(tb testing.TB, dir, truthFile, urlKey string) []evalPage {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, truthFile))
	if err != nil {
		tb.Fatal(err)
	}
	var truth map[string]map[string]any
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatal(err)
	}
	ids, err := os.ReadFile(filepath.Join(dir, "ids.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var pages []evalPage
	for _, id := range strings.Fields(string(ids)) {
		f, err := os.Open(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		var u *url.URL
		if s, ok := truth[id][urlKey].(string); ok && urlKey != "" {
			u, _ = url.Parse(s)
		}
		if u == nil {
			u = &url.URL{Scheme: "http", Host: "example.com", Path: "/" + id}
		}
		pages = append(pages, evalPage{id: id, url: u, html: bytes.Clone(body)})
	}
	return pages
}

// sharedDir finds /work/shared from the module root, or skips the test.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "corpus")); err != nil {
		tb.Skipf("evaluation corpora not available (%s): %v", shared, err)
	}
	return shared
}

// TestFromTextClipped imports the real clipped article: the headline becomes the title,
// "By The Associated Press" the byline, and the clutter is listed in Removed, not kept in
// the text; keeping a removal's path brings its lines back.
func TestFromTextClipped(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "fixtures", "clipped-article.txt"))
	if err != nil {
		t.Skipf("fixture not available: %v", err)
	}
	e, err := archive.FromText(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := "The Moscow concert massacre was a big security mistake. What caused that failure?"; e.Title != want {
		t.Errorf("Title = %q, want %q", e.Title, want)
	}
	if want := "By The Associated Press"; e.Byline != want {
		t.Errorf("Byline = %q, want %q", e.Byline, want)
	}
	text := doc.FromNode(e.Node).Text
	if !strings.HasPrefix(text, "Before gunmen last week carried out the deadliest attack") ||
		!strings.HasSuffix(text, "diverting attention from the inadequate performance of law enforcement agencies.") {
		t.Errorf("text does not run from the first paragraph to the last:\n%.200s\n…\n%s", text, text[max(0, len(text)-200):])
	}
	for _, gone := range []string{"Close this search box", "Hours before gunmen", "Your Morning Dozen", "Notify of", "Inline Feedbacks"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q kept in the text", gone)
		}
	}
	if len(e.Removed) != 5 {
		t.Fatalf("Removed = %+v, want 5 removals", e.Removed)
	}
	again, err := archive.FromText(string(raw), e.Removed[3].Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.FromNode(again.Node).Text, "Your Morning Dozen") || len(again.Removed) != 4 {
		t.Errorf("keeping %s did not bring the newsletter line back", e.Removed[3].Path)
	}
}
