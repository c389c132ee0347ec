// Package doc turns the cleaned HTML of a capture into the canonical text that highlights are
// anchored to, and into the blocks of styled runs that the reader and the exporters lay out.
//
// The canonical text is derived once, deterministically, from the cleaned HTML, and every
// offset Gloss stores (highlight positions, selections in the reader, marks in exports) is a
// byte offset into it. Changing any rule below changes the text of every stored capture, so
// the rules are versioned by [Version] and covered by golden tests.
//
// The derivation, in order:
//
//  1. Elements that never show text are skipped: head, script, style, noscript, template,
//     iframe, object, embed, svg, math, button, input, select, textarea.
//  2. Block elements (p, div, section, article, headings, li, blockquote, pre, figure,
//     figcaption, table rows, dt, dd, hr, img, and the like) end the block before them and
//     start a new one. Text directly inside a container, between its child blocks, becomes
//     a block of its own.
//  3. Inside a block, every run of white space (Unicode White_Space, which includes the
//     no-break space) becomes one U+0020 space; spaces at the start and end of a block are
//     dropped. Soft hyphens (U+00AD), zero-width spaces (U+200B) and byte order marks
//     (U+FEFF) are dropped. A <br> becomes one "\n" (several in a row count as one, and
//     one at the edge of a block is dropped).
//  4. Inside <pre>, text is kept as it is, except that "\r\n" and "\r" become "\n" and
//     trailing white space at the end of the block is dropped.
//  5. A table row is one block; its cells are joined by one "\t".
//  6. Images and horizontal rules are blocks without text.
//  7. Each styled run of a block's text is put in Unicode normalisation form C, and the
//     text of the blocks that have text is joined with "\n\n" (a blank line).
//
// Block boundaries are the blocks' offsets, not the blank lines: a code block may hold blank
// lines of its own.
package doc

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// Version names the derivation rules above. A capture records the version its text was
// derived with, so that a future change of the rules can be detected and migrated.
const Version = 1

// Kind is what a block is.
type Kind int

// The kinds of block.
const (
	Paragraph Kind = iota
	Heading
	ListItem
	Code
	Image
	Caption
	TableRow
	Rule
)

var kindNames = [...]string{"paragraph", "heading", "list item", "code", "image", "caption", "table row", "rule"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Style is a set of inline styles.
type Style uint8

// The inline styles.
const (
	Bold Style = 1 << iota
	Italic
	Mono
	Link
	Strike
)

// Run is a stretch of a block's text in one style.
type Run struct {
	Start, End int // byte offsets into Document.Text
	Style      Style
	Href       string // for Link
}

// Block is one paragraph-like unit of the article.
type Block struct {
	Kind   Kind
	Level  int    // heading level, 1 to 6
	Depth  int    // list nesting depth, 1 for a top-level list
	Quote  int    // block quote nesting depth
	Marker string // list marker: "•", "3.", or "" for a continuation
	// Start and End are the byte offsets of the block's text in Document.Text. Blocks without
	// text (images, rules) have Start == End.
	Start, End int
	Runs       []Run
	// Src, Alt, Width and Height describe an Image block.
	Src, Alt      string
	Width, Height int
}

// Document is an article as canonical text and blocks over it.
type Document struct {
	Text   string
	Blocks []Block
}

// Parse derives the document of a cleaned article's HTML.
func Parse(cleanedHTML string) *Document {
	root, err := html.Parse(strings.NewReader(cleanedHTML))
	if err != nil {
		// html.Parse only fails on reader errors; a strings.Reader has none.
		return &Document{}
	}
	return FromNode(root)
}

// Text derives only the canonical text of a cleaned article's HTML.
func Text(cleanedHTML string) string {
	return Parse(cleanedHTML).Text
}

// FromNode derives the document of an HTML node and everything under it.
func FromNode(n *html.Node) *Document {
	b := &builder{}
	b.walk(n, inline{})
	b.flush()
	return b.finish()
}

// BlockAt returns the index of the first block that ends after the byte offset off: the block
// whose text holds off, or the next one when off falls between blocks; len(Blocks) past the end.
func (d *Document) BlockAt(off int) int {
	return sort.Search(len(d.Blocks), func(i int) bool { return d.Blocks[i].End > off })
}

// WordCount counts the words of a text: runs of letters and digits, with each Han, Hiragana,
// Katakana or Hangul character counted as a word of its own.
func WordCount(text string) int {
	n, in := 0, false
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-':
			if !in && r != '\'' && r != '’' && r != '-' {
				n++
				in = true
			}
		default:
			in = false
		}
	}
	return n
}

// inline is the inline context of the text being walked.
type inline struct {
	style Style
	href  string
	pre   bool
}

// pending is a block being built: its text and runs are relative to the block.
type pending struct {
	Block
	text      strings.Builder
	space     bool // a collapsed space is due before the next character
	lastBreak bool // the last thing written was a <br>
}

