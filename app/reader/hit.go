package reader

import (
	"sort"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
)

// OffsetAt returns the byte offset of Document.Text nearest to a position in widget
// coordinates: the boundary between characters closest to the pointer on the line under it.
// Positions above the text map to 0, below it to len(Document.Text); on an image or a rule,
// to the offset where it stands between blocks.
func (r *Reader) OffsetAt(pos fyne.Position) int {
	l := r.layout()
	if r.doc == nil || len(l.textBlocks) == 0 {
		return 0
	}
	bx := r.boxAt(pos.Y)
	if bx == nil {
		return len(r.doc.Text)
	}
	if bx.doc < 0 {
		return 0
	}
	if !bx.inDoc {
		return r.doc.Blocks[bx.doc].Start
	}
	ln := bx.lineNear(pos.X-l.colX, pos.Y+r.scrollY-bx.y)
	return r.offsetInLine(bx, ln, pos.X-l.colX)
}

// PositionOf returns the top-left corner, in widget coordinates, of the character at byte
// offset off of Document.Text (for off at the end of a line, the right edge of its last
// character). An offset between blocks is placed at the start of the next block.
func (r *Reader) PositionOf(off int) fyne.Position {
	l := r.layout()
	bx, ln, off := r.locate(off)
	if bx == nil {
		return fyne.NewPos(l.colX, l.height-r.scrollY)
	}
	return fyne.NewPos(l.colX+r.xAt(bx, ln, off), bx.y+ln.y-r.scrollY)
}

// locate returns the box and line showing byte offset off, and off moved into a block.
func (r *Reader) locate(off int) (*box, *line, int) {
	l := r.layout()
	if r.doc == nil || len(l.textBlocks) == 0 {
		return nil, nil, 0
	}
	off = r.clampOffset(off)
	blocks := r.doc.Blocks
	k := sort.Search(len(l.textBlocks), func(i int) bool { return blocks[l.textBlocks[i]].End >= off })
	if k == len(l.textBlocks) {
		k--
		off = blocks[l.textBlocks[k]].End
	}
	bi := l.textBlocks[k]
	if off < blocks[bi].Start {
		off = blocks[bi].Start
	}
	r.ensure(bi, bi+1)
	bx := l.blockBox(bi)
	li := sort.Search(len(bx.lines), func(i int) bool { return bx.lines[i].start > off }) - 1
	return bx, &bx.lines[max(li, 0)], off
}

// xAt is the x, from the column's left edge, of the left edge of the character at off.
func (r *Reader) xAt(bx *box, ln *line, off int) float32 {
	atoms := bx.atoms[ln.a0:ln.a1]
	k := sort.Search(len(atoms), func(i int) bool { return atoms[i].start > off }) - 1
	if k < 0 {
		if len(atoms) > 0 {
			return atoms[0].x
		}
		return ln.x0
	}
	a := &atoms[k]
	if off >= a.end {
		return a.x + a.w
	}
	return a.x + r.prefix(bx.src, a, off)
}

// prefix is the width of the part of atom a before off.
func (r *Reader) prefix(src string, a *atom, off int) float32 {
	if off <= a.start {
		return 0
	}
	if a.gap || off >= a.end {
		return a.w
	}
	return r.styles.list[a.st].m.width(src[a.start:off])
}

// boxAt returns the box at widget y, laid out, or the nearer of the two around a gap; nil
// below the last box.
func (r *Reader) boxAt(wy float32) *box {
	for range 8 {
		bx := r.boxNear(wy + r.scrollY)
		if bx == nil || bx.laid {
			return bx
		}
		r.ensure(bx.doc, bx.doc+1)
	}
	return r.boxNear(wy + r.scrollY)
}

