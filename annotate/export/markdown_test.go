package export

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"gopkg.in/yaml.v3"

	"gloss/archive/doc"
)

// Style bits of flattened text, compared between the document and rendered Markdown.
const (
	stBold uint8 = 1 << iota
	stItalic
	stStrike
	stCode
	stLink
)

// styledFlat is text with, per byte, whether it is marked and its style bits.
type styledFlat struct {
	text   []byte
	marked []bool
	style  []uint8
	marks  int
}

func (f *styledFlat) space() {
	if n := len(f.text); n > 0 && f.text[n-1] != ' ' {
		f.text = append(f.text, ' ')
		f.marked = append(f.marked, false)
		f.style = append(f.style, 0)
	}
}

func (f *styledFlat) add(s string, marked bool, st uint8) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			f.space()
			continue
		}
		f.text = append(f.text, c)
		f.marked = append(f.marked, marked)
		f.style = append(f.style, st)
	}
}

// expectedFlat is what the body of an export must read as: the blocks' text with the
// highlighted bytes marked and the runs' styles.
func expectedFlat(a Article, hs []Highlight) *styledFlat {
	return expectedFlatSkip(a, hs, -1)
}

// expectedFlatSkip is expectedFlat without block skip.
func expectedFlatSkip(a Article, hs []Highlight, skip int) *styledFlat {
	p := prepare(a.Doc, hs)
	d := p.doc
	f := &styledFlat{}
	for i, b := range d.Blocks {
		if b.Start == b.End || i == skip {
			continue
		}
		f.space()
		for i := b.Start; i < b.End; i++ {
			var st uint8
			for _, r := range b.Runs {
				if r.Start <= i && i < r.End {
					st = runStyle(r)
				}
			}
			if b.Kind == doc.Caption {
				st |= stItalic
			}
			if b.Kind == doc.Code {
				st = stCode
			}
			marked := false
			for _, h := range p.anchored {
				if h.start <= i && i < h.end {
					marked = true
				}
			}
			f.add(d.Text[i:i+1], marked, st)
		}
	}
	f.space()
	return f
}

func runStyle(r doc.Run) uint8 {
	var st uint8
	if r.Style&doc.Bold != 0 {
		st |= stBold
	}
	if r.Style&doc.Italic != 0 {
		st |= stItalic
	}
	if r.Style&doc.Strike != 0 {
		st |= stStrike
	}
	if r.Style&doc.Mono != 0 {
		st |= stCode
	}
	if r.Style&doc.Link != 0 && safeURL(r.Href) != "" {
		st |= stLink
	}
	return st
}

// renderedFlat flattens rendered HTML up to the heading stop, without footnotes.
func renderedFlat(t testing.TB, rendered, stop string) *styledFlat {
	t.Helper()
	root, err := html.Parse(strings.NewReader(rendered))
	if err != nil {
		t.Fatal(err)
	}
	f := &styledFlat{}
	done := false
	var walk func(n *html.Node, marked bool, st uint8)
	walk = func(n *html.Node, marked bool, st uint8) {
		if done {
			return
		}
		switch n.Type {
		case html.TextNode:
			f.add(n.Data, marked, st)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script:
				t.Errorf("rendered Markdown has a <script> element")
			case atom.Sup:
				if strings.HasPrefix(attrOf(n, "id"), "fnref") || attrOf(n, "class") == "ref" {
					return
				}
			case atom.Div, atom.Section:
				if strings.Contains(attrOf(n, "class"), "footnotes") {
					return
				}
			case atom.H2:
				if stop != "" && textOf(n) == stop {
					done = true
					return
				}
			case atom.Mark:
				f.marks++
				marked = true
			case atom.Br:
				f.space()
				return
			case atom.Strong, atom.B:
				st |= stBold
			case atom.Em, atom.I:
				st |= stItalic
			case atom.Del, atom.S:
				st |= stStrike
			case atom.Code, atom.Pre:
				st |= stCode
			case atom.A:
				st |= stLink
			}
			if isBlockElem(n.DataAtom) {
				f.space()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, marked, st)
		}
		if n.Type == html.ElementNode && isBlockElem(n.DataAtom) {
			f.space()
		}
	}
	walk(root, false, 0)
	return f
}

