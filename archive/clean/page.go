package clean

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// Page removes the comment sections of a whole parsed page, before readability looks
// for the article in it, and returns what it removed. keep lists the paths of removals
// not to make.
//
// Only comment sections are taken out at this stage: a long thread is the one kind of
// clutter that readability may take for the article, or append to it. Everything else is
// left to [Article], so that what is reported is what would have been in the article.
//
// It also splits each paragraph that holds a run of two or more <br> into the paragraphs
// the page shows (splitParagraph), so that readability does not drop an article's lead
// for the way it is written.
//
// Page also returns the element the page marks as its article's body (by itemprop
// articleBody or a class such as entry-content or post-body), or nil when the page marks
// none, or more than one: when readability then misses it ([Body.Misses]), it is the
// better guess at the article.
func Page(doc *html.Node, keep ...string) (removed []Removal, body *Body) {
	c := newCleaner("page", doc, keep)
	root := findElement(doc, "body")
	if root == nil {
		root = doc
	}
	c.comments(root)
	removed = c.sweep()
	// Split after the sweep, so that removal paths are positions in the page as it came.
	for _, p := range c.broken {
		if contains(doc, p) {
			splitParagraph(p)
		}
	}
	if c.bodies == 1 && (hasLetters(c.body, minBodyLetters) || HasImage(c.body)) {
		cp := clone(c.body)
		body = &Body{copy: cp, probes: probes(cp, 7)}
	}
	return removed, body
}

// minBodyLetters is how many letters a marked body without a picture needs to be offered
// as the article. It is low on purpose, and a body with a picture needs none: a post of a
// photo and a line, or of a photo alone, is still the article, and readability, finding
// too little text there, otherwise takes a sidebar's "about me" block for it.
const minBodyLetters = 20

// Body is the element a page marks as its article's body, as [Page] found it.
type Body struct {
	copy *html.Node // taken before readability changed the page
	// probes are runs of words sampled evenly across the body's text.
	probes []string
}

// Node returns a new copy of the body as it was before readability changed the page, or
// nil for a nil Body.
func (b *Body) Node() *html.Node {
	if b == nil {
		return nil
	}
	return clone(b.copy)
}

// Misses reports whether the article readability picked leaves out most of the body:
// fewer than half of the runs of words sampled across the body occur in its text, or,
// for a body of fewer than four words, neither its text nor any of its pictures.
// (Readability may rebuild the page from a copy of its own, so the test is on words and
// image sources, not on nodes.)
func (b *Body) Misses(article *html.Node) bool {
	if b == nil {
		return false
	}
	have := collapsedText(article)
	if len(b.probes) == 0 {
		// Too few words to sample: a photo, or a photo and a line. Readability missed
		// the body when its article has neither the line nor any of the photos.
		if text := collapsedText(b.copy); text != "" && strings.Contains(have, text) {
			return false
		}
		srcs := imageSources(article)
		for src := range imageSources(b.copy) {
			if srcs[src] {
				return false
			}
		}
		return true
	}
	found := 0
	for _, p := range b.probes {
		if strings.Contains(have, p) {
			found++
		}
	}
	return found*2 < len(b.probes)
}

// probes returns k runs of four words spread evenly over the text of n.
func probes(n *html.Node, k int) []string {
	const size = 4
	words := strings.Split(collapsedText(n), " ")
	if len(words) < size {
		return nil
	}
	var out []string
	for i := 0; i < k; i++ {
		at := i * (len(words) - size) / (k - 1)
		out = append(out, strings.Join(words[at:at+size], " "))
	}
	return out
}

// HasText reports whether n holds a letter or a digit outside the elements that never
// show text.
func HasText(n *html.Node) bool { return hasLetters(n, 1) }

// HasImage reports whether n holds an image with a source.
func HasImage(n *html.Node) bool { return len(imageSources(n)) > 0 }

// imageSources returns the set of the sources of the images under n.
func imageSources(n *html.Node) map[string]bool {
	srcs := map[string]bool{}
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == "img" {
			if src := strings.TrimSpace(attr(d, "src")); src != "" {
				srcs[src] = true
			}
		}
	}
	return srcs
}

// comments marks the comment sections under n: elements whose class or id names a comment
// system or section, comment forms, and runs of comment items.
func (c *cleaner) comments(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || skippedText[ch.Data] {
			continue
		}
		m, sys, isBody := c.marks(ch)
		if m == markComments && !c.holdsArticle(ch, true) && hasContent(ch) {
			if c.remove(ch, "comments/marker", commentReason(sys)) {
				continue
			}
		}
		if isCommentForm(ch) && !c.holdsArticle(ch, true) {
			if c.remove(ch, "comments/form", "comment form") {
				continue
			}
		}
		if ch.Data == "p" && hasBreakRun(ch) {
			c.broken = append(c.broken, ch)
		}
		if isBody {
			// Count the marked bodies; one inside another counts once.
			if c.body == nil || !contains(c.body, ch) {
				c.bodies++
			}
			if c.body == nil {
				c.body = ch
			}
		}
		c.comments(ch)
	}
}

// commentReason is the reason shown for a comment section of a system.
func commentReason(sys string) string {
	if sys == "" {
		return "comment section"
	}
	return "comment section (" + sys + ")"
}

// isCommentForm reports whether n is a form for posting a comment.
func isCommentForm(n *html.Node) bool {
	if n.Data != "form" {
		return false
	}
	action := strings.ToLower(attr(n, "action"))
	if strings.Contains(action, "comment") {
		return true
	}
	found := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "textarea" {
			name := strings.ToLower(attr(n, "name") + " " + attr(n, "id"))
			if strings.Contains(name, "comment") || strings.Contains(name, "reply") {
				found = true
			}
		}
		for ch := n.FirstChild; ch != nil && !found; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return found
}

