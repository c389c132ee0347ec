package siterules

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// TestParseGolden parses the hand-written rule files in testdata/parse and
// compares the rule and its errors, as JSON, with the .golden file beside each.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	hidden, _ := filepath.Glob(filepath.Join("testdata", "parse", ".*.txt"))
	files = append(files, hidden...)
	if len(files) < 3 {
		t.Fatalf("found %d rule files in testdata/parse, want at least 3", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, errs := Parse(name, f)
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(struct {
				Rule   *Rule    `json:"rule"`
				Errors []string `json:"errors"`
			}{r, msgs}); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(path, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Parse(%s) differs from %s (run with -update after checking):\n%s", name, golden, got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	src := strings.Join([]string{
		"body: //div[contains(@class='x')]", // 1: bad XPath
		"body: //div[@id='ok']",             // 2
		"replace_string: orphan",            // 3: nothing to pair with
		"prune: maybe",                      // 4: bad value
		"find_string: lonely",               // 5: never paired
		"if_page_contains: //div",           // 6: orphan
		"test_contains: text",               // 7: orphan
		"http_header: x",                    // 8: bad value
		"wrap_in(a b): //p",                 // 9: bad value
	}, "\n")
	r, errs := Parse("x.example.txt", strings.NewReader(src))
	want := []struct {
		line int
		err  error
	}{
		{1, ErrBadXPath}, {3, ErrUnpaired}, {4, ErrBadValue}, {6, ErrOrphan},
		{7, ErrOrphan}, {8, ErrBadValue}, {9, ErrBadValue}, {5, ErrUnpaired},
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		e := errs[i]
		if e.Line != w.line || !errors.Is(&e, w.err) || e.File != "x.example.txt" {
			t.Errorf("error %d = %v (line %d), want line %d wrapping %v", i, &e, e.Line, w.line, w.err)
		}
	}
	if len(r.Body) != 1 || r.Body[0].Text != "//div[@id='ok']" || r.Body[0].Source.Line != 2 {
		t.Errorf("body = %+v, want only the line-2 expression", r.Body)
	}
	if len(r.Replace) != 0 {
		t.Errorf("replacements = %+v, want none", r.Replace)
	}
}

func TestParseLineEndingsAndBOM(t *testing.T) {
	src := "\ufefftitle: //h1\r\n\r\n# comment\r\nstrip: //aside  \r\nbody: //main"
	r, errs := Parse("crlf.example.txt", strings.NewReader(src))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	got := []string{r.Title[0].Text, r.Strip[0].Text, r.Body[0].Text}
	want := []string{"//h1", "//aside", "//main"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("expr %d = %q, want %q", i, got[i], want[i])
		}
	}
	if got, want := r.Body[0].Source.Line, 5; got != want {
		t.Errorf("body line = %d, want %d", got, want)
	}
}

func TestParseLongLine(t *testing.T) {
	src := "title: //h1\nstrip: //" + strings.Repeat("a", MaxLineBytes+10) + "\nbody: //main\n"
	r, errs := Parse("long.example.txt", strings.NewReader(src))
	if len(errs) != 1 || errs[0].Line != 2 || !errors.Is(&errs[0], ErrRead) {
		t.Fatalf("errors = %v, want one ErrRead on line 2", errs)
	}
	if len(r.Title) != 1 || len(r.Body) != 1 || r.Body[0].Source.Line != 3 {
		t.Errorf("rule = %+v, want the lines around the long one kept", r)
	}
}

func TestSplitDirective(t *testing.T) {
	tests := []struct {
		line, name, arg, value string
		ok                     bool
	}{
		{"body: //div[@a='b:c']", "body", "", "//div[@a='b:c']", true},
		{"Title : //h1", "title", "", "//h1", true},
		{"replace_string(<a href=\"x\">): <b>", "replace_string", "<a href=\"x\">", "<b>", true},
		{"replace_string(,\"value\":): ,\"invalid\":", "replace_string", ",\"value\":", ",\"invalid\":", true},
		{"http_header(User-Agent): Mozilla/5.0 (X11; Linux)", "http_header", "User-Agent", "Mozilla/5.0 (X11; Linux)", true},
		{"move_into(body)://div", "move_into", "body", "//div", true},
		{"replace_string(no close: x", "", "", "", false},
		// A bare URL splits as directive "https"; Parse keeps it in Other, where
		// it does nothing.
		{"https://example.com/page", "https", "", "//example.com/page", true},
		{"no colon here", "", "", "", false},
		{"See https://x", "", "", "", false},
		{": value", "", "", "", false},
	}
	for _, tt := range tests {
		name, arg, value, ok := splitDirective(tt.line)
		if name != tt.name || arg != tt.arg || value != tt.value || ok != tt.ok {
			t.Errorf("splitDirective(%q) = %q, %q, %q, %v; want %q, %q, %q, %v",
				tt.line, name, arg, value, ok, tt.name, tt.arg, tt.value, tt.ok)
		}
	}
}

