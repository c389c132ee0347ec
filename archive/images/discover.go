// Package images finds the images of a cleaned article, fetches them
// through an injected function, checks that they are real raster images and
// points the article at local copies.
//
// Discover finds the address each img really shows (srcset, picture,
// lazy-loading attributes, noscript fallbacks) and normalises the DOM to
// one plain img per image. Check sniffs and measures downloaded bytes.
// Localize does both and rewrites img src to LocalRef(hash); storing the
// bytes is the caller's job. Images that could not be kept keep their
// original address in src, which the sanitiser (archive/sanitize with
// LocalImagesOnly) turns into a visible link "[image: ALT]".
package images

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gloss/archive/sanitize"
)

// DefaultMaxWidth is the srcset width cap Discover uses when given 0.
const DefaultMaxWidth = 1600

// Ref is one image an article shows.
type Ref struct {
	// Node is the img element, already normalised: src is URL, and
	// srcset and lazy-loading attributes are gone.
	Node *html.Node
	// URL is absolute: http, https, or a data:image URL.
	URL string
	// Alt is the img alt text.
	Alt string
}

// Lazy-loading scripts keep the real address in attributes of their own.
var (
	lazySrcsetAttrs = []string{"data-srcset", "data-lazy-srcset"}
	lazySrcAttrs    = []string{
		"data-hi-res-src", "data-full-src", "data-lazy-src", "data-src",
		"data-original", "data-url", "data-lazy", "data-echo", "data-actualsrc",
	}
	// dropAttrs go once src holds the chosen address.
	dropAttrs = append(append([]string{"srcset", "sizes", "loading"}, lazySrcsetAttrs...), lazySrcAttrs...)
)

// Discover finds every image doc shows, resolving addresses against base
// (or the document's <base href>), and normalises the DOM: each <picture>
// becomes its img, each img's src is set to the chosen address, srcset and
// lazy attributes are removed, and a <noscript> fallback either replaces
// the lazy img it duplicates or is dropped, so each image appears once.
//
// From a srcset Discover picks the largest width no wider than maxWidth
// (DefaultMaxWidth if maxWidth <= 0), else the narrowest above it; with
// density descriptors only, 2x, else the highest density below 2x. Lazy
// attributes win over src and srcset, which are often placeholders.
//
// An img with no usable address is removed. Tracking pixels
// (sanitize.IsTrackingImage) are not returned and are left for the
// sanitiser to remove.
func Discover(doc *html.Node, base *url.URL, maxWidth int) []Ref {
	if maxWidth <= 0 {
		maxWidth = DefaultMaxWidth
	}
	d := discoverer{base: documentBase(doc, base), maxWidth: maxWidth}
	for _, ns := range findAll(doc, "noscript") {
		d.noscript(ns)
	}
	var refs []Ref
	for _, n := range findImages(doc) {
		img := n
		var sources []*html.Node
		if n.Data == "picture" {
			img, sources = d.unwrapPicture(n)
		}
		u, ok := d.choose(img, sources)
		for _, a := range dropAttrs {
			delAttr(img, a)
		}
		if !ok {
			if img.Parent != nil {
				img.Parent.RemoveChild(img)
			}
			continue
		}
		setAttr(img, "src", u)
		w, _ := getAttr(img, "width")
		h, _ := getAttr(img, "height")
		if sanitize.IsTrackingImage(u, w, h) {
			continue
		}
		alt, _ := getAttr(img, "alt")
		refs = append(refs, Ref{Node: img, URL: u, Alt: alt})
	}
	return refs
}

type discoverer struct {
	base     *url.URL
	maxWidth int
}

// documentBase applies the first <base href> of doc to base, as a browser
// would.
func documentBase(doc *html.Node, base *url.URL) *url.URL {
	if base == nil {
		base = &url.URL{}
	}
	for _, b := range findAll(doc, "base") {
		if href, ok := getAttr(b, "href"); ok {
			if u, err := base.Parse(strings.TrimSpace(href)); err == nil {
				return u
			}
			break
		}
	}
	return base
}

