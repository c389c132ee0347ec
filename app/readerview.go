package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
	"gloss/app/reader"
	"gloss/archive"
	"gloss/archive/doc"
	"gloss/archive/images"
)

// progressDelay is how long the reading position waits after the last scroll before it is
// stored.
const progressDelay = 1500 * time.Millisecond

// openArticle is the article in the reader, as the services returned it.
type openArticle struct {
	id         int64
	art        archive.Article
	doc        *doc.Document        // the canonical document of the current capture: what the reader shows
	highlights []annotate.Highlight // live, in document order, orphans included
	meta       annotate.ArticleMeta
	images     map[string]fyne.Resource       // stored images by src, for the reader
	stored     map[string]archive.StoredImage // the same, as bytes, for exports
}

// highlight returns the highlight with id.
func (a *openArticle) highlight(id string) (annotate.Highlight, bool) {
	for _, h := range a.highlights {
		if h.ID == id {
			return h, true
		}
	}
	return annotate.Highlight{}, false
}

// ReaderView is the article pane: a toolbar, the find and strip bars, and the reader.
type ReaderView struct {
	g       *App
	content fyne.CanvasObject

	Reader      *reader.Reader
	Favourite   *widget.Button
	Archive     *widget.Button
	Smaller     *widget.Button
	Larger      *widget.Button
	Font        *widget.Select
	Appearance  *widget.Select
	StripToggle *widget.Button
	ExportMenu  *widget.Button
	Placeholder *widget.Label

	FindBar   *fyne.Container
	FindEntry *findEntry
	FindCount *widget.Label

	StripBar     *fyne.Container
	StripInfo    *widget.Label
	StripBusy    *widget.ProgressBarInfinite // shown while the article is cleaned again
	StripUndo    *widget.Button
	AlwaysRemove *widget.Button
	ShowRemoved  *widget.Button

	// The dialogs last opened, which tests fill in.
	RemovedPanel *RemovedPanel
	SiteOffer    *SiteOffer

	// Floating over the reader: the selection toolbar and the note shown on hover.
	floating  *fyne.Container
	SelBar    *selectionBar
	hoverCard *fyne.Container
	hoverText *widget.Label

	article   *openArticle
	gen       int
	hoverID   string
	active    string // the highlight last clicked, in the reader or the annotations pane
	findQuery string
	finds     []int
	findCur   int
	lastStrip string // the text of the block last removed in strip mode; "" for none
	busy      int    // re-cleans started here that have not ended

	progressTimer *time.Timer

	// opened is called when an article has been shown (tests wait on it).
	opened func(id int64)
	// changed is called after highlights were read again (tests wait on it).
	changed func()
	// ruleAdded is called after "always remove" stored a rule (tests wait on it).
	ruleAdded func(id int64)
	// recleaned is called when a re-clean of the open article has been shown, or failed
	// (tests wait on it).
	recleaned func(err error)
}

