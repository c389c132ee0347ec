package clean

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/doc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// extract runs a page through the stages as archive.ExtractNode does: Page, readability,
// the marked-body fallback, Article, and returns the canonical text of the result.
func extract(t testing.TB, page string, keep ...string) (string, []Removal, Meta) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	removed, body := Page(root, keep...)
	p := readability.NewParser()
	p.KeepClasses = true
	u, _ := url.Parse("https://example.com/news/article")
	art, err := p.ParseAndMutate(root, u)
	if err != nil {
		t.Fatal(err)
	}
	node := art.Node
	if body != nil && (node == nil || body.Misses(node)) {
		doc := &html.Node{Type: html.DocumentNode}
		h := &html.Node{Type: html.ElementNode, Data: "html"}
		b := &html.Node{Type: html.ElementNode, Data: "body"}
		doc.AppendChild(h)
		h.AppendChild(b)
		b.AppendChild(body.Node())
		q := readability.NewParser()
		q.KeepClasses = true
		if a, err := q.ParseAndMutate(doc, u); err == nil && a.Node != nil && HasText(a.Node) {
			node = a.Node
		} else {
			node = body.Node()
		}
	}
	if node == nil {
		t.Fatal("no article")
	}
	meta := Meta{Title: art.Title(), Byline: strings.Join(strings.Fields(art.Byline()), " ")}
	removed = append(removed, Article(node, &meta, keep...)...)
	DropClasses(node)
	return doc.FromNode(node).Text, removed, meta
}

// TestGolden runs each page in testdata through the stages and compares the canonical
// text, and what was removed, with NAME.golden.
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no test pages: %v", err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			text, removed, meta := extract(t, string(in))
			var b strings.Builder
			b.WriteString(text)
			b.WriteString("\n\n=== byline: " + meta.Byline)
			if !meta.Published.IsZero() {
				b.WriteString(", published: " + meta.Published.UTC().Format("2006-01-02T15:04"))
			}
			b.WriteString("\n=== removed\n")
			for _, r := range removed {
				fmt.Fprintf(&b, "%s\t%s\t%s\n", r.Rule, r.Reason, r.Text)
			}
			got := b.String()
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
			}
		})
	}
}

// The article paragraphs every test page holds; they must all survive.
var articleParagraphs = []string{
	"The public library in Eastwick reopened on Saturday",
	"Volunteers lined the steps before the doors opened at nine",
	"The rebuilding cost 3.2 million pounds",
	"Engineers raised the floor by sixty centimetres",
	"Osei said the library would extend its opening hours",
}

// TestArticleSurvives checks, on every boilerplate page, that the article's paragraphs
// are all kept and that no comment or boilerplate text is.
func TestArticleSurvives(t *testing.T) {
	clutter := []string{
		"grew up two streets", "grandmother would love", "every volunteer who carried",
		"Leave a Reply", "Ferry timetable", "Sign up for our free", "Harbour Digest",
		"Facebook Twitter", "Search for", "Tags:", "staff reporter", "registered charity",
		"Photo: Anna Berg", "Image 1 of 12", "Image credit", "We use cookies", "By Sam Rivers",
		"Updated March 3", "Home » News", "Lifeboat crew", "Storm damage report", "Inline Feedbacks",
		"Oldest", "Subscribe", "Sort by Best", "said...", "Support independent", "Follow us",
	}
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		if name == "legit-comment-words" || strings.HasPrefix(name, "content-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			text, _, _ := extract(t, string(in))
			want := articleParagraphs
			if name == "comments-thread-instead-of-article" {
				want = want[:2]
			}
			for _, p := range want {
				if !strings.Contains(text, p) {
					t.Errorf("article paragraph %q lost; text:\n%s", p, text)
				}
			}
			for _, c := range clutter {
				if strings.Contains(text, c) {
					t.Errorf("clutter %q kept; text:\n%s", c, text)
				}
			}
		})
	}
}

// TestLegitCommentWords checks that an article about comments, with headings such as
// "Comments in review" and "About the survey", keeps every paragraph.
func TestLegitCommentWords(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "legit-comment-words.html"))
	if err != nil {
		t.Fatal(err)
	}
	text, removed, _ := extract(t, string(in))
	for _, p := range []string{
		"About three hundred programmers answered", "Comments that explain why",
		"Comments in review", "Reviewers in the survey", "One respondent described",
		"About the survey", "The survey ran for two weeks", "Leave a reply to the person",
	} {
		if !strings.Contains(text, p) {
			t.Errorf("lost %q", p)
		}
	}
	if len(removed) != 0 {
		t.Errorf("removed %d blocks from a plain article: %+v", len(removed), removed)
	}
}