// boxNear returns the box at content y, or the nearer of the two around a gap; nil below
// the last box.
func (r *Reader) boxNear(y float32) *box {
	boxes := r.lay.boxes
	i := sort.Search(len(boxes), func(i int) bool { return boxes[i].y+boxes[i].h > y })
	if i == len(boxes) {
		if len(boxes) > 0 && y < r.lay.height-bottomPad*r.lay.em/2 {
			return &boxes[len(boxes)-1]
		}
		return nil
	}
	if i > 0 && y < boxes[i].y {
		prev := &boxes[i-1]
		if y-(prev.y+prev.h) < boxes[i].y-y {
			return prev
		}
	}
	return &boxes[i]
}

// lineNear returns the line of a box nearest to (x, y), relative to the column and the box.
func (bx *box) lineNear(x, y float32) *line {
	if len(bx.lines) == 0 {
		return nil
	}
	if !bx.table {
		i := sort.Search(len(bx.lines), func(i int) bool { return bx.lines[i].y+bx.lines[i].h > y })
		return &bx.lines[min(i, len(bx.lines)-1)]
	}
	best, bdy, bdx := 0, float32(-1), float32(0)
	for i := range bx.lines {
		ln := &bx.lines[i]
		dy := max(ln.y-y, y-(ln.y+ln.h), 0)
		dx := max(ln.x0-x, x-ln.x1, 0)
		if bdy < 0 || dy < bdy || dy == bdy && dx < bdx {
			best, bdy, bdx = i, dy, dx
		}
	}
	return &bx.lines[best]
}

// offsetInLine returns the offset nearest to x on a line.
func (r *Reader) offsetInLine(bx *box, ln *line, x float32) int {
	if ln == nil {
		return r.doc.Blocks[bx.doc].Start
	}
	atoms := bx.atoms[ln.a0:ln.a1]
	if len(atoms) == 0 {
		return ln.start
	}
	k := sort.Search(len(atoms), func(i int) bool { return atoms[i].x > x }) - 1
	if k < 0 {
		return ln.start
	}
	a := &atoms[k]
	if x <= a.x+a.w {
		return r.nearestInAtom(bx.src, a, x-a.x)
	}
	if k+1 < len(atoms) {
		n := &atoms[k+1]
		if x-(a.x+a.w) < n.x-x {
			return a.end
		}
		return n.start
	}
	return ln.end
}

// nearestInAtom returns the rune boundary of atom a nearest to dx from its left edge.
func (r *Reader) nearestInAtom(src string, a *atom, dx float32) int {
	if a.gap {
		if dx < a.w/2 {
			return a.start
		}
		return a.end
	}
	b, wb := r.boundaryAtOrAfter(src, a, dx)
	if b == a.start {
		return b
	}
	_, n := utf8.DecodeLastRuneInString(src[a.start:b])
	p := b - n
	if dx-r.prefix(src, a, p) < wb-dx {
		return p
	}
	return b
}

// boundaryAtOrAfter returns the first rune boundary of a whose prefix is at least dx wide,
// with that width: a binary search over the boundaries.
func (r *Reader) boundaryAtOrAfter(src string, a *atom, dx float32) (int, float32) {
	lo, hi := a.start, a.end // the answer lies in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		for mid > lo && !runeStart(src[mid]) {
			mid--
		}
		if mid == lo {
			// lo and hi are within one rune of each other.
			if r.prefix(src, a, lo) >= dx {
				hi = lo
			} else {
				lo = hi
			}
			break
		}
		if r.prefix(src, a, mid) >= dx {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo, r.prefix(src, a, lo)
}

// charAt returns the box under a widget position and the offset, in the box's source
// text, of the character drawn there; ok is false when the pointer is over no character.
func (r *Reader) charAt(pos fyne.Position) (bx *box, off int, ok bool) {
	l := r.layout()
	bx = r.boxAt(pos.Y)
	y := pos.Y + r.scrollY
	x := pos.X - l.colX
	if bx == nil || y < bx.y || y >= bx.y+bx.h {
		return nil, 0, false
	}
	ln := bx.lineNear(x, y-bx.y)
	if ln == nil || y-bx.y < ln.y || y-bx.y >= ln.y+ln.h {
		return bx, 0, false
	}
	atoms := bx.atoms[ln.a0:ln.a1]
	k := sort.Search(len(atoms), func(i int) bool { return atoms[i].x > x }) - 1
	if k < 0 || x >= atoms[k].x+atoms[k].w {
		return bx, 0, false
	}
	a := &atoms[k]
	b, wb := r.boundaryAtOrAfter(bx.src, a, x-a.x)
	if b > a.start && (wb > x-a.x || b == a.end) {
		_, n := utf8.DecodeLastRuneInString(bx.src[a.start:b])
		b -= n
	}
	return bx, b, true
}

