package siterules

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/antchfx/htmlquery"
	"github.com/antchfx/xpath"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ErrEval means evaluating an expression against a page failed (the XPath engine
// panicked); the expression is skipped and the rest of the rule still applies.
var ErrEval = errors.New("XPath evaluation failed")

// EvalError reports an expression that could not be evaluated against a page.
type EvalError struct {
	Source Source
	Expr   string
	Err    error
}

// Error returns "site rule example.com.txt:3: XPath evaluation failed: ...".
func (e *EvalError) Error() string {
	return fmt.Sprintf("%s: %v (%s)", e.Source, e.Err, e.Expr)
}

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

// Removal records one thing a rule took out of a page, and why.
type Removal struct {
	// Reason is the sentence shown to the user: "site rule example.com.txt:12
	// strip" or "your rule for example.com: strip class \"promo\"".
	Reason    string
	Source    Source
	Directive string // "strip", "strip_id_or_class", "strip_image_src", "strip_attr", "title", ...
	Match     string // the XPath, word, src fragment or text pattern that matched
	// Node is the removed node, detached from the document. For strip_attr it is
	// the element that lost the attribute, still in the document.
	Node *html.Node
	Attr string // for strip_attr: the name of the removed attribute
}

// Result is what applying a rule to a page found.
type Result struct {
	Title   string   // from title:, whitespace collapsed; "" when nothing matched
	Authors []string // from author:, every node of the first expression that matched
	Author  string   // Authors joined with ", "
	Date    string   // from date:, as written in the page

	// Body, when a body: expression matched, is the article to use instead of the
	// one readability would choose: a copy, detached from the document, of the
	// matched element, or a <div> holding copies of several matched elements in
	// document order. Nil when no body expression matched.
	Body       *html.Node
	BodySource Source // the body: line that matched

	// Prune reports whether the article should still be cleaned by the generic
	// cleaner (FiveFilters "prune", default yes). With "prune: no" a matched Body
	// is meant to be kept as is.
	Prune bool
	// NativeAd is set when a native_ad_clue matched: the page is sponsored content.
	NativeAd bool

	// SinglePageLink is the absolute URL of the page's single-page (or print)
	// version; when set, fetch it and use it instead of this page.
	SinglePageLink string
	// NextPageLink is the absolute URL of the article's next page (see JoinPages).
	NextPageLink string

	Removals []Removal
}

// Rewrite applies the find_string/replace_string pairs to the raw HTML of a page,
// in order, each to the result of the previous one (as FiveFilters does), before
// the page is parsed. It returns page unchanged when the rule has no replacements.
func (r *Rule) Rewrite(page []byte) []byte {
	if r == nil {
		return page
	}
	for _, rep := range r.Replace {
		page = bytes.ReplaceAll(page, []byte(rep.Find), []byte(rep.Replace))
	}
	return page
}

// Apply applies the rule to a parsed page, changing doc in place, and returns
// what it found. pageURL is the page's address, used to make page links absolute
// (a <base href> in the page is honoured); it may be empty.
//
// The order follows FiveFilters: first the page links and native_ad_clue are read
// (before anything is removed); then title, author and date, each matched element
// being removed from the page (so the title is not repeated in the article); then
// strip, strip_id_or_class, strip_image_src, the user's strip rules, strip_attr,
// dissolve, wrap_in and src_lazy_load_attr change the page; last, body is
// matched. The <html>, <head> and <body> elements are never removed.
//
// strip_id_or_class removes every element whose class or id attribute contains
// the word as a substring: FiveFilters' contains(@class,'x') or contains(@id,'x'),
// which the upstream rules are written for (so "ad" also matches "header"). A
// strip_image_src removes every <img> whose src contains the string.
//
// The error, when not nil, joins an *EvalError for each expression that could not
// be evaluated; everything else was still applied and Result is valid.
func (r *Rule) Apply(doc *html.Node, pageURL string) (Result, error) {
	res := Result{Prune: true}
	if r == nil || doc == nil {
		return res, nil
	}
	res.Prune = r.Prune.Or(true)
	a := &applier{doc: doc, base: baseURL(doc, pageURL), res: &res}
	if u, err := url.Parse(pageURL); err == nil && pageURL != "" {
		a.page = u
	}

	res.NextPageLink = a.link(r.NextPageLink)
	res.SinglePageLink = a.link(r.SinglePageLink)
	for _, e := range r.NativeAdClue {
		if a.truthy(e) {
			res.NativeAd = true
			break
		}
	}

	res.Title = a.text(r.Title, "title")
	res.Authors = a.authors(r.Author)
	res.Author = strings.Join(res.Authors, ", ")
	res.Date = a.text(r.Date, "date")

	for _, e := range r.Strip {
		for _, n := range a.eval(e).nodes {
			a.remove(n, e.Source, "strip", e.Text)
		}
	}
	for _, v := range r.StripIDOrClass {
		word := v.Text
		for _, n := range findElements(doc, func(n *html.Node) bool {
			return strings.Contains(attr(n, "class"), word) || strings.Contains(attr(n, "id"), word)
		}) {
			a.remove(n, v.Source, "strip_id_or_class", word)
		}
	}
	for _, v := range r.StripImageSrc {
		frag := v.Text
		for _, n := range findElements(doc, func(n *html.Node) bool {
			return n.DataAtom == atom.Img && strings.Contains(attr(n, "src"), frag)
		}) {
			a.remove(n, v.Source, "strip_image_src", frag)
		}
	}
	for _, v := range r.StripClass {
		class := v.Text
		for _, n := range findElements(doc, func(n *html.Node) bool { return hasClass(n, class) }) {
			a.remove(n, v.Source, "strip_class", class)
		}
	}
	for _, m := range r.StripText {
		for _, n := range smallestBlocks(doc, m.matches) {
			a.remove(n, m.Source, "strip_text", m.Pattern)
		}
	}
	for _, e := range r.StripAttr {
		for _, at := range a.eval(e).attrs {
			if removeAttr(at.el, at.key) {
				res.Removals = append(res.Removals, Removal{
					Reason: e.Source.reason("strip_attr"), Source: e.Source, Directive: "strip_attr",
					Match: e.Text, Node: at.el, Attr: at.key,
				})
			}
		}
	}
	for _, e := range r.Dissolve {
		for _, n := range a.eval(e).nodes {
			dissolve(n)
		}
	}
	for _, w := range r.WrapIn {
		for _, n := range a.eval(w.Expr).nodes {
			wrap(n, w.Tag)
		}
	}
	if r.SrcLazyLoadAttr != "" {
		for _, n := range findElements(doc, func(n *html.Node) bool { return n.DataAtom == atom.Img }) {
			if v := strings.TrimSpace(attr(n, r.SrcLazyLoadAttr)); v != "" {
				setAttr(n, "src", v)
			}
		}
	}

	for _, e := range r.Body {
		if body := a.body(e); body != nil {
			res.Body, res.BodySource = body, e.Source
			break
		}
	}
	return res, errors.Join(a.errs...)
}

type applier struct {
	doc  *html.Node
	base *url.URL // what relative links resolve against
	page *url.URL // the page's own address, nil when unknown
	res  *Result
	errs []error
}

// match is the value of an expression: a node set (split into nodes and
// attributes) or a scalar.
type match struct {
	nodes  []*html.Node
	attrs  []attrRef
	scalar bool
	str    string // a string or number result
	truth  bool   // a boolean result
}

type attrRef struct {
	el       *html.Node
	key, val string
}

// values returns the text of each item of the node set, or the scalar string.
func (m match) values() []string {
	if m.scalar {
		return []string{m.str}
	}
	var out []string
	for _, n := range m.nodes {
		out = append(out, nodeText(n))
	}
	for _, a := range m.attrs {
		out = append(out, a.val)
	}
	return out
}

func (a *applier) eval(e *Expr) match {
	m, err := e.eval(a.doc)
	if err != nil {
		a.errs = append(a.errs, err)
	}
	return m
}

// eval evaluates the expression against doc.
func (e *Expr) eval(doc *html.Node) (m match, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = match{}, &EvalError{Source: e.Source, Expr: e.Text, Err: fmt.Errorf("%w: %v", ErrEval, r)}
		}
	}()
	e.mu.Lock()
	defer e.mu.Unlock()
	switch v := e.x.Evaluate(htmlquery.CreateXPathNavigator(doc)).(type) {
	case *xpath.NodeIterator:
		for v.MoveNext() {
			nav, ok := v.Current().(*htmlquery.NodeNavigator)
			if !ok {
				continue
			}
			n := nav.Current()
			if nav.NodeType() == xpath.AttributeNode {
				m.attrs = append(m.attrs, attrRef{el: n, key: nav.LocalName(), val: nav.Value()})
			} else if n.Type == html.ElementNode || n.Type == html.TextNode || n.Type == html.CommentNode {
				m.nodes = append(m.nodes, n)
			}
		}
	case string:
		m.scalar, m.str = true, v
	case float64:
		m.scalar, m.str = true, strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		m.scalar, m.truth = true, v
	}
	return m, nil
}

