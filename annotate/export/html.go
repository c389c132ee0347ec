package export

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"gloss/archive/doc"
)

// HTML writes an article and its highlights as one self-contained HTML page: images are
// inlined as data: URIs from the stored copies, the styles are embedded, and there are
// no scripts (a Content-Security-Policy forbids them and every other outside resource).
// Each highlight is a <mark class="hl-COLOR" id="hl-N" title="note"> (pieces after the
// first, where a highlight is split around other markup, carry data-hl="N" only),
// followed by a numbered reference to its entry in the notes list at the end, which
// holds every highlight, orphaned ones too, with its note rendered from Markdown.
// Overlapping highlights nest as marks of their own. All text is escaped; links are kept
// only for http, https and mailto addresses.
func HTML(w io.Writer, a Article, hs []Highlight) error {
	h := newHTMLWriter(a, hs)
	h.write()
	if _, err := w.Write(h.buf.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

type htmlWriter struct {
	buf   bytes.Buffer
	a     Article
	p     *prepared
	text  string
	marks []interval // one per anchored highlight, id = index in p.anchored
	refs  []refAt
	seen  map[int]bool // highlights whose first piece has been written
	stack []htmlBox
	skip  int // the block set as the title, -1 when none
}

// htmlBox is an open container: a blockquote, or a list with perhaps an open item.
type htmlBox struct {
	quote   bool
	ordered bool
	liOpen  bool
}

func newHTMLWriter(a Article, hs []Highlight) *htmlWriter {
	p := prepare(a.Doc, hs)
	h := &htmlWriter{a: a, p: p, text: p.doc.Text, seen: map[int]bool{}, skip: -1}
	for i, hl := range p.anchored {
		h.marks = append(h.marks, interval{hl.start, hl.end, i})
		if hl.hasNotes() {
			e := hl.end
			for e > hl.start && isSpaceByte(h.text[e-1]) {
				e--
			}
			h.refs = append(h.refs, refAt{off: e, refs: []int{hl.n}})
		}
	}
	sort.SliceStable(h.refs, func(i, j int) bool { return h.refs[i].off < h.refs[j].off })
	return h
}

func (h *htmlWriter) s(parts ...string) {
	for _, p := range parts {
		h.buf.WriteString(p)
	}
}

func esc(s string) string { return html.EscapeString(strings.ToValidUTF8(s, "\uFFFD")) }

func (h *htmlWriter) write() {
	a := h.a
	title := strings.Join(strings.Fields(a.Title), " ")
	h.s("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n",
		"<meta name=\"generator\" content=\"Gloss\">\n",
		"<title>", esc(title), "</title>\n<style>", htmlCSS, "</style>\n</head>\n<body>\n<article>\n<header>\n")
	if i := h.titleBlock(title); i >= 0 {
		b := h.p.doc.Blocks[i]
		h.s("<h1>", h.inline(b.Start, b.End, b.Runs, 0, false), "</h1>\n")
		h.skip = i
	} else if title != "" {
		h.s("<h1>", esc(title), "</h1>\n")
	}
	if by := strings.TrimSpace(a.Byline); by != "" {
		h.s("<p class=\"byline\">", esc(by), "</p>\n")
	}
	var meta []string
	if a.Site != "" {
		meta = append(meta, "<span class=\"site\">"+esc(a.Site)+"</span>")
	}
	if u := safeURL(a.URL); u != "" {
		meta = append(meta, "<a href=\""+esc(u)+"\" rel=\"noopener noreferrer\">"+esc(u)+"</a>")
	}
	if a.Published != nil && !a.Published.IsZero() {
		meta = append(meta, "Published <time datetime=\""+a.Published.Format("2006-01-02T15:04:05Z07:00")+"\">"+a.Published.Format("2 January 2006")+"</time>")
	}
	if !a.Saved.IsZero() {
		meta = append(meta, "Saved <time datetime=\""+a.Saved.Format("2006-01-02T15:04:05Z07:00")+"\">"+a.Saved.Format("2 January 2006")+"</time>")
	}
	if len(meta) > 0 {
		h.s("<p class=\"meta\">", strings.Join(meta, " · "), "</p>\n")
	}
	if tags := cleanTags(a.Tags); len(tags) > 0 {
		h.s("<p class=\"tags\">#", esc(strings.Join(tags, " #")), "</p>\n")
	}
	if note := strings.TrimSpace(a.Note); note != "" {
		h.s("<aside class=\"article-note\">", renderNote(note), "</aside>\n")
	}
	h.s("</header>\n<main>\n")
	h.body()
	h.s("</main>\n")
	h.notes()
	h.s("</article>\n</body>\n</html>\n")
}

// titleBlock returns the index of the document's first block when it is a heading
// reading as the title, and -1 when not.
func (h *htmlWriter) titleBlock(title string) int {
	for i, b := range h.p.doc.Blocks {
		if b.Start == b.End {
			continue
		}
		if title != "" && b.Kind == doc.Heading && strings.EqualFold(strings.Join(strings.Fields(h.text[b.Start:b.End]), " "), title) {
			return i
		}
		break
	}
	return -1
}

// body writes the blocks, opening and closing quotes and lists around them.
func (h *htmlWriter) body() {
	blocks := h.p.doc.Blocks
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if i == h.skip || (b.Start == b.End && b.Kind != doc.Image && b.Kind != doc.Rule) {
			continue
		}
		h.containers(b)
		switch b.Kind {
		case doc.TableRow:
			j := i
			for j < len(blocks) && blocks[j].Kind == doc.TableRow && blocks[j].Quote == b.Quote {
				j++
			}
			h.table(blocks[i:j])
			i = j - 1
		case doc.Image:
			var caption *doc.Block
			if i+1 < len(blocks) && blocks[i+1].Kind == doc.Caption && blocks[i+1].Quote == b.Quote {
				caption = &blocks[i+1]
				i++
			}
			h.image(b, caption)
		case doc.Rule:
			h.s("<hr>\n")
		case doc.Heading:
			l := strconv.Itoa(min(max(b.Level, 1), 6))
			h.s("<h", l, ">", h.inline(b.Start, b.End, b.Runs, 0, false), "</h", l, ">\n")
		case doc.Code:
			// Code is shown as it is, as in the other exports: marks only, no styles.
			h.s("<pre><code>", h.inline(b.Start, b.End, nil, 0, true), "</code></pre>\n")
		case doc.Caption:
			h.s("<p class=\"caption\">", h.inline(b.Start, b.End, b.Runs, doc.Italic, false), "</p>\n")
		case doc.ListItem:
			if b.Marker != "" {
				// The item's own text sits in the <li>, keeping lists tight.
				h.s(h.inline(b.Start, b.End, b.Runs, 0, false), "\n")
				break
			}
			h.s("<p>", h.inline(b.Start, b.End, b.Runs, 0, false), "</p>\n")
		default:
			h.s("<p>", h.inline(b.Start, b.End, b.Runs, 0, false), "</p>\n")
		}
	}
	h.closeTo(0, 0)
}

// depths counts the open quotes and lists.
func (h *htmlWriter) depths() (q, l int) {
	for _, c := range h.stack {
		if c.quote {
			q++
		} else {
			l++
		}
	}
	return q, l
}

// closeTo closes containers until q quotes and l lists are open.
func (h *htmlWriter) closeTo(q, l int) {
	for {
		cq, cl := h.depths()
		if cq <= q && cl <= l {
			return
		}
		top := h.stack[len(h.stack)-1]
		h.stack = h.stack[:len(h.stack)-1]
		switch {
		case top.quote:
			h.s("</blockquote>\n")
		default:
			if top.liOpen {
				h.s("</li>\n")
			}
			if top.ordered {
				h.s("</ol>\n")
			} else {
				h.s("</ul>\n")
			}
		}
	}
}

// containers opens and closes quotes and lists for a block: quotes outside, lists inside.
func (h *htmlWriter) containers(b doc.Block) {
	cq, cl := h.depths()
	if cq != b.Quote {
		h.closeTo(min(cq, b.Quote), 0)
		for q, _ := h.depths(); q < b.Quote; q++ {
			h.s("<blockquote>\n")
			h.stack = append(h.stack, htmlBox{quote: true})
		}
		cl = 0
	}
	item := b.Kind == doc.ListItem && b.Marker != ""
	switch {
	case item:
		d := max(b.Depth, 1)
		ordered, num := orderedMarker(b.Marker)
		h.closeTo(b.Quote, d)
		if _, cl = h.depths(); cl == d && h.stack[len(h.stack)-1].ordered != ordered {
			h.closeTo(b.Quote, d-1)
		}
		for _, cl = h.depths(); cl < d; cl++ {
			if n := len(h.stack); n > 0 && !h.stack[n-1].quote && !h.stack[n-1].liOpen {
				h.s("<li>")
				h.stack[n-1].liOpen = true
			}
			if ordered && cl == d-1 {
				if num != "1" {
					h.s("<ol start=\"", num, "\">\n")
				} else {
					h.s("<ol>\n")
				}
			} else {
				h.s("<ul>\n")
			}
			h.stack = append(h.stack, htmlBox{ordered: ordered && cl == d-1})
		}
		top := &h.stack[len(h.stack)-1]
		if top.liOpen {
			h.s("</li>\n")
		}
		h.s("<li>")
		top.liOpen = true
	case b.Depth > 0 && cl > 0:
		h.closeTo(b.Quote, min(b.Depth, cl))
	default:
		h.closeTo(b.Quote, 0)
	}
}

// inline writes [s, e) of the text with its styles, marks and note references.
func (h *htmlWriter) inline(s, e int, runs []doc.Run, extra doc.Style, pre bool) string {
	in := inlineInput{text: h.text, start: s, end: e, runs: runs, extra: extra, breaks: !pre}
	for _, m := range h.marks {
		if m.start < e && m.end > s {
			in.marks = append(in.marks, m)
		}
	}
	in.marks = markIntervals(h.text, s, e, in.marks)
	var refs []refAt
	for _, r := range h.refs {
		if r.off > s && r.off <= e {
			refs = append(refs, r)
		}
	}
	toks := nest(h.text, segments(in), refs)
	var sb strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokText:
			sb.WriteString(esc(t.text))
		case tokBreak:
			sb.WriteString("<br>")
		case tokRef:
			for _, n := range t.refs {
				ns := strconv.Itoa(n)
				sb.WriteString("<sup class=\"ref\"><a href=\"#note-" + ns + "\" id=\"ref-" + ns + "\">" + ns + "</a></sup>")
			}
		case tokOpen:
			sb.WriteString(h.openTag(t.span))
		case tokClose:
			sb.WriteString(htmlClose(t.span))
		}
	}
	return sb.String()
}

