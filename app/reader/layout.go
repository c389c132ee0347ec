package reader

import (
	"bytes"
	"image"
	_ "image/gif" // image sizes of stored figures
	_ "image/jpeg"
	_ "image/png"
	"sort"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	_ "golang.org/x/image/webp"

	"gloss/archive/doc"
)

// Typography, in ems of the reader's text size unless said otherwise.
const (
	measureChars = 70 // characters per line of body text

	bodyLeading    = 1.6 // line height as a multiple of the font size
	headingLeading = 1.25
	codeLeading    = 1.5
	captionLeading = 1.45
	titleLeading   = 1.2

	quoteStep = 1.3 // indent per block quote level
	listStep  = 1.6 // indent per list level
	markerGap = 0.5 // between a list marker and the item's text
	codePadH  = 0.9
	codePadV  = 0.65
	cellGap   = 1.2 // between table columns
	cellPadV  = 0.35
	sidePad   = 2.0
	topPad    = 2.5
	bottomPad = 4.0

	barWidth = 3 // quote bar, in pixels
)

var headingScale = [7]float32{1, 1.9, 1.55, 1.3, 1.12, 1.0, 0.95}

// box is one laid-out block: a block of the document, or a part of the title block.
type box struct {
	doc   int    // index into Document.Blocks; -1 for the title block
	src   string // the text the atoms index: Document.Text, or the title block's own
	inDoc bool
	y, h  float32 // top and height in content coordinates
	lines []line
	atoms []atom
	table bool // lines are table cells: several may share a y
	laid  bool // laid out; otherwise h is an estimate and there are no lines

	gapAbove float32 // space between this box and the one above

	indent   float32 // left edge of the text, from the column's left edge
	quote    int
	barH     float32 // height of the bars of the levels that go on into the next block
	barNext  int     // quote depth of the next block: its levels' bars run on through the gap
	marker   string
	markerSt uint16
	markerX  float32
	bg       bool // code: a tinted background from indent to the column's right edge
	rule     bool
	rowRule  bool   // table row: a hairline below
	href     string // title block: the source address the whole box links to
	img      *imageBox
}

// imageBox is where a figure goes, relative to its box; info.res is nil for an image that
// is not stored, drawn as a placeholder box holding the alt text.
type imageBox struct {
	x, y, w, h float32
	info       *imageInfo
}

// docLayout is a document laid out for one width.
type docLayout struct {
	width      float32
	colX, colW float32
	em         float32
	boxes      []box
	first      int // index of the box of Document.Blocks[0]
	height     float32
	textBlocks []int   // indices of the blocks that have text, in order
	docTop     float32 // where the document's blocks start, under the title block
	avgChar    float32 // average width of a character of body text, in ems
}

// blockBox returns the box of document block i.
func (l *docLayout) blockBox(i int) *box { return &l.boxes[l.first+i] }

type imageInfo struct {
	res     fyne.Resource
	w, h    int
	decoded image.Image // decoded on first display, kept so scrolling back does not decode again
	failed  bool        // not decodable here (an SVG): drawn from the resource
}

// picture returns the decoded image, decoding it the first time.
func (info *imageInfo) picture() image.Image {
	if info.decoded == nil && !info.failed && info.res != nil {
		img, _, err := image.Decode(bytes.NewReader(info.res.Content()))
		info.decoded, info.failed = img, err != nil
	}
	return info.decoded
}

// image returns the stored image of src with its pixel size, asking the app's loader once.
func (r *Reader) image(src string) *imageInfo {
	if info, ok := r.images[src]; ok {
		return info
	}
	info := &imageInfo{}
	if r.opts.Image != nil && src != "" {
		if res, ok := r.opts.Image(src); ok && res != nil {
			info.res = res
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(res.Content())); err == nil {
				info.w, info.h = cfg.Width, cfg.Height
			}
		}
	}
	r.images[src] = info
	return info
}