// truthy reports whether the expression matches something in the page: a
// non-empty node set, a true boolean or a non-empty string.
func (a *applier) truthy(e *Expr) bool {
	m := a.eval(e)
	if m.scalar {
		return m.truth || m.str != ""
	}
	return len(m.nodes) > 0 || len(m.attrs) > 0
}

// link returns the first usable link: the href of a matched element, the value
// of a matched attribute or a string result, made absolute. Links whose
// if_page_contains conditions do not all match are skipped, as are links that
// are not http(s) or lead back to the page itself.
func (a *applier) link(links []Link) string {
next:
	for _, l := range links {
		for _, c := range l.IfPageContains {
			if !a.truthy(c) {
				continue next
			}
		}
		m := a.eval(l.Expr)
		var raw []string
		if m.scalar {
			raw = append(raw, m.str)
		}
		for _, n := range m.nodes {
			if n.Type == html.ElementNode {
				if h, ok := attrOK(n, "href"); ok {
					raw = append(raw, h)
				}
			}
		}
		for _, at := range m.attrs {
			raw = append(raw, at.val)
		}
		for _, s := range raw {
			if u := a.resolve(s); u != "" {
				return u
			}
		}
	}
	return ""
}

func (a *applier) resolve(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	ref, err := url.Parse(s)
	if err != nil {
		return ""
	}
	u := ref
	if a.base != nil {
		u = a.base.ResolveReference(ref)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	if a.page != nil && samePage(u, a.page) {
		return ""
	}
	return u.String()
}

// text returns the first non-empty text an expression yields, with whitespace
// collapsed, removing the node it came from.
func (a *applier) text(exprs []*Expr, directive string) string {
	for _, e := range exprs {
		m := a.eval(e)
		vals := m.values()
		if len(vals) == 0 {
			continue
		}
		v := collapse(vals[0])
		if v == "" {
			continue
		}
		if !m.scalar && len(m.nodes) > 0 {
			a.remove(m.nodes[0], e.Source, directive, e.Text)
		}
		return v
	}
	return ""
}

// authors returns every text of the first expression that yields any, removing
// the matched nodes.
func (a *applier) authors(exprs []*Expr) []string {
	for _, e := range exprs {
		m := a.eval(e)
		var out []string
		seen := map[string]bool{}
		for _, v := range m.values() {
			v = collapse(v)
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			continue
		}
		for _, n := range m.nodes {
			a.remove(n, e.Source, "author", e.Text)
		}
		return out
	}
	return nil
}

// body returns a detached copy of what e matches, or nil.
func (a *applier) body(e *Expr) *html.Node {
	var els []*html.Node
	for _, n := range a.eval(e).nodes {
		if n.Type == html.ElementNode && attached(n, a.doc) {
			els = append(els, n)
		}
	}
	if len(els) == 0 {
		return nil
	}
	if len(els) == 1 {
		return asBlock(cloneTree(els[0]))
	}
	// Keep the outermost elements only, in document order.
	in := map[*html.Node]bool{}
	for _, n := range els {
		in[n] = true
	}
	var top []*html.Node
	for _, n := range els {
		inner := false
		for p := n.Parent; p != nil; p = p.Parent {
			if in[p] {
				inner = true
				break
			}
		}
		if !inner && !contains(top, n) {
			top = append(top, n)
		}
	}
	order := docOrder(a.doc)
	sort.SliceStable(top, func(i, j int) bool { return order[top[i]] < order[top[j]] })
	if len(top) == 1 {
		return asBlock(cloneTree(top[0]))
	}
	div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range top {
		div.AppendChild(asBlock(cloneTree(n)))
	}
	return div
}

// remove detaches n from the document and records why, unless n is already gone
// (inside something removed before) or is the document's skeleton.
func (a *applier) remove(n *html.Node, src Source, directive, matched string) {
	if n == nil || n.Parent == nil || n == a.doc || !attached(n, a.doc) {
		return
	}
	if n.Type == html.ElementNode && (n.DataAtom == atom.Html || n.DataAtom == atom.Head || n.DataAtom == atom.Body) {
		return
	}
	n.Parent.RemoveChild(n)
	a.res.Removals = append(a.res.Removals, Removal{
		Reason: src.reason(directive), Source: src, Directive: directive, Match: matched, Node: n,
	})
}

// attached reports whether n is still inside doc.
func attached(n, doc *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == doc {
			return true
		}
	}
	return false
}