func (h *htmlWriter) openTag(sp span) string {
	switch sp.kind {
	case spanLink:
		return "<a href=\"" + esc(sp.href) + "\" rel=\"noopener noreferrer\">"
	case spanBold:
		return "<strong>"
	case spanItalic:
		return "<em>"
	case spanStrike:
		return "<del>"
	case spanCode:
		return "<code>"
	case spanMark:
		hl := h.p.anchored[sp.id]
		n := strconv.Itoa(hl.n)
		attrs := "class=\"hl-" + colorOf(hl.Color) + "\" data-hl=\"" + n + "\""
		if !h.seen[sp.id] {
			h.seen[sp.id] = true
			attrs += " id=\"hl-" + n + "\""
		}
		if t := annotationText(hl); t != "" {
			attrs += " title=\"" + esc(t) + "\""
		}
		return "<mark " + attrs + ">"
	}
	return ""
}

func htmlClose(sp span) string {
	switch sp.kind {
	case spanLink:
		return "</a>"
	case spanBold:
		return "</strong>"
	case spanItalic:
		return "</em>"
	case spanStrike:
		return "</del>"
	case spanCode:
		return "</code>"
	case spanMark:
		return "</mark>"
	}
	return ""
}

// table writes table rows, the first as the header.
func (h *htmlWriter) table(rows []doc.Block) {
	cols := 0
	cells := make([][][2]int, len(rows))
	for i, r := range rows {
		cells[i] = splitCells(h.text, r)
		cols = max(cols, len(cells[i]))
	}
	h.s("<table>\n")
	for i, r := range rows {
		tag := "td"
		if i == 0 {
			tag = "th"
			h.s("<thead>\n")
		} else if i == 1 {
			h.s("<tbody>\n")
		}
		h.s("<tr>")
		for c := 0; c < cols; c++ {
			content := ""
			if c < len(cells[i]) {
				content = h.inline(cells[i][c][0], cells[i][c][1], r.Runs, 0, false)
			}
			h.s("<", tag, ">", content, "</", tag, ">")
		}
		h.s("</tr>\n")
		if i == 0 {
			h.s("</thead>\n")
		}
	}
	if len(rows) > 1 {
		h.s("</tbody>\n")
	}
	h.s("</table>\n")
}

