package reader

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"gloss/archive/doc"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

const article = `<h1>An article</h1>
<p>The first paragraph opens the article. It has a second sentence that is long enough to wrap over more than one line of the column, with <b>bold words</b> and <i>italic words</i> and a <a href="https://example.org/more">link to more</a> in it. A third sentence follows.</p>
<p>Café society met in Zürich. Le déjà-vu était là, naïvement. 日本語のテキストも含まれています。Emoji 😀 sit in 🎉 text too. The end of paragraph two.</p>
<blockquote><p>A quoted paragraph, indented with a bar, that runs on long enough to wrap onto a second line of its own.</p></blockquote>
<ul><li>An item of a list</li><li>Another item, with <code>inline code</code></li></ul>
<pre>func main() {
	fmt.Println("tabbed")

	return
}</pre>
<table><tr><td>Name</td><td>Value</td></tr><tr><td>alpha</td><td>one hundred</td></tr></table>
<hr>
<figure><img src="stored.png" alt="A stored picture"><figcaption>A caption under it.</figcaption></figure>
<p>The last paragraph closes the article.</p>`

// clock is a settable clock for telling double clicks.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)} }
func mouse(pos fyne.Position) *desktop.MouseEvent {
	return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos}, Button: desktop.MouseButtonPrimary}
}

// setup shows html in a reader in an 800x600 test window.
func setup(t testing.TB, html string, opts Options) (*Reader, fyne.Window, *doc.Document) {
	t.Helper()
	test.NewTempApp(t)
	d := doc.Parse(html)
	r := New(opts)
	r.SetDocument(d, Meta{})
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(800, 600))
	return r, w, d
}

// offsetOf returns the byte offset of s in text, failing the test when it is absent.
func offsetOf(t *testing.T, text, s string) (int, int) {
	t.Helper()
	i := strings.Index(text, s)
	if i < 0 {
		t.Fatalf("%q not in the text", s)
	}
	return i, i + len(s)
}

// dragSelect drives the reader's own handlers as the window would: mouse down, drags,
// drag end, mouse up.
func dragSelect(r *Reader, from, to fyne.Position) {
	r.MouseDown(mouse(from))
	mid := fyne.NewPos((from.X+to.X)/2, (from.Y+to.Y)/2)
	r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(mid.X-from.X, mid.Y-from.Y)})
	r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-mid.X, to.Y-mid.Y)})
	r.MouseUp(mouse(to))
	r.DragEnd()
}

// inLine moves a PositionOf result (a line's top) down into the line.
func inLine(p fyne.Position) fyne.Position { return p.AddXY(0, 4) }

func TestDragSelectsSentence(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	var got [][2]int
	r.OnSelect = func(s, e int) { got = append(got, [2]int{s, e}) }
	for _, sentence := range []string{
		"It has a second sentence that is long enough to wrap over more than one line of the column, with bold words and italic words and a link to more in it.",
		"Café society met in Zürich.",
		"Le déjà-vu était là, naïvement.",
		"日本語のテキストも含まれています。",
		"Emoji 😀 sit in 🎉 text too.",
	} {
		t.Run(sentence[:10], func(t *testing.T) {
			s, e := offsetOf(t, d.Text, sentence)
			got = nil
			dragSelect(r, inLine(r.PositionOf(s)), inLine(r.PositionOf(e)))
			if gs, ge := r.Selection(); gs != s || ge != e {
				t.Fatalf("Selection() = %d, %d (%q), want %d, %d", gs, ge, d.Text[gs:ge], s, e)
			}
			if txt := r.SelectedText(); txt != sentence {
				t.Errorf("SelectedText() = %q, want %q", txt, sentence)
			}
			if len(got) != 1 || got[0] != [2]int{s, e} {
				t.Errorf("OnSelect calls = %v, want one with %d, %d", got, s, e)
			}
		})
	}
}

func TestDragSelectsBackwards(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	s, e := offsetOf(t, d.Text, "society met in Zürich")
	dragSelect(r, inLine(r.PositionOf(e)), inLine(r.PositionOf(s)))
	if gs, ge := r.Selection(); gs != s || ge != e {
		t.Errorf("Selection() = %d, %d, want %d, %d", gs, ge, s, e)
	}
}

