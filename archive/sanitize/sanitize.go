// Package sanitize is the allow-list HTML sanitiser every stored, shown and
// exported article passes through.
//
// HTML works in three steps. A DOM pass (prepare) removes active and
// embedded content, judges every URL the way a browser would read it,
// removes tracking pixels and turns images that may not be shown into text
// or links. bluemonday then applies the allow-list of elements and
// attributes. A last DOM pass (finish) re-parses the result, so the output is
// what an HTML parser builds from it, and marks every link
// rel="noopener noreferrer nofollow". Sanitising the output again changes
// nothing.
package sanitize

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DefaultLocalImageScheme is the URL scheme of references to images stored in
// the library ("gloss-image:" followed by the SHA-256 of the bytes in lower
// case hex), the form archive/images writes.
const DefaultLocalImageScheme = "gloss-image"

// LinkRel is the rel value every kept link carries.
const LinkRel = "noopener noreferrer nofollow"

// Options says what HTML may keep besides the fixed allow-list.
type Options struct {
	// AllowDataImages keeps img src values of the form
	// data:image/(png|jpeg|gif|webp);base64,… Set it only for HTML whose
	// data images Gloss inlined itself; data URLs are dropped everywhere else.
	AllowDataImages bool
	// LocalImagesOnly replaces every img whose src is not a local reference
	// (or, with AllowDataImages, a data image) by a link to its address,
	// written "[image: ALT]", so a stored article never loads anything from
	// the network.
	LocalImagesOnly bool
	// LocalImageScheme is the scheme of local image references; empty means
	// DefaultLocalImageScheme.
	LocalImageScheme string
}

func (o Options) scheme() string {
	if o.LocalImageScheme == "" {
		return DefaultLocalImageScheme
	}
	return strings.ToLower(o.LocalImageScheme)
}

// HTML returns in, an HTML fragment or document, reduced to the allow-list
// as a fragment (what belongs in a body). It never fails: input the HTML
// parser cannot make sense of still yields a tree, and the one impossible
// case (a tree html.Render refuses) yields "", which is safe.
func HTML(in string, opt Options) string {
	root := parse(in)
	p := preparer{opt: opt, scheme: opt.scheme()}
	p.walk(root)
	mid, ok := render(root)
	if !ok {
		return ""
	}
	mid = newPolicy(opt.AllowDataImages, p.scheme).Sanitize(mid)
	root = parse(mid)
	finish(root)
	out, ok := render(root)
	if !ok {
		return ""
	}
	return out
}

// parse reads s as the content of a body element. Reading from a string
// cannot fail, so neither can the parser.
func parse(s string) *html.Node {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return body
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return body
}

func render(root *html.Node) (string, bool) {
	var b strings.Builder
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return "", false
		}
	}
	return b.String(), true
}

// preparer is the first DOM pass.
type preparer struct {
	opt    Options
	scheme string
}

func (p *preparer) walk(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		p.node(c)
		c = next
	}
}

func (p *preparer) node(n *html.Node) {
	switch n.Type {
	case html.ElementNode:
	case html.TextNode:
		return
	default: // comments (conditional comments included), doctypes
		n.Parent.RemoveChild(n)
		return
	}
	// Everything in the SVG or MathML namespace goes: both can carry
	// scripts, links and animations that set attributes.
	if n.Namespace != "" || dropElements[n.Data] {
		n.Parent.RemoveChild(n)
		return
	}
	switch n.Data {
	case "img":
		p.image(n)
		return
	case "a":
		link(n)
	case "blockquote", "q", "del", "ins":
		if v, ok := getAttr(n, "cite"); ok {
			if u, ok := webURL(v); ok {
				setAttr(n, "cite", u)
			} else {
				delAttr(n, "cite")
			}
		}
	case "xmp", "plaintext", "listing":
		// Obsolete preformatted text; its content is text, so keep it as such.
		n.Data, n.DataAtom, n.Attr = "pre", atom.Pre, nil
	}
	p.walk(n)
}

// link keeps href only if it is http, https, mailto or an in-page
// reference; finish adds rel.
func link(n *html.Node) {
	if _, ok := getAttr(n, "id"); !ok {
		if name, ok := getAttr(n, "name"); ok {
			setAttr(n, "id", name) // <a name> targets of old footnotes
		}
	}
	v, ok := getAttr(n, "href")
	if !ok {
		return
	}
	if u, ok := linkURL(v); ok {
		setAttr(n, "href", u)
	} else {
		delAttr(n, "href")
	}
}

// image decides what becomes of an img: kept with a clean src, turned into
// a placeholder, or removed.
func (p *preparer) image(n *html.Node) {
	src, _ := getAttr(n, "src")
	w, _ := getAttr(n, "width")
	h, _ := getAttr(n, "height")
	if IsTrackingImage(src, w, h) {
		n.Parent.RemoveChild(n)
		return
	}
	for _, a := range []string{"width", "height"} {
		v, ok := getAttr(n, a)
		if !ok {
			continue
		}
		if px, ok := pixels(v); ok && px < 100000 {
			setAttr(n, a, itoa(px))
		} else {
			delAttr(n, a)
		}
	}
	alt, _ := getAttr(n, "alt")
	switch kind, u := p.classify(src); kind {
	case localImage:
		setAttr(n, "src", u)
	case dataImage:
		if !p.opt.AllowDataImages {
			placeholder(n, alt, "")
			return
		}
		setAttr(n, "src", u)
	case remoteImage:
		if p.opt.LocalImagesOnly {
			placeholder(n, alt, u)
			return
		}
		setAttr(n, "src", u)
	default:
		placeholder(n, alt, "")
	}
}

// placeholder replaces img by "[image: ALT]", linked to href when there is
// one and the image is not already inside a link (links do not nest). An
// image with neither alt text nor an address just goes.
func placeholder(img *html.Node, alt, href string) {
	parent := img.Parent
	if href == "" && strings.TrimSpace(alt) == "" {
		parent.RemoveChild(img)
		return
	}
	label := "[image]"
	if a := strings.Join(strings.Fields(alt), " "); a != "" {
		label = "[image: " + a + "]"
	}
	text := &html.Node{Type: html.TextNode, Data: label}
	repl := text
	if href != "" && !insideLink(img) {
		repl = &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
			Attr: []html.Attribute{{Key: "href", Val: href}}}
		repl.AppendChild(text)
	}
	parent.InsertBefore(repl, img)
	parent.RemoveChild(img)
}

func insideLink(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "a" {
			return true
		}
	}
	return false
}

// finish is the last DOM pass over bluemonday's output: every link gets
// exactly LinkRel.
func finish(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "a" {
			if _, ok := getAttr(c, "href"); ok {
				setAttr(c, "rel", LinkRel)
			}
		}
		finish(c)
	}
}

func getAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// setAttr sets key to val in place, or appends it.
func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Namespace == "" && n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	kept := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != key {
			kept = append(kept, a)
		}
	}
	n.Attr = kept
}
