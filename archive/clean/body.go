package clean

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// Body returns a copy of the element the page marks as its article's body (by itemprop
// articleBody or a class such as entry-content or post-body), or nil when the page marks
// none, or more than one. Take it before readability changes the page: when readability
// then misses the body (see [Misses]), the body is the better guess at the article.
func Body(doc *html.Node) *html.Node {
	var found *html.Node
	count := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil && count < 2; ch = ch.NextSibling {
			if ch.Type != html.ElementNode || skippedText[ch.Data] {
				continue
			}
			if isArticleBody(ch) {
				if found == nil || !contains(found, ch) {
					count++
				}
				if found == nil {
					found = ch
				}
				continue
			}
			walk(ch)
		}
	}
	walk(doc)
	if count != 1 || textLen(found, nil) < 80 {
		return nil
	}
	return clone(found)
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

// Misses reports whether the article readability picked leaves out most of the page's
// marked body (a copy from [Body]): fewer than half of the body's words occur in it.
func Misses(article, body *html.Node) bool {
	if body == nil {
		return false
	}
	have := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(textOf(article, nil)), notLetter) {
		have[w] = true
	}
	words := strings.FieldsFunc(strings.ToLower(textOf(body, nil)), notLetter)
	if len(words) == 0 {
		return false
	}
	hit := 0
	for _, w := range words {
		if have[w] {
			hit++
		}
	}
	return hit*2 < len(words)
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