// image writes an image inlined as a data: URI, with its caption; its alt text when the
// image is not stored.
func (h *htmlWriter) image(b doc.Block, caption *doc.Block) {
	var data []byte
	mime := ""
	ok := false
	if h.a.Image != nil && b.Src != "" {
		data, mime, ok = h.a.Image(b.Src)
	}
	ext := ""
	if ok && len(data) > 0 {
		ext = imageExt(mime, data)
	}
	h.s("<figure>")
	if ext != "" {
		mime = map[string]string{".jpg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
			".avif": "image/avif", ".svg": "image/svg+xml", ".bmp": "image/bmp"}[ext]
		h.s("<img src=\"data:", mime, ";base64,", base64.StdEncoding.EncodeToString(data), "\" alt=\"", esc(b.Alt), "\"")
		if b.Width > 0 && b.Height > 0 {
			h.s(" width=\"", strconv.Itoa(b.Width), "\" height=\"", strconv.Itoa(b.Height), "\"")
		}
		h.s(">")
	} else if alt := strings.TrimSpace(b.Alt); alt != "" {
		h.s("<span class=\"missing\">[Image: ", esc(alt), "]</span>")
	}
	if caption != nil {
		h.s("<figcaption>", h.inline(caption.Start, caption.End, caption.Runs, doc.Italic, false), "</figcaption>")
	}
	h.s("</figure>\n")
}