func newReaderView(g *App) *ReaderView {
	v := &ReaderView{g: g, findCur: -1}
	v.Reader = reader.New(reader.Options{TextSize: g.prefs.TextSize, Fonts: fontsFor(g.prefs.Font), Image: v.image})
	v.Reader.OnSelect = v.selected
	v.Reader.OnHighlightTapped = v.highlightTapped
	v.Reader.OnHighlightHover = v.highlightHover
	v.Reader.OnSecondaryTap = v.secondaryTap
	v.Reader.OnBlockTapped = v.StripBlock
	v.Reader.OnKey = v.typedKey
	v.Reader.OnRune = v.typedRune
	v.Reader.OnLink = g.openURL
	v.Reader.OnScroll = v.scrolled

	v.Favourite = widget.NewButtonWithIcon("", themed(starOutlineIcon), v.toggleFavourite)
	v.Favourite.Importance = widget.LowImportance
	v.Archive = widget.NewButtonWithIcon("", theme.DownloadIcon(), v.toggleArchived)
	v.Archive.Importance = widget.LowImportance
	v.Smaller = widget.NewButton("A−", func() { v.changeSize(-1) })
	v.Smaller.Importance = widget.LowImportance
	v.Larger = widget.NewButton("A+", func() { v.changeSize(+1) })
	v.Larger.Importance = widget.LowImportance
	v.Font = widget.NewSelect([]string{"Serif", "Sans"}, func(s string) {
		f := FontSerif
		if s == "Sans" {
			f = FontSans
		}
		if f != g.prefs.Font {
			g.prefs.Font = f
			v.Reader.SetFonts(fontsFor(f))
			g.savePrefs()
		}
	})
	if g.prefs.Font == FontSans {
		v.Font.SetSelected("Sans")
	} else {
		v.Font.SetSelected("Serif")
	}
	var names []string
	for _, a := range Appearances {
		names = append(names, appearanceLabel(a))
	}
	v.Appearance = widget.NewSelect(names, func(s string) {
		for _, a := range Appearances {
			if appearanceLabel(a) == s && a != g.prefs.Appearance {
				g.prefs.Appearance = a
				g.applyTheme(a)
				g.savePrefs()
			}
		}
	})
	v.Appearance.SetSelected(appearanceLabel(g.prefs.Appearance))
	v.StripToggle = widget.NewButtonWithIcon("Strip", themed(stripIcon), func() { v.SetStripMode(!v.Reader.StripMode()) })
	v.StripToggle.Importance = widget.LowImportance
	v.ExportMenu = widget.NewButtonWithIcon("Export", theme.DocumentSaveIcon(), nil)
	v.ExportMenu.Importance = widget.LowImportance
	v.ExportMenu.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(v.ExportMenu)
		widget.ShowPopUpMenuAtPosition(g.exportMenu(), g.Window.Canvas(), pos.AddXY(0, v.ExportMenu.Size().Height))
	}
	find := widget.NewButtonWithIcon("", theme.SearchIcon(), v.showFind)
	find.Importance = widget.LowImportance
	toolbar := container.NewHBox(v.Favourite, v.Archive, widget.NewSeparator(), v.Smaller, v.Larger, v.Font, v.Appearance,
		widget.NewSeparator(), v.StripToggle, find, v.ExportMenu)

	v.FindEntry = newFindEntry()
	v.FindEntry.SetPlaceHolder("Find in article")
	v.FindEntry.OnChanged = v.findChanged
	v.FindEntry.OnSubmitted = func(string) { v.findStep(+1) }
	v.FindEntry.onEscape = v.hideFind
	v.FindCount = widget.NewLabel("")
	prev := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { v.findStep(-1) })
	next := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { v.findStep(+1) })
	closeFind := widget.NewButtonWithIcon("", theme.CancelIcon(), v.hideFind)
	for _, b := range []*widget.Button{prev, next, closeFind} {
		b.Importance = widget.LowImportance
	}
	v.FindBar = container.NewBorder(nil, nil, nil, container.NewHBox(v.FindCount, prev, next, closeFind), v.FindEntry)
	v.FindBar.Hide()

	v.StripInfo = widget.NewLabel(stripHint)
	v.StripInfo.Wrapping = fyne.TextWrapWord
	v.StripBusy = widget.NewProgressBarInfinite()
	v.StripBusy.Hide()
	v.StripUndo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), g.Undo)
	v.StripUndo.Disable()
	v.AlwaysRemove = widget.NewButton(alwaysRemoveLabel, v.alwaysRemove)
	v.AlwaysRemove.Disable()
	v.ShowRemoved = widget.NewButtonWithIcon("What was removed", theme.ListIcon(), v.showRemoved)
	done := widget.NewButton("Done", func() { v.SetStripMode(false) })
	done.Importance = widget.HighImportance
	v.StripBar = container.NewVBox(v.StripInfo, v.StripBusy,
		container.NewHBox(v.ShowRemoved, layout.NewSpacer(), v.StripUndo, v.AlwaysRemove, done))
	v.StripBar.Hide()

	v.SelBar = newSelectionBar(v)
	v.SelBar.Hide()
	v.hoverText = widget.NewLabel("")
	v.hoverText.Wrapping = fyne.TextWrapWord
	hoverBg := canvas.NewRectangle(color.Transparent)
	hoverBg.CornerRadius = 6
	hoverBg.StrokeWidth = 1
	v.hoverCard = container.NewStack(hoverBg, v.hoverText)
	v.hoverCard.Hide()
	v.floating = container.NewWithoutLayout(v.SelBar.Container, v.hoverCard)

	v.Placeholder = widget.NewLabel("Choose an article from the library, or press Ctrl+L to add one.")
	v.Placeholder.Alignment = fyne.TextAlignCenter
	v.Placeholder.Importance = widget.LowImportance
	v.Placeholder.Wrapping = fyne.TextWrapWord

	bars := container.NewVBox(toolbar, v.FindBar, v.StripBar, widget.NewSeparator())
	v.content = container.NewBorder(bars, nil, nil, nil,
		container.NewStack(v.Reader, container.NewCenter(v.Placeholder), v.floating))
	v.setEnabled(false)
	return v
}

