package app

import (
	"context"
	"errors"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/annotate"
)

// The editors of a highlight: its note, its tags, its claim, and all of them at once
// (opened by clicking a highlight). Each is a dialog over the window; the App keeps the
// last one opened of each kind so that tests can fill it in and save it.
type editors struct {
	Note      *NoteEditor
	Tags      *TagEditor
	Claim     *ClaimEditor
	Highlight *HighlightEditor
}

// NoteEditor edits the note of a highlight.
type NoteEditor struct {
	ID      string
	Entry   *widget.Entry
	Save    *widget.Button
	Failure *widget.Label // what went wrong with the last save, shown in the dialog
	Dialog  dialog.Dialog
}

// noteEditor opens the note editor of h.
func (g *App) noteEditor(h annotate.Highlight) {
	e := &NoteEditor{ID: h.ID, Entry: widget.NewMultiLineEntry()}
	e.Entry.SetText(h.Note)
	e.Entry.SetPlaceHolder("Write a note (Markdown)…")
	e.Entry.Wrapping = fyne.TextWrapWord
	e.Entry.SetMinRowsVisible(6)
	content := container.NewBorder(quoteLabel(h.Exact), nil, nil, nil, e.Entry)
	e.Dialog, e.Save, e.Failure = g.draftDialog("Note", 560, content, func() (func(context.Context) error, error) {
		note := e.Entry.Text
		return func(ctx context.Context) error { return g.saveNote(ctx, h.ID, note) }, nil
	})
	g.editors.Note = e
	e.Dialog.Show()
	g.Window.Canvas().Focus(e.Entry)
}

// editorDialog is a dialog with Cancel and Save buttons, and any others before them.
func editorDialog(title string, content fyne.CanvasObject, w fyne.Window, save func(), more ...fyne.CanvasObject) (*dialog.CustomDialog, *widget.Button) {
	d := dialog.NewCustomWithoutButtons(title, content, w)
	ok := widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), func() {
		d.Hide()
		save()
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.Hide() })
	d.SetButtons(append(more, cancel, ok))
	return d, ok
}

// draftDialog is editorDialog for an editor of the person's own words. Save calls prepare
// on the UI goroutine, which reads the editor and returns the change to store (or says why
// the editor's values are not acceptable), and keeps the dialog open until the change is
// stored; if that fails (the disk is full, say), the dialog stays, with everything typed
// in it, says what went wrong in status, and Save tries again. Cancel after a failed save
// asks before dropping the unsaved words.
func (g *App) draftDialog(title string, width float32, content fyne.CanvasObject, prepare func() (func(ctx context.Context) error, error), more ...fyne.CanvasObject) (*dialog.CustomDialog, *widget.Button, *widget.Label) {
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	status.Importance = widget.DangerImportance
	status.Hide()
	d := dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, status, nil, nil, content), g.Window)
	var ok *widget.Button
	ok = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), func() {
		fail := func(msg string) {
			status.SetText(msg)
			status.Show()
			// The dialog grows to show it: a wrapped label knows how tall it is only
			// once it has been given its width, by the first resize.
			d.Resize(fyne.NewSize(width, 0))
			d.Resize(fyne.NewSize(width, 0))
		}
		save, err := prepare()
		if err != nil {
			fail(sentence(err))
			return
		}
		ok.Disable()
		g.background(func(ctx context.Context) {
			err := save(ctx)
			g.do(func() {
				ok.Enable()
				if err != nil && !errors.Is(err, context.Canceled) {
					g.logger.Printf("save %s: %v", strings.ToLower(title), err)
					fail("Not saved. " + sentence(err) + " What you wrote is kept here until it is saved.")
					return
				}
				status.Hide()
				d.Hide()
				g.Reader.reloadHighlights()
			})
		})
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if !status.Visible() {
			d.Hide()
			return
		}
		dialog.ShowConfirm("Discard changes?", "What you wrote in this "+strings.ToLower(title)+" has not been saved. Discard it?",
			func(discard bool) {
				if discard {
					d.Hide()
				}
			}, g.Window)
	})
	d.SetButtons(append(more, cancel, ok))
	d.Resize(fyne.NewSize(width, 0))
	return d, ok, status
}

func (g *App) saveNote(ctx context.Context, id, note string) error {
	return g.svc.Store.SetNote(ctx, annotate.HighlightRef(id), strings.TrimSpace(note))
}

// quoteLabel shows the highlighted text at the top of an editor, clipped to a few lines.
func quoteLabel(text string) fyne.CanvasObject {
	l := widget.NewLabel("“" + clip(strings.Join(strings.Fields(text), " "), 280) + "”")
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle = fyne.TextStyle{Italic: true}
	return l
}

