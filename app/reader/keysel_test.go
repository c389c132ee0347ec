package reader

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Characters of more than one rune.
const (
	flagFR = "\U0001F1EB\U0001F1F7"                       // two regional indicators
	flagDE = "\U0001F1E9\U0001F1EA"                       // two regional indicators
	thumb  = "\U0001F44D\U0001F3FD"                       // an emoji with a skin tone
	family = "\U0001F469\u200d\U0001F469\u200d\U0001F467" // emoji joined by zero-width joiners
	qDot   = "q\u0307"                                    // a letter with a combining dot
)

// keyArticle has short and wrapped paragraphs with two-byte (é, ï, à) and four-byte (😀,
// 🎉) characters, and at the end characters of several runes; no snippet a test looks for
// occurs twice.
var keyArticle = func() string {
	var long2, long4 strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&long2, "Line %d says déjà vu in a café, naïve 🎉 words. ", i)
		fmt.Fprintf(&long4, "Row %d brings crème brûlée to the fête, and more. ", i)
	}
	return "<p>Un café naïve 😀 au lait, très bon.</p>\n<p>" + strings.TrimSpace(long2.String()) +
		"</p>\n<p>Court.</p>\n<p>" + strings.TrimSpace(long4.String()) + "</p>\n" +
		"<p>Des drapeaux " + flagFR + flagDE + ", un pouce " + thumb + ", une famille " + family + " et " + qDot + " pour finir.</p>"
}()

const (
	withShift = fyne.KeyModifierShift
	ctrlShift = fyne.KeyModifierControl | fyne.KeyModifierShift
)

// press drives the reader as Fyne's desktop driver (internal/driver/glfw, processKeyPressed)
// does for a key with modifiers: Shift is reported by KeyDown and KeyUp around the key; a
// key with Shift alone goes to TypedKey, one with Control, Alt or Super to TypedShortcut as
// a desktop.CustomShortcut.
func press(r *Reader, mods fyne.KeyModifier, key fyne.KeyName) {
	if mods&withShift != 0 {
		r.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		defer r.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	}
	if mods&^withShift != 0 {
		r.TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: mods})
		return
	}
	r.TypedKey(&fyne.KeyEvent{Name: key})
}

// pcKeys makes the test use the key conventions of Linux and Windows wherever it runs.
func pcKeys(t *testing.T) {
	old := macKeys
	macKeys = false
	t.Cleanup(func() { macKeys = old })
}

// mark finds a snippet of the text written with "|" at one offset, or "[" and "]" around a
// range, and returns the offsets. A long range may be written as its two ends joined by
// "…". Each part, without its marks, must occur in the text once.
func mark(t *testing.T, text, snippet string) (int, int) {
	t.Helper()
	if from, to, ok := strings.Cut(snippet, "…"); ok {
		s, _ := mark(t, text, strings.Replace(from, "[", "|", 1))
		_, e := mark(t, text, "["+strings.Replace(to, "]", "|", 1))
		return s, e
	}
	plain := strings.NewReplacer("|", "", "[", "", "]", "").Replace(snippet)
	i := strings.Index(text, plain)
	if i < 0 || strings.LastIndex(text, plain) != i {
		t.Fatalf("%q is not in the text exactly once", plain)
	}
	if p := strings.Index(snippet, "|"); p >= 0 {
		if q := strings.Index(snippet, "["); q >= 0 && q < p {
			return i + q, i + p - 1
		}
		return i + p, i + p
	}
	s, e := strings.Index(snippet, "["), strings.Index(snippet, "]")
	if s < 0 || e < s {
		t.Fatalf("snippet %q has no marks", snippet)
	}
	return i + s, i + e - 1
}

type keyPress struct {
	mods fyne.KeyModifier
	key  fyne.KeyName
}