func TestDragSelectsAcrossParagraphs(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	s, _ := offsetOf(t, d.Text, "A third sentence")
	_, e := offsetOf(t, d.Text, "Café society")
	dragSelect(r, inLine(r.PositionOf(s)), inLine(r.PositionOf(e)))
	if gs, ge := r.Selection(); gs != s || ge != e {
		t.Fatalf("Selection() = %d, %d, want %d, %d", gs, ge, s, e)
	}
	if got, want := r.SelectedText(), "A third sentence follows.\n\nCafé society"; got != want {
		t.Errorf("SelectedText() = %q, want %q", got, want)
	}
}

func TestMultiClick(t *testing.T) {
	c := newClock()
	r, _, d := setup(t, article, Options{Now: c.now})
	ws, we := offsetOf(t, d.Text, "déjà")
	para := d.Blocks[d.BlockAt(ws)]
	mid := ws + len("dé")
	at := inLine(r.PositionOf(mid)).AddXY(1, 0)
	click := func() {
		r.MouseDown(mouse(at))
		r.MouseUp(mouse(at))
		r.Tapped(&fyne.PointEvent{Position: at})
	}
	var selected [][2]int
	r.OnSelect = func(s, e int) { selected = append(selected, [2]int{s, e}) }

	click()
	if s, e := r.Selection(); s != e || s != mid {
		t.Fatalf("after one click Selection() = %d, %d, want an empty selection at %d", s, e, mid)
	}
	c.advance(100 * time.Millisecond)
	click()
	if s, e := r.Selection(); s != ws || e != we {
		t.Fatalf("after a double click Selection() = %d, %d (%q), want the word %d, %d", s, e, d.Text[s:e], ws, we)
	}
	c.advance(100 * time.Millisecond)
	click()
	if s, e := r.Selection(); s != para.Start || e != para.End {
		t.Fatalf("after a triple click Selection() = %d, %d, want the paragraph %d, %d", s, e, para.Start, para.End)
	}
	if want := [][2]int{{ws, we}, {para.Start, para.End}}; len(selected) != 2 || selected[0] != want[0] || selected[1] != want[1] {
		t.Errorf("OnSelect calls = %v, want %v", selected, want)
	}

	// Clicks too slow, or too far apart, are single clicks.
	c.advance(time.Second)
	click()
	c.advance(time.Second)
	click()
	if s, e := r.Selection(); s != e {
		t.Errorf("after two slow clicks Selection() = %d, %d, want nothing selected", s, e)
	}
	c.advance(time.Second)
	click()
	c.advance(50 * time.Millisecond)
	at = at.AddXY(30, 0)
	click()
	if s, e := r.Selection(); s != e {
		t.Errorf("after two clicks 30px apart Selection() = %d, %d, want nothing selected", s, e)
	}
}

func TestDoubleClickDragExtendsByWords(t *testing.T) {
	c := newClock()
	r, _, d := setup(t, article, Options{Now: c.now})
	ws, _ := offsetOf(t, d.Text, "society")
	_, we := offsetOf(t, d.Text, "Zürich")
	at := inLine(r.PositionOf(ws + 1))
	r.MouseDown(mouse(at))
	r.MouseUp(mouse(at))
	c.advance(50 * time.Millisecond)
	r.MouseDown(mouse(at))
	to := inLine(r.PositionOf(we - 2))
	r.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}})
	r.DragEnd()
	if s, e := r.Selection(); s != ws || e != we {
		t.Errorf("Selection() = %d, %d (%q), want %d, %d", s, e, d.Text[s:e], ws, we)
	}
}

// placed is a canvas object with its position in widget coordinates.
type placed struct {
	o   fyne.CanvasObject
	pos fyne.Position
}