// compareFlat checks that got holds want's text, with the same marks and styles on every
// character that is not white space, and no marks outside it.
func compareFlat(t testing.TB, got, want *styledFlat, linkSubset bool) {
	t.Helper()
	// The article text is the end of the rendered text: only the title and the article's
	// note come before it.
	wt := strings.TrimSpace(string(want.text))
	at := string(got.text)
	off := -1
	if trimmed := strings.TrimRight(at, " "); strings.HasSuffix(trimmed, wt) {
		off = len(trimmed) - len(wt)
	}
	if off < 0 {
		t.Fatalf("rendered text does not hold the article text\n got: %q\nwant: %q", at, wt)
	}
	lead := len(want.text) - len(strings.TrimLeft(string(want.text), " "))
	for i := range got.text {
		j := i - off + lead
		inside := i >= off && i < off+len(wt)
		if !inside {
			if got.marked[i] {
				t.Errorf("mark outside the article text at %d: %q", i, around(at, i))
				return
			}
			continue
		}
		if got.text[i] == ' ' {
			continue
		}
		if got.marked[i] != want.marked[j] {
			t.Errorf("byte %d %q: marked %v, want %v", i, around(at, i), got.marked[i], want.marked[j])
			return
		}
		gs, ws := got.style[i], want.style[j]
		if linkSubset && ws&stLink == 0 {
			gs &^= stLink
		}
		if gs != ws {
			t.Errorf("byte %d %q: style %05b, want %05b", i, around(at, i), gs, ws)
			return
		}
	}
}

func around(s string, i int) string {
	return s[max(0, i-20):i] + "|" + s[i:min(len(s), i+20)]
}

// markBounds gives the fewest and most marks a correct export can have: one per part of
// a merged group in a block or table cell, plus one for each edge of emphasis or a link
// inside a part.
func markBounds(a Article, hs []Highlight) (lo, hi int) {
	m := newMDWriter(a, hs, MarkdownOptions{})
	text := m.text
	for _, b := range m.p.doc.Blocks {
		ranges := [][2]int{{b.Start, b.End}}
		if b.Kind == doc.TableRow {
			ranges = splitCells(text, b)
		}
		for _, r := range ranges {
			for _, mk := range markIntervals(text, r[0], r[1], m.marks) {
				lo++
				hi++
				if b.Kind == doc.Code {
					continue
				}
				for _, run := range b.Runs {
					if run.Start > mk.start && run.Start < mk.end {
						hi++
					}
				}
			}
		}
	}
	return lo, hi
}

// checkMarkdown renders md and checks it against the article: text, marks, styles,
// footnotes and front matter.
func checkMarkdown(t testing.TB, a Article, hs []Highlight, md string, opt MarkdownOptions) {
	t.Helper()
	fm, body := splitFrontMatter(t, md)
	var meta map[string]any
	if err := yaml.Unmarshal([]byte(fm), &meta); err != nil {
		t.Fatalf("front matter is not YAML: %v\n%s", err, fm)
	}
	rendered := renderMarkdown(t, body)
	stop := ""
	if opt.Digest {
		stop = "Highlights"
	} else {
		stop = "Highlights not found in the text"
	}
	got := renderedFlat(t, rendered, stop)
	compareFlat(t, got, expectedFlat(a, hs), true)
	lo, hi := markBounds(a, hs)
	if got.marks < lo || got.marks > hi {
		t.Errorf("%d marks, want between %d and %d", got.marks, lo, hi)
	}
	checkFootnotes(t, a, hs, body)
}