func TestKeyboardSelectionByCharacterWordParagraph(t *testing.T) {
	pcKeys(t)
	var (
		right     = keyPress{withShift, fyne.KeyRight}
		left      = keyPress{withShift, fyne.KeyLeft}
		wordRight = keyPress{ctrlShift, fyne.KeyRight}
		wordLeft  = keyPress{ctrlShift, fyne.KeyLeft}
		paraDown  = keyPress{ctrlShift, fyne.KeyDown}
		paraUp    = keyPress{ctrlShift, fyne.KeyUp}
	)
	r, _, d := setup(t, keyArticle, Options{})
	for _, tc := range []struct {
		name  string
		caret string // where the selection is collapsed before the keys
		keys  []keyPress
		want  string // the selection after them, or "|" for none there
	}{
		{"right over two-byte é", "Un caf|é", []keyPress{right}, "Un caf[é]"},
		{"right over four-byte emoji", "naïve |😀", []keyPress{right}, "naïve [😀]"},
		{"right twice", "café na|ïve", []keyPress{right, right}, "café na[ïv]e"},
		{"left over two-byte ï", "café naï|ve", []keyPress{left}, "café na[ï]ve"},
		{"left over four-byte emoji", "😀| au", []keyPress{left}, "[😀] au"},
		{"right then left collapses on the anchor", "Un caf|é", []keyPress{right, left}, "Un caf|é"},
		{"anchor stays while the focus crosses it", "Un caf|é", []keyPress{right, left, left}, "Un ca[f]é"},
		{"left then right past the anchor", "café naï|ve", []keyPress{left, right, right}, "café naï[v]e"},
		{"right at a paragraph's end crosses the blank line", "très bon.|", []keyPress{right}, "très bon.[\n\n]Line 1"},
		{"right into the next paragraph", "très bon.|", []keyPress{right, right}, "très bon.[\n\nL]ine 1"},
		{"left at a paragraph's start crosses the blank line", "\n\n|Line 1", []keyPress{left}, "bon.[\n\n]Line 1"},
		{"word right", "Un |café", []keyPress{wordRight}, "Un [café] naïve"},
		{"word right twice", "Un |café", []keyPress{wordRight, wordRight}, "Un [café naïve] 😀"},
		{"word right skips an emoji", "naïve| 😀", []keyPress{wordRight}, "naïve[ 😀 au] lait"},
		{"word right from inside a word", "Un ca|fé", []keyPress{wordRight}, "Un ca[fé] naïve"},
		{"word left", "naïve| 😀", []keyPress{wordLeft}, "café [naïve] 😀"},
		{"word left from inside a word", "café naï|ve", []keyPress{wordLeft}, "café [naï]ve"},
		{"word right across paragraphs", "très bon|.", []keyPress{wordRight}, "très bon[.\n\nLine] 1"},
		{"word left across paragraphs", "Line| 1 says", []keyPress{wordLeft, wordLeft}, "très [bon.\n\nLine] 1"},
		{"paragraph down", "au |lait", []keyPress{paraDown}, "au [lait, très bon.]"},
		{"paragraph down twice", "Court|.", []keyPress{paraDown, paraDown}, "Court[.\n\nRow 1 brings…Row 6 brings crème brûlée to the fête, and more.]"},
		{"paragraph up", "Co|urt", []keyPress{paraUp}, "[Co]urt"},
		{"paragraph up twice", "Co|urt", []keyPress{paraUp, paraUp}, "[Line 1 says…\n\nCo]urt"},
		{"article start", "Un café naï|ve", []keyPress{{ctrlShift, fyne.KeyHome}}, "[Un café naï]ve"},
		{"article end", "Row 6 brings crème brûlée to the |fête", []keyPress{{ctrlShift, fyne.KeyEnd}}, "Row 6 brings crème brûlée to the [fête…pour finir.]"},
		{"right over a flag", "drapeaux |" + flagFR, []keyPress{right}, "drapeaux [" + flagFR + "]" + flagDE},
		{"right over the second flag", flagFR + "|" + flagDE, []keyPress{right}, flagFR + "[" + flagDE + "],"},
		{"left over a flag", flagFR + flagDE + "|,", []keyPress{left}, flagFR + "[" + flagDE + "],"},
		{"left over the first flag", flagFR + "|" + flagDE, []keyPress{left}, " [" + flagFR + "]" + flagDE},
		{"right over a skin tone", "pouce |" + thumb, []keyPress{right}, "pouce [" + thumb + "],"},
		{"left over a skin tone", thumb + "|,", []keyPress{left}, "[" + thumb + "],"},
		{"right over joined emoji", "famille |" + family, []keyPress{right}, "famille [" + family + "] et"},
		{"left over joined emoji", family + "| et", []keyPress{left}, "[" + family + "] et"},
		{"right over a combining mark", "et |" + qDot, []keyPress{right}, "et [" + qDot + "] pour"},
		{"left over a combining mark", qDot + "| pour", []keyPress{left}, "[" + qDot + "] pour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mark(t, d.Text, tc.caret)
			r.SetSelection(c, c)
			for _, k := range tc.keys {
				press(r, k.mods, k.key)
			}
			ws, we := mark(t, d.Text, tc.want)
			if gs, ge := r.Selection(); gs != ws || ge != we {
				t.Errorf("Selection() = %d, %d (%q), want %d, %d (%q)", gs, ge, d.Text[gs:ge], ws, we, d.Text[ws:we])
			}
		})
	}
}

