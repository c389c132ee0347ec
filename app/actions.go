package app

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
)

// What the reader does with a selection or a highlight. Every action is reachable three
// ways: the toolbar that appears at a selection, the context menu, and a key.

// selected follows the reader's selection: the toolbar appears at a selection and goes
// when the selection does.
func (v *ReaderView) selected(start, end int) {
	v.hoverCard.Hide()
	if start == end {
		v.SelBar.Hide()
		v.g.Annotations.selectionChanged()
		return
	}
	if id, ok := v.highlightOn(start, end); ok {
		v.active = id
	}
	v.placeSelBar()
	v.g.Annotations.selectionChanged()
}

// highlightOn returns the highlight that covers exactly start..end, or the one the
// selection lies within.
func (v *ReaderView) highlightOn(start, end int) (string, bool) {
	if v.article == nil {
		return "", false
	}
	best := ""
	for _, h := range v.article.highlights {
		if h.Status == annotate.StatusOrphan {
			continue
		}
		if h.Start == start && h.End == end {
			return h.ID, true
		}
		if best == "" && h.Start <= start && end <= h.End {
			best = h.ID
		}
	}
	return best, best != ""
}

// target is the highlight an action without a selection applies to: the one under the
// pointer, else the one last clicked.
func (v *ReaderView) target() (annotate.Highlight, bool) {
	if v.article == nil {
		return annotate.Highlight{}, false
	}
	if s, e := v.Reader.Selection(); s < e {
		if id, ok := v.highlightOn(s, e); ok {
			return v.article.highlight(id)
		}
		return annotate.Highlight{}, false
	}
	for _, id := range []string{v.hoverID, v.active} {
		if id == "" {
			continue
		}
		if h, ok := v.article.highlight(id); ok {
			return h, true
		}
	}
	return annotate.Highlight{}, false
}

// Highlight highlights the selection in a colour ("" for the default colour), or recolours
// the highlight the selection is on.
func (v *ReaderView) Highlight(colour string) {
	v.withHighlight(colour, nil)
}

// withHighlight makes sure the selection is a highlight, in colour (recolouring one that
// is already there when colour is set), then calls then with it on the UI goroutine. With
// no selection it works on the target highlight.
func (v *ReaderView) withHighlight(colour string, then func(h annotate.Highlight)) {
	if v.article == nil {
		return
	}
	s, e := v.Reader.Selection()
	h, ok := v.target()
	if !ok && s == e {
		return
	}
	id := v.article.id
	if colour == "" && !ok {
		colour = v.g.prefs.DefaultColor
	}
	v.SelBar.Hide()
	v.g.background(func(ctx context.Context) {
		var err error
		switch {
		case ok && colour != "" && colour != h.Color:
			err = v.g.svc.Store.SetColor(ctx, h.ID, colour)
			h.Color = colour
		case !ok:
			h, err = v.g.svc.Store.Highlight(ctx, id, annotate.NewHighlight{Start: s, End: e, Color: colour})
			if err == nil {
				created := h.ID
				v.deliver(func() {
					v.g.undo.push(undoStep{label: "Highlight", undo: func(ctx context.Context) error {
						defer v.deliver(v.reloadHighlights)
						return v.g.svc.Store.Delete(ctx, created)
					}})
				})
			}
		}
		if err != nil {
			v.g.failAsync("highlight", err)
			return
		}
		v.deliver(func() {
			v.active = h.ID
			if !ok {
				v.Reader.ClearSelection()
			}
			if then != nil {
				then(h)
			}
		})
		v.deliver(v.reloadHighlights)
	})
}

// EditNote opens the note editor of the target highlight, highlighting the selection
// first if needed.
func (v *ReaderView) EditNote() { v.withHighlight("", v.g.noteEditor) }

// EditTags opens the tag editor of the target highlight.
func (v *ReaderView) EditTags() { v.withHighlight("", v.g.tagEditor) }

