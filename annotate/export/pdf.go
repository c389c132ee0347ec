package export

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"

	"gloss/archive/doc"
)

// PDFOptions tunes a PDF export. The zero value has no notes appendix; start from
// DefaultPDFOptions to get one.
type PDFOptions struct {
	// Flatten paints the highlights into the page instead of writing them as highlight
	// annotations: the look survives every viewer and printer, but viewers no longer list
	// the highlights or their notes.
	Flatten bool
	// Appendix adds a notes section listing every highlight: its text, note, tags and
	// claim, with orphaned highlights too. DefaultPDFOptions turns it on.
	Appendix bool
	// Now gives the time recorded as the document's creation date; nil means time.Now.
	Now func() time.Time
}

// DefaultPDFOptions returns the options of a normal export: annotations, with the notes
// appendix.
func DefaultPDFOptions() PDFOptions {
	return PDFOptions{Appendix: true}
}

// Page geometry, in points: A4 with margins for a running header and page numbers.
const (
	pageW        = 595.28
	pageH        = 841.89
	marginL      = 66.0
	marginR      = 66.0
	marginTop    = 72.0
	marginBottom = 66.0
	textW        = pageW - marginL - marginR
	bodyBottom   = pageH - marginBottom

	bodySize  = 10.5
	codeSize  = 8.8
	smallSize = 8.5
	lead      = 1.5 // line height over font size

	quoteIndent = 14.0
	listIndent  = 18.0
)

// Text colours.
const (
	colText = iota
	colLink
	colGray
	colCode
)

var textColors = [...][3]int{colText: {25, 25, 25}, colLink: {20, 80, 170}, colGray: {110, 110, 110}, colCode: {60, 40, 40}}

// PDF typesets an article with its highlights as a PDF: a title block (title, byline,
// site, source link, dates, tags, note), the body from the document's blocks with
// clickable links, lists, quotes, code, tables and images, a running header, page
// numbers, bookmarks from the headings, and a notes appendix.
//
// Each highlight is a real /Highlight annotation in its colour, one per page it spans,
// with QuadPoints per line, the note, tags and claim as its contents, and an appearance
// stream that multiplies its colour over the text; the page content itself carries no
// highlight paint, so that viewers do not paint it twice. With Flatten the colour is
// painted into the page and no annotations are written.
//
// Text uses the embedded Go fonts. A character they lack is drawn without its accents
// when that helps, or else as U+FFFD; emoji and other characters beyond U+FFFF never
// reach the PDF writer.
func PDF(w io.Writer, a Article, hs []Highlight, opt PDFOptions) error {
	pw, err := newPDFWriter(a, hs, opt)
	if err != nil {
		return err
	}
	pw.typeset()
	var buf bytes.Buffer
	if err := pw.f.Output(&buf); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	if opt.Flatten || len(pw.quads) == 0 {
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write pdf: %w", err)
		}
		return nil
	}
	if err := annotate(w, buf.Bytes(), pw.annotations()); err != nil {
		return fmt.Errorf("pdf annotations: %w", err)
	}
	return nil
}

// quad is one line's stretch of a highlight: a rectangle on a page, in fpdf's
// coordinates (points from the top left).
type quad struct {
	page                int
	x0, top, x1, bottom float64
}

// item is a stretch of text set in one face, size and colour.
type item struct {
	face   face
	size   float64
	text   string // the characters drawn
	w      float64
	src    string // the text it stands for
	start  int    // byte offset of src in the document's text; -1 for other text
	space  bool   // a space where a line may break
	brk    bool   // a forced line break
	href   string // an external link
	link   int    // an internal link
	color  int
	strike bool
	code   bool
}

// itemStyle is what a stretch of items looks like before its runs add to it.
type itemStyle struct {
	size  float64
	style doc.Style
	color int
	code  bool // preformatted: spaces do not break lines
}

// line is items set on one line, and where the line starts.
type line struct {
	items []item
	w     float64
	size  float64 // the largest font size
}

type pdfWriter struct {
	f     *fpdf.Fpdf
	a     Article
	opt   PDFOptions
	p     *prepared
	text  string
	g     *glyphs
	y     float64
	quads map[*placed][]quad
	// curFace and curSize track fpdf's current font to skip redundant changes.
	curFace face
	curSize float64
	curCol  int
	// outline state
	minLevel, lastLevel int
	images              map[string]imageInfo
	// skipBlock is the block set as the title, -1 when none is.
	skipBlock int
}

