package app

import (
	"context"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
)

// The choices of the annotations pane's filters.
const (
	anyColour     = "All colours"
	anyHLTag      = "All tags"
	anyClaimState = "Any claim"
	withClaim     = "Claims only"
)

// AnnotationsView lists the open article's highlights in reading order with their notes,
// tags and claims, and the orphans: highlights whose passage is not in the current
// capture, which can be re-attached to a selection.
type AnnotationsView struct {
	g       *App
	content fyne.CanvasObject

	Header       *widget.Label
	ColourFilter *widget.Select
	TagFilter    *widget.Select
	ClaimFilter  *widget.Select
	Cards        *fyne.Container // one HighlightCard per highlight shown
	Scroll       *container.Scroll
	Empty        *widget.Label

	OrphansHeader *widget.Label
	Orphans       *fyne.Container // holds the OrphanCards
	OrphanCards   []*OrphanCard

	colour string
	tag    string
	claim  string
}

func newAnnotationsView(g *App) *AnnotationsView {
	v := &AnnotationsView{g: g}
	v.Header = widget.NewLabel("Annotations")
	v.Header.TextStyle = fyne.TextStyle{Bold: true}
	colours := []string{anyColour}
	colours = append(colours, annotate.Colors...)
	v.ColourFilter = widget.NewSelect(colours, func(s string) {
		if s == anyColour {
			s = ""
		}
		v.colour = s
		v.refresh()
	})
	v.ColourFilter.SetSelectedIndex(0)
	v.TagFilter = widget.NewSelect([]string{anyHLTag}, func(s string) {
		if s == anyHLTag {
			s = ""
		}
		v.tag = s
		v.refresh()
	})
	v.TagFilter.SetSelectedIndex(0)
	claims := []string{anyClaimState, withClaim}
	for _, s := range annotate.ClaimStatuses {
		claims = append(claims, claimStatusLabel(s))
	}
	v.ClaimFilter = widget.NewSelect(claims, func(s string) {
		if s == anyClaimState {
			s = ""
		}
		v.claim = s
		v.refresh()
	})
	v.ClaimFilter.SetSelectedIndex(0)

	v.Cards = container.NewVBox()
	v.Orphans = container.NewVBox()
	v.OrphansHeader = widget.NewLabel("")
	v.OrphansHeader.TextStyle = fyne.TextStyle{Bold: true}
	v.OrphansHeader.Wrapping = fyne.TextWrapWord
	v.OrphansHeader.Hide()
	v.Empty = widget.NewLabel("")
	v.Empty.Wrapping = fyne.TextWrapWord
	v.Empty.Importance = widget.LowImportance
	v.Scroll = container.NewVScroll(container.NewVBox(v.Empty, v.Cards, v.OrphansHeader, v.Orphans))
	filters := container.NewVBox(v.ColourFilter, container.NewGridWithColumns(2, v.TagFilter, v.ClaimFilter))
	v.content = container.NewBorder(container.NewVBox(v.Header, filters, widget.NewSeparator()), nil, nil, nil, v.Scroll)
	v.refresh()
	return v
}

// refresh shows the open article's highlights as the filters select.
func (v *AnnotationsView) refresh() {
	if v.Cards == nil {
		return // being built
	}
	a := v.g.Reader.article
	v.Cards.Objects = nil
	v.Orphans.Objects = nil
	v.OrphanCards = nil
	if a == nil {
		v.Header.SetText("Annotations")
		v.Empty.SetText("Highlights of the open article appear here.")
		v.Empty.Show()
		v.OrphansHeader.Hide()
		v.Cards.Refresh()
		v.Orphans.Refresh()
		return
	}
	// The tags used in this article's highlights.
	tagSet := map[string]bool{}
	for _, h := range a.highlights {
		for _, t := range h.Tags {
			tagSet[t] = true
		}
	}
	tags := []string{anyHLTag}
	for t := range tagSet {
		tags = append(tags, t)
	}
	sort.Strings(tags[1:])
	v.TagFilter.SetOptions(tags)
	if v.tag != "" && !tagSet[v.tag] {
		v.tag = ""
		v.TagFilter.SetSelectedIndex(0)
	}

	live, shown := 0, 0
	var orphans []annotate.Highlight
	for _, h := range a.highlights {
		if h.Status == annotate.StatusOrphan {
			orphans = append(orphans, h)
			continue
		}
		live++
		if !v.matches(h) {
			continue
		}
		shown++
		v.Cards.Add(newHighlightCard(v.g, h, h.ID == v.g.Reader.active))
	}
	switch {
	case live+len(orphans) == 0:
		v.Header.SetText("Annotations")
		v.Empty.SetText("No highlights yet. Select text in the article and press H, or pick a colour from the toolbar that appears.")
		v.Empty.Show()
	case shown == 0 && live > 0:
		v.Header.SetText("Annotations · " + plural(live, "highlight", "highlights"))
		v.Empty.SetText("No highlight matches the filters.")
		v.Empty.Show()
	default:
		v.Header.SetText("Annotations · " + plural(live, "highlight", "highlights"))
		v.Empty.Hide()
	}
	if len(orphans) > 0 {
		v.OrphansHeader.SetText("Not found in this capture · " + plural(len(orphans), "highlight", "highlights"))
		v.OrphansHeader.Show()
		for _, h := range orphans {
			c := newOrphanCard(v.g, h)
			v.OrphanCards = append(v.OrphanCards, c)
			v.Orphans.Add(c.Container)
		}
	} else {
		v.OrphansHeader.Hide()
	}
	v.selectionChanged()
	v.Cards.Refresh()
	v.Orphans.Refresh()
}