func TestKeyboardSelectionLineStartAndEnd(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, keyArticle, Options{})
	c, _ := mark(t, d.Text, "Line 3 says déjà vu in a |café")
	p2, _ := mark(t, d.Text, "|Line 1 says")
	// The line's ends by the hit-testing of the mouse: the far left and right of its row.
	y := inLine(r.PositionOf(c)).Y
	lineStart, lineEnd := r.OffsetAt(fyne.NewPos(0, y)), r.OffsetAt(fyne.NewPos(r.Size().Width-1, y))
	if lineStart <= p2 || lineEnd <= c || lineEnd >= strings.Index(d.Text, "Court") {
		t.Fatalf("the caret's line %d..%d is not a wrapped line of the second paragraph", lineStart, lineEnd)
	}
	for _, tc := range []struct {
		name       string
		keys       []keyPress
		start, end int
	}{
		{"Shift+End", []keyPress{{withShift, fyne.KeyEnd}}, c, lineEnd},
		{"Shift+End twice stays", []keyPress{{withShift, fyne.KeyEnd}, {withShift, fyne.KeyEnd}}, c, lineEnd},
		{"Shift+Home", []keyPress{{withShift, fyne.KeyHome}}, lineStart, c},
		{"Shift+End then Shift+Home", []keyPress{{withShift, fyne.KeyEnd}, {withShift, fyne.KeyHome}}, lineStart, c},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.SetSelection(c, c)
			for _, k := range tc.keys {
				press(r, k.mods, k.key)
			}
			if gs, ge := r.Selection(); gs != tc.start || ge != tc.end {
				t.Errorf("Selection() = %d, %d (%q), want %d, %d (%q)", gs, ge, d.Text[gs:ge], tc.start, tc.end, d.Text[tc.start:tc.end])
			}
		})
	}
}