// TagEditor edits the tags of a highlight: a comma-separated list, with the tags in use
// offered as suggestions.
type TagEditor struct {
	ID      string
	Entry   *widget.SelectEntry
	Save    *widget.Button
	Failure *widget.Label // what went wrong with the last save, shown in the dialog
	Dialog  dialog.Dialog
	before  []string
}

// tagEditor opens the tag editor of h.
func (g *App) tagEditor(h annotate.Highlight) {
	e := &TagEditor{ID: h.ID, Entry: widget.NewSelectEntry(nil), before: h.Tags}
	e.Entry.SetText(strings.Join(h.Tags, ", "))
	e.Entry.SetPlaceHolder("tags, separated by commas")
	hint := widget.NewLabel("Separate tags with commas. Pick from the menu to add a tag you have used before.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	hint.SizeName = theme.SizeNameCaptionText
	content := container.NewVBox(quoteLabel(h.Exact), e.Entry, hint)
	e.Dialog, e.Save, e.Failure = g.draftDialog("Tags", 520, content, func() (func(context.Context) error, error) {
		tags := splitTags(e.Entry.Text)
		return func(ctx context.Context) error { return g.saveTags(ctx, h.ID, e.before, tags) }, nil
	})
	g.editors.Tags = e
	e.Dialog.Show()
	g.Window.Canvas().Focus(e.Entry)
	// Suggest the tags in use; picking one adds it to the list.
	g.background(func(ctx context.Context) {
		tags, err := g.svc.Store.Tags(ctx)
		if err != nil {
			return // suggestions are a convenience
		}
		g.do(func() {
			var opts []string
			for _, t := range tags {
				opts = append(opts, t.Tag)
			}
			e.Entry.SetOptions(opts)
			e.Entry.OnChanged = func(s string) {
				// A pick from the menu replaces the text: keep what was typed before it.
				for _, o := range opts {
					if s == o && !strings.Contains(e.Entry.Text, ",") && len(e.before) > 0 {
						e.Entry.SetText(strings.Join(append(append([]string{}, e.before...), o), ", "))
					}
				}
			}
		})
	})
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// saveTags adds the tags that are new and removes the ones taken out.
func (g *App) saveTags(ctx context.Context, id string, before, after []string) error {
	norm := func(ts []string) map[string]bool {
		m := map[string]bool{}
		for _, t := range ts {
			if n, err := annotate.NormalizeTag(t); err == nil {
				m[n] = true
			}
		}
		return m
	}
	b, a := norm(before), norm(after)
	var add, remove []string
	for t := range a {
		if !b[t] {
			add = append(add, t)
		}
	}
	for t := range b {
		if !a[t] {
			remove = append(remove, t)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	ref := annotate.HighlightRef(id)
	if len(add) > 0 {
		if err := g.svc.Store.AddTags(ctx, ref, add...); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		return g.svc.Store.RemoveTags(ctx, ref, remove...)
	}
	return nil
}

// ClaimEditor edits the claim a highlight marks: who claims it, what kind of statement it
// is, what evidence the article gives, the reviewer's status and verdict, and sources.
type ClaimEditor struct {
	ID       string
	Claimant *widget.Entry
	Kind     *widget.Select
	Evidence *widget.Select
	Status   *widget.Select
	Verdict  *widget.Entry
	Links    *widget.Entry
	Remove   *widget.Button
	Save     *widget.Button
	Failure  *widget.Label // what went wrong with the last save, shown in the dialog
	Dialog   dialog.Dialog
}

// Claim returns the claim as the editor's fields say.
func (e *ClaimEditor) Claim() annotate.Claim {
	c := annotate.Claim{
		Claimant: strings.TrimSpace(e.Claimant.Text),
		Verdict:  strings.TrimSpace(e.Verdict.Text),
	}
	for _, k := range annotate.ClaimKinds {
		if claimKindLabel(k) == e.Kind.Selected {
			c.Kind = k
		}
	}
	for _, ev := range annotate.EvidenceLevels {
		if evidenceLabel(ev) == e.Evidence.Selected {
			c.Evidence = ev
		}
	}
	for _, s := range annotate.ClaimStatuses {
		if claimStatusLabel(s) == e.Status.Selected {
			c.Status = s
		}
	}
	for _, l := range strings.Fields(e.Links.Text) {
		c.Links = append(c.Links, l)
	}
	return c
}

// claimEditor opens the claim editor of h.
func (g *App) claimEditor(h annotate.Highlight) {
	c := annotate.Claim{}
	if h.Claim != nil {
		c = *h.Claim
	}
	e := &ClaimEditor{ID: h.ID, Claimant: widget.NewEntry(), Verdict: widget.NewMultiLineEntry(), Links: widget.NewMultiLineEntry()}
	e.Claimant.SetText(c.Claimant)
	e.Claimant.SetPlaceHolder("Who makes the claim")
	var kinds, evidence, statuses []string
	for _, k := range annotate.ClaimKinds {
		kinds = append(kinds, claimKindLabel(k))
	}
	for _, ev := range annotate.EvidenceLevels {
		evidence = append(evidence, evidenceLabel(ev))
	}
	for _, s := range annotate.ClaimStatuses {
		statuses = append(statuses, claimStatusLabel(s))
	}
	e.Kind = widget.NewSelect(kinds, nil)
	e.Evidence = widget.NewSelect(evidence, nil)
	e.Status = widget.NewSelect(statuses, nil)
	e.Kind.SetSelected(claimKindLabel(orDefault(c.Kind, annotate.ClaimKinds[0])))
	e.Evidence.SetSelected(evidenceLabel(orDefault(c.Evidence, annotate.EvidenceLevels[0])))
	e.Status.SetSelected(claimStatusLabel(orDefault(c.Status, annotate.ClaimStatuses[0])))
	e.Verdict.SetText(c.Verdict)
	e.Verdict.SetPlaceHolder("Your verdict and reasoning (Markdown)")
	e.Verdict.Wrapping = fyne.TextWrapWord
	e.Verdict.SetMinRowsVisible(4)
	e.Links.SetText(strings.Join(c.Links, "\n"))
	e.Links.SetPlaceHolder("https://… one source per line")
	e.Links.SetMinRowsVisible(2)
	form := widget.NewForm(
		widget.NewFormItem("Claimant", e.Claimant),
		widget.NewFormItem("Kind", e.Kind),
		widget.NewFormItem("Evidence", e.Evidence),
		widget.NewFormItem("Status", e.Status),
		widget.NewFormItem("Verdict", e.Verdict),
		widget.NewFormItem("Sources", e.Links),
	)
	form.Items[2].HintText = "What support the article itself gives"
	var d *dialog.CustomDialog
	e.Remove = widget.NewButtonWithIcon("Remove claim", theme.DeleteIcon(), func() {
		d.Hide()
		g.Reader.change("remove the claim", func(ctx context.Context) error {
			return g.svc.Store.ClearClaim(ctx, h.ID)
		})
	})
	if h.Claim == nil {
		e.Remove.Disable()
	}
	content := container.NewBorder(quoteLabel(h.Exact), nil, nil, nil, form)
	d, e.Save, e.Failure = g.draftDialog("Claim", 620, content, func() (func(context.Context) error, error) {
		claim := e.Claim()
		if err := claim.Validate(); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := g.svc.Store.SetClaim(ctx, h.ID, claim)
			return err
		}, nil
	}, e.Remove)
	e.Dialog = d
	g.editors.Claim = e
	d.Show()
	g.Window.Canvas().Focus(e.Claimant)
}

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}

func claimKindLabel(k annotate.ClaimKind) string { return capitalise(string(k)) }

func evidenceLabel(e annotate.Evidence) string {
	switch e {
	case annotate.EvidenceNone:
		return "None given"
	case annotate.EvidenceAsserted:
		return "Asserted or attributed"
	case annotate.EvidenceLinked:
		return "Linked source"
	case annotate.EvidenceCited:
		return "Precise citation"
	}
	return capitalise(string(e))
}

func claimStatusLabel(s annotate.ClaimStatus) string { return capitalise(string(s)) }

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// claimSummary is a claim in one line: status, kind, claimant.
func claimSummary(c *annotate.Claim) string {
	parts := []string{claimStatusLabel(orDefault(c.Status, annotate.ClaimUnchecked)), string(orDefault(c.Kind, annotate.KindFact))}
	if c.Claimant != "" {
		parts = append(parts, "by "+c.Claimant)
	}
	return strings.Join(parts, " · ")
}

// HighlightEditor shows everything about a highlight and edits its colour, note and tags;
// the claim has its own editor, a button away.
type HighlightEditor struct {
	ID       string
	Swatches []*swatchButton
	Note     *widget.Entry
	Tags     *widget.Entry
	Claim    *widget.Button
	Delete   *widget.Button
	Save     *widget.Button
	Failure  *widget.Label // what went wrong with the last save, shown in the dialog
	Dialog   dialog.Dialog
	colour   string
}

// highlightEditor opens the editor of h.
func (g *App) highlightEditor(h annotate.Highlight) {
	e := &HighlightEditor{ID: h.ID, Note: widget.NewMultiLineEntry(), Tags: widget.NewEntry(), colour: h.Color}
	colours := container.NewHBox()
	meaning := widget.NewLabel("")
	meaning.Importance = widget.LowImportance
	showMeaning := func() { meaning.SetText(colourLabel(e.colour, g.meaning(e.colour))) }
	for _, c := range annotate.Colors {
		c := c
		s := newSwatchButton(c, "", nil)
		s.tapped = func() {
			e.colour = c
			for _, o := range e.Swatches {
				o.hovered = o.Colour == c
				o.Refresh()
			}
			showMeaning()
		}
		s.hovered = c == h.Color
		e.Swatches = append(e.Swatches, s)
		colours.Add(s)
	}
	showMeaning()
	e.Note.SetText(h.Note)
	e.Note.SetPlaceHolder("Note (Markdown)")
	e.Note.Wrapping = fyne.TextWrapWord
	e.Note.SetMinRowsVisible(4)
	e.Tags.SetText(strings.Join(h.Tags, ", "))
	e.Tags.SetPlaceHolder("tags, separated by commas")
	claimText := "Mark as a claim…"
	if h.Claim != nil {
		claimText = "Claim: " + claimSummary(h.Claim) + "…"
	}
	var d *dialog.CustomDialog
	e.Claim = widget.NewButtonWithIcon(claimText, themed(claimIcon), func() {
		d.Hide()
		g.claimEditor(h)
	})
	e.Claim.Alignment = widget.ButtonAlignLeading
	e.Delete = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() {
		d.Hide()
		g.Reader.deleteHighlight(h.ID)
	})
	e.Delete.Importance = widget.DangerImportance
	status := ""
	switch h.Status {
	case annotate.StatusMoved:
		status = "This passage moved in a later capture; the highlight followed it."
	case annotate.StatusFuzzy:
		status = "This passage was reworded in a later capture; the highlight covers the new wording."
	case annotate.StatusOrphan:
		status = "This passage is not in the current capture. Select text in the article and re-attach it from the annotations pane."
	}
	top := container.NewVBox(quoteLabel(h.Exact))
	if status != "" {
		l := widget.NewLabel(status)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		top.Add(l)
	}
	form := widget.NewForm(
		widget.NewFormItem("Colour", container.NewHBox(colours, meaning)),
		widget.NewFormItem("Note", e.Note),
		widget.NewFormItem("Tags", e.Tags),
		widget.NewFormItem("Claim", e.Claim),
	)
	d, e.Save, e.Failure = g.draftDialog("Highlight", 600, container.NewBorder(top, nil, nil, nil, form),
		func() (func(context.Context) error, error) {
			colour, note, tags := e.colour, e.Note.Text, e.Tags.Text
			return func(ctx context.Context) error { return g.saveHighlight(ctx, h, colour, note, tags) }, nil
		}, e.Delete)
	e.Dialog = d
	g.editors.Highlight = e
	d.Show()
}

// save stores what changed from h; it runs off the UI goroutine, on the editor's values
// read before.
func (g *App) saveHighlight(ctx context.Context, h annotate.Highlight, colour, note, tags string) error {
	if colour != h.Color {
		if err := g.svc.Store.SetColor(ctx, h.ID, colour); err != nil {
			return err
		}
	}
	if note = strings.TrimSpace(note); note != h.Note {
		if err := g.saveNote(ctx, h.ID, note); err != nil {
			return err
		}
	}
	return g.saveTags(ctx, h.ID, h.Tags, splitTags(tags))
}

// meaning returns what the user means by a colour.
func (g *App) meaning(colour string) string {
	for _, p := range g.palette {
		if p.Color == colour {
			return p.Meaning
		}
	}
	return ""
}

// loadPalette reads the colour meanings in the background.
func (g *App) loadPalette() { g.background(g.loadPaletteNow) }

// loadPaletteNow reads the colour meanings and shows them; it runs off the UI goroutine.
func (g *App) loadPaletteNow(ctx context.Context) {
	p, err := g.svc.Store.Palette(ctx)
	g.do(func() {
		if err != nil {
			g.fail("read the colour palette", err)
			return
		}
		g.palette = p
		g.Annotations.refresh()
	})
}

// showError shows one sentence about something that went wrong.
func showError(w fyne.Window, msg string) {
	dialog.ShowInformation("Gloss", msg, w)
}
