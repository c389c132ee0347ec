package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive"
	"gloss/archive/clean"
	"gloss/archive/siterules"
)

// What was removed: the open article's current capture records everything cleaning, site
// rules and the user took out of the page (archive.Capture.Removed), and the user's edits
// in force (Restored, Stripped). The panel lists them, each with the action that takes it
// back: a removal by cleaning is restored by its path, a block the user removed is put
// back by its text, and a removal by a site rule goes only with the rule, which the panel
// can delete when it is one of the user's own. Every action cleans the article again, as
// strip mode does (cleanEdit), and Undo takes it back.

// removedKind is why an entry of the panel is there.
type removedKind int

const (
	removedByCleaning removedKind = iota // cleaning removed it; Restore keeps it
	removedByYou                         // removed in strip mode; Put back
	removedBySite                        // a site rule removed it; only removing the rule keeps it
	restoredByYou                        // cleaning removed it and the user restored it
	strippedNotFound                     // the user removed a block this capture does not have
)

// removedEntry is one line of the panel.
type removedEntry struct {
	removal clean.Removal
	kind    removedKind
	// text is, for removedByYou and strippedNotFound, the whole text of the block as the
	// capture's Stripped holds it (Removal.Text is cut short).
	text string
	// rule is, for removedBySite, the user's own rule that removed it; nil for the rules
	// of rule files.
	rule *archive.StoredRule
}

// removedEntries lists what a capture leaves out, in document order, then what the user
// restored and the blocks the user removed that the capture does not have. rules are the
// user's rules; restored holds what each restored path removed, where known.
func removedEntries(c archive.Capture, rules []archive.StoredRule, restored map[string]clean.Removal) []removedEntry {
	var out []removedEntry
	found := map[string]bool{}
	for _, r := range c.Removed {
		e := removedEntry{removal: r, kind: removedByCleaning}
		switch {
		case strings.HasPrefix(r.Path, "user:"):
			e.kind = removedByYou
			e.text, _ = strippedText(r, c.Stripped)
			found[e.text] = true
		case strings.HasPrefix(r.Path, "site:"):
			e.kind = removedBySite
			e.rule = userRuleOf(r, rules)
		}
		out = append(out, e)
	}
	for _, p := range c.Restored {
		r, ok := restored[p]
		if !ok {
			r = clean.Removal{Reason: "kept at your request", Path: p}
		}
		out = append(out, removedEntry{removal: r, kind: restoredByYou})
	}
	for _, s := range c.Stripped {
		if !found[s] {
			out = append(out, removedEntry{kind: strippedNotFound, text: s,
				removal: clean.Removal{Reason: "removed by you, not found in this capture", Rule: "strip mode", Text: oneLine(s)}})
		}
	}
	return out
}

// strippedText finds the whole text of a block the user removed: the Stripped entry the
// removal's path names, or else the one its (cut) text starts.
func strippedText(r clean.Removal, stripped []string) (string, bool) {
	if k, ok := userStripIndex(r.Path); ok && k < len(stripped) && cutMatches(r.Text, stripped[k]) {
		return stripped[k], true
	}
	for _, s := range stripped {
		if cutMatches(r.Text, s) {
			return s, true
		}
	}
	return "", false
}

// cutMatches reports whether a removal's text, white space collapsed and cut to about 300
// characters with "…", is that of a block with the whole text full.
func cutMatches(cut, full string) bool {
	full = oneLine(full)
	if cut == full {
		return true
	}
	p, ok := strings.CutSuffix(cut, "…")
	return ok && p != "" && strings.HasPrefix(full, p)
}

// userRuleOf finds the user's rule that made a site removal. A user rule explains its
// removals as "your rule for HOST: what it does".
func userRuleOf(r clean.Removal, rules []archive.StoredRule) *archive.StoredRule {
	for i, u := range rules {
		src, ok := userRuleSource(u.UserRule)
		if ok && src.String() == r.Rule && strings.HasSuffix(r.Reason, ": "+src.Note) {
			return &rules[i]
		}
	}
	return nil
}

// userRuleSource is how a user rule names itself in the removals it makes.
func userRuleSource(u siterules.UserRule) (siterules.Source, bool) {
	r, err := u.Rule()
	switch {
	case err != nil:
	case len(r.Strip) > 0:
		return r.Strip[0].Source, true
	case len(r.StripClass) > 0:
		return r.StripClass[0].Source, true
	case len(r.StripText) > 0:
		return r.StripText[0].Source, true
	}
	return siterules.Source{}, false
}

// maxRestoredLookup bounds how many earlier captures are read to say what a restored
// removal was.
const maxRestoredLookup = 20