// checkFootnotes checks that every highlight with a note, tags or a claim has exactly one
// footnote reference that resolves to a definition holding its note.
func checkFootnotes(t testing.TB, a Article, hs []Highlight, body string) {
	t.Helper()
	src := []byte(body)
	root := newGoldmark().Parser().Parse(text.NewReader(src))
	labels := map[int]string{}
	defText := map[string]string{}
	var links []int
	_ = gast.Walk(root, func(n gast.Node, entering bool) (gast.WalkStatus, error) {
		if !entering {
			return gast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *extast.Footnote:
			labels[n.Index] = string(n.Ref)
			defText[string(n.Ref)] = string(nodeText(n, src))
		case *extast.FootnoteLink:
			links = append(links, n.Index)
		}
		return gast.WalkContinue, nil
	})
	p := prepare(a.Doc, hs)
	want := map[string]*placed{}
	for _, h := range p.anchored {
		if h.hasNotes() {
			want[fmt.Sprintf("hl-%d", h.n)] = h
		}
	}
	seen := map[string]int{}
	for _, idx := range links {
		l, ok := labels[idx]
		if !ok {
			t.Errorf("footnote reference %d has no definition", idx)
			continue
		}
		seen[l]++
	}
	for l, h := range want {
		if seen[l] != 1 {
			t.Errorf("footnote %s referenced %d times, want once", l, seen[l])
		}
		if note := strings.TrimSpace(h.Note); note != "" && !strings.Contains(defText[l], firstWord(note)) {
			t.Errorf("footnote %s = %q, want it to hold the note %q", l, defText[l], note)
		}
		for _, tag := range cleanTags(h.Tags) {
			if !strings.Contains(defText[l], "#"+tag) {
				t.Errorf("footnote %s = %q, want tag #%s", l, defText[l], tag)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d footnotes referenced, want %d", len(seen), len(want))
	}
}

func firstWord(s string) string {
	f := strings.Fields(strings.Trim(s, "*_"))
	return strings.Trim(f[0], "*_.")
}

// nodeText is the raw text under a node.
func nodeText(n gast.Node, src []byte) []byte {
	var b []byte
	_ = gast.Walk(n, func(c gast.Node, entering bool) (gast.WalkStatus, error) {
		if entering {
			if t, ok := c.(*gast.Text); ok {
				b = append(b, t.Segment.Value(src)...)
				b = append(b, ' ')
			}
		}
		return gast.WalkContinue, nil
	})
	return b
}

func TestMarkdownRoundTrip(t *testing.T) {
	rich := richArticle(t)
	rich.Note = "" // the note sits between the title and the body; TestMarkdownNote checks it
	gen, genHs := generatedArticle(t, 1500, 20, 1)
	nested, nestedHs := nestedArticle(t)
	tests := []struct {
		name string
		a    Article
		hs   []Highlight
		opt  MarkdownOptions
	}{
		{"nested", nested, nestedHs, MarkdownOptions{}},
		{"rich", rich, richHighlights(t, rich.Doc), MarkdownOptions{}},
		{"rich digest", rich, richHighlights(t, rich.Doc), MarkdownOptions{Digest: true}},
		{"rich portable", rich, richHighlights(t, rich.Doc), MarkdownOptions{Portable: true, Digest: true}},
		{"rich no highlights", rich, nil, MarkdownOptions{}},
		{"generated", gen, genHs, MarkdownOptions{Digest: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Markdown(&buf, tt.a, tt.hs, tt.opt); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			checkMarkdown(t, tt.a, tt.hs, md, tt.opt)
			if tt.opt.Portable {
				// Portable marks need no == support: plain CommonMark with GFM shows them.
				_, body := splitFrontMatter(t, md)
				var out bytes.Buffer
				plain := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote), goldmark.WithRendererOptions(ghtml.WithUnsafe()))
				if err := plain.Convert([]byte(body), &out); err != nil {
					t.Fatal(err)
				}
				compareFlat(t, renderedFlat(t, out.String(), "Highlights"), expectedFlat(tt.a, tt.hs), true)
			}
			if !tt.opt.Portable && len(tt.hs) > 0 && !strings.Contains(md, "==") {
				t.Errorf("Markdown has no == marks")
			}
		})
	}
}

func TestMarkdownExact(t *testing.T) {
	d := doc.Parse(`<p>It was <b>very bold</b> and plain.</p><p>Next a==b paragraph.</p>`)
	a := Article{ID: 1, Title: "T", Doc: d}
	mk := func(s string, nth int, note string) Highlight {
		st, e := find(t, d, s, nth)
		return Highlight{ID: s, Start: st, End: e, Note: note}
	}
	tests := []struct {
		name string
		hs   []Highlight
		want string // the first paragraph, or both
	}{
		{"none", nil, "It was **very bold** and plain.\n\nNext a=\\=b paragraph."},
		{"inside bold", []Highlight{mk("very", 0, "")}, "It was **==very== bold** and plain."},
		{"around bold", []Highlight{mk("was very bold and", 0, "n")}, "It ==was **very bold** and==[^hl-1] plain."},
		{"across bold edge", []Highlight{mk("bold and", 0, "")}, "It was **very ==bold==** ==and== plain."},
		{"across blocks", []Highlight{mk("plain.\n\nNext", 0, "x")}, "It was **very bold** and ==plain.==\n\n==Next==[^hl-1] a=\\=b paragraph."},
		{"overlapping", []Highlight{mk("was very", 0, "a"), mk("very bold", 0, "b")}, "It ==was **very bold**==[^hl-1][^hl-2] and plain."},
		{"touching", []Highlight{mk("It", 0, ""), mk(" was", 0, "")}, "==It was== **very bold** and plain."},
		{"text with ==", []Highlight{mk("a==b", 0, "")}, "Next ==a=\\=b== paragraph."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Markdown(&buf, a, tt.hs, MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			_, body := splitFrontMatter(t, buf.String())
			if !strings.Contains(body, tt.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", body, tt.want)
			}
		})
	}
}

