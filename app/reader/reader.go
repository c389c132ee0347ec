// Package reader is the article reader widget of Gloss: it shows a captured article (a
// gloss/archive/doc Document) in a column of comfortable typography, maps the pointer and
// the selection keys to byte offsets of the document's canonical text for selection, and
// paints highlights, find matches and the selection over exact character ranges.
//
// The widget lays its text out itself instead of using widget.RichText, which took over
// 40 seconds to first paint a 6,000-word article in a scroll: here words are measured once
// per style and size, lines are broken with that cache, and only the lines in view have
// canvas objects (one canvas.Text per run of a style on a line, rectangles behind for the
// marks). Offsets are hit-tested per character from measured widths, so a selection or a
// highlight covers exactly the characters under it.
//
// All methods must be called on the Fyne goroutine, like those of any widget.
package reader

import (
	"image/color"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive/doc"
)

// Meta is what the title block shows above an article. Empty fields are left out.
type Meta struct {
	Title, Byline, Site string
	URL                 string // the source address, shown as a link
	Published, Saved    time.Time
}

// Highlight is a stretch of the text painted in a colour. Start and End are byte offsets
// into Document.Text. A nil Color paints the default yellow.
type Highlight struct {
	ID         string
	Start, End int
	Color      color.Color
}

// Options configure a Reader.
type Options struct {
	// TextSize is the size of body text; 0 means 1.25 times the theme's text size.
	TextSize float32
	// Fonts is the reading font; nil means the theme's sans-serif.
	Fonts *Fonts
	// Image returns a stored image by its address. The reader never fetches anything: an
	// image the loader does not have is shown as a box holding its alt text.
	Image func(src string) (fyne.Resource, bool)
	// Now is the clock used to tell double and triple clicks; nil means time.Now.
	Now func() time.Time
}

// DefaultHighlight is the colour of a highlight that has none.
var DefaultHighlight color.Color = color.NRGBA{R: 0xff, G: 0xd5, B: 0x4f, A: 0x90}

// Reader is the article reader widget.
type Reader struct {
	widget.BaseWidget

	// OnLink is called with the address of a link the reader clicked.
	OnLink func(href string)
	// OnSelect is called when a mouse gesture (click, drag, double or triple click),
	// select-all or a selection key (Shift with an arrow, Home, End, Page Up or Page Down)
	// has changed the selection: for a gesture once the mouse button is up, for a key at
	// once. start == end means nothing is selected any more.
	OnSelect func(start, end int)
	// OnHighlightTapped is called when a highlight is clicked with nothing selected.
	OnHighlightTapped func(id string)
	// OnHighlightHover is called when the pointer moves onto a highlight, and with "" when
	// it leaves it; pos is in window coordinates.
	OnHighlightHover func(id string, pos fyne.Position)
	// OnSecondaryTap is called on a right click with the offset under the pointer and the
	// pointer's position in window coordinates, for a context menu.
	OnSecondaryTap func(offset int, pos fyne.Position)
	// OnBlockTapped is called in strip mode with the index of the block clicked.
	OnBlockTapped func(block int)
	// OnKey is called for the keys the reader does not use itself for scrolling or
	// selecting.
	OnKey func(*fyne.KeyEvent)
	// OnRune is called for typed characters.
	OnRune func(rune)
	// OnScroll is called when the reading position changes, with Progress.
	OnScroll func(progress float32)

	opts     Options
	doc      *doc.Document
	meta     Meta
	textSize float32
	fonts    *Fonts
	styles   *styles
	tokens   [][]piece
	images   map[string]*imageInfo
	lay      *docLayout

	scrollY    float32
	selStart   int
	selEnd     int
	highlights []Highlight // sorted by Start
	finds      []span
	findCur    int
	strip      bool
	hoverBlock int
	hoverID    string
	hoverPos   fyne.Position
	hovering   bool

	gesture    gesture
	anchorA    int // the selection gesture's anchor: a point, word or block
	anchorB    int
	gran       granularity
	before     [2]int // the selection when the gesture started
	barGrab    float32
	lastDown   time.Time
	lastDownAt fyne.Position
	clicks     int
	focused    bool

	// Keyboard selection (keysel.go).
	backward  bool    // the selection's moving end is its start
	goalX     float32 // the column, from the column's left edge, Shift+Up and Down keep to
	goalSet   bool    // goalX holds for the selection goalSel
	goalSel   [2]int
	shiftDown bool

	pending   pending
	updating  bool          // the renderer is catching up
	themeFont fyne.Resource // the theme's font and text size when text was last measured
	themeSize float32
}