// drawn returns every canvas object the reader's renderer shows, with positions in widget
// coordinates.
func drawn(r *Reader) []placed {
	var out []placed
	var walk func(objs []fyne.CanvasObject, off fyne.Position)
	walk = func(objs []fyne.CanvasObject, off fyne.Position) {
		for _, o := range objs {
			if !o.Visible() {
				continue
			}
			pos := off.Add(o.Position())
			if c, ok := o.(*fyne.Container); ok {
				walk(c.Objects, pos)
				continue
			}
			out = append(out, placed{o, pos})
		}
	}
	walk(test.WidgetRenderer(r).Objects(), fyne.Position{})
	return out
}

// rectsOf returns the rectangles filled with c.
func rectsOf(r *Reader, c color.Color) []placed {
	var out []placed
	for _, p := range drawn(r) {
		if rect, ok := p.o.(*canvas.Rectangle); ok && rect.FillColor != nil && sameColor(rect.FillColor, c) {
			out = append(out, p)
		}
	}
	return out
}

// lineSpans splits [s, e) by line as PositionOf places it: for each line, the x of the
// first and the last offset on it.
func lineSpans(r *Reader, text string, s, e int) (spans [][3]float32) {
	for o := s; o <= e; {
		p := r.PositionOf(o)
		if n := len(spans); n > 0 && spans[n-1][2] == p.Y {
			spans[n-1][1] = p.X
		} else {
			spans = append(spans, [3]float32{p.X, p.X, p.Y})
		}
		if o == len(text) {
			break
		}
		_, n := utf8.DecodeRuneInString(text[o:])
		o += n
	}
	return spans
}

func TestHighlightRectsCoverTheCharacters(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	hl := color.NRGBA{R: 0x10, G: 0xe0, B: 0x30, A: 0x80}
	s, e := offsetOf(t, d.Text, "second sentence that is long enough to wrap over more than one line of the column, with bold words and italic")
	r.SetHighlights([]Highlight{{ID: "h", Start: s, End: e, Color: hl}})

	var want [][3]float32
	for _, sp := range lineSpans(r, d.Text, s, e) {
		if sp[1] > sp[0] {
			want = append(want, sp)
		}
	}
	if len(want) < 2 {
		t.Fatalf("the highlight spans %d lines; the test needs it to wrap", len(want))
	}
	got := rectsOf(r, hl)
	if len(got) != len(want) {
		t.Fatalf("%d highlight rectangles, want %d (one per line)", len(got), len(want))
	}
	for i, p := range got {
		size := p.o.Size()
		if !near(p.pos.X, want[i][0]) || !near(p.pos.X+size.Width, want[i][1]) {
			t.Errorf("rectangle %d spans x %.2f to %.2f, want %.2f to %.2f", i, p.pos.X, p.pos.X+size.Width, want[i][0], want[i][1])
		}
		if p.pos.Y < want[i][2] || i+1 < len(want) && p.pos.Y+size.Height > want[i+1][2] {
			t.Errorf("rectangle %d spans y %.2f to %.2f, outside its line from %.2f", i, p.pos.Y, p.pos.Y+size.Height, want[i][2])
		}
	}

	// Adding a highlight elsewhere repaints only its lines: this one's rectangles stay.
	other := color.NRGBA{R: 0xe0, G: 0x10, B: 0x30, A: 0x80}
	os, oe := offsetOf(t, d.Text, "society")
	r.SetHighlights([]Highlight{{ID: "h", Start: s, End: e, Color: hl}, {ID: "o", Start: os, End: oe, Color: other}})
	if n := len(rectsOf(r, other)); n != 1 {
		t.Errorf("%d rectangles for the added highlight, want 1", n)
	}
	for i, p := range rectsOf(r, hl) {
		if p.o != got[i].o {
			t.Errorf("rectangle %d of an unchanged highlight was replaced", i)
		}
	}

	// Replacing the highlights repaints: the old rectangles go.
	r.SetHighlights(nil)
	if got := rectsOf(r, hl); len(got) != 0 {
		t.Errorf("%d highlight rectangles after SetHighlights(nil), want 0", len(got))
	}
}

func near(a, b float32) bool { return a-b < 0.01 && b-a < 0.01 }