// styleFor is the base style of a block of kind k.
func (r *Reader) styleFor(b *doc.Block) (styleKey, float32) {
	s := r.textSize
	switch b.Kind {
	case doc.Heading:
		lv := min(max(b.Level, 1), 6)
		return styleKey{ts: fyne.TextStyle{Bold: true}, size: s * headingScale[lv]}, headingLeading
	case doc.Code:
		return styleKey{ts: fyne.TextStyle{Monospace: true}, size: s * 0.88}, codeLeading
	case doc.Caption, doc.Image:
		return styleKey{ts: fyne.TextStyle{Italic: true}, size: s * 0.88, role: roleMuted}, captionLeading
	}
	return styleKey{size: s}, bodyLeading
}

// spans turns a block's runs into styled spans over its base style.
func spans(b *doc.Block, base styleKey) []span {
	out := make([]span, 0, len(b.Runs)+1)
	at := b.Start
	for _, run := range b.Runs {
		if run.Start > at {
			out = append(out, span{start: at, end: run.Start, key: base})
		}
		k := base
		if run.Style&doc.Bold != 0 {
			k.ts.Bold = true
		}
		if run.Style&doc.Italic != 0 {
			k.ts.Italic = true
		}
		if run.Style&doc.Mono != 0 && !k.ts.Monospace {
			k.ts.Monospace = true
			k.size *= 0.9
		}
		if run.Style&doc.Link != 0 {
			k.role = roleLink
		}
		if run.Style&doc.Strike != 0 {
			k.strike = true
		}
		out = append(out, span{start: max(run.Start, at), end: run.End, key: k})
		at = max(at, run.End)
	}
	if at < b.End {
		out = append(out, span{start: at, end: b.End, key: base})
	}
	return out
}

// pieces returns the measured pieces of document block i, computing them on first use.
func (r *Reader) pieces(i int) []piece {
	if r.tokens[i] != nil {
		return r.tokens[i]
	}
	b := &r.doc.Blocks[i]
	key, _ := r.styleFor(b)
	t := tokenizer{st: r.styles, src: r.doc.Text}
	var ps []piece
	if b.Kind == doc.Code {
		ps = t.code(spans(b, key))
	} else {
		ps = t.prose(spans(b, key))
	}
	if ps == nil {
		ps = []piece{}
	}
	r.tokens[i] = ps
	return ps
}

// newFlow returns a flow over src for lines of base style k, between x0 and x1.
func (r *Reader) newFlow(src string, k styleKey, leading, x0, x1 float32) flow {
	m := r.styles.list[r.styles.get(k)].m
	h := float32(int(k.size*leading + 0.5))
	return flow{st: r.styles, src: src, x0: x0, x1: x1, lineH: h, base: (h-m.height)/2 + m.ascent, textH: m.height, tabW: 4 * m.space}
}

// buildLayout lays out the title block for a widget width and places the blocks of the
// document at estimated heights; blocks are laid out for real when they come near the view
// or an offset in them is asked for (see ensure), so that opening a long article measures
// only the words on its first screen.
func (r *Reader) buildLayout(width float32) *docLayout {
	em := r.textSize
	body := r.styles.list[r.styles.get(styleKey{size: em})].m
	avg := body.width(sampleText) / float32(len(sampleText))
	l := &docLayout{width: width, em: em, avgChar: avg / em}
	l.colW = min(float32(measureChars)*avg, width-2*max(sidePad*em, 16))
	l.colW = max(l.colW, 10*avg)
	l.colX = float32(int((width - l.colW) / 2))

	y := topPad * em
	y = r.layoutTitle(l, y)
	l.first = len(l.boxes)
	l.docTop = y
	if r.doc == nil {
		l.height = y + bottomPad*em
		return l
	}
	blocks := r.doc.Blocks
	l.boxes = append(l.boxes, make([]box, len(blocks))...)
	for i := range blocks {
		b := &blocks[i]
		if b.End > b.Start {
			l.textBlocks = append(l.textBlocks, i)
		}
		bx := l.blockBox(i)
		*bx = box{doc: i, src: r.doc.Text, inDoc: b.End > b.Start, quote: b.Quote}
		switch {
		case i > 0:
			bx.gapAbove = gap(&blocks[i-1], b) * em
		case l.first > 0:
			bx.gapAbove = 1.6 * em
		}
		bx.h = r.estimate(l, b)
	}
	l.reflow()
	return l
}