// blockAtPos returns the index of the document block under a widget position, or -1.
func (r *Reader) blockAtPos(pos fyne.Position) int {
	r.layout()
	bx := r.boxNear(pos.Y + r.scrollY)
	if bx == nil {
		return -1
	}
	return bx.doc
}

// linkAt returns the address of the link under a widget position.
func (r *Reader) linkAt(pos fyne.Position) (string, bool) {
	bx, off, ok := r.charAt(pos)
	if !ok {
		return "", false
	}
	if bx.href != "" {
		return bx.href, true
	}
	if !bx.inDoc {
		return "", false
	}
	for _, run := range r.doc.Blocks[bx.doc].Runs {
		if run.Start <= off && off < run.End && run.Href != "" {
			return run.Href, true
		}
	}
	return "", false
}

// highlightUnder returns the highlight under a widget position.
func (r *Reader) highlightUnder(pos fyne.Position) (string, bool) {
	bx, off, ok := r.charAt(pos)
	if !ok || !bx.inDoc {
		return "", false
	}
	return r.HighlightAt(off)
}

type charClass int

const (
	classSpace charClass = iota
	classWord
	classCJK
	classPunct
)

func classOf(c rune) charClass {
	switch {
	case unicode.IsSpace(c):
		return classSpace
	case c == '_' || c == '\'' || c == '’':
		return classWord
	case unicode.IsPunct(c) || unicode.IsSymbol(c):
		return classPunct
	case cjk(c):
		return classCJK
	case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.IsMark(c):
		return classWord
	}
	return classPunct
}

// wordAt returns the word around off: the run of letters and digits (or of CJK characters,
// of spaces, of punctuation) holding the character at off. At the end of a line (a line
// break, the end of a block or of the text) it is the word before.
func (r *Reader) wordAt(off int) (int, int) {
	text := r.doc.Text
	off = r.clampOffset(off)
	if off == len(text) || text[off] == '\n' {
		if off == 0 || text[off-1] == '\n' {
			return off, off
		}
		_, n := utf8.DecodeLastRuneInString(text[:off])
		off -= n
	}
	c, n := utf8.DecodeRuneInString(text[off:])
	class := classOf(c)
	a, b := off, off+n
	for a > 0 {
		p, m := utf8.DecodeLastRuneInString(text[:a])
		if classOf(p) != class || p == '\n' {
			break
		}
		a -= m
	}
	for b < len(text) {
		q, m := utf8.DecodeRuneInString(text[b:])
		if classOf(q) != class || q == '\n' {
			break
		}
		b += m
	}
	return a, b
}

// blockRange returns the text of the block holding off.
func (r *Reader) blockRange(off int) (int, int) {
	bx, _, _ := r.locate(off)
	if bx == nil {
		return 0, 0
	}
	b := &r.doc.Blocks[bx.doc]
	return b.Start, b.End
}

// ScrollToOffset scrolls so that the line holding byte offset off is at the top.
func (r *Reader) ScrollToOffset(off int) {
	bx, ln, _ := r.locate(off)
	if bx == nil {
		return
	}
	r.scrollTo(bx.y + ln.y)
}

// lineSpan returns the top, in content coordinates, and the height of the line holding
// byte offset off; ok is false when there is no text.
func (r *Reader) lineSpan(off int) (top, h float32, ok bool) {
	bx, ln, _ := r.locate(off)
	if bx == nil {
		return 0, 0, false
	}
	return bx.y + ln.y, ln.h, true
}