// findImages lists img and picture elements in document order, not looking
// inside pictures (their img belongs to them) or foreign content.
func findImages(n *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.Namespace != "" {
				continue
			}
			if c.Data == "img" || c.Data == "picture" {
				out = append(out, c)
				continue
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

func findAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Namespace == "" && c.Data == tag {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

// unwrapPicture replaces the picture element by its img (creating one if
// the markup has none) and returns it with the picture's source elements.
func (d *discoverer) unwrapPicture(pic *html.Node) (*html.Node, []*html.Node) {
	var img *html.Node
	var sources []*html.Node
	for _, n := range descendants(pic) {
		switch {
		case n.Data == "source":
			sources = append(sources, n)
		case n.Data == "img" && img == nil:
			img = n
		}
	}
	if img == nil {
		img = &html.Node{Type: html.ElementNode, Data: "img", DataAtom: atom.Img}
	} else {
		img.Parent.RemoveChild(img)
	}
	if pic.Parent != nil {
		pic.Parent.InsertBefore(img, pic)
		pic.Parent.RemoveChild(pic)
	}
	return img, sources
}

func descendants(n *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				out = append(out, c)
				walk(c)
			}
		}
	}
	walk(n)
	return out
}

// usableSource reports whether a picture source is in a format Check
// accepts; AVIF, JPEG XL and the like are skipped for the img fallback.
func usableSource(s *html.Node) bool {
	t, ok := getAttr(s, "type")
	if !ok {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "", "image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// choose returns the address img shows, in order of trust: lazy srcsets,
// lazy single addresses, srcset, src, and only then placeholders found in
// srcset or src.
func (d *discoverer) choose(img *html.Node, sources []*html.Node) (string, bool) {
	var usable []*html.Node
	for _, s := range sources {
		if usableSource(s) {
			usable = append(usable, s)
		}
	}
	var lazy, plain []candidate
	for _, n := range append(usable, img) {
		for _, a := range lazySrcsetAttrs {
			if v, ok := getAttr(n, a); ok {
				lazy = append(lazy, d.srcset(v)...)
			}
		}
		if v, ok := getAttr(n, "srcset"); ok {
			plain = append(plain, d.srcset(v)...)
		}
	}
	// Lazy attributes exist to hold the real address, so they are trusted
	// whatever the file is called.
	if c, ok := best(lazy, d.maxWidth, true); ok {
		return c.url, true
	}
	for _, a := range lazySrcAttrs {
		if v, ok := getAttr(img, a); ok {
			if u, ok := d.resolve(v); ok {
				return u, true
			}
		}
	}
	src, _ := getAttr(img, "src")
	srcURL, srcOK := d.resolve(src)
	if c, ok := best(plain, d.maxWidth, false); ok {
		return c.url, true
	}
	if srcOK && !isPlaceholder(srcURL) {
		return srcURL, true
	}
	// Nothing but placeholders: better one of those than nothing; Localize
	// drops what turns out to be a pixel.
	if c, ok := best(plain, d.maxWidth, true); ok {
		return c.url, true
	}
	return srcURL, srcOK
}

// resolve makes raw absolute. Only http, https and data:image URLs are
// image addresses.
func (d *discoverer) resolve(raw string) (string, bool) {
	raw = strings.TrimSpace(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(raw))
	if raw == "" {
		return "", false
	}
	if len(raw) > 5 && strings.EqualFold(raw[:5], "data:") {
		if len(raw) > 11 && strings.EqualFold(raw[5:11], "image/") {
			return raw, true
		}
		return "", false
	}
	u, err := d.base.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	u.Fragment = ""
	return u.String(), true
}

// placeholderName matches the file names lazy-loading scripts put in src
// until the real image loads.
var placeholderName = regexp.MustCompile(`(?i)(^|[-_.])(lazy|lazyload|placeholder|blank|spacer|transparent|loading|loader|empty|grey|gray|pixel|1x1|dummy)([-_.]|$)`)

// isPlaceholder reports whether an image address looks like a stand-in: a
// short data URL (a 1×1 GIF is about 70 bytes) or an SVG data URL, or a file
// named like lazy.gif, placeholder.png, blank.gif.
func isPlaceholder(u string) bool {
	if strings.HasPrefix(strings.ToLower(u), "data:") {
		return len(u) < 512 || strings.HasPrefix(strings.ToLower(u), "data:image/svg")
	}
	p, err := url.Parse(u)
	if err != nil {
		return true
	}
	name := p.Path[strings.LastIndexByte(p.Path, '/')+1:]
	return placeholderName.MatchString(name)
}

// candidate is one entry of a srcset.
type candidate struct {
	url     string
	width   int     // w descriptor, 0 if none
	density float64 // x descriptor, 1 if neither
}

// srcset parses a srcset value the way the HTML standard does: an address
// runs to the next white space and may contain commas (as in many image
// CDN addresses); descriptors run to the next comma outside parentheses.
func (d *discoverer) srcset(v string) []candidate {
	var out []candidate
	isSpace := func(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
	i := 0
	for i < len(v) {
		for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
			i++
		}
		if i >= len(v) {
			break
		}
		start := i
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		raw := v[start:i]
		var desc string
		if strings.HasSuffix(raw, ",") {
			raw = strings.TrimRight(raw, ",")
		} else {
			start = i
			depth := 0
			for i < len(v) && (v[i] != ',' || depth > 0) {
				switch v[i] {
				case '(':
					depth++
				case ')':
					if depth > 0 {
						depth--
					}
				}
				i++
			}
			desc = v[start:i]
		}
		c := candidate{density: 1}
		valid := true
		for _, f := range strings.Fields(desc) {
			num, unit := f[:len(f)-1], f[len(f)-1]
			switch unit {
			case 'w':
				n, err := strconv.Atoi(num)
				valid = valid && err == nil && n > 0
				c.width = n
			case 'x':
				x, err := strconv.ParseFloat(num, 64)
				valid = valid && err == nil && x > 0
				c.density = x
			case 'h':
			default:
				valid = false
			}
		}
		if !valid {
			continue
		}
		if u, ok := d.resolve(raw); ok {
			c.url = u
			out = append(out, c)
		}
	}
	return out
}

// best picks from cands: by width if any has one (the widest not above
// maxWidth, else the narrowest), otherwise by density (2x, else the highest
// below 2x, else the lowest). Placeholders count only if placeholders is
// true.
func best(cands []candidate, maxWidth int, placeholders bool) (candidate, bool) {
	var real []candidate
	for _, c := range cands {
		if placeholders || !isPlaceholder(c.url) {
			real = append(real, c)
		}
	}
	var pick candidate
	found := false
	for _, c := range real {
		if c.width == 0 {
			continue
		}
		switch {
		case !found:
			pick, found = c, true
		case pick.width > maxWidth && c.width < pick.width:
			pick = c
		case c.width <= maxWidth && (pick.width > maxWidth || c.width > pick.width):
			pick = c
		}
	}
	if found {
		return pick, true
	}
	for _, c := range real {
		switch {
		case !found:
			pick, found = c, true
		case pick.density > 2 && c.density < pick.density:
			pick = c
		case c.density <= 2 && (pick.density > 2 || c.density > pick.density):
			pick = c
		}
	}
	return pick, found
}

// noscript handles a <noscript> that holds an image. With scripting on,
// the parser keeps noscript content as raw text, so it is parsed here as a
// fragment. If a neighbouring img is the lazy twin of the fallback, the
// fallback replaces it when the twin has no real address of its own, and
// is dropped otherwise; with no twin the fallback takes the noscript's place.
func (d *discoverer) noscript(ns *html.Node) {
	if ns.Parent == nil {
		return
	}
	var nodes []*html.Node
	if hasElementChild(ns) {
		// Parsed with scripting off: the content is already elements.
		for c := ns.FirstChild; c != nil; c = c.NextSibling {
			nodes = append(nodes, c)
		}
	} else {
		var text strings.Builder
		for c := ns.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				text.WriteString(c.Data)
			}
		}
		if !strings.Contains(strings.ToLower(text.String()), "<img") {
			return
		}
		body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		parsed, err := html.ParseFragment(strings.NewReader(text.String()), body)
		if err != nil {
			return
		}
		nodes = parsed
	}
	var fallback []*html.Node
	for _, n := range nodes {
		if n.Type == html.ElementNode && (n.Data == "img" || n.Data == "picture") {
			fallback = append(fallback, n)
		}
		for _, c := range descendants(n) {
			if c.Data == "img" {
				fallback = append(fallback, c)
			}
		}
	}
	if len(fallback) == 0 {
		return
	}
	parent := ns.Parent
	if allTrackers(fallback) {
		// The usual analytics <noscript><img width=1 height=1></noscript>.
		parent.RemoveChild(ns)
		return
	}
	if twin := twinOf(ns); twin != nil {
		img := twin
		var sources []*html.Node
		if twin.Data == "picture" {
			for _, n := range descendants(twin) {
				switch {
				case n.Data == "source":
					sources = append(sources, n)
				case n.Data == "img" && img == twin:
					img = n
				}
			}
		}
		if u, ok := d.choose(img, sources); ok && !strings.HasPrefix(u, "data:") && !isPlaceholder(u) {
			parent.RemoveChild(ns)
			return
		}
		if alt, ok := getAttr(img, "alt"); ok {
			for _, f := range fallback {
				if _, has := getAttr(f, "alt"); !has && f.Data == "img" {
					setAttr(f, "alt", alt)
				}
			}
		}
		for _, n := range nodes {
			detach(n)
			twin.Parent.InsertBefore(n, twin)
		}
		twin.Parent.RemoveChild(twin)
		parent.RemoveChild(ns)
		return
	}
	for _, n := range nodes {
		detach(n)
		parent.InsertBefore(n, ns)
	}
	parent.RemoveChild(ns)
}

func hasElementChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return true
		}
	}
	return false
}

func detach(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

func allTrackers(imgs []*html.Node) bool {
	for _, n := range imgs {
		if n.Data != "img" {
			return false
		}
		src, _ := getAttr(n, "src")
		w, _ := getAttr(n, "width")
		h, _ := getAttr(n, "height")
		if !sanitize.IsTrackingImage(src, w, h) {
			return false
		}
	}
	return true
}

// twinOf finds the lazy image a noscript fallback duplicates: the element
// just before it (or, when the noscript comes first, just after it), if
// that is an img or picture or holds exactly one. Text in between means
// there is no twin.
func twinOf(ns *html.Node) *html.Node {
	s, blocked := elementSibling(ns, func(n *html.Node) *html.Node { return n.PrevSibling })
	if s == nil && !blocked {
		s, _ = elementSibling(ns, func(n *html.Node) *html.Node { return n.NextSibling })
	}
	if s == nil {
		return nil
	}
	if s.Data == "img" || s.Data == "picture" {
		return s
	}
	if imgs := findImages(s); len(imgs) == 1 {
		return imgs[0]
	}
	return nil
}

// elementSibling steps from n with next over white space and comments to
// the first element; blocked reports text or the end of the parent first.
func elementSibling(n *html.Node, next func(*html.Node) *html.Node) (el *html.Node, blocked bool) {
	for s := next(n); s != nil; s = next(s) {
		switch s.Type {
		case html.ElementNode:
			return s, false
		case html.TextNode:
			if strings.TrimSpace(s.Data) != "" {
				return nil, true
			}
		}
	}
	return nil, false
}

func getAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

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