// estimate guesses the height of a block not laid out yet from its length.
func (r *Reader) estimate(l *docLayout, b *doc.Block) float32 {
	em := r.textSize
	indent := float32(b.Quote)*quoteStep*em + float32(b.Depth)*listStep*em
	width := max(l.colW-indent, em)
	switch b.Kind {
	case doc.Rule:
		return 1
	case doc.Image:
		if b.Width > 0 && b.Height > 0 {
			w := min(float32(b.Width), width)
			return min(float32(b.Height)*w/float32(b.Width), max(l.colW*0.9, 12*em))
		}
		return width * 9 / 16
	}
	key, leading := r.styleFor(b)
	lineH := float32(int(key.size*leading + 0.5))
	charW := l.avgChar * key.size
	text := r.doc.Text[b.Start:b.End]
	var lines, pad float32
	switch b.Kind {
	case doc.Code:
		charW *= 1.2
		width -= 2 * codePadH * em
		pad = 2 * codePadV * em
		for _, ln := range strings.Split(text, "\n") {
			lines += float32(int(float32(utf8.RuneCountInString(ln))*charW/width) + 1)
		}
	case doc.TableRow:
		lines, pad = 1, 2*cellPadV*em
	default:
		lines = float32(int(float32(utf8.RuneCountInString(text))*charW/width) + 1)
	}
	return lines*lineH + pad
}

// reflow places the boxes of the document one under the other.
func (l *docLayout) reflow() {
	y := l.docTop
	for i := l.first; i < len(l.boxes); i++ {
		bx := &l.boxes[i]
		y += bx.gapAbove
		bx.y = y
		y += bx.h
	}
	// Quote bars run on through the gap to the next block of the same quote.
	for i := l.first; i < len(l.boxes); i++ {
		bx := &l.boxes[i]
		bx.barH, bx.barNext = bx.h, 0
		if i+1 < len(l.boxes) && l.boxes[i+1].quote > 0 {
			bx.barNext = l.boxes[i+1].quote
			bx.barH = l.boxes[i+1].y - bx.y
		}
	}
	l.height = y + bottomPad*l.em
}

// ensure lays out the document blocks lo to hi-1 that are not laid out yet (with the
// whole of any table they are in). The box at the top of the view keeps its place on
// screen: blocks above it that change height move the scroll offset by as much.
func (r *Reader) ensure(lo, hi int) {
	l := r.layout()
	if r.doc == nil {
		return
	}
	lo, hi = max(lo, 0), min(hi, len(r.doc.Blocks))
	var anchor, anchorY float32 = -1, 0
	changed := false
	for i := lo; i < hi; i++ {
		if l.blockBox(i).laid {
			continue
		}
		if !changed {
			if a := r.topBox(); a >= 0 {
				anchor, anchorY = float32(a), l.boxes[a].y
			}
			changed = true
		}
		r.layoutAt(l, i)
	}
	if !changed {
		return
	}
	l.reflow()
	if anchor >= 0 {
		if dy := l.boxes[int(anchor)].y - anchorY; dy != 0 {
			r.scrollY = r.clampScroll(r.scrollY + dy)
			if !r.updating {
				r.changed(pending{})
			}
		}
	}
}

// topOffset returns the offset of the first line wholly in view when scrolled to y,
// without laying anything out.
func (l *docLayout) topOffset(y float32) int {
	boxes := l.boxes
	for i := sort.Search(len(boxes), func(i int) bool { return boxes[i].y+boxes[i].h > y }); i < len(boxes); i++ {
		bx := &boxes[i]
		if !bx.inDoc {
			continue
		}
		for k := range bx.lines {
			if bx.y+bx.lines[k].y >= y-0.5 {
				return bx.lines[k].start
			}
		}
		if !bx.laid {
			return -1
		}
	}
	return -1
}

