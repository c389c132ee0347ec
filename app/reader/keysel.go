package reader

import (
	"runtime"
	"sort"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Keyboard selection works as in a read-only text view (GTK's, or a browser's caret-less
// selection): Shift with a movement key moves one end of the selection, the focus, while
// the other, the anchor, stays put. The reader draws no caret: with nothing selected, the
// point last clicked (or where the last selection collapsed) stands in for one, unless it
// is out of view, when the first line in view does, so that keys pressed after scrolling
// select what the reader is looking at.
//
// Fyne delivers Shift alone with a key as TypedKey, the Shift state coming from KeyDown and
// KeyUp (as widget.Entry tracks it) or from the desktop driver's modifiers; Shift with
// Control, Alt or Super comes as a desktop.CustomShortcut to TypedShortcut instead.

// move is a movement of the selection's focus.
type move int

const (
	moveNone move = iota
	moveCharBack
	moveCharForward
	moveWordBack
	moveWordForward
	moveLineUp
	moveLineDown
	moveLineStart
	moveLineEnd
	moveParaBack    // to the start of the paragraph, or of the one before when at its start
	moveParaForward // to the end of the paragraph, or of the one after when at its end
	movePageUp
	movePageDown
	moveDocStart
	moveDocEnd
)

// vertical reports whether a move keeps the goal column.
func (m move) vertical() bool {
	return m == moveLineUp || m == moveLineDown || m == movePageUp || m == movePageDown
}

// macKeys says whether to follow macOS's keys: Option for words and paragraphs, Command
// for line and article ends.
var macKeys = runtime.GOOS == "darwin"

// selectionMove returns the movement a key with modifiers makes of the selection's focus,
// or moveNone if it is no selection key. Every selection key holds Shift.
//
//	                       elsewhere             macOS
//	character              Shift+Left/Right      Shift+Left/Right
//	word                   Ctrl+Shift+Left/Right Option+Shift+Left/Right
//	line                   Shift+Up/Down         Shift+Up/Down
//	line start, end        Shift+Home/End        Shift+Home/End, Cmd+Shift+Left/Right
//	paragraph              Ctrl+Shift+Up/Down    Option+Shift+Up/Down
//	page                   Shift+PgUp/PgDn       Shift+PgUp/PgDn
//	article start, end     Ctrl+Shift+Home/End   Cmd+Shift+Home/End, Cmd+Shift+Up/Down
func selectionMove(key fyne.KeyName, mods fyne.KeyModifier, mac bool) move {
	if mods&fyne.KeyModifierShift == 0 {
		return moveNone
	}
	word, doc := fyne.KeyModifierControl, fyne.KeyModifierControl
	if mac {
		word, doc = fyne.KeyModifierAlt, fyne.KeyModifierSuper
	}
	switch mods &^ fyne.KeyModifierShift {
	case 0:
		switch key {
		case fyne.KeyLeft:
			return moveCharBack
		case fyne.KeyRight:
			return moveCharForward
		case fyne.KeyUp:
			return moveLineUp
		case fyne.KeyDown:
			return moveLineDown
		case fyne.KeyHome:
			return moveLineStart
		case fyne.KeyEnd:
			return moveLineEnd
		case fyne.KeyPageUp:
			return movePageUp
		case fyne.KeyPageDown:
			return movePageDown
		}
	case word:
		switch key {
		case fyne.KeyLeft:
			return moveWordBack
		case fyne.KeyRight:
			return moveWordForward
		case fyne.KeyUp:
			return moveParaBack
		case fyne.KeyDown:
			return moveParaForward
		}
		if !mac {
			switch key {
			case fyne.KeyHome:
				return moveDocStart
			case fyne.KeyEnd:
				return moveDocEnd
			}
		}
	}
	if mac && mods&^fyne.KeyModifierShift == doc {
		switch key {
		case fyne.KeyLeft:
			return moveLineStart
		case fyne.KeyRight:
			return moveLineEnd
		case fyne.KeyUp, fyne.KeyHome:
			return moveDocStart
		case fyne.KeyDown, fyne.KeyEnd:
			return moveDocEnd
		}
	}
	return moveNone
}

// KeyDown tracks Shift, which Fyne does not pass with TypedKey.
func (r *Reader) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		r.shiftDown = true
	}
}

// KeyUp tracks Shift, which Fyne does not pass with TypedKey.
func (r *Reader) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		r.shiftDown = false
	}
}

// shiftHeld reports whether Shift is down: as KeyDown saw it, or, for a Shift pressed
// before the reader had the focus, as the desktop driver knows it.
func (r *Reader) shiftHeld() bool {
	if r.shiftDown {
		return true
	}
	d, ok := fyne.CurrentApp().Driver().(desktop.Driver)
	return ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
}

// ends returns the selection's anchor and focus.
func (r *Reader) ends() (anchor, focus int) {
	if r.backward {
		return r.selEnd, r.selStart
	}
	return r.selStart, r.selEnd
}