func TestRewriteIDCalls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"id('storytext')", "(//*[@id='storytext'])"},
		{`substring-before(id("main")/table, 'Posted')`, `substring-before((//*[@id='main'])/table, 'Posted')`},
		{"//div[@id='x']", ""},
		{"uuid('x')", ""},
	}
	for _, tt := range tests {
		got, ok := rewriteIDCalls(tt.in)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("rewriteIDCalls(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	r, errs := Parse("id.example.txt", strings.NewReader("body: id('storytext')\n"))
	if len(errs) != 0 || len(r.Body) != 1 || r.Body[0].Text != "id('storytext')" {
		t.Errorf("Parse(id()) = %+v, %v; want it compiled, text kept as written", r.Body, errs)
	}
}

// FuzzParse checks that Parse never panics, always returns a rule, and that every
// error names the file and a line inside the input.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"body: //div\nstrip: //aside\n",
		"find_string: a\nreplace_string: b\nreplace_string(c): d\n",
		"title: substring-before(//title, ' | ')\n",
		"single_page_link: //a\nif_page_contains: //div\n",
		"http_header(User-Agent): x\nprune: no\n",
		"body: //div[contains(@class='x')]\n",
		"wrap_in(blockquote): //p\ntest_url: x\ntest_contains: y\n",
		"\ufeff# c\r\n\r\nbody: id('x')",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, errs := Parse("fuzz.example.txt", strings.NewReader(src))
		if r == nil {
			t.Fatal("nil rule")
		}
		lines := strings.Count(src, "\n") + 1
		for _, e := range errs {
			if e.File != "fuzz.example.txt" || e.Line < 1 || e.Line > lines {
				t.Fatalf("error %v: line %d outside 1..%d", &e, e.Line, lines)
			}
			if !utf8.ValidString(e.Err.Error()) && utf8.ValidString(src) {
				t.Fatalf("error message not UTF-8: %q", e.Err.Error())
			}
		}
	})
}

// FuzzApply parses a fuzzed rule and applies it to a fuzzed page. Properties:
// no panic, the page never gains text, and every removal names its file and line.
func FuzzApply(f *testing.F) {
	f.Add("strip: //aside\nbody: //article\ntitle: //h1\n", `<h1>T</h1><article><p>a</p><aside>x</aside></article>`)
	f.Add("strip_id_or_class: ad\ndissolve: //span\nwrap_in(div): //p\n", `<div class="ad">x</div><p><span>y</span></p>`)
	f.Add("author: //a[@rel='author']\nnext_page_link: //a[@rel='next']\n", `<a rel="author">A</a><a rel="next" href="/2">n</a>`)
	f.Add("strip_attr: //img/@src\nstrip_image_src: x\nsrc_lazy_load_attr: data-src\n", `<img src="x.gif" data-src="y.jpg">`)
	f.Fuzz(func(t *testing.T, rule, page string) {
		r, _ := Parse("fuzz.example.txt", strings.NewReader(rule))
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			return
		}
		before := len(strings.Join(strings.Fields(nodeText(doc)), ""))
		res, _ := r.Apply(doc, "https://fuzz.example/page")
		after := len(strings.Join(strings.Fields(nodeText(doc)), ""))
		if after > before {
			t.Fatalf("page text grew from %d to %d bytes", before, after)
		}
		for _, rm := range res.Removals {
			if !strings.HasPrefix(rm.Reason, "site rule fuzz.example.txt:") || rm.Source.Line < 1 {
				t.Fatalf("removal without file and line: %+v", rm)
			}
		}
	})
}