// findElements returns the elements for which match is true, in document order,
// leaving out those inside a matched element (they go with it).
func findElements(doc *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// docOrder numbers every node of doc in document order.
func docOrder(doc *html.Node) map[*html.Node]int {
	order := map[*html.Node]int{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		order[n] = len(order)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return order
}

func contains(list []*html.Node, n *html.Node) bool {
	for _, m := range list {
		if m == n {
			return true
		}
	}
	return false
}

// cloneTree returns a deep copy of n, detached.
func cloneTree(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
	if len(n.Attr) > 0 {
		c.Attr = append([]html.Attribute(nil), n.Attr...)
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.AppendChild(cloneTree(ch))
	}
	return c
}

// asBlock turns a copied <html> or <body> element into a <div>, so that the
// result can be placed inside another element.
func asBlock(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && (n.DataAtom == atom.Html || n.DataAtom == atom.Body) {
		n.Data, n.DataAtom = "div", atom.Div
	}
	return n
}

// dissolve replaces element n by its children.
func dissolve(n *html.Node) {
	if n.Type != html.ElementNode || n.Parent == nil || n.DataAtom == atom.Html || n.DataAtom == atom.Body || n.DataAtom == atom.Head {
		return
	}
	for c := n.FirstChild; c != nil; c = n.FirstChild {
		n.RemoveChild(c)
		n.Parent.InsertBefore(c, n)
	}
	n.Parent.RemoveChild(n)
}

// wrap puts element n inside a new element named tag.
func wrap(n *html.Node, tag string) {
	if n.Type != html.ElementNode || n.Parent == nil || n.DataAtom == atom.Html || n.DataAtom == atom.Body || n.DataAtom == atom.Head {
		return
	}
	w := &html.Node{Type: html.ElementNode, Data: tag, DataAtom: atom.Lookup([]byte(tag))}
	n.Parent.InsertBefore(w, n)
	n.Parent.RemoveChild(n)
	w.AppendChild(n)
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func removeAttr(n *html.Node, key string) bool {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr = append(n.Attr[:i], n.Attr[i+1:]...)
			return true
		}
	}
	return false
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// nodeText returns the text content of a node: all descendant text for an
// element, the data of a text or comment node.
func nodeText(n *html.Node) string {
	if n.Type != html.ElementNode {
		return n.Data
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// collapse trims s and collapses runs of white space to one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// baseURL returns the URL relative links of doc resolve against: its <base href>
// resolved against pageURL, or pageURL. Nil when neither is usable.
func baseURL(doc *html.Node, pageURL string) *url.URL {
	page, err := url.Parse(pageURL)
	if err != nil || pageURL == "" {
		page = nil
	}
	bases := findElements(doc, func(n *html.Node) bool { return n.DataAtom == atom.Base && attr(n, "href") != "" })
	if len(bases) > 0 {
		if b, err := url.Parse(strings.TrimSpace(attr(bases[0], "href"))); err == nil {
			if page != nil {
				return page.ResolveReference(b)
			}
			if b.IsAbs() {
				return b
			}
		}
	}
	return page
}

// samePage reports whether two URLs name the same page, ignoring the fragment.
func samePage(a, b *url.URL) bool {
	x, y := *a, *b
	x.Fragment, x.RawFragment, y.Fragment, y.RawFragment = "", "", "", ""
	return x.String() == y.String()
}