func TestSelectionPainted(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	s, e := offsetOf(t, d.Text, "society met")
	r.SetSelection(s, e)
	sel := r.Theme().Color("selection", fyne.CurrentApp().Settings().ThemeVariant())
	got := rectsOf(r, sel)
	if len(got) != 1 {
		t.Fatalf("%d selection rectangles, want 1", len(got))
	}
	if a, b := r.PositionOf(s).X, r.PositionOf(e).X; !near(got[0].pos.X, a) || !near(got[0].pos.X+got[0].o.Size().Width, b) {
		t.Errorf("selection rectangle spans %.2f to %.2f, want %.2f to %.2f", got[0].pos.X, got[0].pos.X+got[0].o.Size().Width, a, b)
	}
	r.ClearSelection()
	if got := rectsOf(r, sel); len(got) != 0 {
		t.Errorf("%d selection rectangles after ClearSelection, want 0", len(got))
	}
}

func TestHighlightAt(t *testing.T) {
	r, _, _ := setup(t, article, Options{})
	r.SetHighlights([]Highlight{
		{ID: "long", Start: 20, End: 80},
		{ID: "inner", Start: 30, End: 40},
		{ID: "later", Start: 100, End: 110},
	})
	for _, tc := range []struct {
		off  int
		id   string
		isHl bool
	}{
		{19, "", false},
		{20, "long", true},
		{29, "long", true},
		{30, "inner", true},
		{39, "inner", true},
		{40, "long", true},
		{79, "long", true},
		{80, "", false},
		{105, "later", true},
		{110, "", false},
	} {
		id, ok := r.HighlightAt(tc.off)
		if id != tc.id || ok != tc.isHl {
			t.Errorf("HighlightAt(%d) = %q, %v, want %q, %v", tc.off, id, ok, tc.id, tc.isHl)
		}
	}
}

// textOffsets returns every rune offset inside the document's text blocks, ends included.
func textOffsets(d *doc.Document) []int {
	var out []int
	for _, b := range d.Blocks {
		for o := b.Start; o <= b.End && b.End > b.Start; {
			out = append(out, o)
			if o == b.End {
				break
			}
			_, n := utf8.DecodeRuneInString(d.Text[o:])
			o += n
		}
	}
	return out
}

func TestOffsetsRoundTripAcrossResizes(t *testing.T) {
	r, w, d := setup(t, article, Options{})
	s, _ := offsetOf(t, d.Text, "It has a second sentence")
	e := d.Blocks[d.BlockAt(s)].End
	lines := map[float32]bool{}
	for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 520, Height: 700}, {Width: 330, Height: 900}, {Width: 1300, Height: 600}} {
		w.Resize(size)
		for _, o := range textOffsets(d) {
			if got := r.OffsetAt(r.PositionOf(o)); got != o {
				t.Fatalf("at width %v: OffsetAt(PositionOf(%d)) = %d (%q at %v)", size.Width, o, got, d.Text[min(o, got):max(o, got)], r.PositionOf(o))
			}
			if got := r.OffsetAt(inLine(r.PositionOf(o))); got != o {
				t.Fatalf("at width %v: OffsetAt(4px below PositionOf(%d)) = %d", size.Width, o, got)
			}
		}
		lines[r.PositionOf(e).Y-r.PositionOf(s).Y] = true
	}
	if len(lines) < 3 {
		t.Errorf("the first paragraph wrapped the same way at different widths: %v", lines)
	}
}

func TestStripModeTapsBlocks(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	var tapped []int
	r.OnBlockTapped = func(b int) { tapped = append(tapped, b) }
	r.SetStripMode(true)
	s, _ := offsetOf(t, d.Text, "A quoted paragraph")
	want := d.BlockAt(s)
	at := inLine(r.PositionOf(s + 3))
	r.MouseDown(mouse(at))
	r.MouseUp(mouse(at))
	r.Tapped(&fyne.PointEvent{Position: at})
	if len(tapped) != 1 || tapped[0] != want {
		t.Errorf("OnBlockTapped calls = %v, want [%d]", tapped, want)
	}
	if s, e := r.Selection(); s != e {
		t.Errorf("strip mode selected %d, %d", s, e)
	}
	r.MouseIn(mouse(at))
	if r.hoverBlock != want {
		t.Errorf("hovered block = %d, want %d", r.hoverBlock, want)
	}
	r.SetStripMode(false)
	r.Tapped(&fyne.PointEvent{Position: at})
	if len(tapped) != 1 {
		t.Errorf("OnBlockTapped called outside strip mode")
	}
}