// pending says what changed since the renderer last looked.
type pending struct {
	any    bool
	layout bool     // the layout was replaced
	ranges [][2]int // marks changed over these offsets
}

// New returns a reader showing nothing; give it a document with SetDocument.
func New(opts Options) *Reader {
	r := &Reader{opts: opts, fonts: opts.Fonts, hoverBlock: -1, findCur: -1, images: map[string]*imageInfo{}}
	r.ExtendBaseWidget(r)
	r.textSize = opts.TextSize
	r.reset()
	return r
}

func (r *Reader) now() time.Time {
	if r.opts.Now != nil {
		return r.opts.Now()
	}
	return time.Now()
}

// baseSize is the body text size when none was set.
func (r *Reader) baseSize() float32 {
	if r.textSize > 0 {
		return r.textSize
	}
	return r.Theme().Size(theme.SizeNameText) * 1.25
}

// reset drops everything measured, for a new document, size, font or theme.
func (r *Reader) reset() {
	if r.textSize <= 0 {
		r.textSize = r.baseSize()
	}
	th := r.Theme()
	r.themeFont, r.themeSize = th.Font(fyne.TextStyle{}), th.Size(theme.SizeNameText)
	r.styles = newStyles(r.fonts)
	r.lay = nil
	r.goalSet = false // the goal column was measured in the old layout
	r.tokens = nil
	if r.doc != nil {
		r.tokens = make([][]piece, len(r.doc.Blocks))
	}
}

// SetDocument shows a document under a title block, scrolled to the top, with no
// selection, highlights or find matches.
func (r *Reader) SetDocument(d *doc.Document, m Meta) {
	r.doc, r.meta = d, m
	r.scrollY = 0
	r.selStart, r.selEnd, r.backward = 0, 0, false
	r.highlights, r.finds, r.findCur = nil, nil, -1
	r.hoverBlock, r.hoverID = -1, ""
	r.images = map[string]*imageInfo{}
	r.reset()
	r.changed(pending{layout: true})
}

// Document returns the document shown, or nil.
func (r *Reader) Document() *doc.Document { return r.doc }

// SetTextSize sets the size of body text; headings and captions scale with it.
func (r *Reader) SetTextSize(size float32) {
	if size <= 0 || size == r.textSize {
		return
	}
	r.relayout(func() { r.textSize, r.opts.TextSize = size, size })
}

// TextSize returns the size of body text.
func (r *Reader) TextSize() float32 { return r.textSize }

// SetFonts sets the reading font; nil means the theme's.
func (r *Reader) SetFonts(f *Fonts) {
	r.relayout(func() { r.fonts = f })
}

// relayout applies a change that alters the layout, keeping the reading position.
func (r *Reader) relayout(change func()) {
	top, _ := r.VisibleRange()
	change()
	r.reset()
	if r.doc != nil && top > 0 {
		r.ScrollToOffset(top)
	}
	r.changed(pending{layout: true})
}

// changed records what changed and asks the renderer to catch up.
func (r *Reader) changed(p pending) {
	r.pending.any = true
	r.pending.layout = r.pending.layout || p.layout
	r.pending.ranges = append(r.pending.ranges, p.ranges...)
	if !r.updating {
		r.Refresh()
	}
}

// checkTheme measures the text again if the theme's font or text size changed.
func (r *Reader) checkTheme() {
	th := r.Theme()
	f, size := th.Font(fyne.TextStyle{}), th.Size(theme.SizeNameText)
	if f == r.themeFont && size == r.themeSize {
		return
	}
	top := -1
	if r.lay != nil && r.scrollY > 0 {
		top = r.lay.topOffset(r.scrollY)
	}
	if r.opts.TextSize <= 0 && size != r.themeSize {
		r.textSize = size * 1.25
	}
	r.reset()
	if top > 0 {
		r.ScrollToOffset(top)
	}
}

// layout returns the layout for the current width, laying the document out if the width,
// the text size or the font changed since.
func (r *Reader) layout() *docLayout {
	w := r.Size().Width
	if w <= 0 {
		w = 800
	}
	if r.lay == nil || r.lay.width != w {
		top := -1
		if r.lay != nil && r.scrollY > 0 && r.doc != nil {
			top = r.lay.topOffset(r.scrollY)
			if top < 0 {
				if bx := r.lay.boxes[max(r.topBox(), 0)]; bx.doc >= 0 {
					top = r.doc.Blocks[bx.doc].Start
				}
			}
		}
		r.lay = r.buildLayout(w)
		r.scrollY = r.clampScroll(r.scrollY)
		if top >= 0 {
			// Keep reading where the reader was: the line that was at the top stays there.
			r.ScrollToOffset(top)
		}
	}
	return r.lay
}