// articleTokens are class and id tokens of the element that holds an article's text.
var articleTokens = map[string]bool{
	"entry-content": true, "post-content": true, "article-content": true, "article-body": true,
	"articlebody": true, "article__body": true, "article-text": true, "story-body": true,
	"story-content": true, "story-text": true, "post-body": true, "entry-body": true,
	"body-text": true, "main-content": true, "content-body": true, "post-entry": true,
	"articletext": true, "storybody": true, "postbody": true, "entrytext": true, "entry-text": true,
	"post-text": true, "blog-post": true, "single-post-content": true, "td-post-content": true,
	"article__content": true, "articlecontent": true, "news-content": true, "news-body": true,
}

// holdsArticle reports whether n holds the article (or most of it), so that it must not be
// removed whole: it is or contains the element marked as the article's body, or contains
// the page's main heading or an article element that is not itself marked as a comment.
func (c *cleaner) holdsArticle(n *html.Node, commentsOK bool) bool {
	if c.isArticleBody(n) {
		return true
	}
	var found bool
	var walk func(e *html.Node)
	walk = func(e *html.Node) {
		for ch := e.FirstChild; ch != nil && !found; ch = ch.NextSibling {
			if ch.Type != html.ElementNode || skippedText[ch.Data] {
				continue
			}
			if m, _ := c.markerOf(ch); m == markComments && commentsOK {
				continue
			}
			if ch.Data == "h1" || ch.Data == "main" || c.isArticleBody(ch) ||
				(ch.Data == "article" && textLen(ch, nil) > 500) {
				found = true
				return
			}
			walk(ch)
		}
	}
	walk(n)
	return found
}

// isArticleBody reports whether n is marked as the article's body, by itemprop or by a
// class or id token such as entry-content.
func (c *cleaner) isArticleBody(n *html.Node) bool {
	_, _, body := c.marks(n)
	return body
}

// findElement returns the first element named tag under n, in document order.
func findElement(n *html.Node, tag string) *html.Node {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.Data == tag {
			return ch
		}
		if f := findElement(ch, tag); f != nil {
			return f
		}
	}
	return nil
}

// hasContent reports whether n shows something: text, or an embedded frame.
func hasContent(n *html.Node) bool {
	return hasLetters(n, 1) || findElement(n, "iframe") != nil
}

// hasLetters reports whether n holds at least k letters or digits, looking no further
// than it needs to.
func hasLetters(n *html.Node, k int) bool {
	count := 0
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.Type {
			case html.TextNode:
				for _, r := range ch.Data {
					if unicode.IsLetter(r) || unicode.IsDigit(r) {
						if count++; count >= k {
							return true
						}
					}
				}
			case html.ElementNode:
				if !skippedText[ch.Data] && walk(ch) {
					return true
				}
			}
		}
		return false
	}
	return walk(n)
}

// clone returns a deep copy of n, detached from any tree.
func clone(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	if len(n.Attr) > 0 {
		c.Attr = append([]html.Attribute(nil), n.Attr...)
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.AppendChild(clone(ch))
	}
	return c
}

// hasBreakRun reports whether p has two or more <br> in a row among its children (white
// space and HTML comments between them do not count).
func hasBreakRun(p *html.Node) bool {
	brs := 0
	for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case isBreak(ch):
			if brs++; brs == 2 {
				return true
			}
		case !isBlank(ch):
			brs = 0
		}
	}
	return false
}

// splitParagraph makes a paragraph of each part of p between runs of two or more <br>,
// as the page shows them. Readability would split it too, but it turns p into a div to
// hold the parts, and then its conditional cleaning may drop that div whole, lead
// paragraph and all, for its links or its images. The new paragraphs copy p's attributes
// but its id.
func splitParagraph(p *html.Node) {
	var parts [][]*html.Node
	var part []*html.Node
	for ch := p.FirstChild; ch != nil; {
		if isBreak(ch) {
			// Find the end of the run; blanks inside it go with it.
			brs, end := 1, ch.NextSibling
			for end != nil && (isBreak(end) || isBlank(end)) {
				if isBreak(end) {
					brs++
				}
				end = end.NextSibling
			}
			if brs >= 2 {
				parts = append(parts, part)
				part = nil
				ch = end
				continue
			}
		}
		part = append(part, ch)
		ch = ch.NextSibling
	}
	parts = append(parts, part)
	if len(parts) < 2 {
		return
	}
	for ch := p.FirstChild; ch != nil; ch = p.FirstChild {
		p.RemoveChild(ch)
	}
	var attrs []html.Attribute
	for _, a := range p.Attr {
		if a.Key != "id" || a.Namespace != "" {
			attrs = append(attrs, a)
		}
	}
	at := p
	for _, part := range parts {
		if allBlank(part) {
			continue
		}
		dst := p
		if p.FirstChild != nil {
			dst = &html.Node{Type: html.ElementNode, Data: p.Data, DataAtom: p.DataAtom,
				Namespace: p.Namespace, Attr: append([]html.Attribute(nil), attrs...)}
			at.Parent.InsertBefore(dst, at.NextSibling)
			at = dst
		}
		for _, n := range part {
			dst.AppendChild(n)
		}
	}
}

func isBreak(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "br" }

// isBlank reports whether n shows nothing between two breaks: white space or an HTML
// comment.
func isBlank(n *html.Node) bool {
	return n.Type == html.CommentNode || n.Type == html.TextNode && strings.TrimSpace(n.Data) == ""
}

func allBlank(nodes []*html.Node) bool {
	for _, n := range nodes {
		if !isBlank(n) {
			return false
		}
	}
	return true
}