func TestLinksHighlightsAndSecondaryTaps(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	var links, tappedIDs []string
	r.OnLink = func(href string) { links = append(links, href) }
	r.OnHighlightTapped = func(id string) { tappedIDs = append(tappedIDs, id) }
	ls, _ := offsetOf(t, d.Text, "link to more")
	hs, he := offsetOf(t, d.Text, "Zürich")
	r.SetHighlights([]Highlight{{ID: "z", Start: hs, End: he}})

	tap := func(off int) {
		at := inLine(r.PositionOf(off)).AddXY(2, 0)
		r.MouseDown(mouse(at))
		r.MouseUp(mouse(at))
		r.Tapped(&fyne.PointEvent{Position: at})
	}
	tap(ls)
	if len(links) != 1 || links[0] != "https://example.org/more" {
		t.Errorf("OnLink calls = %v, want [https://example.org/more]", links)
	}
	r.lastDown = time.Time{}
	tap(hs + 1)
	if len(tappedIDs) != 1 || tappedIDs[0] != "z" {
		t.Errorf("OnHighlightTapped calls = %v, want [z]", tappedIDs)
	}

	var hovered []string
	r.OnHighlightHover = func(id string, _ fyne.Position) { hovered = append(hovered, id) }
	r.MouseIn(mouse(inLine(r.PositionOf(hs+1)).AddXY(2, 0)))
	r.MouseMoved(mouse(inLine(r.PositionOf(ls))))
	if got := strings.Join(hovered, ","); got != "z," {
		t.Errorf("OnHighlightHover ids = %q, want %q", got, "z,")
	}

	var secondary []int
	r.OnSecondaryTap = func(off int, _ fyne.Position) { secondary = append(secondary, off) }
	r.TappedSecondary(&fyne.PointEvent{Position: inLine(r.PositionOf(hs))})
	if len(secondary) != 1 || secondary[0] != hs {
		t.Errorf("OnSecondaryTap offsets = %v, want [%d]", secondary, hs)
	}
}

func TestKeys(t *testing.T) {
	r, _, d := setup(t, longArticle(3000), Options{})
	var keys []fyne.KeyName
	var runes []rune
	r.OnKey = func(ev *fyne.KeyEvent) { keys = append(keys, ev.Name) }
	r.OnRune = func(c rune) { runes = append(runes, c) }

	r.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown})
	if r.Progress() <= 0 {
		t.Errorf("Progress() = %v after Page Down, want > 0", r.Progress())
	}
	r.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if r.Progress() != 1 {
		t.Errorf("Progress() = %v after End, want 1", r.Progress())
	}
	r.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome})
	if r.Progress() != 0 {
		t.Errorf("Progress() = %v after Home, want 0", r.Progress())
	}
	r.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	test.Type(r, "h1")
	if len(keys) != 1 || keys[0] != fyne.KeyDelete || string(runes) != "h1" {
		t.Errorf("OnKey got %v and OnRune %q, want [Delete] and \"h1\"", keys, string(runes))
	}

	r.SetSelection(10, 40)
	cb := test.NewClipboard()
	r.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	if got, want := cb.Content(), d.Text[10:40]; got != want {
		t.Errorf("copied %q, want %q", got, want)
	}
	r.TypedShortcut(&fyne.ShortcutSelectAll{})
	if s, e := r.Selection(); s != 0 || e != len(d.Text) {
		t.Errorf("after select all Selection() = %d, %d, want 0, %d", s, e, len(d.Text))
	}
}

