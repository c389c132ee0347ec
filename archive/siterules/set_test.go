package siterules

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// writeRules creates a folder holding the given rule files.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSetFor(t *testing.T) {
	user := writeRules(t, map[string]string{
		"example.com.txt":       "body: //main\n",              // replaces the downloaded one
		".wild.org.txt":         "body: //section\n",           // wildcard, beats downloaded exact
		"quiet.net.txt":         "autodetect_on_failure: no\n", // no global.txt
		"notes.txt":             "body: //x\n",                 // not a host: skipped
		"www.only-www.info.txt": "body: //div[@id='www']\n",    // www. file serves the bare host
	})
	downloaded := writeRules(t, map[string]string{
		"example.com.txt":      "body: //article\n",
		"news.example.com.txt": "body: //div[@id='news']\n",
		".example.com.txt":     "body: //div[@id='any']\n",
		"exact.wild.org.txt":   "body: //div[@id='exact']\n",
		"global.txt":           "title: //meta[@property='og:title']/@content\n",
		"LICENSE.txt":          "These files are released to the public domain.\n",
		"both.io.txt":          "body: //div[@id='bare']\n",
		"www.both.io.txt":      "body: //div[@id='www']\n",
	})
	s, errs := LoadDir(user, downloaded, filepath.Join(t.TempDir(), "missing"))
	if len(errs) != 0 {
		t.Fatalf("LoadDir errors: %v", errs)
	}
	tests := []struct {
		host string
		want []string // the first body expression of each rule, in order
	}{
		{"example.com", []string{"//main", "og"}},
		{"WWW.Example.COM:443", []string{"//main", "og"}},
		{"news.example.com", []string{"//div[@id='news']", "og"}},
		{"other.example.com", []string{"//div[@id='any']", "og"}},
		{"deep.other.example.com", []string{"//div[@id='any']", "og"}},
		{"exact.wild.org", []string{"//section", "og"}}, // the user's folder wins whole
		{"wild.org", []string{"//section", "og"}},
		{"quiet.net", []string{"none"}},
		{"only-www.info", []string{"//div[@id='www']", "og"}},
		{"www.only-www.info", []string{"//div[@id='www']", "og"}},
		{"both.io", []string{"//div[@id='bare']", "og"}},
		{"unknown.test", []string{"og"}},
		{"", nil},
		{"bad host!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			var got []string
			for _, r := range s.For(tt.host) {
				switch {
				case len(r.Body) > 0:
					got = append(got, r.Body[0].Text)
				case r.Host == GlobalHost:
					got = append(got, "og")
				default:
					got = append(got, "none")
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("For(%q) bodies = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}

func TestSetAddPrecedence(t *testing.T) {
	dir := writeRules(t, map[string]string{
		"example.com.txt": "body: //article\nprune: yes\nstrip: //aside\n",
		"global.txt":      "strip_id_or_class: sharedaddy\n",
	})
	s, errs := LoadDir(dir)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	xp, err := UserRule{Host: "www.example.com", Kind: StripXPath, Value: "//div[@class='promo']"}.Rule()
	if err != nil {
		t.Fatal(err)
	}
	cls, err := UserRule{Host: ".example.com", Kind: StripClass, Value: "ad"}.Rule()
	if err != nil {
		t.Fatal(err)
	}
	s.Add(cls)
	s.Add(xp)
	s.Add(nil) // ignored

	rules := s.For("example.com")
	if got, want := len(rules), 4; got != want {
		t.Fatalf("For returned %d rules, want %d: %v", got, want, ruleFiles(rules))
	}
	// Exact added rule first, then the wildcard one, then the file, then global.
	if rules[0] != xp || rules[1] != cls || rules[2].File != "example.com.txt" || rules[3].File != "global.txt" {
		t.Errorf("order = %v, want user XPath, user class, example.com.txt, global.txt", ruleFiles(rules))
	}
	m := Merge(rules...)
	if got, want := len(m.Strip), 2; got != want {
		t.Errorf("merged strips = %d, want %d", got, want)
	}
	if m.Strip[0].Source.User != "example.com" {
		t.Errorf("first strip from %v, want the user's rule", m.Strip[0].Source)
	}
	if !m.Prune.Set || !m.Prune.Value || m.Prune.Source.File != "example.com.txt" {
		t.Errorf("prune = %+v, want yes from example.com.txt", m.Prune)
	}
	if got, want := s.Hosts(), []string{".example.com", "example.com", "global"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hosts() = %q, want %q", got, want)
	}
}

func TestMerge(t *testing.T) {
	parse := func(name, src string) *Rule {
		t.Helper()
		r, errs := Parse(name, strings.NewReader(src))
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		return r
	}
	a := parse("a.com.txt", "title: //h1\nprune: no\nhttp_header(User-Agent): A\nfind_string: x\nreplace_string: y\n")
	b := parse("global.txt", "title: //title\nprune: yes\ntidy: no\nhttp_header(user-agent): B\nhttp_header(Referer): R\nfind_string: x\nreplace_string: z\n")
	m := Merge(nil, a, b)
	if got := []string{m.Title[0].Text, m.Title[1].Text}; !reflect.DeepEqual(got, []string{"//h1", "//title"}) {
		t.Errorf("titles = %q", got)
	}
	if m.Prune.Or(true) || m.Prune.Source.File != "a.com.txt" {
		t.Errorf("prune = %+v, want no from a.com.txt", m.Prune)
	}
	if !m.Tidy.Set || m.Tidy.Value {
		t.Errorf("tidy = %+v, want no from global.txt", m.Tidy)
	}
	var hs []string
	for _, h := range m.HTTPHeaders {
		hs = append(hs, h.Name+"="+h.Value)
	}
	if want := []string{"User-Agent=A", "Referer=R"}; !reflect.DeepEqual(hs, want) {
		t.Errorf("headers = %q, want %q", hs, want)
	}
	if got := string(m.Rewrite([]byte("x"))); got != "y" {
		t.Errorf("Rewrite = %q, want %q (first pair applies first)", got, "y")
	}
	if Merge() != nil || Merge(nil) != nil {
		t.Errorf("Merge of nothing is not nil")
	}
}

func TestLoadDirErrors(t *testing.T) {
	dir := writeRules(t, map[string]string{
		"good.com.txt": "body: //main\n",
		"bad.com.txt":  "body: //main\nstrip: //div[\n",
	})
	big := make([]byte, MaxFileBytes+1)
	if err := os.WriteFile(filepath.Join(dir, "big.com.txt"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	s, errs := LoadDir(dir)
	var lines, files int
	for _, e := range errs {
		switch {
		case e.File == "bad.com.txt" && e.Line == 2 && errors.Is(&e, ErrBadXPath):
			lines++
		case e.File == "big.com.txt" && e.Line == 0 && errors.Is(&e, ErrRead):
			files++
		default:
			t.Errorf("unexpected error %v", &e)
		}
	}
	if lines != 1 || files != 1 {
		t.Errorf("got %d line and %d file errors, want 1 and 1: %v", lines, files, errs)
	}
	if r := s.For("bad.com"); len(r) != 1 || len(r[0].Body) != 1 {
		t.Errorf("bad.com.txt not kept with its good lines: %v", r)
	}
	if r := s.For("big.com"); len(r) != 0 {
		t.Errorf("oversized file loaded")
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Example.COM", "example.com"},
		{"www.example.com.", "example.com"},
		{"example.com:8080", "example.com"},
		{"sub.www.example.com", "sub.www.example.com"},
		{"[::1]:80", ""},
		{"exa mple.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := normalizeHost(tt.in); got != tt.want {
			t.Errorf("normalizeHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSetConcurrent adds rules while other goroutines look hosts up: for the
// race detector.
func TestSetConcurrent(t *testing.T) {
	s, _ := LoadDir(writeRules(t, map[string]string{"example.com.txt": "body: //main\n"}))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r, err := UserRule{Host: "example.com", Kind: StripClass, Value: "ad"}.Rule()
			if err != nil {
				t.Error(err)
				return
			}
			s.Add(r)
		}()
		go func() {
			defer wg.Done()
			if len(s.For("example.com")) == 0 {
				t.Error("For lost the file rule")
			}
		}()
	}
	wg.Wait()
	if got, want := len(s.For("example.com")), 5; got != want {
		t.Errorf("For returned %d rules after 4 adds, want %d", got, want)
	}
}