// matches reports whether h passes the filters.
func (v *AnnotationsView) matches(h annotate.Highlight) bool {
	if v.colour != "" && h.Color != v.colour {
		return false
	}
	if v.tag != "" {
		found := false
		for _, t := range h.Tags {
			found = found || t == v.tag
		}
		if !found {
			return false
		}
	}
	switch v.claim {
	case "":
	case withClaim:
		return h.Claim != nil
	default:
		return h.Claim != nil && claimStatusLabel(h.Claim.Status) == v.claim
	}
	return true
}

// selectionChanged enables re-attaching orphans while there is a selection.
func (v *AnnotationsView) selectionChanged() {
	s, e := v.g.Reader.Reader.Selection()
	for _, c := range v.OrphanCards {
		if s < e {
			c.Reattach.Enable()
		} else {
			c.Reattach.Disable()
		}
	}
}

// reveal scrolls the pane to a highlight's card and marks it.
func (v *AnnotationsView) reveal(id string) {
	for _, o := range v.Cards.Objects {
		c, ok := o.(*HighlightCard)
		if !ok {
			continue
		}
		c.setActive(c.ID == id)
		if c.ID == id {
			v.Scroll.Offset = fyne.NewPos(0, c.Position().Y)
			v.Scroll.Refresh()
		}
	}
}

// HighlightCard is one highlight in the annotations pane: its colour, the passage, its
// note, tags and claim. Clicking it brings the passage into view.
type HighlightCard struct {
	widget.BaseWidget
	ID      string
	Quote   *widget.Label
	Note    *widget.Label
	Tags    *fyne.Container
	Claim   *widget.Label
	Edit    *widget.Button
	g       *App
	colour  string
	active  bool
	hovered bool
	body    *fyne.Container
}

var (
	_ fyne.Tappable     = (*HighlightCard)(nil)
	_ desktop.Hoverable = (*HighlightCard)(nil)
)

func newHighlightCard(g *App, h annotate.Highlight, active bool) *HighlightCard {
	c := &HighlightCard{ID: h.ID, g: g, colour: h.Color, active: active}
	c.Quote = widget.NewLabel(clip(strings.Join(strings.Fields(h.Exact), " "), 320))
	c.Quote.Wrapping = fyne.TextWrapWord
	c.Note = widget.NewLabel(clip(h.Note, 600))
	c.Note.Wrapping = fyne.TextWrapWord
	c.Note.TextStyle = fyne.TextStyle{Italic: true}
	c.Tags = container.NewHBox(tagChips(h.Tags, 5)...)
	c.Claim = widget.NewLabel("")
	c.Claim.Wrapping = fyne.TextWrapWord
	c.Claim.SizeName = theme.SizeNameCaptionText
	if h.Claim != nil {
		c.Claim.SetText("Claim · " + claimSummary(h.Claim))
		c.Claim.Importance = claimImportance(h.Claim.Status)
	}
	c.Edit = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() {
		if a := g.Reader.article; a != nil {
			if hl, ok := a.highlight(h.ID); ok {
				g.highlightEditor(hl)
			}
		}
	})
	c.Edit.Importance = widget.LowImportance
	c.body = container.NewVBox(c.Quote)
	if h.Note != "" {
		c.body.Add(c.Note)
	}
	if h.Claim != nil {
		c.body.Add(c.Claim)
	}
	if len(h.Tags) > 0 {
		c.body.Add(container.NewPadded(c.Tags))
	}
	c.ExtendBaseWidget(c)
	return c
}