func TestScrollingAndReadingPosition(t *testing.T) {
	r, w, d := setup(t, longArticle(3000), Options{})
	var progress []float32
	r.OnScroll = func(p float32) { progress = append(progress, p) }
	test.Scroll(w.Canvas(), fyne.NewPos(300, 300), 0, -500)
	if len(progress) != 1 || progress[0] <= 0 {
		t.Fatalf("OnScroll calls = %v after scrolling down, want one > 0", progress)
	}
	r.ScrollToFraction(0.5)
	if got := r.Progress(); got < 0.49 || got > 0.51 {
		t.Errorf("Progress() = %v after ScrollToFraction(0.5)", got)
	}
	start, end := r.VisibleRange()
	if start >= end || start <= 0 {
		t.Fatalf("VisibleRange() = %d, %d", start, end)
	}
	if p := r.PositionOf(start); p.Y < 0 || p.Y > 40 {
		t.Errorf("the first visible line is at y %v, want near the top", p.Y)
	}
	r.ScrollToFraction(0)
	r.ScrollToOffset(start)
	if s2, _ := r.VisibleRange(); s2 != start {
		t.Errorf("after ScrollToOffset(%d), VisibleRange starts at %d", start, s2)
	}
	// A larger text size keeps the reading position.
	r.SetTextSize(r.TextSize() * 1.3)
	if s3, _ := r.VisibleRange(); d.BlockAt(s3) != d.BlockAt(start) && d.BlockAt(s3) != d.BlockAt(start)+1 {
		t.Errorf("after a text size change the view starts in block %d, want block %d", d.BlockAt(s3), d.BlockAt(start))
	}
}

func TestFind(t *testing.T) {
	r, _, d := setup(t, article+`<p>ÉTÉ and été, Straße and STRASSE.</p>`, Options{})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"the article", []string{"the article", "the article"}},
		{"ÉTÉ", []string{"ÉTÉ", "été"}},
		{"zürich", []string{"Zürich"}},
		{"😀", []string{"😀"}},
		{"nowhere", nil},
		{"", nil},
	} {
		got := r.Find(tc.query)
		if len(got) != len(tc.want) {
			t.Errorf("Find(%q) = %v, want %d matches", tc.query, got, len(tc.want))
			continue
		}
		for i, s := range got {
			if !strings.HasPrefix(d.Text[s:], tc.want[i]) {
				t.Errorf("Find(%q) match %d at %d is %q, want %q", tc.query, i, s, d.Text[s:min(s+len(tc.want[i]), len(d.Text))], tc.want[i])
			}
		}
	}

	starts := r.Find("the")
	r.SetFindMatches("the", starts, 1)
	if r.findCur != 1 || len(r.finds) != len(starts) {
		t.Fatalf("SetFindMatches marked %d matches, current %d", len(r.finds), r.findCur)
	}
	var outlined int
	for _, p := range drawn(r) {
		if rect, ok := p.o.(*canvas.Rectangle); ok && rect.StrokeWidth > 0 && p.pos.Y < 600 {
			if got := r.OffsetAt(p.pos.AddXY(0.5, 2)); got == starts[1] {
				outlined++
			}
		}
	}
	if outlined != 1 {
		t.Errorf("%d outlined rectangles at the current match, want 1", outlined)
	}
	r.SetFindMatches("", nil, -1)
	if len(r.finds) != 0 {
		t.Errorf("SetFindMatches(\"\") left %d matches", len(r.finds))
	}
}

func TestImages(t *testing.T) {
	var asked []string
	stored := pngResource(t, 300, 200)
	opts := Options{Image: func(src string) (fyne.Resource, bool) {
		asked = append(asked, src)
		if src == "stored.png" {
			return stored, true
		}
		return nil, false
	}}
	r, _, d := setup(t, article+`<p><img src="missing.png" alt="What the missing picture showed"></p>`, opts)
	r.ScrollToFraction(1)
	var img *canvas.Image
	var alt bool
	for _, p := range drawn(r) {
		switch o := p.o.(type) {
		case *canvas.Image:
			img = o
		case *canvas.Text:
			alt = alt || o.Text == "What the missing picture showed"
		}
	}
	if img == nil || img.Image == nil || img.Image.Bounds().Dx() != 300 || img.Size() != fyne.NewSize(300, 200) {
		t.Errorf("the stored image is drawn as %+v, want it decoded at 300x200", img)
	}
	if !alt {
		t.Errorf("the missing image's alt text is not drawn")
	}
	if strings.Join(asked, " ") != "stored.png missing.png" {
		t.Errorf("loader asked for %v, want each image once", asked)
	}
	_ = d
}