func newPDFWriter(a Article, hs []Highlight, opt PDFOptions) (*pdfWriter, error) {
	g, err := newGlyphs()
	if err != nil {
		return nil, err
	}
	f := fpdf.New("P", "pt", "A4", "")
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(marginL, marginTop, marginR)
	f.SetCompression(true)
	// Resources in a stable order (fpdf's font subsets still vary from run to run).
	f.SetCatalogSort(true)
	addFonts(f)
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	f.SetCreationDate(now())
	f.SetModificationDate(now())
	f.SetTitle(bmpText(a.Title), true)
	if a.Byline != "" {
		f.SetAuthor(bmpText(a.Byline), true)
	}
	f.SetCreator("Gloss", true)
	f.SetProducer("Gloss", true)
	if len(a.Tags) > 0 {
		f.SetKeywords(bmpText(strings.Join(a.Tags, ", ")), true)
	}
	if a.URL != "" {
		f.SetSubject(bmpText(a.URL), true)
	}
	p := prepare(a.Doc, hs)
	pw := &pdfWriter{f: f, a: a, opt: opt, p: p, text: p.doc.Text, g: g, quads: map[*placed][]quad{}, curFace: 255, curCol: -1, images: map[string]imageInfo{}, skipBlock: -1}
	pw.minLevel = 6
	for _, b := range p.doc.Blocks {
		if b.Kind == doc.Heading {
			pw.minLevel = min(pw.minLevel, max(b.Level, 1))
		}
	}
	return pw, nil
}

// typeset lays out the whole document.
func (pw *pdfWriter) typeset() {
	pw.newPage()
	pw.titleBlock()
	pw.body()
	if pw.opt.Appendix && len(pw.p.all) > 0 {
		pw.appendix()
	}
	pw.pageFurniture()
}

func (pw *pdfWriter) newPage() {
	pw.f.AddPage()
	pw.y = marginTop
	pw.curFace, pw.curSize, pw.curCol = 255, 0, -1
}

// ensure starts a new page unless h more points fit on this one.
func (pw *pdfWriter) ensure(h float64) {
	if pw.y+h > bodyBottom && pw.y > marginTop {
		pw.newPage()
	}
}

func (pw *pdfWriter) setFont(f face, size float64) {
	if f != pw.curFace || size != pw.curSize {
		pw.f.SetFont(faceNames[f][0], faceNames[f][1], size)
		pw.curFace, pw.curSize = f, size
	}
}

func (pw *pdfWriter) setColor(c int) {
	if c != pw.curCol {
		rgb := textColors[c]
		pw.f.SetTextColor(rgb[0], rgb[1], rgb[2])
		pw.curCol = c
	}
}

// faceOf is the face of a style.
func faceOf(s doc.Style) face {
	switch {
	case s&doc.Mono != 0:
		return faceMono
	case s&doc.Bold != 0 && s&doc.Italic != 0:
		return faceBoldItalic
	case s&doc.Bold != 0:
		return faceBold
	case s&doc.Italic != 0:
		return faceItalic
	}
	return faceRegular
}

// isCJK reports whether a line may break before and after r.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// docItems makes the items of [s, e) of the document's text under its runs.
func (pw *pdfWriter) docItems(s, e int, runs []doc.Run, st itemStyle) []item {
	var out []item
	pos := s
	for _, r := range runs {
		if r.End <= pos || r.Start >= e {
			continue
		}
		if r.Start > pos {
			out = pw.textItems(out, pw.text[pos:r.Start], pos, st.style, "", st)
		}
		rs, re := max(r.Start, pos), min(r.End, e)
		href := ""
		if r.Style&doc.Link != 0 {
			href = safeURL(r.Href)
		}
		out = pw.textItems(out, pw.text[rs:re], rs, st.style|r.Style, href, st)
		pos = re
	}
	if pos < e {
		out = pw.textItems(out, pw.text[pos:e], pos, st.style, "", st)
	}
	return out
}

// plainItems makes items of text that is not the document's.
func (pw *pdfWriter) plainItems(out []item, s string, style doc.Style, st itemStyle) []item {
	return pw.textItems(out, s, -1, st.style|style, "", st)
}