// topBox returns the index of the first box not wholly above the view, or -1.
func (r *Reader) topBox() int {
	boxes := r.lay.boxes
	i := sort.Search(len(boxes), func(i int) bool { return boxes[i].y+boxes[i].h > r.scrollY })
	if i == len(boxes) {
		return -1
	}
	return i
}

// ensureRange lays out the blocks that meet content y from top to bottom.
func (r *Reader) ensureRange(top, bottom float32) {
	l := r.layout()
	for range 64 {
		boxes := l.boxes
		i := sort.Search(len(boxes), func(i int) bool { return boxes[i].y+boxes[i].h > top })
		lo, hi := -1, -1
		for ; i < len(boxes) && boxes[i].y < bottom; i++ {
			if boxes[i].doc >= 0 && !boxes[i].laid {
				if lo < 0 {
					lo = boxes[i].doc
				}
				hi = boxes[i].doc + 1
			}
		}
		if lo < 0 {
			return
		}
		before := r.scrollY
		r.ensure(lo, hi)
		// The view may have moved to keep its top in place; follow it.
		top += r.scrollY - before
		bottom += r.scrollY - before
	}
}

// ensureView lays out the blocks in view and those within half a view above and below.
func (r *Reader) ensureView() {
	h := r.Size().Height
	r.ensureRange(r.scrollY-h/2, r.scrollY+h*1.5)
}

// layoutAt lays out document block i.
func (r *Reader) layoutAt(l *docLayout, i int) {
	blocks := r.doc.Blocks
	b := &blocks[i]
	if b.Kind == doc.TableRow {
		lo, hi := i, i+1
		for lo > 0 && sameTable(&blocks[lo-1], b) {
			lo--
		}
		for hi < len(blocks) && sameTable(&blocks[hi], b) {
			hi++
		}
		r.layoutTable(l, lo, hi)
		return
	}
	bx := l.blockBox(i)
	keep := *bx
	*bx = box{doc: i, src: r.doc.Text, inDoc: b.End > b.Start, quote: b.Quote,
		y: keep.y, gapAbove: keep.gapAbove, laid: true}
	r.layoutBlock(l, bx, b)
}

func sameTable(a, b *doc.Block) bool {
	return a.Kind == doc.TableRow && b.Kind == doc.TableRow && a.Quote == b.Quote && a.Depth == b.Depth
}

const sampleText = "the quick brown fox jumps over a lazy dog, and then some of it was said again. "

// gap is the space between two consecutive blocks, in ems.
func gap(a, b *doc.Block) float32 {
	if a.Kind == doc.TableRow && b.Kind == doc.TableRow {
		return 0
	}
	if a.Kind == doc.ListItem && (b.Kind == doc.ListItem || b.Depth > 0 && b.Kind != doc.Heading) {
		return 0.35
	}
	if a.Kind == doc.Image && b.Kind == doc.Caption {
		return 0.5
	}
	return max(after(a), before(b))
}

func before(b *doc.Block) float32 {
	switch b.Kind {
	case doc.Heading:
		if b.Level <= 2 {
			return 1.7
		}
		return 1.35
	case doc.Code, doc.TableRow:
		return 1.0
	case doc.Image, doc.Rule:
		return 1.2
	}
	return 0
}

func after(b *doc.Block) float32 {
	switch b.Kind {
	case doc.Heading:
		if b.Level <= 2 {
			return 0.6
		}
		return 0.45
	case doc.Code, doc.TableRow:
		return 1.0
	case doc.Image, doc.Rule, doc.Caption:
		return 1.2
	case doc.ListItem:
		return 0.9
	}
	return 0.9
}