// loadRemoved reads what the panel lists of an article's capture c: the user's rules and,
// for the removals the user restored, what they were, from the latest earlier capture of
// the same page that made them. It runs off the UI goroutine.
func loadRemoved(ctx context.Context, lib *archive.Library, id int64, c archive.Capture) ([]removedEntry, error) {
	rules, err := lib.UserRules(ctx)
	if err != nil {
		return nil, err
	}
	restored := map[string]clean.Removal{}
	if len(c.Restored) > 0 {
		caps, err := lib.Captures(ctx, id)
		if err != nil {
			return nil, err
		}
		read := 0
		for _, e := range caps {
			if e.ID >= c.ID {
				continue // newest first: the current one, and none newer
			}
			if len(restored) == len(c.Restored) || read == maxRestoredLookup {
				break
			}
			read++
			old, err := lib.Capture(ctx, e.ID)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(old.RawHTML, c.RawHTML) {
				continue // another fetch: its paths name other places
			}
			for _, r := range old.Removed {
				if _, ok := restored[r.Path]; !ok && slices.Contains(c.Restored, r.Path) {
					restored[r.Path] = r
				}
			}
		}
	}
	return removedEntries(c, rules, restored), nil
}

// RemovedPanel is the dialog listing what the open article's capture leaves out.
type RemovedPanel struct {
	Summary *widget.Label
	Rows    []*RemovedRow
	Dialog  dialog.Dialog

	list   *fyne.Container
	id     int64 // the article
	open   bool
	gen    int // bumped by each fill, so that a slower earlier read is dropped
	filled int // fills shown (tests wait on it)
}

// RemovedRow is one entry of the panel with the button that takes it back, if any.
type RemovedRow struct {
	Removal clean.Removal
	Action  *widget.Button // nil when it cannot be taken back from here
	Note    *widget.Label  // why it cannot, or what to know first; left out when empty
	kind    removedKind
}

// showRemoved opens the panel of what the open article's capture leaves out.
func (v *ReaderView) showRemoved() {
	a := v.article
	if a == nil {
		return
	}
	p := &RemovedPanel{id: a.id, list: container.NewVBox(), Summary: widget.NewLabel("Reading…")}
	p.Summary.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(p.list)
	scroll.SetMinSize(fyne.NewSize(700, 440))
	d := dialog.NewCustom("What was removed", "Close", container.NewBorder(p.Summary, nil, nil, nil, scroll), v.g.Window)
	d.SetOnClosed(func() { p.open = false })
	p.Dialog, p.open = d, true
	v.RemovedPanel = p
	d.Show()
	v.fillRemoved(p, a)
}

// fillRemoved reads in the background what the panel lists of a's capture and shows it.
func (v *ReaderView) fillRemoved(p *RemovedPanel, a *openArticle) {
	p.gen++
	gen := p.gen
	c := a.art.Current
	v.g.background(func(ctx context.Context) {
		entries, err := loadRemoved(ctx, v.g.svc.Library, a.id, c)
		v.deliver(func() {
			if gen != p.gen || !p.open {
				return
			}
			if err != nil {
				v.g.fail("list what was removed", err)
				return
			}
			v.showRemovedEntries(p, entries)
			p.filled++
		})
	})
}