// deliver runs f on the UI goroutine: every result of the view's background work comes
// back through here.
func (v *ReaderView) deliver(f func()) { v.g.do(f) }

func appearanceLabel(a Appearance) string {
	switch a {
	case AppearanceLight:
		return "Light"
	case AppearanceDark:
		return "Dark"
	case AppearanceSepia:
		return "Sepia"
	}
	return "System"
}

func fontsFor(f ReadingFont) *reader.Fonts {
	if f == FontSerif {
		return serifFonts()
	}
	return nil
}

// setEnabled enables the controls that act on an open article.
func (v *ReaderView) setEnabled(on bool) {
	for _, w := range []fyne.Disableable{v.Favourite, v.Archive, v.StripToggle, v.ExportMenu} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	if on {
		v.Placeholder.Hide()
		v.Reader.Show()
	} else {
		v.Placeholder.Show()
		v.Reader.Hide()
	}
}

// Article returns the id of the article shown, 0 when none.
func (v *ReaderView) Article() int64 {
	if v.article == nil {
		return 0
	}
	return v.article.id
}

// Open shows an article: its text, highlights and where the reader stopped last time.
func (v *ReaderView) Open(id int64) {
	v.saveProgress()
	v.gen++
	gen := v.gen
	v.g.background(func(ctx context.Context) {
		oa, err := loadArticle(ctx, v.g, id)
		v.deliver(func() {
			if gen != v.gen {
				return
			}
			if err != nil {
				v.g.fail(fmt.Sprintf("open article %d", id), err)
				return
			}
			v.show(oa)
		})
	})
}

// loadArticle reads everything the reader shows of an article. It runs off the UI
// goroutine.
func loadArticle(ctx context.Context, g *App, id int64) (*openArticle, error) {
	art, err := g.svc.Library.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	oa := &openArticle{id: id, art: art, doc: doc.Parse(art.Current.CleanedHTML),
		images: map[string]fyne.Resource{}, stored: map[string]archive.StoredImage{}}
	if oa.doc.Text != art.Current.Text {
		// The canonical text is derived from the cleaned HTML by the same rules that made
		// it; a difference means the rules changed since the capture was made, and the
		// stored text is the one highlights are anchored to.
		g.logger.Printf("article %d: canonical text differs from the stored text (doc version %d)", id, doc.Version)
	}
	if oa.highlights, err = g.svc.Store.ForArticle(ctx, id); err != nil {
		return nil, err
	}
	if oa.meta, err = g.svc.Store.ArticleMeta(ctx, id); err != nil {
		return nil, err
	}
	for _, b := range oa.doc.Blocks {
		if b.Kind != doc.Image {
			continue
		}
		hash, ok := images.ParseLocalRef(b.Src)
		if !ok {
			continue
		}
		im, err := g.svc.Library.Image(ctx, hash)
		if errors.Is(err, archive.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		oa.images[b.Src] = fyne.NewStaticResource(hash+extFor(im.MIME), im.Data)
		oa.stored[b.Src] = im
	}
	return oa, nil
}

func extFor(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/svg+xml":
		return ".svg"
	}
	return ".jpg"
}

// image gives the reader the stored copy of an image.
func (v *ReaderView) image(src string) (fyne.Resource, bool) {
	if v.article == nil {
		return nil, false
	}
	r, ok := v.article.images[src]
	return r, ok
}

// show puts a loaded article on screen.
func (v *ReaderView) show(oa *openArticle) {
	v.article = oa
	v.hoverID, v.active = "", ""
	v.SelBar.Hide()
	v.hoverCard.Hide()
	c := oa.art.Current
	v.setEnabled(true)
	v.Reader.SetDocument(oa.doc, v.meta())
	v.refreshHighlights()
	if off := oa.meta.Progress.Offset; off > 0 && off <= len(oa.doc.Text) {
		v.Reader.ScrollToOffset(off)
	}
	v.showMeta()
	v.g.Window.SetTitle(titleOr(c.Title) + " — Gloss")
	v.g.Library.markOpen(oa.id)
	v.g.Annotations.refresh()
	if v.findQuery != "" {
		v.findChanged(v.FindEntry.Text)
	}
	v.SetStripMode(false)
	v.resetStrip()
	if v.opened != nil {
		v.opened(oa.id)
	}
}