func TestMarkdownFrontMatter(t *testing.T) {
	titles := []string{
		`Plain title`,
		`Trust: a guide`,
		`"Quoted" and 'single'`,
		`- starts with a dash`,
		`# not a comment`,
		`[list] {map} &anchor *alias !tag %percent @at` + "`tick`",
		`null`, `true`, `123`, `~`,
		`Back\slash and tab	and line` + "\nbreak",
		`Unicode — Ж 中文 😀 𝔘`,
		"Controls \x01\x7f\u0085\u2028\ufeff end",
		"Bad \xff UTF-8",
	}
	for _, title := range titles {
		t.Run(title, func(t *testing.T) {
			pub := time.Date(2023, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 2*3600))
			a := Article{ID: 99, Title: title, Byline: "By A. Writer, B: Colon and C", Site: "Site: Yes", URL: "https://x.example/?q=a:b#c",
				Published: &pub, Saved: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Tags: []string{"one", "two words", "#hash"},
				Doc: doc.Parse("<p>Body.</p>")}
			var buf bytes.Buffer
			if err := Markdown(&buf, a, []Highlight{{ID: "x", Start: 0, End: 4}}, MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			fm, _ := splitFrontMatter(t, buf.String())
			var got struct {
				Title      string    `yaml:"title"`
				Author     []string  `yaml:"author"`
				Site       string    `yaml:"site"`
				Source     string    `yaml:"source"`
				Published  time.Time `yaml:"published"`
				Saved      time.Time `yaml:"saved"`
				Tags       []string  `yaml:"tags"`
				Highlights int       `yaml:"highlights"`
				GlossID    int64     `yaml:"gloss_id"`
			}
			if err := yaml.Unmarshal([]byte(fm), &got); err != nil {
				t.Fatalf("yaml: %v\n%s", err, fm)
			}
			wantTitle := strings.ToValidUTF8(title, "\uFFFD")
			if got.Title != wantTitle {
				t.Errorf("title = %q, want %q", got.Title, wantTitle)
			}
			if want := []string{"A. Writer", "B: Colon", "C"}; strings.Join(got.Author, "|") != strings.Join(want, "|") {
				t.Errorf("author = %q, want %q", got.Author, want)
			}
			if got.Site != a.Site || got.Source != a.URL {
				t.Errorf("site, source = %q, %q", got.Site, got.Source)
			}
			if !got.Published.Equal(pub) || !got.Saved.Equal(a.Saved) {
				t.Errorf("published, saved = %v, %v", got.Published, got.Saved)
			}
			if want := "one|two-words|hash"; strings.Join(got.Tags, "|") != want {
				t.Errorf("tags = %q, want %q", got.Tags, want)
			}
			if got.Highlights != 1 || got.GlossID != 99 {
				t.Errorf("highlights, gloss_id = %d, %d", got.Highlights, got.GlossID)
			}
		})
	}
}