// EditClaim opens the claim editor of the target highlight.
func (v *ReaderView) EditClaim() { v.withHighlight("", v.g.claimEditor) }

// DeleteHighlight moves the target highlight to the trash; Undo brings it back.
func (v *ReaderView) DeleteHighlight() {
	h, ok := v.target()
	if !ok {
		return
	}
	v.deleteHighlight(h.ID)
}

func (v *ReaderView) deleteHighlight(id string) {
	v.SelBar.Hide()
	v.hoverCard.Hide()
	if v.hoverID == id {
		v.hoverID = ""
	}
	if v.active == id {
		v.active = ""
	}
	v.g.undo.push(undoStep{label: "Delete highlight", undo: func(ctx context.Context) error {
		defer v.deliver(v.reloadHighlights)
		_, err := v.g.svc.Store.Undo(ctx)
		return err
	}})
	v.change("delete highlight", func(ctx context.Context) error { return v.g.svc.Store.Delete(ctx, id) })
}

// Copy copies the selection.
func (v *ReaderView) Copy() {
	if t := v.selectionOrTarget(); t != "" {
		v.g.Window.Clipboard().SetContent(t)
	}
}

// CopyQuote copies the selection as a quotation: the text, the article's title and its
// address.
func (v *ReaderView) CopyQuote() {
	t := v.selectionOrTarget()
	if t == "" || v.article == nil {
		return
	}
	v.g.Window.Clipboard().SetContent(quoteOf(t, v.article))
}

func quoteOf(text string, a *openArticle) string {
	c := a.art.Current
	src := c.FinalURL
	if src == "" {
		src = c.RequestedURL
	}
	var b strings.Builder
	b.WriteString("“" + strings.TrimSpace(text) + "”\n— ")
	b.WriteString(titleOr(c.Title))
	if c.SiteName != "" {
		b.WriteString(", " + c.SiteName)
	}
	if src != "" {
		b.WriteString(" <" + src + ">")
	}
	return b.String()
}

func (v *ReaderView) selectionOrTarget() string {
	if t := v.Reader.SelectedText(); t != "" {
		return t
	}
	if h, ok := v.target(); ok {
		return h.Exact
	}
	return ""
}

// typedRune is the reader's one-key commands.
func (v *ReaderView) typedRune(r rune) {
	switch r {
	case 'h', 'H':
		v.Highlight("")
	case 'n', 'N':
		v.EditNote()
	case 't', 'T':
		v.EditTags()
	case 'c', 'C':
		v.EditClaim()
	case '1', '2', '3', '4', '5', '6':
		v.Highlight(annotate.Colors[r-'1'])
	}
}

// typedKey is Delete for the highlight under the pointer and Escape to let go.
func (v *ReaderView) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyDelete, fyne.KeyBackspace:
		v.DeleteHighlight()
	case fyne.KeyEscape:
		switch {
		case v.Reader.StripMode():
			v.SetStripMode(false)
		case v.FindBar.Visible():
			v.hideFind()
		default:
			v.Reader.ClearSelection()
			v.SelBar.Hide()
			v.g.Annotations.selectionChanged()
		}
	}
}

// highlightTapped opens the editor of a highlight clicked in the text.
func (v *ReaderView) highlightTapped(id string) {
	if v.article == nil {
		return
	}
	h, ok := v.article.highlight(id)
	if !ok {
		return
	}
	v.active = id
	v.hoverCard.Hide()
	v.g.Annotations.reveal(id)
	v.g.highlightEditor(h)
}