// notes writes the list of every highlight with its note, tags and claim.
func (h *htmlWriter) notes() {
	if len(h.p.all) == 0 {
		return
	}
	h.s("<section class=\"notes\" id=\"notes\">\n<h2>Notes</h2>\n<ol>\n")
	for _, hl := range h.p.all {
		n := strconv.Itoa(hl.n)
		h.s("<li id=\"note-", n, "\" value=\"", n, "\" data-color=\"", colorOf(hl.Color), "\">\n")
		quote := esc(strings.TrimSpace(hl.quote(h.text)))
		quote = strings.ReplaceAll(strings.ReplaceAll(quote, "\n\n", "<br><br>"), "\n", "<br>")
		if hl.orphan {
			h.s("<blockquote>", quote, "</blockquote>\n<p class=\"orphan\">Not found in the current text.</p>\n")
		} else {
			h.s("<blockquote><a href=\"#hl-", n, "\">", quote, "</a></blockquote>\n")
		}
		if note := strings.TrimSpace(hl.Note); note != "" {
			h.s("<div class=\"note\">", renderNote(note), "</div>\n")
		}
		if tags := cleanTags(hl.Tags); len(tags) > 0 {
			h.s("<p class=\"tags\">#", esc(strings.Join(tags, " #")), "</p>\n")
		}
		if c := hl.Claim; c != nil {
			h.s("<dl class=\"claim\">")
			for _, f := range [][2]string{{"Claimant", c.Claimant}, {"Kind", c.Kind}, {"Status", c.Status}, {"Verdict", c.Verdict}, {"Evidence", c.Evidence}} {
				if v := strings.TrimSpace(f[1]); v != "" {
					h.s("<dt>", f[0], "</dt><dd>", esc(v), "</dd>")
				}
			}
			for _, l := range c.Links {
				if u := safeURL(l); u != "" {
					h.s("<dt>Link</dt><dd><a href=\"", esc(u), "\" rel=\"noopener noreferrer\">", esc(u), "</a></dd>")
				}
			}
			h.s("</dl>\n")
		}
		if hl.hasNotes() && !hl.orphan {
			h.s("<p class=\"back\"><a href=\"#ref-", n, "\">↩ back to the text</a></p>\n")
		}
		h.s("</li>\n")
	}
	h.s("</ol>\n</section>\n")
}