func pngResource(t *testing.T, w, h int) fyne.Resource {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return fyne.NewStaticResource("stored.png", buf.Bytes())
}

func TestVirtualisation(t *testing.T) {
	r, _, d := setup(t, longArticle(10000), Options{})
	if n := doc.WordCount(d.Text); n < 10000 {
		t.Fatalf("the article has %d words", n)
	}
	hs := make([]Highlight, 100)
	for i := range hs {
		s := len(d.Text) * i / 100
		hs[i] = Highlight{ID: string(rune('a' + i%26)), Start: s, End: s + 40}
	}
	r.SetHighlights(hs)
	for _, f := range []float32{0, 0.5, 1} {
		r.ScrollToFraction(f)
		objs := drawn(r)
		if len(objs) > 400 {
			t.Errorf("at %v of the article %d canvas objects exist, want at most 400", f, len(objs))
		}
		var texts int
		for _, p := range objs {
			if _, ok := p.o.(*canvas.Text); ok {
				texts++
				if p.pos.Y > 600+60 || p.pos.Y < -60 {
					t.Errorf("a text at y %v is drawn outside the view", p.pos.Y)
				}
			}
		}
		if texts < 10 {
			t.Errorf("at %v of the article only %d texts are drawn", f, texts)
		}
	}
}

// longArticle generates an article of about n words in paragraphs of about 90, with
// headings, emphasis and links.
func longArticle(n int) string {
	var b strings.Builder
	seed := uint32(1)
	next := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	vocab := make([]string, 3000)
	for i := range vocab {
		l := 2 + int(next()%9)
		w := make([]byte, l)
		for j := range w {
			w[j] = byte('a' + next()%26)
		}
		vocab[i] = string(w)
	}
	words := 0
	for p := 0; words < n; p++ {
		if p%8 == 0 {
			b.WriteString("<h2>Section ")
			b.WriteString(vocab[next()%3000])
			b.WriteString("</h2>\n")
		}
		b.WriteString("<p>")
		for k := 0; k < 90 && words < n; k++ {
			// Roughly Zipf: small indices far more often.
			idx := int(next()%3000) * int(next()%3000) / 3000
			w := vocab[idx]
			switch next() % 40 {
			case 0:
				w = "<b>" + w + "</b>"
			case 1:
				w = "<i>" + w + "</i>"
			case 2:
				w = `<a href="https://example.org/` + w + `">` + w + "</a>"
			}
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			words++
			if next()%12 == 0 {
				b.WriteByte('.')
			}
		}
		b.WriteString(".</p>\n")
	}
	return b.String()
}

func TestHighlightGolden(t *testing.T) {
	test.NewTempApp(t)
	d := doc.Parse(`<p>Highlights sit behind <b>exactly the characters</b> they cover, <i>across styles</i> and across the wrap of a line.</p>`)
	r := New(Options{TextSize: 16})
	r.SetDocument(d, Meta{})
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(420, 190))
	s, _ := offsetOf(t, d.Text, "exactly")
	_, e := offsetOf(t, d.Text, "across the wrap")
	hs, he := offsetOf(t, d.Text, "Highlights")
	r.SetHighlights([]Highlight{
		{ID: "a", Start: s, End: e},
		{ID: "b", Start: hs, End: he, Color: color.NRGBA{R: 0x7f, G: 0xd0, B: 0xff, A: 0x90}},
	})
	img := w.Canvas().Capture()
	const name = "highlight.png"
	if *update {
		path := filepath.Join("testdata", name)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	test.AssertImageMatches(t, name, img)
}

