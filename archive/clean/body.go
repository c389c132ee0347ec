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
// marked body (a copy from [Body]): of a few runs of words sampled across the body's text,
// fewer than half occur in the article's.
func Misses(article, body *html.Node) bool {
	if body == nil {
		return false
	}
	words := strings.Fields(textOf(body, nil))
	if len(words) < 4 {
		return false
	}
	have := collapse(textOf(article, nil))
	const probes, size = 7, 4
	found, tried := 0, 0
	for k := 0; k < probes; k++ {
		i := k * (len(words) - size) / (probes - 1)
		if i < 0 || i+size > len(words) {
			continue
		}
		tried++
		if strings.Contains(have, strings.Join(words[i:i+size], " ")) {
			found++
		}
	}
	return found*2 < tried
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
