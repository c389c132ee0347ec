package reader

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The reader takes mouse, scroll, hover and keyboard input.
//
// It is deliberately not a fyne.DoubleTappable: Fyne holds back every Tapped of a widget
// that is one until the double-tap delay has passed, which would make links and highlights
// slow to respond, and it would still call Tapped after a triple click. Double and triple
// clicks are counted in MouseDown instead, from the clock in Options.
var (
	_ fyne.Widget            = (*Reader)(nil)
	_ fyne.Tappable          = (*Reader)(nil)
	_ fyne.SecondaryTappable = (*Reader)(nil)
	_ fyne.Draggable         = (*Reader)(nil)
	_ fyne.Scrollable        = (*Reader)(nil)
	_ fyne.Focusable         = (*Reader)(nil)
	_ fyne.Shortcutable      = (*Reader)(nil)
	_ desktop.Mouseable      = (*Reader)(nil)
	_ desktop.Hoverable      = (*Reader)(nil)
	_ desktop.Cursorable     = (*Reader)(nil)
	_ desktop.Keyable        = (*Reader)(nil)
)

type gesture int

const (
	gestureNone gesture = iota
	gestureSelect
	gestureBar
)

type granularity int

const (
	byChar granularity = iota
	byWord
	byBlock
)

// multiClickSlop is how far apart, in pixels, the clicks of a double click may be.
const multiClickSlop = 4

func (r *Reader) multiClickDelay() time.Duration {
	if d := fyne.CurrentApp().Driver().DoubleTapDelay(); d > 0 {
		return d
	}
	return 300 * time.Millisecond
}

// MouseDown starts a selection: a click places the anchor (shift-click extends the
// selection instead), a double click selects a word, a triple click a block.
func (r *Reader) MouseDown(ev *desktop.MouseEvent) {
	r.requestFocus()
	if ev.Button != desktop.MouseButtonPrimary {
		return
	}
	if r.onBar(ev.Position) {
		_, _, _, y := r.barGeometry()
		r.gesture, r.barGrab = gestureBar, ev.Position.Y-y
		return
	}
	if r.strip || r.doc == nil {
		return
	}
	now := r.now()
	d := ev.Position.Subtract(r.lastDownAt)
	if r.clicks > 0 && r.clicks < 3 && now.Sub(r.lastDown) <= r.multiClickDelay() &&
		abs(d.X) <= multiClickSlop && abs(d.Y) <= multiClickSlop {
		r.clicks++
	} else {
		r.clicks = 1
	}
	r.lastDown, r.lastDownAt = now, ev.Position
	r.before = [2]int{r.selStart, r.selEnd}
	r.gesture = gestureSelect
	r.backward, r.goalSet = false, false
	off := r.OffsetAt(ev.Position)
	switch r.clicks {
	case 1:
		if ev.Modifier&fyne.KeyModifierShift != 0 {
			r.gran = byChar
			if off < r.selStart {
				r.anchorA, r.anchorB = r.selEnd, r.selEnd
			} else {
				r.anchorA, r.anchorB = r.selStart, r.selStart
			}
			r.extendTo(off)
			return
		}
		r.gran, r.anchorA, r.anchorB = byChar, off, off
	case 2:
		r.gran = byWord
		r.anchorA, r.anchorB = r.wordAt(off)
	case 3:
		r.gran = byBlock
		r.anchorA, r.anchorB = r.blockRange(off)
	}
	r.setSelection(r.anchorA, r.anchorB)
}

// MouseUp completes a selection gesture.
func (r *Reader) MouseUp(*desktop.MouseEvent) { r.endGesture() }

// Dragged extends the selection to the pointer, scrolling when it is above or below the
// reader, or drags the scroll bar.
func (r *Reader) Dragged(ev *fyne.DragEvent) {
	switch r.gesture {
	case gestureBar:
		size := r.Size()
		_, _, h, _ := r.barGeometry()
		if track := size.Height - h; track > 0 {
			r.ScrollToFraction((ev.Position.Y - r.barGrab) / track)
		}
	case gestureSelect:
		pos := ev.Position
		h := r.Size().Height
		if pos.Y < 0 {
			r.scrollBy(pos.Y)
			pos.Y = 0
		} else if pos.Y > h {
			r.scrollBy(pos.Y - h)
			pos.Y = h
		}
		r.extendTo(r.OffsetAt(pos))
	}
}

// DragEnd completes a selection gesture.
func (r *Reader) DragEnd() { r.endGesture() }

func (r *Reader) endGesture() {
	g := r.gesture
	r.gesture = gestureNone
	if g != gestureSelect {
		return
	}
	r.selected(r.before)
}

// selected calls OnSelect if the selection changed from before; moving an empty selection
// is no change.
func (r *Reader) selected(before [2]int) {
	if before[0] == before[1] && r.selStart == r.selEnd || before == [2]int{r.selStart, r.selEnd} {
		return
	}
	if r.OnSelect != nil {
		r.OnSelect(r.selStart, r.selEnd)
	}
}

// extendTo moves the selection's moving end to off, by the gesture's granularity.
func (r *Reader) extendTo(off int) {
	a, b := r.anchorA, r.anchorB
	lo, hi := off, off
	switch r.gran {
	case byWord:
		lo, hi = r.wordAt(off)
	case byBlock:
		lo, hi = r.blockRange(off)
	}
	r.backward = off < a
	if off < a {
		r.setSelection(min(lo, a), b)
	} else {
		r.setSelection(a, max(hi, b))
	}
}