// renderNote renders a user's Markdown note to HTML. Raw HTML in the note is not passed
// through and dangerous link schemes are dropped (goldmark's defaults without Unsafe).
func renderNote(md string) string {
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &buf); err != nil {
		return "<p>" + esc(md) + "</p>"
	}
	return buf.String()
}

// htmlCSS is the page's style: readable type, highlight colours, the notes list, and
// dark and print variants.
const htmlCSS = `
:root{color-scheme:light dark}
body{margin:0;background:#fbfaf7;color:#1e1e1e;font:18px/1.6 Charter,"Iowan Old Style","Source Serif Pro",Georgia,serif;-webkit-text-size-adjust:100%}
article{max-width:40em;margin:0 auto;padding:2.5em 1.2em 5em}
h1,h2,h3,h4,h5,h6{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.25;margin:1.6em 0 .5em}
header h1{font-size:2em;margin:0 0 .4em}
header{margin-bottom:2em;padding-bottom:1em;border-bottom:1px solid #ddd}
.byline,.meta,.tags,.orphan,.back{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.8em;color:#666;margin:.25em 0}
.article-note{margin-top:1em;padding:.2em 1em;border-left:3px solid #d4a72c;background:rgba(212,167,44,.08)}
a{color:#1a5fb4}
blockquote{margin:1em 0;padding-left:1em;border-left:3px solid #ccc;color:#444}
ul,ol{padding-left:1.6em}
pre{background:#f2f0eb;padding:.8em 1em;overflow-x:auto;font-size:.82em;line-height:1.45;border-radius:4px}
code{font-family:ui-monospace,"SF Mono",Menlo,Consolas,monospace;font-size:.88em}
pre code{font-size:1em}
img{max-width:100%;height:auto}
figure{margin:1.5em 0}
figcaption,.caption{font-size:.85em;color:#666;font-style:italic}
.missing{font-size:.85em;color:#888;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:1em 0}
th,td{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#efede8}
mark{color:inherit;border-radius:2px;padding:.05em 0}
.hl-yellow{background:rgba(255,221,51,.55)}
.hl-green{background:rgba(120,210,100,.45)}
.hl-blue{background:rgba(110,180,255,.42)}
.hl-pink{background:rgba(255,130,180,.42)}
.hl-purple{background:rgba(180,150,255,.45)}
.hl-orange{background:rgba(255,170,70,.5)}
sup.ref{line-height:0}
sup.ref a{text-decoration:none;font-family:system-ui,sans-serif;font-size:.75em;padding:0 .15em}
.notes{margin-top:3em;padding-top:1em;border-top:1px solid #ddd;font-size:.92em}
.notes li{margin:1.2em 0}
.notes blockquote{margin:.2em 0;border-left-width:4px}
.notes blockquote a{color:inherit;text-decoration:none}
.notes li[data-color=yellow] blockquote{border-color:#f0c419}
.notes li[data-color=green] blockquote{border-color:#5cb85c}
.notes li[data-color=blue] blockquote{border-color:#4a90d9}
.notes li[data-color=pink] blockquote{border-color:#e46c9c}
.notes li[data-color=purple] blockquote{border-color:#9b7fe0}
.notes li[data-color=orange] blockquote{border-color:#f0953a}
.claim{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;font-size:.9em;margin:.4em 0}
.claim dt{font-weight:600}
.claim dd{margin:0}
:target{scroll-margin-top:2em;outline:2px solid #1a5fb4;outline-offset:2px}
@media (prefers-color-scheme:dark){
body{background:#1c1b19;color:#e4e1da}
a{color:#8cb4ff}
blockquote{color:#c8c4bb;border-color:#555}
pre,th{background:#2a2926}
header,th,td,.notes{border-color:#444}
.byline,.meta,.tags,figcaption,.caption,.orphan,.back{color:#a9a59c}
mark{color:#111}
}
@media print{body{background:#fff;font-size:11pt}a{color:inherit}.back{display:none}}
`
