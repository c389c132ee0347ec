package clean

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

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
// marked body (the copy [Page] returns): of a few runs of words sampled across the body's text,
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
