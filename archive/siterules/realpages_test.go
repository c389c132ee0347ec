package siterules

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestCorpusRealPages applies the upstream rules to the real article pages of the
// shared extraction corpus whose site has a rule, and compares the body a rule
// selects with the hand-checked article text. The pages are from 2019 and the
// rules from 2026, so not every body expression still matches; the test checks
// that applying never fails and that, where a body matches, it holds most of the
// article.
func TestCorpusRealPages(t *testing.T) {
	rulesDir := corpusDir(t)
	pagesDir := filepath.Join(rulesDir, "..", "extraction-dev")
	raw, err := os.ReadFile(filepath.Join(pagesDir, "ground-truth.json"))
	if err != nil {
		t.Skipf("shared extraction corpus not found: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	set, _ := LoadDir(rulesDir)
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var withRule, withBody, good int
	var recalls []float64
	for _, id := range ids {
		gt := truth[id]
		u, err := url.Parse(gt.URL)
		if err != nil {
			continue
		}
		rules := set.For(u.Hostname())
		if len(rules) == 0 || rules[0].Host == GlobalHost {
			continue
		}
		withRule++
		page := readGzip(t, filepath.Join(pagesDir, "html", id+".html.gz"))
		rule := Merge(rules...)
		doc, err := html.Parse(bytes.NewReader(rule.Rewrite(page)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := rule.Apply(doc, gt.URL)
		if err != nil {
			t.Errorf("%s: %v", gt.URL, err)
		}
		if res.Body == nil {
			t.Logf("%-60s no body match (%s)", gt.URL, rules[0].File)
			continue
		}
		withBody++
		r := recall(gt.ArticleBody, nodeText(res.Body))
		recalls = append(recalls, r)
		if r >= 0.8 {
			good++
		}
		t.Logf("%-60s body recall %.2f, title %q, %d removals", gt.URL, r, res.Title, len(res.Removals))
	}
	t.Logf("%d pages have a site rule; a body matched on %d; recall >= 0.8 on %d", withRule, withBody, good)
	if withRule < 20 {
		t.Errorf("only %d pages with a site rule, want the corpus's ~30", withRule)
	}
	if withBody > 0 && good*2 < withBody {
		t.Errorf("body recall >= 0.8 on %d of %d matched bodies, want most", good, withBody)
	}
}

// recall is the share of the reference text's words found in got (as a bag of
// words).
func recall(ref, got string) float64 {
	have := map[string]int{}
	for _, w := range strings.Fields(strings.ToLower(got)) {
		have[w]++
	}
	words := strings.Fields(strings.ToLower(ref))
	if len(words) == 0 {
		return 1
	}
	hit := 0
	for _, w := range words {
		if have[w] > 0 {
			have[w]--
			hit++
		}
	}
	return float64(hit) / float64(len(words))
}

func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkApplyRealPage measures Rewrite, parse and Apply of the guardian page of
// the shared extraction corpus with its upstream rule (25 removals).
func BenchmarkApplyRealPage(b *testing.B) {
	rulesDir := corpusDir(b)
	pagesDir := filepath.Join(rulesDir, "..", "extraction-dev", "html")
	set, _ := LoadDir(rulesDir)
	rule := Merge(set.For("www.theguardian.com")...)
	matches, _ := filepath.Glob(filepath.Join(pagesDir, "*.html.gz"))
	var page []byte
	for _, m := range matches {
		f, err := os.Open(m)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		p, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if bytes.Contains(p, []byte(`<link rel="canonical" href="https://www.theguardian.com/commentisfree/2019/nov/18/`)) {
			page = p
			break
		}
	}
	if page == nil {
		b.Skip("guardian page not found in the shared extraction corpus")
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := html.Parse(bytes.NewReader(rule.Rewrite(page)))
		if err != nil {
			b.Fatal(err)
		}
		res, _ := rule.Apply(doc, "https://www.theguardian.com/x")
		if res.Body == nil {
			b.Fatal("no body")
		}
	}
}
