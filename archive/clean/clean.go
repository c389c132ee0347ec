// Package clean takes the clutter out of an article: reader comments, related-article
// teasers, newsletter, follow and donation calls to action, share bars, search boxes,
// breadcrumbs, tag lists, author bios, press-release "About <company>" boilerplate,
// image captions, gallery counters, photo credits, cookie notices, and byline and date
// lines, whose content goes into the article's metadata.
//
// Cleaning runs at three points, with the same rules on the wording of short blocks:
//
//   - [Page], on a whole parsed page before readability picks the article, takes out
//     comment sections, so that a thread can neither be appended to the article nor
//     chosen instead of it; it also splits paragraphs written as runs of <br> into the
//     paragraphs they show, and returns a copy of the element the page marks as its
//     article body, for when readability goes past it ([Misses]);
//   - [Article], on the node readability picked, takes out the rest;
//   - [Lines] does the same for plain text (an imported clipping), line by line.
//
// The rules are general: they read structure (class and id words, roles, forms, headings,
// link density, nested articles, runs of comment items) and the wording of short blocks,
// never a site or a page. Each rule that removes a container first checks that the
// container does not hold the article or a large share of its text, and no rule removes
// a long paragraph of ordinary prose.
//
// Image captions are removed too, following the convention of article-extraction
// benchmarks that a caption is not part of the article's body (dropCaptions); like every
// other removal they can be restored one by one.
//
// Every removal is reported as a [Removal], in document order, with the rule that made it
// and a stable identity, its Path. Passing paths back in keep to the same function with
// the same input leaves those blocks in place: that is how a removal is undone.
package clean

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Removal is one block that cleaning took out.
type Removal struct {
	// Reason says what the block was, in words: "comment section (Disqus)",
	// "newsletter call to action", "related articles".
	Reason string `json:"reason"`
	// Rule names the rule that removed it, such as "comments/marker" or "cta/newsletter".
	Rule string `json:"rule"`
	// Text is the removed text, white space collapsed, cut to about 300 bytes.
	Text string `json:"text"`
	// HTML is the removed nodes, rendered; for Lines, the removed lines, escaped.
	HTML string `json:"html,omitempty"`
	// Path is the removal's stable identity: the stage ("page", "article" or "text") and
	// where the removed block was before cleaning. For the DOM stages it is the index of
	// each node on the way down from the root, counting every child node
	// ("article:0.3.1"), or the first and last of a run of siblings removed together
	// ("article:0.28-0.67"); for Lines, the 1-based line numbers ("text:12",
	// "text:88-95"). The same input cleaned with the same keep list gives the same paths,
	// and keeping a path keeps everything inside it.
	Path string `json:"path"`
}

// Meta is what cleaning learned about the article from the lines it moved out of the
// text. Article fills only the fields that are empty.
type Meta struct {
	// Title is the article's title, as the page's metadata gives it; a heading atop the
	// text that repeats it goes. Article leaves it as it is.
	Title     string
	Byline    string
	Published time.Time // zero when unknown
}

// maxText caps Removal.Text.
const maxText = 300

// cleaner holds the state of one cleaning stage. Rules mark nodes; sweep detaches them
// at the end, so that every path is a position in the tree as it was before cleaning.
type cleaner struct {
	stage   string
	root    *html.Node
	keep    map[string]bool
	marked  map[*html.Node]verdict
	textLen int // text length of root, for the stages that need it
	// attrCache holds what class and id values say (see markerOf).
	attrCache map[string]attrMark
	// body is the first element Page found marked as the article's body, and bodies
	// the number of such elements.
	body   *html.Node
	bodies int
	// broken are the paragraphs Page found holding runs of <br>, to split (splitParagraph).
	broken []*html.Node
}

func newCleaner(stage string, root *html.Node, keep []string) *cleaner {
	c := &cleaner{stage: stage, root: root, marked: map[*html.Node]verdict{}}
	if len(keep) > 0 {
		c.keep = make(map[string]bool, len(keep))
		for _, k := range keep {
			c.keep[k] = true
		}
	}
	return c
}

// remove marks n for removal by rule, unless n or an ancestor is already marked or the
// caller asked to keep it. It reports whether n is now marked.
func (c *cleaner) remove(n *html.Node, rule, reason string) bool {
	if n == nil || n == c.root || n.Parent == nil || c.isMarked(n) || c.kept(c.path(n)) {
		return false
	}
	c.marked[n] = verdict{rule, reason}
	return true
}