// extendSelection moves the selection's focus, keeps it in view and reports the change to
// OnSelect. It reports false, doing nothing, when there is no text to select or in strip
// mode, where the keys keep their plain meaning.
func (r *Reader) extendSelection(m move) bool {
	l := r.layout()
	if r.strip || r.doc == nil || len(l.textBlocks) == 0 {
		return false
	}
	before := [2]int{r.selStart, r.selEnd}
	anchor, focus := r.ends()
	if anchor == focus {
		if vs, ve := r.VisibleRange(); focus < vs || focus > ve {
			anchor, focus = vs, vs
		}
	}
	if !m.vertical() || !r.goalSet || r.goalSel != before {
		bx, ln, off := r.locate(focus)
		r.goalX = r.xAt(bx, ln, off)
	}
	next := r.moved(focus, m)
	r.setSelection(min(anchor, next), max(anchor, next))
	r.backward = next < anchor
	r.goalSet, r.goalSel = m.vertical(), [2]int{r.selStart, r.selEnd}
	switch m {
	case movePageUp, movePageDown:
		// Page the view with the focus, as the plain keys do.
		t0, _, _ := r.lineSpan(focus)
		t1, _, _ := r.lineSpan(next)
		r.scrollBy(t1 - t0)
		r.keepInView(next)
	case moveDocStart:
		r.scrollTo(0)
	case moveDocEnd:
		r.ScrollToFraction(1)
	default:
		r.keepInView(next)
	}
	r.selected(before)
	return true
}

// moved returns where a move takes the focus from off.
func (r *Reader) moved(off int, m move) int {
	text := r.doc.Text
	switch m {
	case moveCharBack:
		return r.intoBlock(charBack(text, off), false)
	case moveCharForward:
		return r.intoBlock(charForward(text, off), true)
	case moveWordBack:
		return r.intoBlock(wordBack(text, off), false)
	case moveWordForward:
		return r.intoBlock(wordForward(text, off), true)
	case moveLineUp:
		return r.lineStep(off, false)
	case moveLineDown:
		return r.lineStep(off, true)
	case moveLineStart:
		_, ln, _ := r.locate(off)
		return ln.start
	case moveLineEnd:
		_, ln, _ := r.locate(off)
		return ln.end
	case moveParaBack, moveParaForward:
		return r.paraStep(off, m == moveParaForward)
	case movePageUp, movePageDown:
		return r.pageStep(off, m == movePageDown)
	case moveDocStart:
		return 0
	case moveDocEnd:
		return len(text)
	}
	return off
}

// textBlockIndex returns the index into the layout's textBlocks of the first text block
// ending at or after off, or len(textBlocks).
func (r *Reader) textBlockIndex(off int) int {
	tb, blocks := r.lay.textBlocks, r.doc.Blocks
	return sort.Search(len(tb), func(i int) bool { return blocks[tb[i]].End >= off })
}

// intoBlock moves an offset that fell between two blocks (into the blank line that joins
// them) to the start of the block after, or the end of the block before: one key press
// crosses from one paragraph to the next.
func (r *Reader) intoBlock(off int, forward bool) int {
	tb, blocks := r.lay.textBlocks, r.doc.Blocks
	k := r.textBlockIndex(off)
	switch {
	case k == len(tb):
		return len(r.doc.Text)
	case off >= blocks[tb[k]].Start:
		return off
	case forward || k == 0:
		return blocks[tb[k]].Start
	}
	return blocks[tb[k-1]].End
}

// charForward returns the offset after the character at off: a rune with the runes that
// join it into one character as drawn (combining marks, variation selectors, emoji
// modifiers and tags, what a zero-width joiner joins, the second of a pair of regional
// indicators that make a flag), so that a key press never leaves half a character
// selected.
func charForward(text string, off int) int {
	if off >= len(text) {
		return len(text)
	}
	c, n := utf8.DecodeRuneInString(text[off:])
	off += n
	if regional(c) && off < len(text) {
		if d, m := utf8.DecodeRuneInString(text[off:]); regional(d) {
			off += m
		}
	}
	for off < len(text) {
		d, m := utf8.DecodeRuneInString(text[off:])
		if d == zwj && off+m < len(text) {
			_, k := utf8.DecodeRuneInString(text[off+m:])
			off += m + k
			continue
		}
		if !extends(d) {
			break
		}
		off += m
	}
	return off
}

// charBack returns the offset before the character that ends at off, as charForward
// backwards.
func charBack(text string, off int) int {
	for off > 0 {
		c, n := utf8.DecodeLastRuneInString(text[:off])
		off -= n
		if extends(c) {
			continue
		}
		if off > 0 {
			if p, m := utf8.DecodeLastRuneInString(text[:off]); p == zwj {
				off -= m
				continue
			}
		}
		if regional(c) {
			// A flag is the second of a pair: count the regional indicators before.
			k, i := 0, off
			for i > 0 {
				p, m := utf8.DecodeLastRuneInString(text[:i])
				if !regional(p) {
					break
				}
				k, i = k+1, i-m
			}
			if k%2 == 1 {
				_, m := utf8.DecodeLastRuneInString(text[:off])
				off -= m
			}
		}
		return off
	}
	return 0
}