// SetHighlights replaces the highlights; only the lines whose marks change are repainted.
// Ranges are clamped to the text; empty ones are dropped.
func (r *Reader) SetHighlights(hs []Highlight) {
	old := make(map[string]Highlight, len(r.highlights))
	for _, h := range r.highlights {
		old[h.ID] = h
	}
	next := make([]Highlight, 0, len(hs))
	for _, h := range hs {
		h.Start, h.End = r.clampOffset(h.Start), r.clampOffset(h.End)
		if h.Start < h.End {
			next = append(next, h)
		}
	}
	sort.SliceStable(next, func(i, j int) bool { return next[i].Start < next[j].Start })
	var ranges [][2]int
	for _, h := range next {
		o, ok := old[h.ID]
		delete(old, h.ID)
		if ok && o.Start == h.Start && o.End == h.End && sameColor(o.Color, h.Color) {
			continue
		}
		ranges = append(ranges, [2]int{h.Start, h.End})
		if ok {
			ranges = append(ranges, [2]int{o.Start, o.End})
		}
	}
	for _, o := range old {
		ranges = append(ranges, [2]int{o.Start, o.End})
	}
	r.highlights = next
	if len(ranges) > 0 {
		r.changed(pending{ranges: ranges})
	}
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == b
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// Highlights returns the highlights shown, sorted by start.
func (r *Reader) Highlights() []Highlight { return r.highlights }

// HighlightAt returns the highlight covering the character at off; where highlights
// overlap, the shortest.
func (r *Reader) HighlightAt(off int) (id string, ok bool) {
	best := -1
	for i, h := range r.highlights {
		if h.Start > off {
			break
		}
		if off < h.End && (best < 0 || h.End-h.Start < r.highlights[best].End-r.highlights[best].Start) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return r.highlights[best].ID, true
}

// Selection returns the selected byte range of Document.Text; start == end when nothing
// is selected.
func (r *Reader) Selection() (start, end int) { return r.selStart, r.selEnd }

// SetSelection selects the byte range [start, end) of Document.Text, clamped to the text
// and to rune boundaries. It does not call OnSelect.
func (r *Reader) SetSelection(start, end int) {
	if start > end {
		start, end = end, start
	}
	start, end = r.clampOffset(start), r.clampOffset(end)
	r.setSelection(start, end)
	r.backward, r.goalSet = false, false
}

// ClearSelection selects nothing.
func (r *Reader) ClearSelection() { r.setSelection(r.selStart, r.selStart) }

// SelectedText returns the selected text; blocks are separated by a blank line as in
// Document.Text.
func (r *Reader) SelectedText() string {
	if r.doc == nil || r.selStart >= r.selEnd {
		return ""
	}
	return r.doc.Text[r.selStart:r.selEnd]
}

func (r *Reader) setSelection(start, end int) {
	os, oe := r.selStart, r.selEnd
	if os == start && oe == end {
		return
	}
	r.selStart, r.selEnd = start, end
	r.changed(pending{ranges: [][2]int{
		{min(os, start), max(os, start)},
		{min(oe, end), max(oe, end)},
	}})
}

// clampOffset clamps off to the text, moving it back to the start of the rune it is in.
func (r *Reader) clampOffset(off int) int {
	if r.doc == nil {
		return 0
	}
	off = min(max(off, 0), len(r.doc.Text))
	for off > 0 && off < len(r.doc.Text) && !runeStart(r.doc.Text[off]) {
		off--
	}
	return off
}

func runeStart(b byte) bool { return b&0xC0 != 0x80 }

// SetStripMode turns strip mode on or off: in strip mode the block under the pointer is
// framed and a click calls OnBlockTapped instead of selecting.
func (r *Reader) SetStripMode(on bool) {
	if r.strip == on {
		return
	}
	r.strip = on
	r.hoverBlock = -1
	if on && r.hovering {
		r.hoverBlock = r.blockAtPos(r.hoverPos)
	}
	r.changed(pending{})
}

// StripMode reports whether strip mode is on.
func (r *Reader) StripMode() bool { return r.strip }

// CreateRenderer is part of fyne.Widget.
func (r *Reader) CreateRenderer() fyne.WidgetRenderer {
	return newRenderer(r)
}

// MinSize is small: the reader scrolls its own content.
func (r *Reader) MinSize() fyne.Size {
	return fyne.NewSize(120, 120)
}