func TestKeyboardSelectionKeepsGoalColumn(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, keyArticle, Options{})
	// Start far to the right on the second paragraph's first line, past the end of the
	// short paragraph "Court." below it.
	p2, _ := mark(t, d.Text, "|Line 1 says")
	y0 := inLine(r.PositionOf(p2)).Y
	lineEnd := r.OffsetAt(fyne.NewPos(r.Size().Width-1, y0))
	c := lineEnd - len("ds.")
	for !runeStart(d.Text[c]) {
		c--
	}
	x0 := r.PositionOf(c).X
	court, courtEnd := mark(t, d.Text, "[Court.]")
	if x0 <= r.PositionOf(courtEnd).X {
		t.Fatalf("the caret's column %v is not right of the end of %q", x0, "Court.")
	}
	r.SetSelection(c, c)
	lineH := float32(int(r.TextSize()*bodyLeading + 0.5))
	// Down a line at a time through the second paragraph: the focus keeps to x0.
	for i := 1; ; i++ {
		if i > 20 {
			t.Fatal("Shift+Down never left the second paragraph")
		}
		prevY := r.PositionOf(focusOf(r)).Y
		press(r, withShift, fyne.KeyDown)
		f := focusOf(r)
		if f >= court {
			break
		}
		if got, want := f, r.OffsetAt(fyne.NewPos(x0, prevY+lineH+4)); got != want {
			t.Fatalf("after %d Shift+Down the focus is %d (%q), want %d under the goal column", i, got, d.Text[f:], want)
		}
		if s, _ := r.Selection(); s != c {
			t.Fatalf("the anchor moved: Selection() starts at %d, want %d", s, c)
		}
	}
	if got, want := focusOf(r), courtEnd; got != want {
		t.Fatalf("on the short line the focus is %d (%q), want its end %d", got, d.Text[got:], want)
	}
	// Down again, to the long paragraph: back in the goal column.
	press(r, withShift, fyne.KeyDown)
	p4, _ := mark(t, d.Text, "|Row 1 brings")
	if got, want := focusOf(r), r.OffsetAt(fyne.NewPos(x0, inLine(r.PositionOf(p4)).Y)); got != want {
		t.Errorf("below the short line the focus is %d (%q), want %d in the goal column", got, d.Text[got:], want)
	}
	if got, want := r.PositionOf(focusOf(r)).X, x0; abs(got-want) > r.TextSize() {
		t.Errorf("below the short line the focus is at x %v, want near %v", got, want)
	}
	// And up again: the end of the short line, then the goal column in the paragraph above.
	press(r, withShift, fyne.KeyUp)
	if got, want := focusOf(r), courtEnd; got != want {
		t.Errorf("Shift+Up to the short line: focus %d, want %d", got, want)
	}
	press(r, withShift, fyne.KeyUp)
	_, p2End := mark(t, d.Text, "[naïve 🎉 words.]\n\nCourt")
	lastLineY := inLine(r.PositionOf(p2End)).Y
	if got, want := focusOf(r), r.OffsetAt(fyne.NewPos(x0, lastLineY)); got != want {
		t.Errorf("Shift+Up to the last line of the paragraph above: focus %d (%q), want %d", got, d.Text[got:], want)
	}
	// A sideways move sets a new goal column.
	press(r, withShift, fyne.KeyHome)
	press(r, withShift, fyne.KeyDown)
	if got, want := focusOf(r), court; got != want {
		t.Errorf("Shift+Home, Shift+Down: focus %d, want the start of %q at %d", got, "Court.", want)
	}
	// Shift+Up from the first line goes to the start of the article, Shift+Down from the
	// last to its end.
	r.SetSelection(3, 3)
	press(r, withShift, fyne.KeyUp)
	if s, e := r.Selection(); s != 0 || e != 3 {
		t.Errorf("Shift+Up on the first line: Selection() = %d, %d, want 0, 3", s, e)
	}
	last := len(d.Text) - 3
	r.SetSelection(last, last)
	press(r, withShift, fyne.KeyDown)
	if s, e := r.Selection(); s != last || e != len(d.Text) {
		t.Errorf("Shift+Down on the last line: Selection() = %d, %d, want %d, %d", s, e, last, len(d.Text))
	}
}

// focusOf returns the moving end of the reader's selection.
func focusOf(r *Reader) int {
	_, f := r.ends()
	return f
}

func TestKeyboardSelectionExtendsMouseSelection(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, article, Options{})
	s, e := offsetOf(t, d.Text, "society met")

	dragSelect(r, inLine(r.PositionOf(s)), inLine(r.PositionOf(e)))
	press(r, withShift, fyne.KeyRight)
	press(r, ctrlShift, fyne.KeyRight)
	if gs, ge := r.Selection(); gs != s || ge != e+len(" in") {
		t.Errorf("forward drag, Shift+Right, Ctrl+Shift+Right: Selection() = %q, want %q", d.Text[gs:ge], "society met in")
	}

	dragSelect(r, inLine(r.PositionOf(e)), inLine(r.PositionOf(s)))
	press(r, withShift, fyne.KeyLeft)
	if gs, ge := r.Selection(); gs != s-1 || ge != e {
		t.Errorf("backward drag, Shift+Left: Selection() = %q, want %q", d.Text[gs:ge], " society met")
	}

	// A click leaves the caret where it was: the keys select from there.
	z, _ := offsetOf(t, d.Text, "Zürich")
	r.MouseDown(mouse(inLine(r.PositionOf(z + 1))))
	r.MouseUp(mouse(inLine(r.PositionOf(z + 1))))
	press(r, withShift, fyne.KeyRight)
	if gs, ge := r.Selection(); gs != z+1 || ge != z+3 {
		t.Errorf("click, Shift+Right: Selection() = %q, want %q", d.Text[gs:ge], "ü")
	}
}