// kept reports whether the caller asked to keep the node at path, or a node or run of
// siblings that holds it.
func (c *cleaner) kept(path string) bool {
	for k := range c.keep {
		if covers(k, path) {
			return true
		}
	}
	return false
}

// covers reports whether the removal path k ("article:0.3" or "article:0.3-0.7") is path
// or holds it.
func covers(k, path string) bool {
	from, to, group := strings.Cut(k, "-")
	if !group {
		return path == k || strings.HasPrefix(path, k+".")
	}
	// A run of siblings: same parent, index from..to.
	stage, fromIdx, ok1 := strings.Cut(from, ":")
	pstage, pIdx, ok2 := strings.Cut(path, ":")
	if !ok1 || !ok2 || stage != pstage {
		return false
	}
	parent, first := splitLast(fromIdx)
	_, last := splitLast(to)
	if parent != "" {
		if !strings.HasPrefix(pIdx, parent+".") {
			return false
		}
		pIdx = pIdx[len(parent)+1:]
	}
	head, _, _ := strings.Cut(pIdx, ".")
	i, err := strconv.Atoi(head)
	return err == nil && i >= first && i <= last
}

// splitLast splits "0.3.7" into "0.3" and 7.
func splitLast(p string) (string, int) {
	j := strings.LastIndexByte(p, '.')
	n, _ := strconv.Atoi(p[j+1:])
	if j < 0 {
		return "", n
	}
	return p[:j], n
}

// isMarked reports whether n or one of its ancestors is marked.
func (c *cleaner) isMarked(n *html.Node) bool {
	if len(c.marked) == 0 {
		return false
	}
	for p := n; p != nil && p != c.root; p = p.Parent {
		if c.marked[p].ok() {
			return true
		}
	}
	return false
}

func contains(a, b *html.Node) bool {
	for p := b; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// path is the position of n below the root: the stage and the child index at each level.
func (c *cleaner) path(n *html.Node) string {
	return c.stage + ":" + indexPath(c.root, n)
}

// indexPath is the position of n below root as dot-separated child indices.
func indexPath(root, n *html.Node) string {
	var idx []int
	for p := n; p != nil && p != root; p = p.Parent {
		i := 0
		for s := p.PrevSibling; s != nil; s = s.PrevSibling {
			i++
		}
		idx = append(idx, i)
	}
	var b strings.Builder
	for i := len(idx) - 1; i >= 0; i-- {
		b.WriteString(strconv.Itoa(idx[i]))
		if i > 0 {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// sweep detaches the marked nodes and returns their removals in document order. Marked
// siblings in a row removed by one rule (with only white space between them) make one
// removal, whose path names the first and the last: "article:0.28-0.67". A group whose
// path the caller asked to keep stays.
func (c *cleaner) sweep() []Removal {
	if len(c.marked) == 0 {
		return nil
	}
	type group struct {
		first, last *html.Node
		v           verdict
		path        string
	}
	// Find the groups and their paths with the tree still whole, then detach them.
	var groups []group
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; {
			v := c.marked[ch]
			if !v.ok() {
				walk(ch)
				ch = ch.NextSibling
				continue
			}
			last := ch
			for s := ch.NextSibling; s != nil; s = s.NextSibling {
				if c.marked[s] == v {
					last = s
					continue
				}
				if s.Type == html.TextNode && strings.TrimSpace(s.Data) == "" || s.Type == html.CommentNode {
					continue
				}
				break
			}
			path := c.path(ch)
			if last != ch {
				path += "-" + indexPath(c.root, last)
			}
			if c.keep[path] {
				for s := ch; s != last.NextSibling; s = s.NextSibling {
					walk(s)
				}
			} else {
				groups = append(groups, group{ch, last, v, path})
			}
			ch = last.NextSibling
		}
	}
	walk(c.root)
	out := make([]Removal, 0, len(groups))
	for _, g := range groups {
		var text, htm strings.Builder
		parent, end := g.first.Parent, g.last.NextSibling
		for s := g.first; s != end; {
			after := s.NextSibling
			if s.Type == html.ElementNode || s.Type == html.TextNode {
				text.WriteString(textOf(s, nil))
				text.WriteByte(' ')
				htm.WriteString(render(s))
			}
			parent.RemoveChild(s)
			s = after
		}
		out = append(out, Removal{Reason: g.v.reason, Rule: g.v.rule, Path: g.path,
			Text: capText(collapse(text.String())), HTML: htm.String()})
	}
	c.marked = map[*html.Node]verdict{}
	return out
}

func render(n *html.Node) string {
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		return ""
	}
	return b.String()
}

// skippedText names the elements whose content never shows as text.
var skippedText = map[string]bool{
	"head": true, "script": true, "style": true, "noscript": true, "template": true,
	"iframe": true, "object": true, "embed": true, "svg": true, "math": true,
	"button": true, "input": true, "select": true, "textarea": true, "title": true,
}

// textOf returns the text under n, leaving out marked nodes when c is not nil. Block
// elements are separated by a space.
func textOf(n *html.Node, c *cleaner) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if skippedText[n.Data] {
				return
			}
			if c != nil && c.marked[n].ok() {
				return
			}
			if n.Data == "br" || blockTags[n.Data] {
				b.WriteByte(' ')
			}
		case html.DocumentNode:
		default:
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
		if n.Type == html.ElementNode && blockTags[n.Data] {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return b.String()
}

// collapsedText returns the text under n as textOf does, white space collapsed, in one
// pass.
func collapsedText(n *html.Node) string {
	var w collapser
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.Type {
			case html.TextNode:
				w.write(ch.Data)
			case html.ElementNode:
				if skippedText[ch.Data] {
					continue
				}
				if ch.Data == "br" || blockTags[ch.Data] {
					w.write(" ")
				}
				walk(ch)
				if blockTags[ch.Data] {
					w.write(" ")
				}
			}
		}
	}
	walk(n)
	return w.b.String()
}

