package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"gloss/archive"
	"gloss/archive/doc"
	"gloss/archive/siterules"
)

// Strip mode: the reader frames the block under the pointer and a click removes it from
// the article for good. The article is cleaned again from the page kept when it was saved,
// without that block (archive.Saver.Reclean), and stored as a new capture, which
// highlights re-anchor on in the same transaction; exports, search and later re-cleans
// leave the block out too. Undo cleans it again with the block. "Always remove blocks like
// this" makes a site rule (archive.AddUserRule) and offers to clean the site's other
// articles again with it; "What was removed" (removed.go) lists everything cleaning, site
// rules and the user took out and puts any of it back the same way.

const (
	stripHint         = "Strip mode: click a block to remove it from this article."
	alwaysRemoveLabel = "Always remove blocks like this…"
)

// cleanEdit is a change to what cleaning keeps of an article, made by cleaning the
// article again.
type cleanEdit struct {
	what   string // what it does, for an error: "remove the block"
	busy   string // shown while it runs: "Removing “…”…"
	before func(ctx context.Context) error
	opt    archive.RecleanOptions
	// label names the change in the undo history; undo takes it back. A nil undo leaves
	// the history alone.
	label string
	undo  *cleanEdit
	// done says how it went, given the new capture, when the article is still open.
	done func(a *openArticle) string
}

// edit makes a change to what cleaning keeps of article id in the background: it runs
// e.before, cleans the article again with e.opt, shows the new capture if the article is
// still open and lets Undo take the change back.
func (v *ReaderView) edit(id int64, e cleanEdit) {
	v.busy++
	v.showBusy()
	if e.busy != "" && v.Article() == id {
		v.StripInfo.SetText(e.busy)
	}
	v.g.background(func(ctx context.Context) {
		var oa *openArticle
		var err error
		if e.before != nil {
			err = e.before(ctx)
		}
		// Once something changed, Undo can take it back, whatever fails after.
		changed := e.before != nil && err == nil
		if err == nil {
			err = v.g.cleanAgain(ctx, id, e.opt)
			changed = changed || err == nil
		}
		if err == nil {
			oa, err = loadArticle(ctx, v.g, id)
		}
		v.deliver(func() {
			v.busy--
			v.showBusy()
			if changed && e.undo != nil {
				rev := *e.undo
				v.g.undo.push(undoStep{label: e.label, undo: func(context.Context) error {
					v.deliver(func() { v.edit(id, rev) })
					return nil
				}})
				v.syncUndo()
			}
			switch {
			case err == nil:
				if v.replace(oa) && e.done != nil {
					v.StripInfo.SetText(e.done(oa))
				}
			case v.Article() != id:
				v.g.fail(e.what, err)
			default:
				if errors.Is(err, archive.ErrNoArticle) {
					// Nothing would be left: the change is refused and nothing was stored.
					v.StripInfo.SetText("That would leave no article text, so nothing was changed.")
				} else {
					v.g.fail(e.what, err)
					v.StripInfo.SetText(stripHint)
				}
				if p := v.RemovedPanel; p != nil && p.open && p.id == id {
					v.fillRemoved(p, v.article) // enables its buttons again
				}
			}
			if v.recleaned != nil {
				v.recleaned(err)
			}
		})
	})
}

// cleanAgain cleans an article again from its kept page. Re-cleans run one at a time:
// each starts from the edits of the capture before it, so two at once could lose one.
func (g *App) cleanAgain(ctx context.Context, id int64, opt archive.RecleanOptions) error {
	g.recleanMu.Lock()
	defer g.recleanMu.Unlock()
	_, err := g.svc.Saver.Reclean(ctx, id, opt)
	return err
}

// replace shows a new capture of the open article in place of the one shown, at the same
// place and in the same mode. It reports whether the article was still open.
func (v *ReaderView) replace(oa *openArticle) bool {
	v.g.Library.reload() // the title, word count and captures may have changed
	old := v.article
	if old == nil || old.id != oa.id {
		return false
	}
	if oa.art.Current.ID < old.art.Current.ID {
		return true // read before a later re-clean that is shown already
	}
	top, _ := v.Reader.VisibleRange()
	at := carryOffset(old.doc, oa.doc, top)
	strip := v.Reader.StripMode()
	v.article = oa
	v.hoverID = ""
	v.SelBar.Hide()
	v.hoverCard.Hide()
	v.Reader.SetDocument(oa.doc, v.meta())
	v.Reader.SetStripMode(strip)
	v.refreshHighlights()
	v.Reader.ScrollToOffset(at)
	v.showMeta()
	v.showRemovedCount()
	v.g.Annotations.refresh()
	if v.findQuery != "" {
		v.findChanged(v.FindEntry.Text)
	}
	if p := v.RemovedPanel; p != nil && p.id == oa.id && p.open {
		v.fillRemoved(p, oa)
	}
	return true
}