// revealOffset scrolls the line holding off into the middle of the view if it is not in
// view already: a find match jumped to is seen with what is around it.
func (r *Reader) revealOffset(off int) {
	top, lh, ok := r.lineSpan(off)
	h := r.Size().Height
	if !ok || top >= r.scrollY && top+lh <= r.scrollY+h {
		return
	}
	r.scrollTo(top - h/2 + lh/2)
}

// keepInView scrolls as little as will bring the line holding off into view with a line
// of context, for the moving end of a keyboard selection: centring it, as revealOffset
// does, would jump half a page each time the selection reached the edge of the view.
func (r *Reader) keepInView(off int) {
	top, lh, ok := r.lineSpan(off)
	if !ok {
		return
	}
	h := r.Size().Height
	margin := min(lh, max(h-lh, 0)/2)
	switch {
	case top-margin < r.scrollY:
		r.scrollTo(top - margin)
	case top+lh+margin > r.scrollY+h:
		r.scrollTo(top + lh + margin - h)
	}
}

// VisibleRange returns the byte range of the lines in view: from the start of the first
// line wholly in view to the end of the last line in view. Scrolling to the start with
// ScrollToOffset restores the reading position.
func (r *Reader) VisibleRange() (start, end int) {
	l := r.layout()
	if r.doc == nil || len(l.textBlocks) == 0 {
		return 0, 0
	}
	r.ensureView()
	top, bottom := r.scrollY, r.scrollY+r.Size().Height
	start, end = -1, -1
	for _, bi := range l.textBlocks[r.firstTextBlockFrom(top):] {
		bx := l.blockBox(bi)
		if bx.y >= bottom {
			break
		}
		for i := range bx.lines {
			ln := &bx.lines[i]
			y := bx.y + ln.y
			if y+ln.h <= top || y >= bottom {
				continue
			}
			if start < 0 && y >= top-0.5 {
				start = ln.start
			}
			end = max(end, ln.end)
		}
	}
	if start < 0 {
		// A line taller than the view, or nothing in view: take the nearest offset.
		start = r.OffsetAt(fyne.NewPos(l.colX, 0))
	}
	if end < start {
		end = start
	}
	return start, end
}

// firstTextBlockFrom returns the index into textBlocks of the first text block ending
// below content y.
func (r *Reader) firstTextBlockFrom(y float32) int {
	l := r.lay
	return sort.Search(len(l.textBlocks), func(i int) bool {
		bx := l.blockBox(l.textBlocks[i])
		return bx.y+bx.h > y
	})
}

// ScrollToFraction scrolls to a fraction (0 to 1) of the scrollable height. The height of
// the part not read yet is estimated until it has been laid out, so the fraction is
// approximate, except that 1 is the end.
func (r *Reader) ScrollToFraction(f float32) {
	f = min(max(f, 0), 1)
	for range 8 {
		l := r.layout()
		r.scrollTo(f * max(l.height-r.Size().Height, 0))
		r.ensureView()
		if f < 1 || r.scrollY >= r.lay.height-r.Size().Height-0.5 {
			return
		}
	}
}

// Progress returns how far the reader has scrolled, from 0 at the top to 1 at the bottom;
// 1 when everything is in view.
func (r *Reader) Progress() float32 {
	l := r.layout()
	span := l.height - r.Size().Height
	if span <= 0 {
		return 1
	}
	return min(max(r.scrollY/span, 0), 1)
}

func (r *Reader) clampScroll(y float32) float32 {
	if r.lay == nil {
		return max(y, 0)
	}
	return max(min(y, r.lay.height-r.Size().Height), 0)
}

// scrollTo scrolls to content y.
func (r *Reader) scrollTo(y float32) {
	r.layout()
	y = r.clampScroll(y)
	if y == r.scrollY {
		return
	}
	r.scrollY = y
	r.changed(pending{})
	if r.OnScroll != nil {
		r.OnScroll(r.Progress())
	}
}

func (r *Reader) scrollBy(dy float32) { r.scrollTo(r.scrollY + dy) }