// TestKeep checks that a removal's path, passed back as keep, leaves exactly that block.
func TestKeep(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "newsletter-cta.html"))
	if err != nil {
		t.Fatal(err)
	}
	text, removed, _ := extract(t, string(in))
	if len(removed) < 2 {
		t.Fatalf("want several removals, got %+v", removed)
	}
	for i, r := range removed {
		got, again, _ := extract(t, string(in), r.Path)
		if len(got) <= len(text) {
			t.Errorf("keep %s (%s): text did not grow", r.Path, r.Rule)
		}
		if len(again) != len(removed)-1 {
			t.Errorf("keep %s: got %d removals, want %d", r.Path, len(again), len(removed)-1)
		}
		for j, o := range removed {
			if j != i && !hasPath(again, o.Path) {
				t.Errorf("keep %s: removal %s is gone", r.Path, o.Path)
			}
		}
		first := strings.Fields(r.Text)
		if len(first) > 3 && !strings.Contains(got, strings.Join(first[:3], " ")) {
			t.Errorf("keep %s: %q not back in the text", r.Path, r.Text)
		}
	}
}

func hasPath(rs []Removal, p string) bool {
	for _, r := range rs {
		if r.Path == p {
			return true
		}
	}
	return false
}

// TestArticleOrderAndPaths checks that removals come in document order and that their
// paths point at the removed nodes in the tree as it was.
func TestArticleOrderAndPaths(t *testing.T) {
	const in = `<div><p class="byline">By Ann Lee</p><p>First paragraph of the story, long enough to be read as prose by every rule that looks at paragraphs of prose.</p>` +
		`<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a></div>` +
		`<p>Second paragraph of the story, also long enough to be read as prose by every rule that looks at paragraphs of prose.</p>` +
		`<p>Sign up for our newsletter to get the news delivered to your inbox.</p></div>`
	nodes, err := html.ParseFragment(strings.NewReader(in), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	root := nodes[0]
	original := render(root)
	meta := Meta{}
	removed := Article(root, &meta)
	var got []string
	for _, r := range removed {
		got = append(got, r.Rule+" "+r.Path)
	}
	want := []string{"meta/byline article:0", "share/marker article:2", "cta/newsletter article:4"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("removals = %v, want %v", got, want)
	}
	if meta.Byline != "By Ann Lee" {
		t.Errorf("byline = %q, want %q", meta.Byline, "By Ann Lee")
	}
	// Each path names the removed node in the original tree.
	again, _ := html.ParseFragment(strings.NewReader(original), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	for _, r := range removed {
		n := again[0]
		for _, s := range strings.Split(strings.TrimPrefix(r.Path, "article:"), ".") {
			var i int
			fmt.Sscan(s, &i)
			n = n.FirstChild
			for ; i > 0 && n != nil; i-- {
				n = n.NextSibling
			}
		}
		if n == nil || render(n) != r.HTML {
			t.Errorf("path %s does not lead to the removed node %q", r.Path, r.HTML)
		}
	}
}

// TestContentLookingLikeClutter checks pages whose content resembles clutter: a live blog
// whose entries are article elements linking to themselves, a timeline whose headings are
// dates (and one says "By the numbers"), and a list whose headings are links, ending with
// a bold "More" over two sentences (not a heading with teasers).
func TestContentLookingLikeClutter(t *testing.T) {
	tests := []struct {
		page string
		keep []string
	}{
		{"content-liveblog", []string{"9:41 AM", "outer wall held overnight", "Council crews began", "Met Office warning", "11:02 AM", "Residents of the three streets"}},
		{"content-timeline", []string{"March 1, 2024", "The first cracks", "March 2, 2024", "Divers inspected", "March 4, 2024", "The council approved", "By the numbers", "Eleven engineers"}},
		{"content-listicle", []string{"Harbour Café", "crab sandwiches", "The Net Loft", "fish stew", "Quay Street Bakery", "saffron buns", "The harbour trust lists", "printed guide"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tt.page+".html"))
			if err != nil {
				t.Fatal(err)
			}
			text, removed, _ := extract(t, string(in))
			for _, k := range tt.keep {
				if !strings.Contains(text, k) {
					t.Errorf("lost %q; removed %+v\ntext:\n%s", k, removed, text)
				}
			}
		})
	}
}