// highlightHover shows the note of the highlight under the pointer.
func (v *ReaderView) highlightHover(id string, pos fyne.Position) {
	v.hoverID = id
	if id == "" || v.article == nil {
		v.hoverCard.Hide()
		return
	}
	h, ok := v.article.highlight(id)
	if !ok || (h.Note == "" && len(h.Tags) == 0 && h.Claim == nil) {
		v.hoverCard.Hide()
		return
	}
	var lines []string
	if h.Note != "" {
		lines = append(lines, clip(h.Note, 400))
	}
	if h.Claim != nil {
		lines = append(lines, "Claim: "+claimSummary(h.Claim))
	}
	if len(h.Tags) > 0 {
		lines = append(lines, "#"+strings.Join(h.Tags, "  #"))
	}
	v.hoverText.SetText(strings.Join(lines, "\n"))
	bg := v.hoverCard.Objects[0].(*canvas.Rectangle)
	bg.FillColor = themeColor(theme.ColorNameOverlayBackground)
	bg.StrokeColor = themeColor(theme.ColorNameSeparator)
	w := min(float32(360), v.Reader.Size().Width-24)
	v.hoverText.Resize(fyne.NewSize(w, 0))
	size := fyne.NewSize(w, v.hoverText.MinSize().Height)
	// pos is in window coordinates; the card sits below the pointer, inside the reader.
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(v.Reader)
	p := pos.Subtract(origin).AddXY(-w/3, v.Reader.TextSize()*1.4)
	if p.Y+size.Height > v.Reader.Size().Height {
		p.Y = pos.Subtract(origin).Y - size.Height - v.Reader.TextSize()
	}
	p.X = min(max(p.X, 8), v.Reader.Size().Width-w-8)
	v.hoverCard.Move(p)
	v.hoverCard.Resize(size)
	v.hoverCard.Show()
	v.hoverCard.Refresh()
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// secondaryTap opens the context menu of a selection or a highlight.
func (v *ReaderView) secondaryTap(off int, pos fyne.Position) {
	if v.article == nil || v.Reader.StripMode() {
		return
	}
	s, e := v.Reader.Selection()
	onSelection := s < e && off >= s && off <= e
	if !onSelection {
		id, ok := v.Reader.HighlightAt(off)
		if !ok {
			return
		}
		v.Reader.ClearSelection()
		v.SelBar.Hide()
		v.active = id
	}
	widget.ShowPopUpMenuAtPosition(v.contextMenu(), v.g.Window.Canvas(), pos)
}

// contextMenu holds the same actions as the selection toolbar.
func (v *ReaderView) contextMenu() *fyne.Menu {
	var colours []*fyne.MenuItem
	for i, c := range annotate.Colors {
		c := c
		item := fyne.NewMenuItem(colourLabel(c, v.g.meaning(c)), func() { v.Highlight(c) })
		item.Icon = swatchIcon(c)
		item.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1))}
		colours = append(colours, item)
	}
	_, onHighlight := v.target()
	hl := fyne.NewMenuItem("Highlight", func() { v.Highlight("") })
	hl.Icon = themed(highlighterIcon)
	hl.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyH}
	colour := fyne.NewMenuItem("Colour", nil)
	colour.ChildMenu = fyne.NewMenu("", colours...)
	note := fyne.NewMenuItem("Note…", v.EditNote)
	note.Icon = themed(noteIcon)
	note.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyN}
	tag := fyne.NewMenuItem("Tags…", v.EditTags)
	tag.Icon = themed(tagIcon)
	tag.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyT}
	claim := fyne.NewMenuItem("Claim…", v.EditClaim)
	claim.Icon = themed(claimIcon)
	claim.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyC}
	cp := fyne.NewMenuItem("Copy", v.Copy)
	cp.Icon = theme.ContentCopyIcon()
	quote := fyne.NewMenuItem("Copy as quote", v.CopyQuote)
	quote.Icon = themed(quoteIcon)
	items := []*fyne.MenuItem{hl, colour, fyne.NewMenuItemSeparator(), note, tag, claim, fyne.NewMenuItemSeparator(), cp, quote}
	if onHighlight {
		edit := fyne.NewMenuItem("Edit highlight…", func() {
			if h, ok := v.target(); ok {
				v.g.highlightEditor(h)
			}
		})
		del := fyne.NewMenuItem("Delete highlight", v.DeleteHighlight)
		del.Icon = theme.DeleteIcon()
		del.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyDelete}
		items = append([]*fyne.MenuItem{edit, fyne.NewMenuItemSeparator()}, items...)
		items = append(items, fyne.NewMenuItemSeparator(), del)
	}
	return fyne.NewMenu("", items...)
}