type builder struct {
	blocks []pendingBlock
	cur    *pending
	ctx    context
}

// context is what blocks started at the current point of the walk are.
type context struct {
	kind   Kind
	level  int
	depth  int
	quote  int
	marker string
	row    bool // inside a table row: blocks do not split
}

type pendingBlock struct {
	Block
	text string
}

var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true,
	atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true, atom.Title: true,
}

var blockElems = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Details: true, atom.Dialog: true, atom.Dd: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true,
	atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Table: true, atom.Tr: true, atom.Ul: true,
	atom.Caption: true, atom.Summary: true, atom.Body: true, atom.Html: true,
	atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Picture: true,
}

func (b *builder) walk(n *html.Node, in inline) {
	switch n.Type {
	case html.TextNode:
		b.text(n.Data, in)
		return
	case html.DocumentNode:
		b.children(n, in)
		return
	case html.ElementNode:
	default:
		return
	}
	if skipped[n.DataAtom] {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		b.lineBreak(in)
		return
	case atom.Img:
		b.image(n)
		return
	case atom.Hr:
		b.flush()
		b.blocks = append(b.blocks, pendingBlock{Block: Block{Kind: Rule, Quote: b.ctx.quote}})
		return
	case atom.Td, atom.Th:
		if b.ctx.row {
			if b.cur != nil && b.cur.text.Len() > 0 {
				b.cur.space = false
				b.raw("\t", in)
			}
			b.children(n, in)
			return
		}
	}
	if style, href, ok := inlineStyle(n); ok {
		in.style |= style
		if href != "" {
			in.href = href
		}
		b.children(n, in)
		return
	}
	if !blockElems[n.DataAtom] || b.ctx.row {
		if b.ctx.row && blockElems[n.DataAtom] && b.cur != nil {
			b.cur.space = b.cur.text.Len() > 0
		}
		b.children(n, in)
		return
	}
	b.block(n, in)
}

func (b *builder) children(n *html.Node, in inline) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.walk(c, in)
	}
}

// block walks a block element with the context it sets for the blocks inside it.
func (b *builder) block(n *html.Node, in inline) {
	b.flush()
	outer := b.ctx
	c := &b.ctx
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.kind, c.level = Heading, int(n.Data[1]-'0')
	case atom.Li:
		c.kind, c.marker = ListItem, listMarker(n)
	case atom.Ul, atom.Ol, atom.Dd:
		c.depth++
		c.kind = Paragraph
	case atom.Blockquote:
		c.quote++
		c.kind = Paragraph
	case atom.Pre:
		c.kind = Code
		in.pre = true
	case atom.Figcaption, atom.Caption:
		c.kind = Caption
	case atom.Tr:
		c.kind, c.row = TableRow, true
	case atom.P, atom.Dt:
		if c.kind == Heading || c.kind == Code {
			c.kind = Paragraph
		}
	}
	if in.pre {
		// White space stays preformatted in whatever a <pre> holds.
		c.kind = Code
	}
	b.children(n, in)
	b.flush()
	b.ctx = outer
}

func inlineStyle(n *html.Node) (Style, string, bool) {
	switch n.DataAtom {
	case atom.B, atom.Strong:
		return Bold, "", true
	case atom.I, atom.Em, atom.Cite, atom.Dfn, atom.Var:
		return Italic, "", true
	case atom.Code, atom.Kbd, atom.Samp, atom.Tt:
		return Mono, "", true
	case atom.S, atom.Del, atom.Strike:
		return Strike, "", true
	case atom.A:
		href := attr(n, "href")
		if href == "" {
			return 0, "", true
		}
		return Link, href, true
	case atom.Span, atom.Abbr, atom.Sub, atom.Sup, atom.Small, atom.U, atom.Mark, atom.Q,
		atom.Time, atom.Ins, atom.Label, atom.Font, atom.Big, atom.Bdi, atom.Bdo, atom.Data:
		return 0, "", true
	}
	return 0, "", false
}

func listMarker(li *html.Node) string {
	list := li.Parent
	if list == nil || list.DataAtom != atom.Ol {
		return "•"
	}
	n := 1
	if s, err := strconv.Atoi(strings.TrimSpace(attr(list, "start"))); err == nil {
		n = s
	}
	for c := list.FirstChild; c != nil && c != li; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Li {
			n++
		}
	}
	return strconv.Itoa(n) + "."
}

func (b *builder) image(n *html.Node) {
	if b.ctx.row {
		return
	}
	b.flush()
	w, _ := strconv.Atoi(strings.TrimSuffix(attr(n, "width"), "px"))
	h, _ := strconv.Atoi(strings.TrimSuffix(attr(n, "height"), "px"))
	b.blocks = append(b.blocks, pendingBlock{Block: Block{
		Kind: Image, Quote: b.ctx.quote, Depth: b.ctx.depth,
		Src: attr(n, "src"), Alt: strings.Join(strings.Fields(attr(n, "alt")), " "),
		Width: w, Height: h,
	}})
	if b.ctx.kind == ListItem {
		// Later blocks of the same item continue it without a marker.
		b.ctx.marker = ""
	}
}