// meta is the title block of the open article.
func (v *ReaderView) meta() reader.Meta {
	c := v.article.art.Current
	m := reader.Meta{Title: c.Title, Byline: c.Byline, Site: c.SiteName, URL: c.FinalURL, Saved: c.FetchedAt}
	if m.URL == "" {
		m.URL = c.RequestedURL
	}
	if c.Published != nil {
		m.Published = *c.Published
	}
	return m
}

// showMeta shows the favourite and archived state of the open article.
func (v *ReaderView) showMeta() {
	if v.article == nil {
		return
	}
	if v.article.meta.Favourite {
		v.Favourite.SetIcon(theme.NewPrimaryThemedResource(starIcon))
	} else {
		v.Favourite.SetIcon(themed(starOutlineIcon))
	}
	if v.article.meta.Archived {
		v.Archive.SetIcon(theme.UploadIcon())
	} else {
		v.Archive.SetIcon(theme.DownloadIcon())
	}
}

// refreshHighlights paints the open article's highlights in the reader, in the colours of
// the current appearance.
func (v *ReaderView) refreshHighlights() {
	if v.article == nil {
		return
	}
	var hs []reader.Highlight
	for _, h := range v.article.highlights {
		if h.Status == annotate.StatusOrphan {
			continue
		}
		hs = append(hs, reader.Highlight{ID: h.ID, Start: h.Start, End: h.End,
			Color: highlightFill(v.g.prefs.Appearance, v.g.isDark(), h.Color)})
	}
	v.Reader.SetHighlights(hs)
}

// reloadHighlights reads the open article's highlights and annotations again after a
// change, and refreshes everything that shows them. It runs on the UI goroutine; work in
// the background asks for it with v.deliver(v.reloadHighlights).
func (v *ReaderView) reloadHighlights() {
	a := v.article
	if a == nil {
		return
	}
	v.g.background(func(ctx context.Context) {
		hs, err := v.g.svc.Store.ForArticle(ctx, a.id)
		var meta annotate.ArticleMeta
		if err == nil {
			meta, err = v.g.svc.Store.ArticleMeta(ctx, a.id)
		}
		v.deliver(func() {
			if err != nil {
				v.g.fail("read highlights", err)
				return
			}
			if v.article != a {
				// Another article, or a new capture of this one, was shown meanwhile. The
				// new capture's highlights may have been read before this change: read
				// them again.
				if v.article != nil && v.article.id == a.id {
					v.reloadHighlights()
				}
				return
			}
			a.highlights, a.meta = hs, meta
			v.refreshHighlights()
			v.showMeta()
			v.g.Annotations.refresh()
			v.g.Library.reload()
			if v.changed != nil {
				v.changed()
			}
		})
	})
}

// change runs a change to the open article's annotations in the background and then shows
// the result.
func (v *ReaderView) change(what string, fn func(ctx context.Context) error) {
	v.g.background(func(ctx context.Context) {
		if err := fn(ctx); err != nil {
			v.g.failAsync(what, err)
		}
		v.deliver(v.reloadHighlights)
	})
}

// changeSize makes the reading text larger (+1) or smaller (-1).
func (v *ReaderView) changeSize(dir int) {
	s := v.g.prefs.TextSize + float32(dir)
	s = min(max(s, minTextSize), maxTextSize)
	if s == v.g.prefs.TextSize {
		return
	}
	v.g.prefs.TextSize = s
	v.Reader.SetTextSize(s)
	v.g.savePrefs()
}

func (v *ReaderView) toggleFavourite() {
	if v.article == nil {
		return
	}
	id, on := v.article.id, !v.article.meta.Favourite
	v.change("mark favourite", func(ctx context.Context) error { return v.g.svc.Store.SetFavourite(ctx, id, on) })
}

func (v *ReaderView) toggleArchived() {
	if v.article == nil {
		return
	}
	id, on := v.article.id, !v.article.meta.Archived
	v.change("archive", func(ctx context.Context) error { return v.g.svc.Store.SetArchived(ctx, id, on) })
}