// layoutTitle lays out the title block: title, byline and site, dates, source address.
func (r *Reader) layoutTitle(l *docLayout, y float32) float32 {
	em := r.textSize
	m := r.meta
	add := func(text string, k styleKey, leading float32, href string) {
		if text == "" {
			return
		}
		bx := box{doc: -1, src: text, y: y, href: href, laid: true}
		t := tokenizer{st: r.styles, src: text}
		ps := t.prose([]span{{start: 0, end: len(text), key: k}})
		f := r.newFlow(text, k, leading, 0, l.colW)
		f.prose(ps, 0, len(text))
		bx.lines, bx.atoms, bx.h = f.lines, f.atoms, f.y
		l.boxes = append(l.boxes, bx)
		y += bx.h + 0.3*em
	}
	add(m.Title, styleKey{ts: fyne.TextStyle{Bold: true}, size: em * 1.9}, titleLeading, "")
	if m.Title != "" {
		y += 0.35 * em
	}
	muted := styleKey{size: em * 0.9, role: roleMuted}
	add(joinNonEmpty(" · ", m.Byline, m.Site), muted, 1.45, "")
	var dates []string
	if !m.Published.IsZero() {
		dates = append(dates, "Published "+m.Published.Format("2 January 2006"))
	}
	if !m.Saved.IsZero() {
		dates = append(dates, "Saved "+m.Saved.Format("2 January 2006"))
	}
	add(strings.Join(dates, " · "), muted, 1.45, "")
	add(m.URL, styleKey{size: em * 0.9, role: roleLink}, 1.45, m.URL)
	if len(l.boxes) == 0 {
		return y
	}
	y += 1.1 * em
	l.boxes = append(l.boxes, box{doc: -1, rule: true, y: y, h: 1, laid: true})
	return y + 1
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// layoutBlock lays out one block that is not a table row.
func (r *Reader) layoutBlock(l *docLayout, bx *box, b *doc.Block) {
	em := r.textSize
	indent := float32(b.Quote)*quoteStep*em + float32(b.Depth)*listStep*em
	bx.indent = indent
	switch b.Kind {
	case doc.Rule:
		bx.rule, bx.h = true, 1
		return
	case doc.Image:
		r.layoutImage(l, bx, b)
		return
	}
	key, leading := r.styleFor(b)
	f := r.newFlow(r.doc.Text, key, leading, indent, l.colW)
	if b.Kind == doc.Code {
		pad := codePadH * em
		f.x0, f.x1 = indent+pad, l.colW-pad
		f.y = codePadV * em
		f.code(r.pieces(bx.doc), b.Start, b.End)
		bx.bg = true
		bx.h = f.y + codePadV*em
	} else {
		f.prose(r.pieces(bx.doc), b.Start, b.End)
		bx.h = f.y
	}
	bx.lines, bx.atoms = f.lines, f.atoms
	if b.Kind == doc.ListItem && b.Marker != "" {
		k := key
		k.ts = fyne.TextStyle{}
		st := r.styles.get(k)
		bx.marker, bx.markerSt = b.Marker, st
		bx.markerX = indent - markerGap*em - r.styles.list[st].m.width(b.Marker)
	}
}

// layoutImage places a figure: a stored image at its natural size or narrower, or a
// placeholder box with the alt text.
func (r *Reader) layoutImage(l *docLayout, bx *box, b *doc.Block) {
	em := r.textSize
	info := r.image(b.Src)
	maxW := l.colW - bx.indent
	w, h := float32(info.w), float32(info.h)
	if w <= 0 || h <= 0 {
		w, h = float32(b.Width), float32(b.Height)
	}
	dw, dh := maxW, float32(0)
	if w > 0 && h > 0 {
		dw = min(w, maxW)
		dh = h * dw / w
		if limit := max(l.colW*0.9, 12*em); dh > limit {
			dw, dh = dw*limit/dh, limit
		}
	} else if info.res != nil {
		dh = maxW * 9 / 16
	}
	ib := &imageBox{info: info, w: dw, x: bx.indent + (maxW-dw)/2}
	bx.img = ib
	bx.inDoc = false
	if info.res == nil {
		alt := b.Alt
		if alt == "" {
			alt = "Image not saved"
		}
		key, leading := r.styleFor(b)
		pad := 0.8 * em
		t := tokenizer{st: r.styles, src: alt}
		ps := t.prose([]span{{start: 0, end: len(alt), key: key}})
		f := r.newFlow(alt, key, leading, ib.x+pad, ib.x+max(dw-pad, 4*em))
		f.prose(ps, 0, len(alt))
		textH := f.y
		dh = max(dh, textH+2*pad, 4*em)
		shift := (dh - textH) / 2
		for i := range f.lines {
			f.lines[i].y += shift
		}
		bx.src, bx.lines, bx.atoms = alt, f.lines, f.atoms
	}
	ib.h = dh
	bx.h = dh
}

// layoutTable lays out the rows blocks[i:j] of one table in shared columns: at their
// natural widths when they fit, otherwise narrowed, with long cells wrapped.
func (r *Reader) layoutTable(l *docLayout, i, j int) {
	em := r.textSize
	blocks := r.doc.Blocks
	b0 := &blocks[i]
	indent := float32(b0.Quote)*quoteStep*em + float32(b0.Depth)*listStep*em
	avail := l.colW - indent
	gapW := cellGap * em
	type cell struct {
		ps         []piece
		start, end int
	}
	rows := make([][]cell, 0, j-i)
	var natural, minimum []float32
	for k := i; k < j; k++ {
		ps := r.pieces(k)
		var cells []cell
		start, c0 := blocks[k].Start, 0
		for n := 0; n <= len(ps); n++ {
			if n == len(ps) || ps[n].kind == pTab {
				end := blocks[k].End
				if n < len(ps) {
					end = ps[n].start
				}
				cells = append(cells, cell{ps: ps[c0:n], start: start, end: end})
				if n < len(ps) {
					start, c0 = ps[n].end, n+1
				}
			}
		}
		for c, ce := range cells {
			var nat, word, cur float32
			for _, p := range ce.ps {
				nat += p.w
				if p.kind == pWord && !p.brk {
					cur += p.w
				} else if p.kind == pWord {
					cur = p.w
				} else {
					cur = 0
				}
				word = max(word, cur)
			}
			for len(natural) <= c {
				natural, minimum = append(natural, 0), append(minimum, 0)
			}
			natural[c] = max(natural[c], nat)
			minimum[c] = max(minimum[c], min(word, avail/3))
		}
		rows = append(rows, cells)
	}
	n := len(natural)
	widths := make([]float32, n)
	total := gapW * float32(max(n-1, 0))
	for c := range natural {
		total += natural[c]
	}
	if total <= avail {
		copy(widths, natural)
	} else {
		// Give each column its longest word, then share out the rest by natural width.
		rest := avail - gapW*float32(max(n-1, 0))
		var sumMin, sumExtra float32
		for c := range natural {
			sumMin += minimum[c]
			sumExtra += natural[c] - minimum[c]
		}
		for c := range natural {
			switch {
			case sumMin >= rest:
				widths[c] = rest * minimum[c] / max(sumMin, 1)
			case sumExtra > 0:
				widths[c] = minimum[c] + (rest-sumMin)*(natural[c]-minimum[c])/sumExtra
			default:
				widths[c] = rest / float32(n)
			}
		}
	}
	for k, cells := range rows {
		bi := i + k
		b := &blocks[bi]
		bx := l.blockBox(bi)
		*bx = box{doc: bi, src: r.doc.Text, inDoc: true, quote: b.Quote, indent: indent, table: true, rowRule: true,
			y: bx.y, gapAbove: bx.gapAbove, laid: true}
		key, leading := r.styleFor(b)
		f := r.newFlow(r.doc.Text, key, leading, 0, 0)
		x := indent
		rowH := float32(0)
		for c, ce := range cells {
			f.x0, f.x1 = x, x+widths[c]
			f.y = cellPadV * em
			f.prose(ce.ps, ce.start, ce.end)
			rowH = max(rowH, f.y)
			x += widths[c] + gapW
		}
		bx.lines, bx.atoms = f.lines, f.atoms
		bx.h = rowH + cellPadV*em
	}
}
