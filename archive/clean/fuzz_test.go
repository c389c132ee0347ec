package clean

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/doc"
)

// FuzzClean states the cleaner's properties: on arbitrary input it never panics and never
// adds text (the canonical text after Page or Article, white space aside, is no longer
// than before; what Lines returns is no longer than its input); and a plain article, three
// or more ordinary paragraphs with no clutter (made here from the fuzz input and a neutral
// vocabulary), keeps every paragraph, as HTML and as text.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"", "<p>Search</p>", "<div id=comments><p>Nice post!</p></div>",
		"<h2>3 Comments</h2><p>Jane said...</p><p>March 3, 2024</p>",
		"<p>Sign up for our newsletter</p>", "<figure><img src=x><figcaption>Photo: AP</figcaption></figure>",
		"<p>By Jane Doe</p><p>Updated 9:41 AM</p>", "<ul><li><a href=/a>Related story one</a></li></ul>",
		"About Acme\nAcme is a company.", "<article><p>teaser text that stops mid</p></article>",
		"\x00<<>>&amp;\u00a0\u200b", "Notify of\nguest\n0 Comments", "\x01\x02\x03\xff\x10 ordinary seed",
		"<p>a<br><br> <br>b<br>c<br><br></p>", "<p id=x><br><!-- --><br>a<b>b<br><br>c</b></p>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utf8.ValidString(s) {
			for _, stage := range []string{"article", "page"} {
				root, err := html.Parse(strings.NewReader(s))
				if err != nil {
					t.Fatal(err)
				}
				// White space does not count: Page splits a paragraph at a run of <br>,
				// which the text shows as a blank line instead of a line break.
				before := len(strings.Join(strings.Fields(doc.FromNode(root).Text), ""))
				if stage == "page" {
					Page(root)
				} else {
					Article(root, &Meta{})
				}
				if after := len(strings.Join(strings.Fields(doc.FromNode(root).Text), "")); after > before {
					t.Fatalf("%s: text grew from %d to %d bytes", stage, before, after)
				}
			}
			title, byline, body, _ := Lines(s)
			if got := len(title) + len(byline) + len(body); got > len(s) {
				t.Fatalf("Lines grew the text: %d > %d bytes", got, len(s))
			}
		}

		title, paras := plainArticle(s)
		var b strings.Builder
		b.WriteString("<article><h1>" + title + "</h1>")
		for _, p := range paras {
			b.WriteString("<p>" + p + "</p>")
		}
		b.WriteString("</article>")
		nodes, err := html.ParseFragment(strings.NewReader(b.String()), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		if err != nil || len(nodes) == 0 {
			t.Fatal(err)
		}
		if removed := Article(nodes[0], &Meta{}); len(removed) > 0 {
			t.Errorf("removed %+v from a plain article", removed)
		}
		text := doc.FromNode(nodes[0]).Text
		for _, p := range paras {
			if !strings.Contains(text, p) {
				t.Fatalf("paragraph %q lost; text:\n%s", p, text)
			}
		}
		_, _, body, removed := Lines(title + "\n\n" + strings.Join(paras, "\n\n"))
		if body != strings.Join(paras, "\n\n") {
			t.Fatalf("Lines changed a plain article: removed %+v, body:\n%s", removed, body)
		}
	})
}

// neutral is a vocabulary of ordinary prose with no clutter words in it.
var neutral = strings.Fields(`the a of to and in on with after before said will was were has have for their its
river council bridge market winter engineers report village water school teachers road farmers harvest museum
visitors storm repairs budget hospital nurses train station workers forest trail families weekend festival
music library harbour ferry island doctors patients children parents town county mayor plan new old three
twelve hundred miles week month year morning evening north south east west open closed built repaired
expected asked told found opened planned voted agreed`)

// plainArticle makes a title and three to six paragraphs of ordinary sentences from the
// bytes of s: every byte picks the next word.
func plainArticle(s string) (string, []string) {
	seed := []byte(s)
	if len(seed) == 0 {
		seed = []byte{0}
	}
	k := 0
	next := func() int {
		v := int(seed[k%len(seed)]) + k*7
		k++
		return v
	}
	word := func() string { return neutral[next()%len(neutral)] }
	sentence := func() string {
		n := 12 + next()%18
		w := make([]string, n)
		for i := range w {
			w[i] = word()
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		return strings.Join(w, " ") + "."
	}
	title := strings.ToUpper(neutral[9][:1]) + neutral[9][1:] + " " + word() + " " + word()
	paras := make([]string, 3+next()%4)
	for i := range paras {
		ss := make([]string, 1+next()%3)
		for j := range ss {
			ss[j] = sentence()
		}
		paras[i] = strings.Join(ss, " ")
	}
	return title, paras
}