func TestWordAt(t *testing.T) {
	r, _, d := setup(t, article, Options{})
	at := func(s string, k int) int { i, _ := offsetOf(t, d.Text, s); return i + k }
	for _, tc := range []struct {
		name string
		off  int
		want string
	}{
		{"inside a word", at("paragraph opens", 3), "paragraph"},
		{"word start", at("paragraph opens", 0), "paragraph"},
		{"accented word", at("déjà-vu", 1), "déjà"},
		{"hyphen", at("déjà-vu", len("déjà")), "-"},
		{"space", at(" society", 0), " "},
		{"CJK run", at("日本語", 3), "日本語のテキストも含まれています"},
		{"emoji", at("😀", 0), "😀"},
		{"end of a block", at("paragraph two.", len("paragraph two.")), "."},
		{"end of a word at a block end", at("closes the article.", len("closes the article")), "."},
		{"end of the text", len(d.Text), "."},
	} {
		s, e := r.wordAt(tc.off)
		if got := d.Text[s:e]; got != tc.want {
			t.Errorf("%s: wordAt(%d) = %q, want %q", tc.name, tc.off, got, tc.want)
		}
	}
}

func TestEmptyAndTitleOnly(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		name string
		d    *doc.Document
	}{
		{"no document", nil},
		{"empty document", doc.Parse("")},
		{"images only", doc.Parse(`<img src="a.png" alt="only a picture"><hr>`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{})
			var links []string
			r.OnLink = func(h string) { links = append(links, h) }
			r.SetDocument(tc.d, Meta{Title: "Only a title", URL: "https://example.org/a"})
			w := test.NewTempWindow(t, r)
			w.Resize(fyne.NewSize(800, 600))
			if got := r.OffsetAt(fyne.NewPos(300, 300)); got != 0 {
				t.Errorf("OffsetAt = %d, want 0", got)
			}
			if s, e := r.VisibleRange(); s != 0 || e != 0 {
				t.Errorf("VisibleRange() = %d, %d, want 0, 0", s, e)
			}
			if got := r.Find("a"); len(got) != 0 {
				t.Errorf("Find = %v, want none", got)
			}
			r.ScrollToFraction(1)
			if p := r.Progress(); p != 1 {
				t.Errorf("Progress() = %v, want 1 when everything is in view", p)
			}
			// The source address under the title is a link.
			var at fyne.Position
			for _, p := range drawn(r) {
				if txt, ok := p.o.(*canvas.Text); ok && txt.Text == "https://example.org/a" {
					at = p.pos.AddXY(5, 5)
				}
			}
			r.Tapped(&fyne.PointEvent{Position: at})
			if len(links) != 1 || links[0] != "https://example.org/a" {
				t.Errorf("OnLink calls = %v after tapping the source address", links)
			}
		})
	}
}

func TestOwnFontFallsBackForMissingGlyphs(t *testing.T) {
	test.NewTempApp(t)
	// The theme's bold face stands in for a serif the app would supply: it has no CJK glyphs.
	own := fyne.NewStaticResource("own.ttf", theme.DefaultTextBoldFont().Content())
	r, _, d := setup(t, article, Options{Fonts: &Fonts{Regular: own}})
	var latin, cjkText *canvas.Text
	for _, p := range drawn(r) {
		if txt, ok := p.o.(*canvas.Text); ok {
			if strings.Contains(txt.Text, "Café society") {
				latin = txt
			}
			if strings.Contains(txt.Text, "日本語") {
				cjkText = txt
			}
		}
	}
	if latin == nil || latin.FontSource != own {
		t.Errorf("Latin text is drawn with %v, want the reader's own font", latin)
	}
	if cjkText == nil || cjkText.FontSource != nil {
		t.Errorf("CJK text is drawn with %v, want the theme's font", cjkText)
	}
	for _, o := range textOffsets(d) {
		if got := r.OffsetAt(r.PositionOf(o)); got != o {
			t.Fatalf("OffsetAt(PositionOf(%d)) = %d with the reader's own font", o, got)
		}
	}
}