// Tapped follows a link, or reports a highlight clicked, or in strip mode the block.
func (r *Reader) Tapped(ev *fyne.PointEvent) {
	if r.strip {
		if b := r.blockAtPos(ev.Position); b >= 0 && r.OnBlockTapped != nil {
			r.OnBlockTapped(b)
		}
		return
	}
	if r.clicks > 1 || r.selStart != r.selEnd {
		return
	}
	if href, ok := r.linkAt(ev.Position); ok {
		if r.OnLink != nil {
			r.OnLink(href)
		}
		return
	}
	if id, ok := r.highlightUnder(ev.Position); ok && r.OnHighlightTapped != nil {
		r.OnHighlightTapped(id)
	}
}

// TappedSecondary reports a right click with the offset under the pointer.
func (r *Reader) TappedSecondary(ev *fyne.PointEvent) {
	r.requestFocus()
	if r.OnSecondaryTap != nil && r.doc != nil {
		r.OnSecondaryTap(r.OffsetAt(ev.Position), ev.AbsolutePosition)
	}
}

// Scrolled scrolls by the wheel or touchpad.
func (r *Reader) Scrolled(ev *fyne.ScrollEvent) { r.scrollBy(-ev.Scrolled.DY) }

// MouseIn starts hover tracking.
func (r *Reader) MouseIn(ev *desktop.MouseEvent) {
	r.hovering = true
	r.MouseMoved(ev)
}

// MouseMoved tracks the highlight, or in strip mode the block, under the pointer.
func (r *Reader) MouseMoved(ev *desktop.MouseEvent) {
	r.hoverPos = ev.Position
	if r.strip {
		if b := r.blockAtPos(ev.Position); b != r.hoverBlock {
			r.hoverBlock = b
			r.changed(pending{})
		}
		return
	}
	id, _ := r.highlightUnder(ev.Position)
	r.hover(id, ev.AbsolutePosition)
}

// MouseOut ends hover tracking.
func (r *Reader) MouseOut() {
	r.hovering = false
	if r.hoverBlock >= 0 {
		r.hoverBlock = -1
		r.changed(pending{})
	}
	r.hover("", fyne.Position{})
}

func (r *Reader) hover(id string, pos fyne.Position) {
	if id == r.hoverID {
		return
	}
	r.hoverID = id
	if r.OnHighlightHover != nil {
		r.OnHighlightHover(id, pos)
	}
}

// Cursor is a pointing hand over links and in strip mode, a text cursor over text.
func (r *Reader) Cursor() desktop.Cursor {
	if !r.hovering {
		return desktop.DefaultCursor
	}
	if r.strip {
		if r.hoverBlock >= 0 {
			return desktop.PointerCursor
		}
		return desktop.DefaultCursor
	}
	if r.onBar(r.hoverPos) {
		return desktop.DefaultCursor
	}
	if _, ok := r.linkAt(r.hoverPos); ok {
		return desktop.PointerCursor
	}
	return desktop.TextCursor
}

func (r *Reader) onBar(pos fyne.Position) bool {
	size := r.Size()
	if r.layout().height <= size.Height {
		return false
	}
	x, _, _, _ := r.barGeometry()
	return pos.X >= x-4
}

func (r *Reader) requestFocus() {
	if r.focused {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil {
		c.Focus(r)
	}
}

// FocusGained is part of fyne.Focusable.
func (r *Reader) FocusGained() { r.focused = true }

// FocusLost is part of fyne.Focusable.
func (r *Reader) FocusLost() { r.focused, r.shiftDown = false, false }

// TypedRune passes typed characters to OnRune.
func (r *Reader) TypedRune(c rune) {
	if r.OnRune != nil {
		r.OnRune(c)
	}
}

// TypedKey extends the selection with Shift and an arrow, page or Home/End key (see
// selectionMove), scrolls with those keys alone, and passes other keys to OnKey.
func (r *Reader) TypedKey(ev *fyne.KeyEvent) {
	if r.shiftHeld() {
		if m := selectionMove(ev.Name, fyne.KeyModifierShift, macKeys); m != moveNone && r.extendSelection(m) {
			return
		}
	}
	step := r.textSize * bodyLeading * 2
	switch ev.Name {
	case fyne.KeyUp:
		r.scrollBy(-step)
	case fyne.KeyDown:
		r.scrollBy(step)
	case fyne.KeyPageUp:
		r.scrollBy(-r.pageHeight())
	case fyne.KeyPageDown:
		r.scrollBy(r.pageHeight())
	case fyne.KeyHome:
		r.scrollTo(0)
	case fyne.KeyEnd:
		r.ScrollToFraction(1)
	default:
		if r.OnKey != nil {
			r.OnKey(ev)
		}
	}
}

// TypedShortcut copies the selection, selects all and extends the selection by word,
// paragraph or to the ends of the article (see selectionMove); other shortcuts go on to
// the window's canvas, where the app registers its own, since Fyne gives a focused
// Shortcutable widget every shortcut.
func (r *Reader) TypedShortcut(s fyne.Shortcut) {
	switch sc := s.(type) {
	case *desktop.CustomShortcut:
		if m := selectionMove(sc.KeyName, sc.Modifier, macKeys); m != moveNone && r.extendSelection(m) {
			return
		}
	case *fyne.ShortcutCopy:
		if text := r.SelectedText(); text != "" {
			cb := sc.Clipboard
			if cb == nil {
				cb = fyne.CurrentApp().Clipboard()
			}
			cb.SetContent(text)
		}
		return
	case *fyne.ShortcutSelectAll:
		if r.doc != nil {
			before := [2]int{r.selStart, r.selEnd}
			r.setSelection(0, len(r.doc.Text))
			r.backward, r.goalSet = false, false
			r.selected(before)
		}
		return
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(r).(fyne.Shortcutable); ok {
		c.TypedShortcut(s)
	}
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}