// textLen counts the letters and digits under n (not marked), a measure of text that
// does not depend on white space.
func textLen(n *html.Node, c *cleaner) int {
	count := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			count += countAlnum(n.Data)
			return
		case html.ElementNode:
			if skippedText[n.Data] || (c != nil && c.marked[n].ok()) {
				return
			}
		case html.DocumentNode:
		default:
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return count
}

// countAlnum counts the letters and digits of s, with a fast path for ASCII.
func countAlnum(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
		i += size
	}
	return n
}

// collapse turns every run of white space into one space and trims the ends.
func collapse(s string) string {
	var w collapser
	w.write(s)
	return w.b.String()
}

// collapser writes text with every run of white space made one space, and none at the
// ends.
type collapser struct {
	b     strings.Builder
	space bool // a space is due before the next word
}

func (w *collapser) write(s string) {
	start := -1 // start of the current run of non-space
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var sp bool
		if c < utf8.RuneSelf {
			sp = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		if sp {
			if start >= 0 {
				w.b.WriteString(s[start:i])
				start = -1
			}
			w.space = w.b.Len() > 0
		} else if start < 0 {
			if w.space {
				w.b.WriteByte(' ')
				w.space = false
			}
			start = i
		}
		i += size
	}
	if start >= 0 {
		w.b.WriteString(s[start:])
	}
}

func capText(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

// blockTags are the elements that start a new block of text.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "details": true,
	"dialog": true, "dd": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "header": true, "hgroup": true, "hr": true,
	"li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true, "section": true,
	"table": true, "tr": true, "td": true, "th": true, "ul": true, "caption": true,
	"summary": true, "body": true, "html": true, "thead": true, "tbody": true, "tfoot": true,
	"picture": true, "center": true, "menu": true,
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func isHeading(n *html.Node) bool {
	if n.Type != html.ElementNode || len(n.Data) != 2 || n.Data[0] != 'h' {
		return false
	}
	return n.Data[1] >= '1' && n.Data[1] <= '6'
}

// DropClasses removes the class attribute from n and every element under it. Cleaning
// reads classes; the stored article does not keep them.
func DropClasses(n *html.Node) {
	if n.Type == html.ElementNode {
		for i, a := range n.Attr {
			if a.Key == "class" && a.Namespace == "" {
				n.Attr = append(n.Attr[:i], n.Attr[i+1:]...)
				break
			}
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		DropClasses(ch)
	}
}