// scrolled remembers the reading position a moment after scrolling stops.
func (v *ReaderView) scrolled(progress float32) {
	if v.article == nil {
		return
	}
	if v.progressTimer != nil {
		v.progressTimer.Stop()
	}
	v.hoverCard.Hide()
	v.placeSelBar()
	id := v.article.id
	start, _ := v.Reader.VisibleRange()
	p := annotate.Progress{Fraction: float64(min(max(progress, 0), 1)), Offset: start}
	v.article.meta.Progress = p
	v.progressTimer = time.AfterFunc(progressDelay, func() {
		v.g.background(func(ctx context.Context) {
			if err := v.g.svc.Store.SetProgress(ctx, id, p); err != nil && !errors.Is(err, archive.ErrNotFound) {
				v.g.failAsync("remember the reading position", err)
			}
		})
	})
}

// saveProgress stores the reading position now, when leaving the article.
func (v *ReaderView) saveProgress() {
	if v.progressTimer == nil || v.article == nil {
		return
	}
	if !v.progressTimer.Stop() {
		return // already stored, or being stored
	}
	id, p := v.article.id, v.article.meta.Progress
	v.g.background(func(ctx context.Context) {
		if err := v.g.svc.Store.SetProgress(ctx, id, p); err != nil && !errors.Is(err, archive.ErrNotFound) {
			v.g.failAsync("remember the reading position", err)
		}
	})
}

// ScrollToHighlight brings a highlight into view and makes it the active one.
func (v *ReaderView) ScrollToHighlight(id string) {
	if v.article == nil {
		return
	}
	h, ok := v.article.highlight(id)
	if !ok || h.Status == annotate.StatusOrphan {
		return
	}
	v.active = id
	// Scroll to the start of the paragraph, so that the highlight is read in context,
	// unless the paragraph is long enough to push it out of view.
	at := h.Start
	d := v.article.doc
	if b := d.BlockAt(h.Start); b < len(d.Blocks) && h.Start-d.Blocks[b].Start < 300 {
		at = d.Blocks[b].Start
	}
	v.Reader.ScrollToOffset(at)
}

// SetStripMode turns strip mode on or off.
func (v *ReaderView) SetStripMode(on bool) {
	if v.article == nil {
		on = false
	}
	v.Reader.SetStripMode(on)
	if on {
		v.SelBar.Hide()
		v.Reader.ClearSelection()
		v.StripToggle.Importance = widget.HighImportance
		v.StripBar.Show()
	} else {
		v.StripToggle.Importance = widget.LowImportance
		v.StripBar.Hide()
	}
	v.StripToggle.Refresh()
}

// showFind opens the find bar.
func (v *ReaderView) showFind() {
	if v.article == nil {
		return
	}
	v.FindBar.Show()
	v.g.Window.Canvas().Focus(v.FindEntry)
	if v.FindEntry.Text != "" {
		v.findChanged(v.FindEntry.Text)
	}
}

func (v *ReaderView) hideFind() {
	v.FindBar.Hide()
	v.findQuery, v.finds, v.findCur = "", nil, -1
	v.Reader.SetFindMatches("", nil, -1)
	v.FindCount.SetText("")
	v.g.Window.Canvas().Focus(v.Reader)
}

func (v *ReaderView) findChanged(q string) {
	v.findQuery = q
	v.finds = v.Reader.Find(q)
	v.findCur = -1
	if len(v.finds) > 0 {
		// Start at the first match in view or below it.
		top, _ := v.Reader.VisibleRange()
		v.findCur = 0
		for i, s := range v.finds {
			if s >= top {
				v.findCur = i
				break
			}
		}
	}
	v.showFinds()
}

func (v *ReaderView) findStep(d int) {
	if len(v.finds) == 0 {
		return
	}
	v.findCur = (v.findCur + d + len(v.finds)) % len(v.finds)
	v.showFinds()
}

func (v *ReaderView) showFinds() {
	v.Reader.SetFindMatches(v.findQuery, v.finds, v.findCur)
	switch {
	case v.findQuery == "":
		v.FindCount.SetText("")
	case len(v.finds) == 0:
		v.FindCount.SetText("No matches")
	default:
		v.FindCount.SetText(fmt.Sprintf("%d of %d", v.findCur+1, len(v.finds)))
	}
}

// findEntry is the find box: Escape closes the find bar.
type findEntry struct {
	widget.Entry
	onEscape func()
}

func newFindEntry() *findEntry {
	e := &findEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles Escape and passes the rest to the entry.
func (e *findEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}