func TestKeyboardSelectionCallsOnSelect(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, keyArticle, Options{})
	var got [][2]int
	r.OnSelect = func(s, e int) { got = append(got, [2]int{s, e}) }
	c, _ := mark(t, d.Text, "Un caf|é")
	r.SetSelection(c, c)
	press(r, withShift, fyne.KeyRight)
	press(r, withShift, fyne.KeyRight)
	press(r, withShift, fyne.KeyLeft)
	press(r, withShift, fyne.KeyLeft) // back to nothing selected
	press(r, withShift, fyne.KeyHome)
	press(r, 0, fyne.KeyRight) // not a selection key
	r.SetSelection(0, 0)
	press(r, withShift, fyne.KeyLeft) // no change: nothing before the start
	want := [][2]int{{c, c + 2}, {c, c + 3}, {c, c + 2}, {c, c}, {0, c}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnSelect calls = %v, want %v", got, want)
	}
}

func TestKeyboardSelectionScrollsWithTheFocus(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, longArticle(3000), Options{})
	h := r.Size().Height
	lineH := float32(int(r.TextSize()*bodyLeading + 0.5))

	// Nothing selected and the caret (at the start) scrolled out of view: the keys select
	// from the first line in view.
	for range 3 {
		press(r, 0, fyne.KeyPageDown)
	}
	vs, _ := r.VisibleRange()
	if vs == 0 {
		t.Fatal("Page Down did not scroll")
	}
	press(r, withShift, fyne.KeyRight)
	if s, e := r.Selection(); s != vs || e != vs+1 {
		t.Fatalf("Shift+Right with the caret out of view: Selection() = %d, %d, want %d, %d", s, e, vs, vs+1)
	}

	// Down line by line past the bottom of the view: the view follows a line at a time.
	for i := range 40 {
		before := r.scrollY
		press(r, withShift, fyne.KeyDown)
		y := r.PositionOf(focusOf(r)).Y
		if y < 0 || y+lineH > h {
			t.Fatalf("after %d Shift+Down the focus is at y %v, out of the view's %v", i+1, y, h)
		}
		if dy := r.scrollY - before; dy < 0 || dy > 3*lineH {
			t.Fatalf("Shift+Down %d scrolled by %v, want at most a few lines", i+1, dy)
		}
	}
	if s, _ := r.Selection(); s != vs {
		t.Errorf("the anchor moved to %d, want %d", s, vs)
	}

	// A page at a time, with the view.
	f0 := focusOf(r)
	y0 := r.PositionOf(f0).Y
	press(r, withShift, fyne.KeyPageDown)
	if f := focusOf(r); f <= f0 {
		t.Fatalf("Shift+Page Down left the focus at %d, want past %d", f, f0)
	}
	if y := r.PositionOf(focusOf(r)).Y; abs(y-y0) > 2*lineH {
		t.Errorf("after Shift+Page Down the focus is at y %v, want near %v where it was on screen", y, y0)
	}
	press(r, withShift, fyne.KeyPageUp)
	if f := focusOf(r); f != f0 {
		t.Errorf("Shift+Page Up after Shift+Page Down: focus %d, want %d", f, f0)
	}

	press(r, ctrlShift, fyne.KeyEnd)
	if s, e := r.Selection(); s != vs || e != len(d.Text) || r.Progress() != 1 {
		t.Errorf("Ctrl+Shift+End: Selection() = %d, %d at progress %v, want %d, %d at 1", s, e, r.Progress(), vs, len(d.Text))
	}
	press(r, ctrlShift, fyne.KeyHome)
	if s, e := r.Selection(); s != 0 || e != vs || r.Progress() != 0 {
		t.Errorf("Ctrl+Shift+Home: Selection() = %d, %d at progress %v, want 0, %d at 0", s, e, r.Progress(), vs)
	}
}