// textItems splits text in one style into words, spaces, line breaks and CJK characters,
// each shaped into items. start is the text's offset in the document, or -1.
func (pw *pdfWriter) textItems(out []item, s string, start int, style doc.Style, href string, st itemStyle) []item {
	f := faceOf(style)
	color := st.color
	if href != "" {
		color = colLink
	}
	if style&doc.Mono != 0 && !st.code && color == colText {
		color = colCode
	}
	size := st.size
	if style&doc.Mono != 0 && !st.code {
		size = st.size * 0.92
	}
	add := func(from, to int, space, brk bool) {
		off := -1
		if start >= 0 {
			off = start + from
		}
		if brk {
			out = append(out, item{brk: true, src: s[from:to], start: off, size: size})
			return
		}
		pw.g.shape(f, s[from:to], func(ff face, drawn string, width, a, b int) {
			o := -1
			if off >= 0 {
				o = off + a
			}
			out = append(out, item{face: ff, size: size, text: drawn, w: float64(width) * size / 1000, src: s[from+a : from+b],
				start: o, space: space, href: href, color: color, strike: style&doc.Strike != 0, code: style&doc.Mono != 0 && !st.code})
		})
	}
	// Cut the text into words, spaces, line breaks and single CJK characters.
	const (
		word = iota
		space
		brk
		cjk
	)
	class := func(r rune) int {
		switch {
		case r == '\n' && !st.code:
			return brk
		case r == ' ' && !st.code:
			return space
		case isCJK(r):
			return cjk
		}
		return word
	}
	from, kind := 0, -1
	flush := func(to int) {
		if to > from {
			add(from, to, kind == space, kind == brk)
			if kind == cjk {
				// A line may break after a CJK character: an empty space marks the place.
				out = append(out, item{space: true, start: -1, size: size})
			}
		}
		from = to
	}
	for i, r := range s {
		c := class(r)
		if c != kind || c == brk || c == cjk {
			flush(i)
			kind = c
		}
	}
	flush(len(s))
	return out
}

// breakLines sets items into lines at most width wide, breaking at spaces, and inside a
// word only when the word alone is wider than a line.
func (pw *pdfWriter) breakLines(items []item, width float64) []line {
	var lines []line
	var cur line
	var word, spaces []item
	var ww, sw float64
	push := func() {
		lines = append(lines, cur)
		cur = line{}
	}
	addTo := func(its []item, w float64) {
		for _, it := range its {
			cur.size = max(cur.size, it.size)
		}
		cur.items = append(cur.items, its...)
		cur.w += w
	}
	flushWord := func() {
		if len(word) == 0 {
			return
		}
		if len(cur.items) > 0 && cur.w+sw+ww > width {
			push()
			spaces, sw = nil, 0
		}
		if len(cur.items) == 0 && ww > width {
			for _, part := range pw.splitWord(word, width) {
				if len(cur.items) > 0 {
					push()
				}
				w := 0.0
				for _, it := range part {
					w += it.w
				}
				addTo(part, w)
			}
		} else {
			if len(cur.items) > 0 {
				addTo(spaces, sw)
			}
			addTo(word, ww)
		}
		word, spaces, ww, sw = nil, nil, 0, 0
	}
	for _, it := range items {
		switch {
		case it.brk:
			flushWord()
			cur.size = max(cur.size, it.size)
			push()
			spaces, sw = nil, 0
		case it.space:
			flushWord()
			spaces = append(spaces, it)
			sw += it.w
		default:
			word = append(word, it)
			ww += it.w
		}
	}
	flushWord()
	if len(cur.items) > 0 {
		push()
	}
	return lines
}