func TestMarkdownEscapesHostileText(t *testing.T) {
	d := doc.Parse(`<p>&lt;script&gt;alert(1)&lt;/script&gt; ==not a mark== *not em* _not em_ # [x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>` +
		`<p>==</p><p>*</p><p>_</p><p>#</p><p>[</p><p>1) one</p><p>+ plus</p><p>===</p><p>---</p><p>| a | b |</p><p>&lt;div&gt;</p>`)
	a := Article{ID: 3, Title: "<script>alert(1)</script>", Doc: d}
	var buf bytes.Buffer
	if err := Markdown(&buf, a, nil, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	_, body := splitFrontMatter(t, buf.String())
	rendered := renderMarkdown(t, body)
	root, err := html.Parse(strings.NewReader(rendered))
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Img, atom.Mark, atom.Em, atom.Strong, atom.A, atom.Div, atom.Table, atom.Hr, atom.Ol, atom.Ul, atom.Pre:
				bad = append(bad, n.Data)
			case atom.H1:
				if textOf(n) != a.Title {
					bad = append(bad, "h1 "+textOf(n))
				}
			case atom.H2, atom.H3:
				bad = append(bad, n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if len(bad) > 0 {
		t.Errorf("hostile text became elements %v:\n%s\n%s", bad, body, rendered)
	}
	compareFlat(t, renderedFlat(t, rendered, ""), expectedFlat(a, nil), false)
}

func TestMarkdownImages(t *testing.T) {
	a := richArticle(t)
	written := map[string][]byte{}
	var buf bytes.Buffer
	err := Markdown(&buf, a, nil, MarkdownOptions{ImageDir: "My Images", WriteImage: func(name string, data []byte) error {
		written[name] = data
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 1 {
		t.Fatalf("%d images written, want 1", len(written))
	}
	for name := range written {
		if !strings.HasSuffix(name, ".png") || strings.ContainsAny(name, "/\\") {
			t.Errorf("image name %q", name)
		}
		if want := "](My%20Images/" + name + ")"; !strings.Contains(buf.String(), want) {
			t.Errorf("Markdown does not link %s:\n%s", want, buf.String())
		}
	}
	rendered := renderMarkdown(t, buf.String())
	if !strings.Contains(rendered, `alt="A [red] square"`) {
		t.Errorf("alt text lost: %s", rendered)
	}

	buf.Reset()
	if err := Markdown(&buf, a, nil, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "![") {
		t.Errorf("images written without ImageDir")
	}
	if err := Markdown(&buf, a, nil, MarkdownOptions{ImageDir: "img"}); !errors.Is(err, ErrNoImageWriter) {
		t.Errorf("err = %v, want ErrNoImageWriter", err)
	}
	failing := errors.New("disk full")
	err = Markdown(&buf, a, nil, MarkdownOptions{ImageDir: "img", WriteImage: func(string, []byte) error { return failing }})
	if !errors.Is(err, failing) {
		t.Errorf("err = %v, want the writer's error", err)
	}
}

func TestMarkdownOrphansAndDigest(t *testing.T) {
	a := richArticle(t)
	hs := richHighlights(t, a.Doc)
	hs = append(hs, Highlight{ID: "out", Start: 1 << 30, End: 1<<30 + 5, Quote: "beyond the end"}, Highlight{ID: "space", Start: 0, End: 0})
	for _, digest := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Markdown(&buf, a, hs, MarkdownOptions{Digest: digest}); err != nil {
			t.Fatal(err)
		}
		md := buf.String()
		for _, s := range []string{"A sentence that was edited away.", "Orphaned note", "beyond the end"} {
			if !strings.Contains(md, s) {
				t.Errorf("digest=%v: orphan text %q missing", digest, s)
			}
		}
		if strings.Contains(md, "==A sentence") {
			t.Errorf("orphan marked inline")
		}
		headings := strings.Count(md, "\n## Highlights")
		if headings != 1 {
			t.Errorf("digest=%v: %d highlights sections, want 1", digest, headings)
		}
		if digest {
			// Every highlight is listed, numbered in reading order.
			var nums []int
			for _, l := range strings.Split(md[strings.Index(md, "## Highlights"):], "\n") {
				var n int
				if _, err := fmt.Sscanf(l, "%d. >", &n); err == nil {
					nums = append(nums, n)
				}
			}
			if len(nums) != len(hs) || !sort.IntsAreSorted(nums) {
				t.Errorf("digest entries %v, want %d in order", nums, len(hs))
			}
		}
	}
}

func TestMarkdownNote(t *testing.T) {
	tests := []struct {
		name     string
		html     string
		portable bool
		want     string
	}{
		{"after the article's own title", "<h1>T</h1><p>Body.</p>", false, "# T\n\n> [!note]\n> Line one\n>\n> Line two\n\nBody.\n"},
		{"after the written title", "<p>Body.</p>", false, "# T\n\n> [!note]\n> Line one\n>\n> Line two\n\nBody.\n"},
		{"portable", "<p>Body.</p>", true, "# T\n\n> Line one\n>\n> Line two\n\nBody.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Article{Title: "T", Note: "Line one\n\nLine two\n", Doc: doc.Parse(tt.html)}
			var buf bytes.Buffer
			if err := Markdown(&buf, a, nil, MarkdownOptions{Portable: tt.portable}); err != nil {
				t.Fatal(err)
			}
			if _, body := splitFrontMatter(t, buf.String()); strings.TrimLeft(body, "\n") != tt.want {
				t.Errorf("body = %q, want %q", body, tt.want)
			}
		})
	}
}