// carryOffset finds in a new capture's document the place that offset off held in the
// old one: the same place in the block with the same text (the nearest, if several
// have it), or, when that block is gone, the start of the next one still there.
func carryOffset(old, cur *doc.Document, off int) int {
	for b := old.BlockAt(off); b < len(old.Blocks); b++ {
		ob := old.Blocks[b]
		if ob.Start == ob.End {
			continue
		}
		text := old.Text[ob.Start:ob.End]
		best := -1
		for i, nb := range cur.Blocks {
			if nb.End > nb.Start && cur.Text[nb.Start:nb.End] == text && (best < 0 || abs(i-b) < abs(best-b)) {
				best = i
			}
		}
		if best >= 0 {
			return cur.Blocks[best].Start + max(off-ob.Start, 0)
		}
	}
	return len(cur.Text)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// showBusy shows the progress bar while re-cleans are under way.
func (v *ReaderView) showBusy() {
	if v.busy > 0 {
		v.StripBusy.Show()
		v.StripBusy.Start()
	} else {
		v.StripBusy.Stop()
		v.StripBusy.Hide()
	}
}

// syncUndo enables the strip bar's Undo when there is something to undo.
func (v *ReaderView) syncUndo() {
	if v.g.UndoLabel() != "" {
		v.StripUndo.Enable()
	} else {
		v.StripUndo.Disable()
	}
}

// resetStrip puts the strip bar back as it is for a newly opened article.
func (v *ReaderView) resetStrip() {
	v.lastStrip = ""
	v.AlwaysRemove.SetText(alwaysRemoveLabel)
	v.AlwaysRemove.Disable()
	v.StripInfo.SetText(stripHint)
	v.showRemovedCount()
	v.syncUndo()
}

// showRemovedCount says on the strip bar how much the open article's capture leaves out.
func (v *ReaderView) showRemovedCount() {
	n := 0
	if v.article != nil {
		n = len(v.article.art.Current.Removed)
	}
	v.ShowRemoved.SetText(fmt.Sprintf("What was removed (%d)", n))
}

// StripBlock removes block i of the open article's document for good: the article is
// cleaned again without it, as a new capture, and Undo puts it back. A block is named by
// its text, so blocks without text (images, rules) are skipped with a word of why.
func (v *ReaderView) StripBlock(i int) {
	a := v.article
	if a == nil || i < 0 || i >= len(a.doc.Blocks) {
		return
	}
	b := a.doc.Blocks[i]
	if b.Start == b.End {
		v.StripInfo.SetText("Images and dividers cannot be removed one by one: remove the caption or paragraph beside them, or add a site rule (gloss rules add).")
		return
	}
	text := a.doc.Text[b.Start:b.End]
	q := quoted(text, 80)
	v.edit(a.id, cleanEdit{
		what:  "remove the block",
		busy:  "Removing " + q + "…",
		opt:   archive.RecleanOptions{Strip: []string{text}},
		label: "Remove block",
		undo: &cleanEdit{
			what: "put the block back",
			busy: "Putting " + q + " back…",
			opt:  archive.RecleanOptions{Unstrip: []string{text}},
			done: func(*openArticle) string {
				v.setLastStrip("", "")
				return "Put back: " + q
			},
		},
		done: func(oa *openArticle) string {
			if !stripTook(oa.art.Current, text) {
				v.setLastStrip("", "")
				return "That block could not be removed on its own: on the saved page it is part of a larger block. Undo forgets the attempt."
			}
			v.setLastStrip(text, oa.host())
			return "Removed: " + q
		},
	})
}

// stripTook reports whether a capture left out a block the user removed with this text.
func stripTook(c archive.Capture, text string) bool {
	for _, r := range c.Removed {
		if k, ok := userStripIndex(r.Path); ok && k < len(c.Stripped) && c.Stripped[k] == text {
			return true
		}
	}
	return false
}

// userStripIndex reads the index into Capture.Stripped of a removal made by the user.
func userStripIndex(path string) (int, bool) {
	n, ok := strings.CutPrefix(path, "user:")
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(n)
	return k, err == nil && k >= 0
}

// setLastStrip remembers the block last removed, which "Always remove" makes a rule of.
func (v *ReaderView) setLastStrip(text, host string) {
	v.lastStrip = text
	if stripRuleText(text) != "" && host != "" {
		v.AlwaysRemove.SetText(fmt.Sprintf("Always remove blocks like this on %s", host))
		v.AlwaysRemove.Enable()
	} else {
		v.AlwaysRemove.SetText(alwaysRemoveLabel)
		v.AlwaysRemove.Disable()
	}
}

// alwaysRemove makes a site rule of the block last removed: future captures of the site
// leave out blocks with the same text. Then it offers to clean the site's other articles
// again with the rule.
func (v *ReaderView) alwaysRemove() {
	a := v.article
	if a == nil || v.lastStrip == "" {
		return
	}
	text := stripRuleText(v.lastStrip)
	host := a.host()
	if text == "" || host == "" {
		return
	}
	rule := siterules.UserRule{Host: host, Kind: siterules.StripText, Value: text}
	open := a.id
	v.AlwaysRemove.Disable()
	v.g.background(func(ctx context.Context) {
		id, err := v.g.svc.Library.AddUserRule(ctx, rule)
		var others []int64
		var lerr error
		if err == nil {
			v.reloadRules(ctx)
			others, lerr = siteArticles(ctx, v.g.svc.Library, host, open)
		}
		v.deliver(func() {
			if err != nil {
				v.g.fail("save the rule", err)
				v.AlwaysRemove.Enable()
				return
			}
			v.g.undo.push(undoStep{label: "Add rule", undo: func(ctx context.Context) error {
				if err := v.g.svc.Library.RemoveUserRule(ctx, id); err != nil {
					return err
				}
				v.reloadRules(ctx)
				v.deliver(func() {
					v.StripInfo.SetText(fmt.Sprintf("Rule for %s removed.", host))
					v.AlwaysRemove.Enable()
					v.syncUndo()
					if v.changed != nil {
						v.changed()
					}
				})
				return nil
			}})
			v.syncUndo()
			v.StripInfo.SetText(fmt.Sprintf("Rule saved: on %s, blocks containing “%s” are left out of future captures.", host, clip(text, 60)))
			if v.ruleAdded != nil {
				v.ruleAdded(id)
			}
			if lerr != nil {
				v.g.fail("find the other articles of "+host, lerr)
				return
			}
			if len(others) > 0 {
				v.offerSiteClean(host, others)
			}
		})
	})
}

// SiteOffer is the dialog that offers to clean a site's earlier articles again after a
// new rule.
type SiteOffer struct {
	Host   string
	IDs    []int64 // the articles it would clean again
	Clean  *widget.Button
	Skip   *widget.Button
	Dialog dialog.Dialog
}

// offerSiteClean asks whether to clean articles of host again with the site's rules as
// they are now.
func (v *ReaderView) offerSiteClean(host string, ids []int64) {
	o := &SiteOffer{Host: host, IDs: ids}
	msg := widget.NewLabel(fmt.Sprintf("Clean %s from %s again with this rule? Highlights re-anchor; anything that no longer fits is kept as an orphan.",
		plural(len(ids), "earlier article", "earlier articles"), host))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons("Clean earlier articles again", msg, v.g.Window)
	o.Clean = widget.NewButtonWithIcon("Clean again", theme.ConfirmIcon(), func() {
		d.Hide()
		v.g.Jobs.recleanSite(host, ids)
	})
	o.Clean.Importance = widget.HighImportance
	o.Skip = widget.NewButtonWithIcon("Not now", theme.CancelIcon(), func() { d.Hide() })
	d.SetButtons([]fyne.CanvasObject{o.Skip, o.Clean})
	d.Resize(fyne.NewSize(520, 0))
	o.Dialog = d
	v.SiteOffer = o
	d.Show()
}

// siteArticles returns the articles saved from host (site rules' sense: www. and the port
// do not count), except one.
func siteArticles(ctx context.Context, lib *archive.Library, host string, except int64) ([]int64, error) {
	const page = 1000
	var ids []int64
	for off := 0; ; off += page {
		rows, err := lib.List(ctx, archive.ListOptions{Limit: page, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.ID != except && siteHost(r.URL) == host {
				ids = append(ids, r.ID)
			}
		}
		if len(rows) < page {
			return ids, nil
		}
	}
}

// host is the site of the open article, for site rules.
func (a *openArticle) host() string {
	c := a.art.Current
	u := c.FinalURL
	if u == "" {
		u = c.RequestedURL
	}
	return siteHost(u)
}

// siteHost is the host of an address as site rules name it: without www. and the port.
func siteHost(u string) string {
	h := hostOf(strings.ToLower(u))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	return h
}

// quoted puts a block's text in quotation marks for a message, cut at a word to about n
// characters.
func quoted(s string, n int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > n {
		cut := string(r[:n])
		if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
			cut = cut[:i]
		}
		s = strings.TrimRight(cut, " ,;:.") + "…"
	}
	return "“" + s + "”"
}

// oneLine collapses the white space of a block's text, line breaks included.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// maxRuleText is the longest text a strip rule matches on: a block's opening words are
// enough to recognise boilerplate, and stay the same when a count or a date inside it
// changes.
const maxRuleText = 80

// stripRuleText is the text a rule removing a block with this text matches: its first
// words, up to maxRuleText bytes at a word boundary; "" when too short to be a rule.
func stripRuleText(text string) string {
	t := oneLine(text)
	if len(t) > maxRuleText {
		cut := strings.LastIndexByte(t[:maxRuleText], ' ')
		if cut < maxRuleText/2 {
			cut = maxRuleText
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
		}
		t = t[:cut]
	}
	if utf8.RuneCountInString(t) < 3 {
		return ""
	}
	return t
}

// reloadRules makes later saves use the rules as they are now. A failure only means the
// rule takes effect from the next start, so it is logged, not shown.
func (v *ReaderView) reloadRules(ctx context.Context) {
	if err := v.g.svc.Saver.ReloadRules(ctx); err != nil {
		v.g.logger.Printf("reload site rules: %v", err)
	}
}