const zwj = '\u200d'

// extends reports whether c belongs to the character before it.
func extends(c rune) bool {
	return unicode.In(c, unicode.Mn, unicode.Me, unicode.Mc) ||
		c >= 0xfe00 && c <= 0xfe0f || // variation selectors
		c >= 0x1f3fb && c <= 0x1f3ff || // emoji skin tones
		c >= 0xe0020 && c <= 0xe007f // emoji tags
}

func regional(c rune) bool { return c >= 0x1f1e6 && c <= 0x1f1ff }

// wordForward returns the end of the word at or after off: past anything that is not a
// word, then past the word. Letters and digits make words, and so do runs of CJK
// characters.
func wordForward(text string, off int) int {
	for off < len(text) {
		c, n := utf8.DecodeRuneInString(text[off:])
		if k := classOf(c); k == classWord || k == classCJK {
			break
		}
		off += n
	}
	if off == len(text) {
		return off
	}
	c, _ := utf8.DecodeRuneInString(text[off:])
	class := classOf(c)
	for off < len(text) {
		c, n := utf8.DecodeRuneInString(text[off:])
		if classOf(c) != class {
			break
		}
		off += n
	}
	return off
}

// wordBack returns the start of the word at or before off, as wordForward backwards.
func wordBack(text string, off int) int {
	for off > 0 {
		c, n := utf8.DecodeLastRuneInString(text[:off])
		if k := classOf(c); k == classWord || k == classCJK {
			break
		}
		off -= n
	}
	if off == 0 {
		return 0
	}
	c, _ := utf8.DecodeLastRuneInString(text[:off])
	class := classOf(c)
	for off > 0 {
		c, n := utf8.DecodeLastRuneInString(text[:off])
		if classOf(c) != class {
			break
		}
		off -= n
	}
	return off
}

// lineStep returns the offset nearest the goal column on the line below (or above) the
// one holding off: the end (or start) of the text from the last (or first) line.
func (r *Reader) lineStep(off int, down bool) int {
	bx, ln, _ := r.locate(off)
	if nl := adjacentLine(bx, ln, r.goalX, down); nl != nil {
		return r.offsetInLine(bx, nl, r.goalX)
	}
	tb := r.lay.textBlocks
	k := r.textBlockIndex(r.doc.Blocks[bx.doc].End)
	if down {
		k++
	} else {
		k--
	}
	if k < 0 {
		return 0
	}
	if k >= len(tb) {
		return len(r.doc.Text)
	}
	r.ensure(tb[k], tb[k]+1)
	nb := r.lay.blockBox(tb[k])
	y := float32(0)
	if !down {
		y = nb.h
	}
	return r.offsetInLine(nb, nb.lineNear(r.goalX, y), r.goalX)
}

// adjacentLine returns the line of box bx just below (or above) line ln nearest to column
// x, or nil when ln is the box's last (or first) row of text.
func adjacentLine(bx *box, ln *line, x float32, down bool) *line {
	y := ln.y - 0.5
	if down {
		y = ln.y + ln.h + 0.5
	}
	nl := bx.lineNear(x, y)
	if nl == nil || down && nl.y <= ln.y || !down && nl.y >= ln.y {
		return nil
	}
	return nl
}

// paraStep returns the end of the block holding off, or of the next block when off is at
// its end (forward); the start of the block, or of the one before, backwards.
func (r *Reader) paraStep(off int, forward bool) int {
	tb, blocks := r.lay.textBlocks, r.doc.Blocks
	k := r.textBlockIndex(off)
	if k == len(tb) {
		k--
	}
	b := &blocks[tb[k]]
	switch {
	case forward && off < b.End:
		return b.End
	case forward && k+1 < len(tb):
		return blocks[tb[k+1]].End
	case forward:
		return len(r.doc.Text)
	case off > b.Start:
		return b.Start
	case k > 0:
		return blocks[tb[k-1]].Start
	}
	return 0
}

// pageStep returns the offset at the goal column about a page below (or above) off: as
// far as the plain Page Down key scrolls.
func (r *Reader) pageStep(off int, down bool) int {
	page := r.pageHeight()
	y0, _, _ := r.lineSpan(off)
	for {
		next := r.lineStep(off, down)
		if next == off {
			return off
		}
		y, _, _ := r.lineSpan(next)
		if down && y-y0 > page || !down && y0-y > page {
			return off
		}
		off = next
		if off == 0 || off == len(r.doc.Text) {
			return off
		}
	}
}

// pageHeight is how far Page Up and Page Down scroll: the view less two lines.
func (r *Reader) pageHeight() float32 {
	step := r.textSize * bodyLeading * 2
	return max(r.Size().Height-2*step, step)
}