func colourLabel(c, meaning string) string {
	label := strings.ToUpper(c[:1]) + c[1:]
	if meaning != "" {
		label += " — " + meaning
	}
	return label
}

// swatchIcon is a round swatch of a highlight colour, for menus.
func swatchIcon(c string) fyne.Resource {
	r, g, b, _ := swatch(c).RGBA()
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="8" fill="#%02x%02x%02x"/></svg>`, r>>8, g>>8, b>>8)
	return fyne.NewStaticResource("swatch-"+c+".svg", []byte(svg))
}

// selectionBar is the small toolbar that appears under a selection.
type selectionBar struct {
	*fyne.Container
	Swatches []*swatchButton
	Hint     *widget.Label // the meaning of the colour under the pointer
	Note     *widget.Button
	Tag      *widget.Button
	Claim    *widget.Button
	Copy     *widget.Button
	Quote    *widget.Button
	bg       *canvas.Rectangle
	shadow   *canvas.Rectangle
	row      *fyne.Container
}

func newSelectionBar(v *ReaderView) *selectionBar {
	sb := &selectionBar{Hint: widget.NewLabel("")}
	sb.Hint.SizeName = theme.SizeNameCaptionText
	sb.Hint.Importance = widget.LowImportance
	sb.Hint.Hide()
	row := container.NewHBox()
	for i, c := range annotate.Colors {
		c := c
		s := newSwatchButton(c, fmt.Sprintf("%d", i+1), func() { v.Highlight(c) })
		s.onHover = func(in bool) {
			// The meaning of the colour under the pointer, at the end of the bar.
			if in {
				sb.Hint.SetText(colourLabel(c, v.g.meaning(c)) + " (" + fmt.Sprint(i+1) + ")")
				sb.Hint.Show()
			} else {
				sb.Hint.Hide()
			}
			v.placeSelBar()
		}
		sb.Swatches = append(sb.Swatches, s)
		row.Add(s)
	}
	btn := func(icon fyne.Resource, fn func()) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, fn)
		b.Importance = widget.LowImportance
		return b
	}
	sb.Note = btn(themed(noteIcon), v.EditNote)
	sb.Tag = btn(themed(tagIcon), v.EditTags)
	sb.Claim = btn(themed(claimIcon), v.EditClaim)
	sb.Copy = btn(theme.ContentCopyIcon(), v.Copy)
	sb.Quote = btn(themed(quoteIcon), v.CopyQuote)
	row.Add(widget.NewSeparator())
	for _, b := range []*widget.Button{sb.Note, sb.Tag, sb.Claim, sb.Copy, sb.Quote} {
		row.Add(b)
	}
	row.Add(sb.Hint)
	sb.bg = canvas.NewRectangle(color.Transparent)
	sb.bg.CornerRadius = 8
	sb.bg.StrokeWidth = 1
	// A soft shadow under the bar lifts it off the page in every appearance.
	sb.shadow = canvas.NewRectangle(color.Transparent)
	sb.shadow.CornerRadius = 10
	sb.Container = container.NewWithoutLayout(sb.shadow, sb.bg, row)
	sb.row = row
	return sb
}

// layout sizes the bar around its row of buttons.
func (sb *selectionBar) layout() fyne.Size {
	pad := theme.Padding()
	m := sb.row.MinSize()
	size := fyne.NewSize(m.Width+2*pad, m.Height+2*pad)
	sb.row.Move(fyne.NewPos(pad, pad))
	sb.row.Resize(m)
	sb.bg.Resize(size)
	sb.shadow.Move(fyne.NewPos(-1, 2))
	sb.shadow.Resize(size.AddWidthHeight(2, 2))
	return size
}

// placeSelBar puts the selection toolbar under the selection's last line, or above its
// first when there is no room below; it hides it when the selection is out of view.
func (v *ReaderView) placeSelBar() {
	s, e := v.Reader.Selection()
	if s == e || v.article == nil || v.Reader.StripMode() {
		v.SelBar.Hide()
		return
	}
	sb := v.SelBar
	sb.bg.FillColor = themeColor(theme.ColorNameOverlayBackground)
	sb.bg.StrokeColor = themeColor(theme.ColorNameInputBorder)
	sb.shadow.FillColor = themeColor(theme.ColorNameShadow)
	size := sb.layout()
	rs := v.Reader.Size()
	lineH := v.Reader.TextSize() * 1.6
	end := v.Reader.PositionOf(e)
	start := v.Reader.PositionOf(s)
	p := fyne.NewPos(end.X-size.Width/2, end.Y+lineH+6)
	if p.Y+size.Height > rs.Height {
		p.Y = start.Y - size.Height - 6
	}
	if p.Y < 0 || p.Y+size.Height > rs.Height {
		sb.Hide()
		return
	}
	p.X = min(max(p.X, 8), rs.Width-size.Width-20)
	sb.Move(p)
	sb.Resize(size)
	sb.Show()
	sb.Refresh()
}

// swatchButton is a round colour swatch that highlights in its colour.
type swatchButton struct {
	widget.BaseWidget
	Colour  string
	key     string
	tapped  func()
	onHover func(bool)
	hovered bool
}

var (
	_ fyne.Tappable      = (*swatchButton)(nil)
	_ desktop.Hoverable  = (*swatchButton)(nil)
	_ desktop.Cursorable = (*swatchButton)(nil)
)

func newSwatchButton(colour, key string, tapped func()) *swatchButton {
	s := &swatchButton{Colour: colour, key: key, tapped: tapped}
	s.ExtendBaseWidget(s)
	return s
}

// Tapped highlights in the swatch's colour.
func (s *swatchButton) Tapped(*fyne.PointEvent) {
	if s.tapped != nil {
		s.tapped()
	}
}

// MouseIn shows the colour's meaning.
func (s *swatchButton) MouseIn(*desktop.MouseEvent) {
	s.hovered = true
	if s.onHover != nil {
		s.onHover(true)
	}
	s.Refresh()
}

// MouseMoved is part of desktop.Hoverable.
func (s *swatchButton) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the colour's meaning.
func (s *swatchButton) MouseOut() {
	s.hovered = false
	if s.onHover != nil {
		s.onHover(false)
	}
	s.Refresh()
}

// Cursor is a pointing hand.
func (s *swatchButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (s *swatchButton) CreateRenderer() fyne.WidgetRenderer {
	c := canvas.NewCircle(swatch(s.Colour))
	ring := canvas.NewCircle(color.Transparent)
	ring.StrokeWidth = 2
	return &swatchRenderer{s: s, dot: c, ring: ring}
}

type swatchRenderer struct {
	s         *swatchButton
	dot, ring *canvas.Circle
}

func (r *swatchRenderer) Destroy()                     {}
func (r *swatchRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.ring, r.dot} }
func (r *swatchRenderer) MinSize() fyne.Size           { return fyne.NewSquareSize(30) }
func (r *swatchRenderer) Layout(size fyne.Size) {
	d := float32(18)
	r.dot.Move(fyne.NewPos((size.Width-d)/2, (size.Height-d)/2))
	r.dot.Resize(fyne.NewSquareSize(d))
	o := float32(24)
	r.ring.Move(fyne.NewPos((size.Width-o)/2, (size.Height-o)/2))
	r.ring.Resize(fyne.NewSquareSize(o))
}
func (r *swatchRenderer) Refresh() {
	r.dot.FillColor = swatch(r.s.Colour)
	if r.s.hovered {
		r.ring.StrokeColor = themeColor(theme.ColorNameForeground)
	} else {
		r.ring.StrokeColor = color.Transparent
	}
	r.dot.Refresh()
	r.ring.Refresh()
}