// showRemovedEntries fills the panel.
func (v *ReaderView) showRemovedEntries(p *RemovedPanel, entries []removedEntry) {
	count := map[removedKind]int{}
	for _, e := range entries {
		count[e.kind]++
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{count[removedByCleaning], "by cleaning"},
		{count[removedBySite], "by site rules"},
		{count[removedByYou] + count[strippedNotFound], "by you"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	summary := "Nothing was left out of this article: it is the whole page as saved."
	if len(parts) > 0 {
		summary = "Left out: " + strings.Join(parts, ", ") + "."
	}
	if n := count[restoredByYou]; n > 0 {
		summary += fmt.Sprintf(" Restored by you: %d.", n)
	}
	if len(entries) > 0 {
		summary += " Taking anything back cleans the article again from the page kept when it was saved; highlights re-anchor."
	}
	p.Summary.SetText(summary)
	p.Rows = p.Rows[:0]
	p.list.RemoveAll()
	for i, e := range entries {
		if i > 0 {
			p.list.Add(widget.NewSeparator())
		}
		r := v.removedRow(p.id, e)
		p.Rows = append(p.Rows, r)
		p.list.Add(r.object(e))
	}
}

// removedRow makes the row of an entry and its action.
func (v *ReaderView) removedRow(id int64, e removedEntry) *RemovedRow {
	r := &RemovedRow{Removal: e.removal, kind: e.kind, Note: widget.NewLabel("")}
	r.Note.Wrapping = fyne.TextWrapWord
	r.Note.SizeName = theme.SizeNameCaptionText
	r.Note.Importance = widget.LowImportance
	rm := e.removal
	q := quoted(rm.Text, 60)
	act := func(label string, icon fyne.Resource, ed cleanEdit) {
		r.Action = widget.NewButtonWithIcon(label, icon, nil)
		r.Action.OnTapped = func() {
			r.Action.Disable()
			v.edit(id, ed)
		}
	}
	keep := func(opt, back archive.RecleanOptions, what, label, done, undone string) cleanEdit {
		return cleanEdit{what: what, busy: capitalise(what) + "…", opt: opt, label: label,
			done: func(*openArticle) string { return done },
			undo: &cleanEdit{what: "undo: " + what, busy: "Undoing…", opt: back, done: func(*openArticle) string { return undone }}}
	}
	switch e.kind {
	case removedByCleaning:
		if rm.Path == "" {
			r.Note.SetText("Saved before Gloss recorded where removals were: save the page again to restore it.")
			break
		}
		opt, back := archive.RecleanOptions{Restore: []string{rm.Path}}, archive.RecleanOptions{Unrestore: []string{rm.Path}}
		act("Restore", theme.ContentUndoIcon(), keep(opt, back, "restore the block", "Restore block",
			"Restored: "+q, "Removed again: "+q))
	case restoredByYou:
		opt, back := archive.RecleanOptions{Unrestore: []string{rm.Path}}, archive.RecleanOptions{Restore: []string{rm.Path}}
		act("Undo restore", theme.ContentRemoveIcon(), keep(opt, back, "remove the block again", "Undo restore",
			"Removed again: "+q, "Restored: "+q))
	case removedByYou, strippedNotFound:
		if e.text == "" {
			r.Note.SetText("Gloss cannot tell which of your removals this is.")
			break
		}
		label, what := "Put back", "put the block back"
		if e.kind == strippedNotFound {
			label, what = "Forget", "forget the removal"
			r.Note.SetText("This capture has no block with exactly this text, so nothing is removed.")
		}
		opt, back := archive.RecleanOptions{Unstrip: []string{e.text}}, archive.RecleanOptions{Strip: []string{e.text}}
		act(label, theme.ContentUndoIcon(), keep(opt, back, what, label, "Put back: "+q, "Removed: "+q))
	case removedBySite:
		r.Note.SetText(fmt.Sprintf("From %s; remove the rule to keep it.", rm.Rule))
		if e.rule != nil {
			rule := *e.rule
			act("Remove rule", theme.DeleteIcon(), v.ruleEdit(rule))
		}
	}
	return r
}

// ruleEdit removes one of the user's rules and cleans the article again without it; Undo
// adds the rule back and cleans it again with it.
func (v *ReaderView) ruleEdit(rule archive.StoredRule) cleanEdit {
	host := rule.Host
	return cleanEdit{
		what: "remove the rule", busy: "Removing your rule for " + host + "…", label: "Remove rule",
		before: func(ctx context.Context) error {
			if err := v.g.svc.Library.RemoveUserRule(ctx, rule.ID); err != nil {
				return err
			}
			v.reloadRules(ctx)
			return nil
		},
		done: func(*openArticle) string {
			return "Your rule for " + host + " is removed; other articles of the site keep their captures until cleaned again."
		},
		undo: &cleanEdit{
			what: "add the rule back", busy: "Adding your rule for " + host + " back…",
			before: func(ctx context.Context) error {
				if _, err := v.g.svc.Library.AddUserRule(ctx, rule.UserRule); err != nil {
					return err
				}
				v.reloadRules(ctx)
				return nil
			},
			done: func(*openArticle) string { return "Your rule for " + host + " is back." },
		},
	}
}

// object lays out a row: what it was and why, its text, and the action on the right.
func (r *RemovedRow) object(e removedEntry) fyne.CanvasObject {
	rm := e.removal
	title := capitalise(rm.Reason)
	if e.kind == restoredByYou {
		title = "Restored: " + rm.Reason
	}
	head := widget.NewLabel(title)
	head.TextStyle = fyne.TextStyle{Bold: true}
	head.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{head}
	if rm.Rule != "" {
		rule := widget.NewLabel(rm.Rule)
		rule.SizeName = theme.SizeNameCaptionText
		rule.Importance = widget.LowImportance
		parts = append(parts, rule)
	}
	if t := oneLine(rm.Text); t != "" {
		text := widget.NewLabel(quoted(t, 240))
		text.Wrapping = fyne.TextWrapWord
		text.TextStyle = fyne.TextStyle{Italic: true}
		parts = append(parts, text)
	}
	if r.Note.Text != "" {
		parts = append(parts, r.Note)
	}
	var right fyne.CanvasObject
	if r.Action != nil {
		right = container.NewVBox(r.Action)
	}
	return container.NewBorder(nil, nil, nil, right, container.NewVBox(parts...))
}