func claimImportance(s annotate.ClaimStatus) widget.Importance {
	switch s {
	case annotate.ClaimSupported:
		return widget.SuccessImportance
	case annotate.ClaimFalse, annotate.ClaimMisleading:
		return widget.DangerImportance
	case annotate.ClaimDisputed, annotate.ClaimUnverifiable:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// Tapped brings the highlight into view in the reader.
func (c *HighlightCard) Tapped(*fyne.PointEvent) {
	c.g.Reader.ScrollToHighlight(c.ID)
	c.g.Annotations.reveal(c.ID)
}

// MouseIn marks the card under the pointer.
func (c *HighlightCard) MouseIn(*desktop.MouseEvent) { c.hovered = true; c.Refresh() }

// MouseMoved is part of desktop.Hoverable.
func (c *HighlightCard) MouseMoved(*desktop.MouseEvent) {}

// MouseOut unmarks the card.
func (c *HighlightCard) MouseOut() { c.hovered = false; c.Refresh() }

func (c *HighlightCard) setActive(on bool) {
	if c.active != on {
		c.active = on
		c.Refresh()
	}
}

func (c *HighlightCard) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = 6
	bar := canvas.NewRectangle(swatch(c.colour))
	bar.CornerRadius = 2
	return &cardRenderer{c: c, bg: bg, bar: bar}
}

type cardRenderer struct {
	c   *HighlightCard
	bg  *canvas.Rectangle
	bar *canvas.Rectangle
}

const cardBar = 4

func (r *cardRenderer) Destroy() {}
func (r *cardRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.bar, r.c.body, r.c.Edit}
}
func (r *cardRenderer) MinSize() fyne.Size {
	m := r.c.body.MinSize()
	return fyne.NewSize(m.Width+cardBar+40, m.Height+8)
}
func (r *cardRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bar.Move(fyne.NewPos(2, 6))
	r.bar.Resize(fyne.NewSize(cardBar, size.Height-12))
	es := r.c.Edit.MinSize()
	r.c.Edit.Move(fyne.NewPos(size.Width-es.Width, 2))
	r.c.Edit.Resize(es)
	r.c.body.Move(fyne.NewPos(cardBar+4, 4))
	r.c.body.Resize(fyne.NewSize(size.Width-cardBar-4-es.Width, size.Height-8))
}
func (r *cardRenderer) Refresh() {
	switch {
	case r.c.active:
		r.bg.FillColor = themeColor(theme.ColorNameSelection)
	case r.c.hovered:
		r.bg.FillColor = themeColor(theme.ColorNameHover)
	default:
		r.bg.FillColor = color.Transparent
	}
	r.bar.FillColor = swatch(r.c.colour)
	r.bg.Refresh()
	r.bar.Refresh()
	r.c.body.Refresh()
}

// OrphanCard is a highlight whose passage is not in the current capture: its last known
// text, and buttons to re-attach it to the selection or delete it.
type OrphanCard struct {
	*fyne.Container
	ID       string
	Quote    *widget.Label
	Reattach *widget.Button
	Delete   *widget.Button
}

func newOrphanCard(g *App, h annotate.Highlight) *OrphanCard {
	c := &OrphanCard{ID: h.ID}
	c.Quote = widget.NewLabel("“" + clip(strings.Join(strings.Fields(h.Exact), " "), 320) + "”")
	c.Quote.Wrapping = fyne.TextWrapWord
	c.Quote.Importance = widget.LowImportance
	c.Reattach = widget.NewButtonWithIcon("Re-attach to selection", theme.ContentPasteIcon(), func() { g.Reader.reattach(h.ID) })
	c.Reattach.Disable()
	c.Delete = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { g.Reader.deleteHighlight(h.ID) })
	c.Delete.Importance = widget.LowImportance
	bar := canvas.NewRectangle(swatch(h.Color))
	bar.SetMinSize(fyne.NewSize(cardBar, 0))
	c.Container = container.NewBorder(nil, container.NewHBox(c.Reattach, c.Delete), bar, nil, c.Quote)
	return c
}

// reattach places an orphan on the selected text.
func (v *ReaderView) reattach(id string) {
	s, e := v.Reader.Selection()
	if s == e {
		return
	}
	v.Reader.ClearSelection()
	v.SelBar.Hide()
	v.change("re-attach the highlight", func(ctx context.Context) error {
		_, err := v.g.svc.Store.Reattach(ctx, id, s, e)
		return err
	})
}