// splitWord cuts a word wider than width into pieces that fit, between characters.
func (pw *pdfWriter) splitWord(word []item, width float64) [][]item {
	var parts [][]item
	var cur []item
	w := 0.0
	for _, it := range word {
		for it.src != "" {
			if w+it.w <= width || (w == 0 && len(it.text) <= 4) {
				cur = append(cur, it)
				w += it.w
				break
			}
			// Cut it at the last character that fits.
			cut, cw := 0, 0.0
			for i, r := range it.src {
				rw := float64(pw.g.get(it.face, r).width) * it.size / 1000
				if w+cw+rw > width && (i > 0 || w > 0) {
					cut = i
					break
				}
				cw += rw
				cut = i + len(string(r))
			}
			if cut == 0 {
				parts = append(parts, cur)
				cur, w = nil, 0
				continue
			}
			head, tail := pw.splitItem(it, cut)
			cur = append(cur, head)
			parts = append(parts, cur)
			cur, w = nil, 0
			it = tail
		}
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// splitItem cuts an item at byte cut of its source text.
func (pw *pdfWriter) splitItem(it item, cut int) (item, item) {
	mk := func(src string, start int) item {
		n := it
		n.src = src
		n.start = start
		n.text, n.w = "", 0
		pw.g.shape(it.face, src, func(_ face, drawn string, width, _, _ int) {
			n.text += drawn
			n.w += float64(width) * it.size / 1000
		})
		return n
	}
	tailStart := -1
	if it.start >= 0 {
		tailStart = it.start + cut
	}
	return mk(it.src[:cut], it.start), mk(it.src[cut:], tailStart)
}

// lineBox gives the height of a line of the given font size and where its baseline is
// below its top.
func (pw *pdfWriter) lineBox(size, leading float64) (h, baseline float64) {
	fonts := pw.g.fonts[faceRegular]
	h = size * leading
	baseline = (h-(fonts.ascent+fonts.descent)*size)/2 + fonts.ascent*size
	return h, baseline
}

// drawLines sets lines at x, starting a new page when one does not fit. deco draws what
// goes behind each line (quote bars, code backgrounds) before its text.
func (pw *pdfWriter) drawLines(lines []line, x float64, leading float64, deco func(top, h float64)) {
	for _, ln := range lines {
		size := ln.size
		if size == 0 {
			size = bodySize
		}
		h, base := pw.lineBox(size, leading)
		pw.ensure(h)
		if deco != nil {
			deco(pw.y, h)
		}
		pw.drawLine(ln, x, pw.y, h, base)
		pw.y += h
	}
}

// drawLine sets one line with its top at y.
func (pw *pdfWriter) drawLine(ln line, x, y, h, base float64) {
	xs := make([]float64, len(ln.items))
	cx := x
	for i, it := range ln.items {
		xs[i] = cx
		cx += it.w
	}
	f := pw.f
	// Inline code backgrounds, one per stretch of code.
	spans(ln.items, func(it item) bool { return it.code }, func(i, j int) {
		it := ln.items[i]
		f.SetFillColor(242, 240, 236)
		f.Rect(xs[i]-1, y+base-it.size*0.82, xs[j]+ln.items[j].w-xs[i]+2, it.size*1.08, "F")
	})
	pw.highlightLine(ln, xs, y, h, base)
	// Text, in stretches of one face, size and colour.
	for i := 0; i < len(ln.items); {
		it := ln.items[i]
		j := i + 1
		var sb strings.Builder
		sb.WriteString(it.text)
		for j < len(ln.items) {
			n := ln.items[j]
			if n.face != it.face || n.size != it.size || n.color != it.color {
				break
			}
			sb.WriteString(n.text)
			j++
		}
		if s := sb.String(); strings.TrimSpace(s) != "" {
			pw.setFont(it.face, it.size)
			pw.setColor(it.color)
			f.Text(xs[i], y+base, s)
		}
		i = j
	}
	// Strike lines and links.
	spans(ln.items, func(it item) bool { return it.strike }, func(i, j int) {
		it := ln.items[i]
		rgb := textColors[it.color]
		f.SetDrawColor(rgb[0], rgb[1], rgb[2])
		f.SetLineWidth(it.size * 0.06)
		f.Line(xs[i], y+base-it.size*0.3, xs[j]+ln.items[j].w, y+base-it.size*0.3)
	})
	for i := 0; i < len(ln.items); {
		it := ln.items[i]
		if it.href == "" && it.link == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(ln.items) && (ln.items[j].href == it.href && ln.items[j].link == it.link || ln.items[j].space && j+1 < len(ln.items) && ln.items[j+1].href == it.href && ln.items[j+1].link == it.link) {
			j++
		}
		w := xs[j-1] + ln.items[j-1].w - xs[i]
		if it.href != "" {
			f.LinkString(xs[i], y, w, h, it.href)
		} else {
			f.Link(xs[i], y, w, h, it.link)
		}
		i = j
	}
}

// spans calls draw with the first and last index of each stretch of items that have a
// property, without the spaces at its edges.
func spans(items []item, has func(item) bool, draw func(i, j int)) {
	for i := 0; i < len(items); {
		if !has(items[i]) || items[i].space {
			i++
			continue
		}
		j := i
		for k := i + 1; k < len(items) && has(items[k]); k++ {
			if !items[k].space {
				j = k
			}
		}
		draw(i, j)
		i = j + 1
	}
}

// highlightLine records, and with Flatten paints, the stretch of each highlight on a line.
func (pw *pdfWriter) highlightLine(ln line, xs []float64, y, h, base float64) {
	lo, hi := -1, -1
	for _, it := range ln.items {
		if it.start < 0 {
			continue
		}
		if lo < 0 || it.start < lo {
			lo = it.start
		}
		hi = max(hi, it.start+len(it.src))
	}
	if lo < 0 {
		return
	}
	fonts := pw.g.fonts[faceRegular]
	size := ln.size
	top := y + base - fonts.ascent*size
	bottom := y + base + fonts.descent*size
	for _, hl := range pw.p.anchored {
		if hl.start >= hi || hl.end <= lo {
			continue
		}
		x0, x1 := -1.0, -1.0
		for i, it := range ln.items {
			if it.start < 0 || it.start >= hl.end || it.start+len(it.src) <= hl.start {
				continue
			}
			a := max(hl.start, it.start) - it.start
			b := min(hl.end, it.start+len(it.src)) - it.start
			if strings.TrimSpace(it.src[a:b]) == "" && (it.space || it.brk) {
				// Spaces count only between highlighted words.
				if x0 < 0 {
					continue
				}
			}
			xa := xs[i] + float64(pw.g.measure(it.face, it.src[:a]))*it.size/1000
			xb := xs[i] + float64(pw.g.measure(it.face, it.src[:b]))*it.size/1000
			if x0 < 0 || xa < x0 {
				x0 = xa
			}
			x1 = max(x1, xb)
		}
		if x0 < 0 || x1-x0 < 0.5 {
			continue
		}
		q := quad{page: pw.f.PageNo(), x0: x0, top: top, x1: x1, bottom: bottom}
		pw.quads[hl] = append(pw.quads[hl], q)
		if pw.opt.Flatten {
			c := highlightRGB[colorOf(hl.Color)]
			pw.f.SetAlpha(1, "Multiply")
			pw.f.SetFillColor(int(c.r*255), int(c.g*255), int(c.b*255))
			pw.f.Rect(x0, top, x1-x0, bottom-top, "F")
			pw.f.SetAlpha(1, "Normal")
		}
	}
}

// trimTrailingSpaces drops space items at the end of a line, which were never meant to
// be seen; a highlight must not stretch over them.
func trimTrailingSpaces(lines []line) {
	for i := range lines {
		its := lines[i].items
		for len(its) > 0 && its[len(its)-1].space {
			lines[i].w -= its[len(its)-1].w
			its = its[:len(its)-1]
		}
		lines[i].items = its
	}
}

// paragraph lays out and draws text items in a column.
func (pw *pdfWriter) paragraph(items []item, x, width, leading float64, deco func(top, h float64)) {
	lines := pw.breakLines(items, width)
	trimTrailingSpaces(lines)
	pw.drawLines(lines, x, leading, deco)
}

// titleBlock draws the title, byline, source and dates, tags and the article's note.
func (pw *pdfWriter) titleBlock() {
	a := pw.a
	t := strings.Join(strings.Fields(a.Title), " ")
	// The outline needs a root: the title, or a stand-in for an untitled article.
	pw.setFont(faceBold, 20)
	if t == "" {
		pw.f.Bookmark("Article", 0, pw.y)
	} else {
		pw.f.Bookmark(bmpText(t), 0, pw.y)
		var items []item
		if i := pw.titleBlockIndex(t); i >= 0 {
			// The article starts with its title: set that heading as the title, so that
			// highlights in it show and the title is not printed twice.
			b := pw.p.doc.Blocks[i]
			items = pw.docItems(b.Start, b.End, b.Runs, itemStyle{size: 20, style: doc.Bold})
			pw.skipBlock = i
		} else {
			items = pw.plainItems(nil, t, doc.Bold, itemStyle{size: 20})
		}
		pw.paragraph(items, marginL, textW, 1.25, nil)
		pw.y += 6
	}
	small := itemStyle{size: 9.5, color: colGray}
	if by := strings.TrimSpace(a.Byline); by != "" {
		pw.paragraph(pw.plainItems(nil, by, 0, itemStyle{size: 11}), marginL, textW, lead, nil)
	}
	var its []item
	if a.Site != "" {
		its = pw.plainItems(its, a.Site, doc.Bold, small)
	}
	if u := safeURL(a.URL); u != "" {
		if len(its) > 0 {
			its = pw.plainItems(its, "  ·  ", 0, small)
		}
		n := len(its)
		its = pw.plainItems(its, u, 0, small)
		for i := n; i < len(its); i++ {
			its[i].href, its[i].color = u, colLink
		}
	}
	if len(its) > 0 {
		pw.paragraph(its, marginL, textW, lead, nil)
	}
	var dates []string
	if a.Published != nil && !a.Published.IsZero() {
		dates = append(dates, "Published "+a.Published.Format("2 January 2006"))
	}
	if !a.Saved.IsZero() {
		dates = append(dates, "Saved "+a.Saved.Format("2 January 2006, 15:04"))
	}
	if tags := cleanTags(a.Tags); len(tags) > 0 {
		dates = append(dates, "#"+strings.Join(tags, " #"))
	}
	if len(dates) > 0 {
		pw.paragraph(pw.plainItems(nil, strings.Join(dates, "  ·  "), 0, small), marginL, textW, lead, nil)
	}
	if note := strings.TrimSpace(a.Note); note != "" {
		pw.y += 4
		for _, para := range strings.Split(note, "\n") {
			if strings.TrimSpace(para) == "" {
				continue
			}
			pw.paragraph(pw.plainItems(nil, para, doc.Italic, itemStyle{size: bodySize}), marginL+10, textW-10, lead, func(top, h float64) {
				pw.f.SetFillColor(200, 170, 60)
				pw.f.Rect(marginL, top, 2.5, h, "F")
			})
		}
	}
	pw.y += 8
	pw.f.SetDrawColor(200, 200, 200)
	pw.f.SetLineWidth(0.6)
	pw.f.Line(marginL, pw.y, pageW-marginR, pw.y)
	pw.y += 14
}

// titleBlockIndex returns the index of the document's first block when it is a heading
// reading as the title, and -1 when not.
func (pw *pdfWriter) titleBlockIndex(title string) int {
	for i, b := range pw.p.doc.Blocks {
		if b.Start == b.End {
			continue
		}
		if b.Kind == doc.Heading && strings.EqualFold(strings.Join(strings.Fields(pw.text[b.Start:b.End]), " "), title) {
			return i
		}
		break
	}
	return -1
}

// body draws the document's blocks.
func (pw *pdfWriter) body() {
	blocks := pw.p.doc.Blocks
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if i == pw.skipBlock {
			continue
		}
		switch b.Kind {
		case doc.TableRow:
			j := i
			for j < len(blocks) && blocks[j].Kind == doc.TableRow {
				j++
			}
			pw.table(blocks[i:j])
			i = j - 1
		case doc.Image:
			captioned := i+1 < len(blocks) && blocks[i+1].Kind == doc.Caption
			pw.image(b, captioned)
		case doc.Rule:
			pw.ensure(20)
			pw.y += 8
			pw.f.SetDrawColor(190, 190, 190)
			pw.f.SetLineWidth(0.6)
			x := marginL + pw.indent(b)
			pw.f.Line(x+textW*0.3, pw.y, pageW-marginR-textW*0.3, pw.y)
			pw.y += 12
		case doc.Heading:
			pw.heading(b)
		case doc.Code:
			pw.code(b)
		default:
			if b.Start < b.End {
				pw.textBlock(b, i)
			}
		}
	}
}

// indent is how far a block sits in from the margin for its quotes and list depth.
func (pw *pdfWriter) indent(b doc.Block) float64 {
	return float64(b.Quote)*quoteIndent + float64(b.Depth)*listIndent
}

// quoteBars draws the bars of a block's quote levels beside a line.
func (pw *pdfWriter) quoteBars(q int) func(top, h float64) {
	if q == 0 {
		return nil
	}
	return func(top, h float64) {
		pw.f.SetFillColor(205, 205, 205)
		for k := 0; k < q; k++ {
			pw.f.Rect(marginL+float64(k)*quoteIndent+2, top, 2, h, "F")
		}
	}
}

func (pw *pdfWriter) heading(b doc.Block) {
	level := min(max(b.Level, 1), 6)
	size := [...]float64{0, 17, 14.5, 12.5, 11.5, 10.5, 10.5}[level]
	h, _ := pw.lineBox(size, 1.3)
	pw.y += size * 0.8
	// Keep the heading with two lines of what follows it.
	pw.ensure(h + 2*bodySize*lead)
	x := marginL + pw.indent(b)
	outline := max(1, level-pw.minLevel+1)
	if outline > pw.lastLevel+1 {
		outline = pw.lastLevel + 1
	}
	pw.lastLevel = outline
	pw.setFont(faceBold, size)
	pw.f.Bookmark(bmpText(strings.Join(strings.Fields(pw.text[b.Start:b.End]), " ")), outline, pw.y)
	items := pw.docItems(b.Start, b.End, b.Runs, itemStyle{size: size, style: doc.Bold})
	pw.paragraph(items, x, textW-(x-marginL), 1.3, pw.quoteBars(b.Quote))
	pw.y += size * 0.35
}

// textBlock draws a paragraph, list item or caption.
func (pw *pdfWriter) textBlock(b doc.Block, i int) {
	st := itemStyle{size: bodySize}
	x := marginL + pw.indent(b)
	gap := bodySize * 0.6
	if b.Kind == doc.Caption {
		st = itemStyle{size: 9, style: doc.Italic, color: colGray}
	}
	items := pw.docItems(b.Start, b.End, b.Runs, st)
	if b.Kind == doc.ListItem {
		gap = bodySize * 0.25
		if b.Marker != "" {
			marker := b.Marker
			if marker == "•" && b.Depth > 1 {
				marker = "◦"
			}
			mk := pw.plainItems(nil, marker, 0, itemStyle{size: bodySize})
			if len(mk) > 0 {
				w := mk[0].w
				for _, it := range mk[1:] {
					w += it.w
				}
				// The marker hangs in the list's indent, on the first line's baseline.
				_, base := pw.lineBox(bodySize, lead)
				pw.ensure(bodySize * lead)
				for k, it := range mk {
					x0 := x - w - 5
					for _, p := range mk[:k] {
						x0 += p.w
					}
					pw.setFont(it.face, it.size)
					pw.setColor(colGray)
					pw.f.Text(x0, pw.y+base, it.text)
				}
			}
		}
		if next := pw.nextBlock(i); next != nil && next.Kind != doc.ListItem {
			gap = bodySize * 0.6
		}
	}
	pw.paragraph(items, x, textW-(x-marginL), lead, pw.quoteBars(b.Quote))
	pw.y += gap
}

func (pw *pdfWriter) nextBlock(i int) *doc.Block {
	if i+1 < len(pw.p.doc.Blocks) {
		return &pw.p.doc.Blocks[i+1]
	}
	return nil
}

// code draws a code block on a tinted background, keeping its spaces and line breaks
// and wrapping lines wider than the column.
func (pw *pdfWriter) code(b doc.Block) {
	x := marginL + pw.indent(b)
	width := textW - (x - marginL) - 12
	st := itemStyle{size: codeSize, style: doc.Mono, color: colCode, code: true}
	var lines []line
	pos := b.Start
	for pos <= b.End {
		e := strings.IndexByte(pw.text[pos:b.End], '\n')
		if e < 0 {
			e = b.End
		} else {
			e += pos
		}
		items := pw.docItems(pos, e, b.Runs, st)
		if len(items) == 0 {
			lines = append(lines, line{size: codeSize})
		} else {
			var w float64
			for _, it := range items {
				w += it.w
			}
			if w <= width {
				lines = append(lines, line{items: items, w: w, size: codeSize})
			} else {
				for _, part := range pw.splitWord(items, width) {
					var pwid float64
					for _, it := range part {
						pwid += it.w
					}
					lines = append(lines, line{items: part, w: pwid, size: codeSize})
				}
			}
		}
		pos = e + 1
	}
	pw.y += 2
	bars := pw.quoteBars(b.Quote)
	pw.drawLines(lines, x+6, 1.4, func(top, h float64) {
		pw.f.SetFillColor(246, 245, 242)
		pw.f.Rect(x, top, width+12, h, "F")
		if bars != nil {
			bars(top, h)
		}
	})
	pw.y += bodySize * 0.8
}

// table draws table rows as a grid, the first row as a header, with columns as wide as
// their content asks within the page.
func (pw *pdfWriter) table(rows []doc.Block) {
	x := marginL + pw.indent(rows[0])
	avail := textW - (x - marginL)
	cells := make([][][2]int, len(rows))
	cols := 0
	for i, r := range rows {
		cells[i] = splitCells(pw.text, r)
		cols = max(cols, len(cells[i]))
	}
	const pad = 4.0
	size := 9.5
	natural := make([]float64, cols)
	for i, r := range rows {
		for c, cell := range cells[i] {
			w := 0.0
			for _, it := range pw.docItems(cell[0], cell[1], r.Runs, itemStyle{size: size}) {
				w += it.w
			}
			natural[c] = max(natural[c], w+2*pad)
		}
	}
	widths := make([]float64, cols)
	total := 0.0
	for c := range natural {
		natural[c] = min(max(natural[c], 24), avail)
		total += natural[c]
	}
	for c := range widths {
		if total <= avail {
			widths[c] = natural[c] + (avail-total)/float64(cols)
		} else {
			widths[c] = max(avail/float64(cols)*0.5, natural[c]*avail/total)
		}
	}
	// Scale down if the floors made the table too wide.
	sum := 0.0
	for _, w := range widths {
		sum += w
	}
	for c := range widths {
		widths[c] *= avail / sum
	}
	pw.y += 4
	for i, r := range rows {
		st := itemStyle{size: size}
		if i == 0 {
			st.style = doc.Bold
		}
		cellLines := make([][]line, cols)
		rowH := 0.0
		lh, _ := pw.lineBox(size, 1.35)
		for c := 0; c < cols; c++ {
			if c < len(cells[i]) {
				items := pw.docItems(cells[i][c][0], cells[i][c][1], r.Runs, st)
				cellLines[c] = pw.breakLines(items, widths[c]-2*pad)
				trimTrailingSpaces(cellLines[c])
			}
			rowH = max(rowH, float64(len(cellLines[c]))*lh)
		}
		rowH += 2 * pad
		if rowH > bodyBottom-marginTop {
			// A row taller than a page: set its cells one after another instead.
			for c := 0; c < cols; c++ {
				pw.drawLines(cellLines[c], x+pad, 1.35, nil)
			}
			continue
		}
		if i == 0 && len(rows) > 1 {
			// Keep the header with the first row.
			pw.ensure(2 * rowH)
		}
		pw.ensure(rowH)
		top := pw.y
		if i == 0 {
			pw.f.SetFillColor(238, 238, 238)
			pw.f.Rect(x, top, avail, rowH, "F")
		}
		cx := x
		for c := 0; c < cols; c++ {
			pw.y = top + pad
			pw.drawLines(cellLines[c], cx+pad, 1.35, nil)
			cx += widths[c]
		}
		pw.f.SetDrawColor(200, 200, 200)
		pw.f.SetLineWidth(0.5)
		pw.f.Line(x, top+rowH, x+avail, top+rowH)
		if i == 0 {
			pw.f.Line(x, top, x+avail, top)
		}
		pw.y = top + rowH
	}
	pw.y += bodySize * 0.8
}

// pageFurniture draws the running header and the page numbers on every page, now that
// the number of pages is known.
func (pw *pdfWriter) pageFurniture() {
	f := pw.f
	n := f.PageCount()
	title := strings.Join(strings.Fields(pw.a.Title), " ")
	if r := []rune(title); len(r) > 200 {
		// More than fits in the header anyway.
		title = string(r[:200])
	}
	header := ellipsize(pw, pw.plainItems(nil, title, 0, itemStyle{size: 8, color: colGray}), textW*0.8)
	headerW := 0.0
	for _, it := range header {
		headerW += it.w
	}
	for p := 1; p <= n; p++ {
		f.SetPage(p)
		pw.curFace, pw.curSize, pw.curCol = 255, 0, -1
		if p > 1 && title != "" {
			pw.drawLine(line{items: header, w: headerW, size: 8}, marginL, 34, 10, 8)
			f.SetDrawColor(215, 215, 215)
			f.SetLineWidth(0.4)
			f.Line(marginL, 48, pageW-marginR, 48)
		}
		num := strconv.Itoa(p) + " / " + strconv.Itoa(n)
		its := pw.plainItems(nil, num, 0, itemStyle{size: 8, color: colGray})
		w := 0.0
		for _, it := range its {
			w += it.w
		}
		pw.drawLine(line{items: its, w: w, size: 8}, (pageW-w)/2, pageH-40, 10, 8)
	}
	f.SetPage(n)
}

// ellipsize cuts items to width, ending them with "…" when cut.
func ellipsize(pw *pdfWriter, its []item, width float64) []item {
	w := 0.0
	for i, it := range its {
		if w+it.w > width {
			out := append([]item(nil), its[:i]...)
			for len(out) > 0 && out[len(out)-1].space {
				out = out[:len(out)-1]
			}
			return pw.plainItems(out, "…", 0, itemStyle{size: it.size, color: it.color})
		}
		w += it.w
	}
	return its
}
