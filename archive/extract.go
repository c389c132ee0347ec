package archive

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/clean"
)

// ErrNoArticle is returned when a page holds no article: neither text nor a picture.
var ErrNoArticle = errors.New("no article text found on the page")

// Extracted is an article taken out of a page: its metadata, its cleaned HTML, and the
// canonical text derived from that HTML (see package doc).
type Extracted struct {
	Title, Byline, SiteName, Lang, Excerpt, LeadImage string
	Published                                         *time.Time
	// Node is the cleaned article before sanitising; the save step localises its images.
	Node *xhtml.Node
	// Removed lists what cleaning took out, in document order (page stage first), for
	// the user to review and restore.
	Removed []clean.Removal
}

// Parse parses a page's UTF-8 HTML once; extraction mutates the tree it returns.
func Parse(page []byte) (*xhtml.Node, error) {
	n, err := xhtml.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	return n, nil
}

// ExtractNode finds the article in a parsed page, mutating the page's tree, and cleans it
// (package clean): comment sections go before readability looks for the article, the
// rest of the clutter after. keep lists the paths of clean removals not to make, so that
// a removal can be undone by extracting again (see clean.Removal).
func ExtractNode(page *xhtml.Node, pageURL *url.URL, keep ...string) (*Extracted, error) {
	removed, body := clean.Page(page, keep...)
	p := readability.NewParser()
	// Classes stay on until cleaning has read them; they are dropped below, as
	// readability would have done.
	p.KeepClasses = true
	art, err := p.ParseAndMutate(page, pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract article: %w", err)
	}
	if body != nil && (art.Node == nil || body.Misses(art.Node)) {
		// Readability went past the element the page marks as the article's body
		// (typically a short post above a long comment thread): look for the article
		// in that element alone.
		root := &xhtml.Node{Type: xhtml.DocumentNode}
		h := &xhtml.Node{Type: xhtml.ElementNode, Data: "html", DataAtom: atom.Html}
		b := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
		root.AppendChild(h)
		h.AppendChild(&xhtml.Node{Type: xhtml.ElementNode, Data: "head", DataAtom: atom.Head})
		h.AppendChild(b)
		b.AppendChild(body.Node())
		q := readability.NewParser()
		q.KeepClasses = true
		if again, err := q.ParseAndMutate(root, pageURL); err == nil && again.Node != nil && clean.HasText(again.Node) {
			art.Node = again.Node
		} else {
			// Too little text for readability to score (a photo post): the body is the
			// article as the page marks it.
			art.Node = body.Node()
		}
	}
	if art.Node == nil {
		return nil, ErrNoArticle
	}
	e := &Extracted{
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
	meta := clean.Meta{Title: e.Title, Byline: e.Byline}
	if e.Published != nil {
		meta.Published = *e.Published
	}
	e.Removed = append(removed, clean.Article(art.Node, &meta, keep...)...)
	clean.DropClasses(art.Node)
	e.Byline = meta.Byline
	if e.Published == nil && !meta.Published.IsZero() {
		t := meta.Published.UTC()
		e.Published = &t
	}
	if !clean.HasText(art.Node) && !clean.HasImage(art.Node) {
		return nil, ErrNoArticle
	}
	return e, nil
}

// FromText turns plain text into an article. The text is cleaned line by line (package
// clean: search-box lines, teasers, calls to action, comment widgets and the like go);
// the first line left is the title, a byline line becomes the byline, and the rest is
// split into paragraphs on blank lines. keep lists the paths of clean removals not to make.
func FromText(text string, keep ...string) (*Extracted, error) {
	title, byline, body, removed := clean.Lines(text, keep...)
	if title == "" {
		return nil, ErrNoArticle
	}
	var b strings.Builder
	b.WriteString("<article>")
	for _, para := range strings.Split(body, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	b.WriteString("</article>")
	nodes, err := xhtml.ParseFragment(strings.NewReader(b.String()), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil || len(nodes) != 1 {
		return nil, fmt.Errorf("build article from text: %w", err)
	}
	return &Extracted{Title: title, Byline: byline, Node: nodes[0], Removed: removed}, nil
}

func renderNode(n *xhtml.Node) string {
	var b strings.Builder
	if err := xhtml.Render(&b, n); err != nil {
		return ""
	}
	return b.String()
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
