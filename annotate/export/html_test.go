package export

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/doc"
)

func renderHTML(t *testing.T, a Article, hs []Highlight) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, a, hs); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkNesting checks that every element the page opens is closed in order.
func checkNesting(t testing.TB, page string) {
	t.Helper()
	void := map[string]bool{"meta": true, "br": true, "hr": true, "img": true}
	z := html.NewTokenizer(strings.NewReader(page))
	var stack []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			if len(stack) > 0 {
				t.Errorf("elements left open: %v", stack)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				stack = append(stack, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if n := len(stack); n == 0 || stack[n-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func TestHTML(t *testing.T) {
	a := richArticle(t)
	a.Note = "Article note with <script>alert(1)</script> and [a link](javascript:alert(1))."
	hs := richHighlights(t, a.Doc)
	page := renderHTML(t, a, hs)
	checkNesting(t, page)

	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	pieces := map[string]*strings.Builder{}
	ids := map[string]bool{}
	var imgs []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Iframe, atom.Object, atom.Embed, atom.Link:
				t.Errorf("page has a <%s>", n.Data)
			case atom.Img:
				imgs = append(imgs, attrOf(n, "src"))
			case atom.Mark:
				hl := attrOf(n, "data-hl")
				if pieces[hl] == nil {
					pieces[hl] = &strings.Builder{}
				}
				pieces[hl].WriteString(textOf(n))
				if id := attrOf(n, "id"); id != "" {
					if ids[id] {
						t.Errorf("id %s twice", id)
					}
					ids[id] = true
				}
				if !strings.HasPrefix(attrOf(n, "class"), "hl-") {
					t.Errorf("mark without a colour class: %q", attrOf(n, "class"))
				}
			case atom.A:
				href := attrOf(n, "href")
				if href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "mailto:") {
					t.Errorf("link to %q", href)
				}
			}
			for _, at := range n.Attr {
				if strings.HasPrefix(strings.ToLower(at.Key), "on") {
					t.Errorf("event handler attribute %s", at.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)

	if !strings.Contains(page, "Content-Security-Policy") {
		t.Errorf("no Content-Security-Policy")
	}
	if len(imgs) != 1 {
		t.Fatalf("%d images, want 1", len(imgs))
	}
	data, ok := strings.CutPrefix(imgs[0], "data:image/png;base64,")
	if !ok {
		t.Fatalf("image src %.40q is not a PNG data: URI", imgs[0])
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	if want, _, _ := a.Image("https://img.example/a.png"); !bytes.Equal(raw, want) {
		t.Errorf("inlined image differs from the stored one")
	}

	// Every anchored highlight is marked, its pieces together exactly its text.
	p := prepare(a.Doc, hs)
	for _, h := range p.anchored {
		n := itoa(h.n)
		got := ""
		if b := pieces[n]; b != nil {
			got = strings.Join(strings.Fields(b.String()), "")
		}
		if want := strings.Join(strings.Fields(a.Doc.Text[h.start:h.end]), ""); got != want {
			t.Errorf("highlight %s: marked %q, want %q", h.ID, got, want)
		}
		if !ids["hl-"+n] {
			t.Errorf("highlight %s: no element with id hl-%s", h.ID, n)
		}
		if h.Note != "" && !strings.Contains(page, `title="`+escAttr(annotationText(h))) {
			t.Errorf("highlight %s: note not in a title", h.ID)
		}
	}
	// The notes list has every highlight, the orphan too.
	for _, h := range p.all {
		if !strings.Contains(page, `id="note-`+itoa(h.n)+`"`) {
			t.Errorf("no note entry for %s", h.ID)
		}
	}
	for _, want := range []string{"A sentence that was edited away.", "Not found in the current text.", "<dt>Claimant</dt><dd>Dr. Who</dd>",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "<em>opening</em>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "javascript:") {
		t.Errorf("javascript: link kept")
	}

	// Text, marks and styles of the body match the document.
	compareFlat(t, renderedFlat(t, page, "Notes"), expectedFlatSkip(a, hs, 0), false)
}

func escAttr(s string) string { return html.EscapeString(s) }

func TestHTMLOverlapsAndLists(t *testing.T) {
	d := doc.Parse(`<ol start="4"><li>four <b>bold</b></li><li>five<ul><li>nested</li></ul></li></ol><blockquote><p>quoted</p><ul><li>in quote</li></ul></blockquote><p>after</p>`)
	s1, _ := find(t, d, "four", 0)
	_, e1 := find(t, d, "five", 0)
	s2, _ := find(t, d, "bold", 0)
	_, e2 := find(t, d, "nested", 0)
	hs := []Highlight{{ID: "a", Start: s1, End: e1, Color: "green", Note: "A"}, {ID: "b", Start: s2, End: e2, Color: "pink"}}
	a := Article{Title: "Lists", Doc: d}
	page := renderHTML(t, a, hs)
	checkNesting(t, page)
	for _, want := range []string{`<ol start="4">`, "<blockquote>", `class="hl-green"`, `class="hl-pink"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	compareFlat(t, renderedFlat(t, page, "Notes"), expectedFlat(a, hs), false)
}

func TestHTMLNested(t *testing.T) {
	a, hs := nestedArticle(t)
	page := renderHTML(t, a, hs)
	checkNesting(t, page)
	compareFlat(t, renderedFlat(t, page, "Notes"), expectedFlat(a, hs), false)
}
