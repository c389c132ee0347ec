package siterules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir returns the shared copy of the FiveFilters rule set, or skips the
// test when it is absent. It is test data used in place, never copied.
func corpusDir(tb testing.TB) string {
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
			tb.Skip("no go.mod above the package; cannot find the shared corpus")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "ftr-site-config")
	if _, err := os.Stat(filepath.Join(corpus, "global.txt")); err != nil {
		tb.Skipf("shared ftr-site-config corpus not found at %s: %v", corpus, err)
	}
	return corpus
}

// countExprs counts the XPath expressions a rule holds after parsing.
func countExprs(r *Rule) int {
	n := len(r.Title) + len(r.Author) + len(r.Date) + len(r.Body) + len(r.Strip) +
		len(r.StripAttr) + len(r.Dissolve) + len(r.WrapIn) + len(r.NativeAdClue) +
		len(r.Login.NotLoggedIn)
	for _, l := range append(append([]Link(nil), r.SinglePageLink...), r.NextPageLink...) {
		n += 1 + len(l.IfPageContains)
	}
	return n
}

func TestCorpusParses(t *testing.T) {
	dir := corpusDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, compiled, badXPath := 0, 0, 0
	var other []ParseError
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".txt") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		r, errs := Parse(name, f)
		f.Close()
		if r == nil {
			t.Fatalf("Parse(%s) returned a nil rule", name)
		}
		files++
		compiled += countExprs(r)
		for _, pe := range errs {
			if pe.File != name || pe.Line <= 0 {
				t.Errorf("error without file and line: %+v", pe)
			}
			if errors.Is(pe.Err, ErrBadXPath) {
				badXPath++
				t.Logf("upstream XPath that does not compile: %v", &pe)
			} else {
				other = append(other, pe)
			}
		}
	}
	total := compiled + badXPath
	t.Logf("%d files, %d XPath expressions, %d compile, %d do not (%.2f%%), %d other line errors",
		files, total, compiled, badXPath, 100*float64(badXPath)/float64(total), len(other))
	for _, pe := range other {
		t.Logf("other line error: %v", &pe)
	}
	if files < 1900 {
		t.Errorf("parsed %d files, want the whole set (about 1,965)", files)
	}
	if badXPath*100 >= total {
		t.Errorf("%d of %d expressions do not compile, want under 1%%", badXPath, total)
	}
	if len(other)*100 >= files {
		t.Errorf("%d non-XPath line errors over %d files, want under 1 per 100 files", len(other), files)
	}
}

func TestCorpusLoadDir(t *testing.T) {
	dir := corpusDir(t)
	s, _ := LoadDir(dir)
	if got := s.Len(); got < 1900 {
		t.Errorf("LoadDir loaded %d rules, want the whole set", got)
	}
	// nytimes.com has its own file; global.txt follows it unless it says otherwise.
	rules := s.For("www.nytimes.com")
	if len(rules) == 0 || rules[0].File != "nytimes.com.txt" {
		t.Fatalf("For(www.nytimes.com) = %v, want nytimes.com.txt first", ruleFiles(rules))
	}
	// LICENSE.txt is not a rule.
	for _, h := range s.Hosts() {
		if h == "license" {
			t.Errorf("LICENSE.txt loaded as a rule")
		}
	}
}

func BenchmarkLoadDirCorpus(b *testing.B) {
	dir := corpusDir(b)
	b.ReportAllocs()
	for b.Loop() {
		s, _ := LoadDir(dir)
		if s.Len() == 0 {
			b.Fatal("nothing loaded")
		}
	}
}

func ruleFiles(rules []*Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.File)
	}
	return out
}