func (b *builder) open() *pending {
	if b.cur == nil {
		c := b.ctx
		b.cur = &pending{Block: Block{Kind: c.kind, Level: c.level, Depth: c.depth, Quote: c.quote, Marker: c.marker}}
	}
	return b.cur
}

func (b *builder) text(s string, in inline) {
	if in.pre {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		s = strings.Map(dropInvisible, s)
		if s != "" {
			b.raw(s, in)
		}
		return
	}
	start := 0
	for i, r := range s {
		space := unicode.IsSpace(r)
		if !space && dropInvisible(r) >= 0 {
			continue
		}
		if start < i {
			b.word(s[start:i], in)
		}
		start = i + utf8.RuneLen(r)
		if p := b.cur; space && p != nil && p.text.Len() > 0 && !p.lastBreak {
			p.space = true
		}
	}
	if start < len(s) {
		b.word(s[start:], in)
	}
}

func dropInvisible(r rune) rune {
	switch r {
	case '\u00ad', '\u200b', '\ufeff':
		return -1
	}
	return r
}

// word appends text that holds no white space, after the collapsed space due before it.
func (b *builder) word(s string, in inline) {
	p := b.open()
	if p.space {
		// The collapsed space belongs to the run before it, so that a link or emphasis
		// starting after a space does not start with one.
		p.space = false
		p.text.WriteByte(' ')
		p.Runs[len(p.Runs)-1].End++
	}
	b.raw(s, in)
}

// raw appends text as it is, extending the last run or starting a new one.
func (b *builder) raw(s string, in inline) {
	p := b.open()
	start := p.text.Len()
	p.text.WriteString(s)
	p.lastBreak = false
	href := ""
	if in.style&Link != 0 {
		href = in.href
	}
	if k := len(p.Runs) - 1; k >= 0 && p.Runs[k].End == start && p.Runs[k].Style == in.style && p.Runs[k].Href == href {
		p.Runs[k].End = p.text.Len()
		return
	}
	p.Runs = append(p.Runs, Run{Start: start, End: p.text.Len(), Style: in.style, Href: href})
}

func (b *builder) lineBreak(in inline) {
	p := b.cur
	if p == nil || p.text.Len() == 0 || p.lastBreak {
		return
	}
	p.space = false
	b.raw("\n", inline{style: in.style &^ Link})
	p.lastBreak = true
}

// flush ends the current block, trimming what the rules drop at its end.
func (b *builder) flush() {
	p := b.cur
	b.cur = nil
	if p == nil {
		return
	}
	text := p.text.String()
	end := len(text)
	if p.Kind == Code {
		end = len(strings.TrimRightFunc(text, unicode.IsSpace))
	} else if p.lastBreak {
		end--
	}
	if end == 0 {
		return
	}
	text = text[:end]
	runs := p.Runs[:0]
	for _, r := range p.Runs {
		if r.Start >= end {
			break
		}
		r.End = min(r.End, end)
		runs = append(runs, r)
	}
	p.Runs = runs
	b.blocks = append(b.blocks, pendingBlock{Block: p.Block, text: text})
	if b.ctx.kind == ListItem {
		// Later blocks of the same item continue it without a marker.
		b.ctx.marker = ""
	}
}

// finish joins the blocks' text, normalises it to NFC, and places the blocks and runs on it.
func (b *builder) finish() *Document {
	d := &Document{Blocks: make([]Block, 0, len(b.blocks))}
	var sb strings.Builder
	for _, pb := range b.blocks {
		blk := pb.Block
		if pb.text == "" {
			blk.Start, blk.End = sb.Len(), sb.Len()
			d.Blocks = append(d.Blocks, blk)
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		base := sb.Len()
		if norm.NFC.IsNormalString(pb.text) {
			sb.WriteString(pb.text)
			for i := range blk.Runs {
				blk.Runs[i].Start += base
				blk.Runs[i].End += base
			}
		} else {
			// Normalise run by run so that run edges stay on the normalised text.
			runs := make([]Run, 0, len(blk.Runs))
			for _, r := range blk.Runs {
				s := sb.Len()
				sb.WriteString(norm.NFC.String(pb.text[r.Start:r.End]))
				runs = append(runs, Run{Start: s, End: sb.Len(), Style: r.Style, Href: r.Href})
			}
			blk.Runs = runs
		}
		blk.Start, blk.End = base, sb.Len()
		d.Blocks = append(d.Blocks, blk)
	}
	d.Text = sb.String()
	return d
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}