func TestPlainKeysStillScroll(t *testing.T) {
	pcKeys(t)
	r, _, _ := setup(t, longArticle(3000), Options{})
	var keys []fyne.KeyName
	r.OnKey = func(ev *fyne.KeyEvent) { keys = append(keys, ev.Name) }
	step := r.TextSize() * bodyLeading * 2

	press(r, withShift, fyne.KeyDown)
	sel := [2]int{}
	sel[0], sel[1] = r.Selection()
	if sel[0] == sel[1] || r.scrollY != 0 {
		t.Fatalf("Shift+Down: Selection() = %v at scroll %v, want a line selected and no scrolling", sel, r.scrollY)
	}
	for _, tc := range []struct {
		key    fyne.KeyName
		scroll float32
	}{
		{fyne.KeyDown, step},
		{fyne.KeyUp, 0},
		{fyne.KeyPageDown, r.pageHeight()},
		{fyne.KeyPageUp, 0},
		{fyne.KeyLeft, 0},
		{fyne.KeyRight, 0},
	} {
		press(r, 0, tc.key)
		if r.scrollY != tc.scroll {
			t.Errorf("%s: scrolled to %v, want %v", tc.key, r.scrollY, tc.scroll)
		}
		if s, e := r.Selection(); [2]int{s, e} != sel {
			t.Errorf("%s changed the selection to %d, %d from %v", tc.key, s, e, sel)
		}
	}
	if fmt.Sprint(keys) != "[Left Right]" {
		t.Errorf("OnKey got %v, want [Left Right]", keys)
	}

	// Shift let go while the reader lost the focus no longer counts.
	r.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	r.FocusLost()
	r.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if s, e := r.Selection(); [2]int{s, e} != sel || r.scrollY != step {
		t.Errorf("Down after the focus was lost with Shift down: Selection() = %d, %d at scroll %v, want %v at %v", s, e, r.scrollY, sel, step)
	}

	// In strip mode the keys select nothing.
	r.SetStripMode(true)
	r.SetSelection(5, 5)
	press(r, withShift, fyne.KeyRight)
	press(r, withShift, fyne.KeyDown)
	if s, e := r.Selection(); s != 5 || e != 5 || r.scrollY != 2*step {
		t.Errorf("strip mode, Shift+Right, Shift+Down: Selection() = %d, %d at scroll %v, want 5, 5 at %v", s, e, r.scrollY, 2*step)
	}
}

func TestSelectionMove(t *testing.T) {
	const (
		ctrl  = fyne.KeyModifierControl
		alt   = fyne.KeyModifierAlt
		super = fyne.KeyModifierSuper
	)
	for _, tc := range []struct {
		key  fyne.KeyName
		mods fyne.KeyModifier
		mac  bool
		want move
	}{
		{fyne.KeyLeft, withShift, false, moveCharBack},
		{fyne.KeyRight, withShift, true, moveCharForward},
		{fyne.KeyUp, withShift, false, moveLineUp},
		{fyne.KeyDown, withShift, true, moveLineDown},
		{fyne.KeyHome, withShift, false, moveLineStart},
		{fyne.KeyEnd, withShift, true, moveLineEnd},
		{fyne.KeyPageUp, withShift, false, movePageUp},
		{fyne.KeyPageDown, withShift, true, movePageDown},
		{fyne.KeyLeft, ctrl | withShift, false, moveWordBack},
		{fyne.KeyRight, ctrl | withShift, false, moveWordForward},
		{fyne.KeyUp, ctrl | withShift, false, moveParaBack},
		{fyne.KeyDown, ctrl | withShift, false, moveParaForward},
		{fyne.KeyHome, ctrl | withShift, false, moveDocStart},
		{fyne.KeyEnd, ctrl | withShift, false, moveDocEnd},
		{fyne.KeyLeft, alt | withShift, true, moveWordBack},
		{fyne.KeyRight, alt | withShift, true, moveWordForward},
		{fyne.KeyUp, alt | withShift, true, moveParaBack},
		{fyne.KeyDown, alt | withShift, true, moveParaForward},
		{fyne.KeyLeft, super | withShift, true, moveLineStart},
		{fyne.KeyRight, super | withShift, true, moveLineEnd},
		{fyne.KeyUp, super | withShift, true, moveDocStart},
		{fyne.KeyDown, super | withShift, true, moveDocEnd},
		{fyne.KeyHome, super | withShift, true, moveDocStart},
		{fyne.KeyEnd, super | withShift, true, moveDocEnd},
		// Not selection keys.
		{fyne.KeyLeft, 0, false, moveNone},
		{fyne.KeyHome, ctrl, false, moveNone},
		{fyne.KeyLeft, alt | withShift, false, moveNone},
		{fyne.KeyLeft, ctrl | withShift, true, moveNone},
		{fyne.KeyHome, ctrl | withShift, true, moveNone},
		{fyne.KeyRight, ctrl | alt | withShift, false, moveNone},
		{fyne.KeyA, withShift, false, moveNone},
	} {
		if got := selectionMove(tc.key, tc.mods, tc.mac); got != tc.want {
			t.Errorf("selectionMove(%s, %d, mac %v) = %d, want %d", tc.key, tc.mods, tc.mac, got, tc.want)
		}
	}
}

// TestKeyboardSelectionWalksTheWholeArticle walks the focus across an article with every
// kind of block (a list, code with tabs and a blank line, a table, a figure, a rule): each
// press moves it on, to a rune boundary inside a block, until it reaches the end, and back.
func TestKeyboardSelectionWalksTheWholeArticle(t *testing.T) {
	pcKeys(t)
	r, _, d := setup(t, article, Options{})
	inBlock := func(off int) bool {
		for _, b := range d.Blocks {
			if b.End > b.Start && b.Start <= off && off <= b.End {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name    string
		from    int
		key     keyPress
		forward bool
	}{
		{"Shift+Right", 0, keyPress{withShift, fyne.KeyRight}, true},
		{"Shift+Left", len(d.Text), keyPress{withShift, fyne.KeyLeft}, false},
		{"Ctrl+Shift+Right", 0, keyPress{ctrlShift, fyne.KeyRight}, true},
		{"Ctrl+Shift+Left", len(d.Text), keyPress{ctrlShift, fyne.KeyLeft}, false},
		{"Shift+Down", 0, keyPress{withShift, fyne.KeyDown}, true},
		{"Shift+Up", len(d.Text), keyPress{withShift, fyne.KeyUp}, false},
		{"Ctrl+Shift+Down", 0, keyPress{ctrlShift, fyne.KeyDown}, true},
		{"Ctrl+Shift+Up", len(d.Text), keyPress{ctrlShift, fyne.KeyUp}, false},
		{"Shift+Page Down", 0, keyPress{withShift, fyne.KeyPageDown}, true},
		{"Shift+Page Up", len(d.Text), keyPress{withShift, fyne.KeyPageUp}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.SetSelection(tc.from, tc.from)
			r.ScrollToOffset(tc.from)
			end := len(d.Text)
			if !tc.forward {
				end = 0
			}
			presses := 0
			for f := tc.from; f != end; presses++ {
				if presses > len(d.Text) {
					t.Fatalf("the focus did not reach %d", end)
				}
				press(r, tc.key.mods, tc.key.key)
				next := focusOf(r)
				if tc.forward && next <= f || !tc.forward && next >= f {
					t.Fatalf("press %d moved the focus from %d to %d", presses+1, f, next)
				}
				if next < len(d.Text) && !runeStart(d.Text[next]) || !inBlock(next) {
					t.Fatalf("press %d put the focus at %d, inside a character or between blocks (%q)", presses+1, next, d.Text[max(next-3, 0):min(next+3, len(d.Text))])
				}
				if s, e := r.Selection(); s != min(tc.from, next) || e != max(tc.from, next) {
					t.Fatalf("press %d: Selection() = %d, %d, want the anchor %d and the focus %d", presses+1, s, e, tc.from, next)
				}
				f = next
			}
		})
	}
}
