package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gloss/archive/doc"
	"gloss/archive/siterules"
)

// Strip mode: the reader frames the block under the pointer and a click removes it from
// the article. A removal is kept per capture in the library's settings and can be undone;
// "Always remove blocks like this" makes it a site rule (archive.AddUserRule) that future
// captures of the site are cleaned with.

// blockTapped removes a block clicked in strip mode.
func (v *ReaderView) blockTapped(b int) {
	a := v.article
	if a == nil || b < 0 || b >= len(a.shownIdx) {
		return
	}
	v.RemoveBlock(a.shownIdx[b])
}

// RemoveBlock removes block i of the article's document from view; Undo puts it back.
func (v *ReaderView) RemoveBlock(i int) {
	a := v.article
	if a == nil || i < 0 || i >= len(a.full.Blocks) {
		return
	}
	for _, h := range a.hidden {
		if h == i {
			return
		}
	}
	id := a.id
	v.setHidden(append(append([]int{}, a.hidden...), i))
	v.lastStrip = i
	v.StripUndo.Enable()
	if stripRuleText(a.full, i) != "" && a.host() != "" {
		v.AlwaysRemove.SetText(fmt.Sprintf("Always remove blocks like this on %s", a.host()))
		v.AlwaysRemove.Enable()
	} else {
		v.AlwaysRemove.SetText("Always remove blocks like this…")
		v.AlwaysRemove.Disable()
	}
	v.StripInfo.SetText("Removed: “" + clip(blockText(a.full, i), 80) + "”")
	v.g.undo.push(undoStep{label: "Remove block", undo: func(context.Context) error {
		v.deliver(func() {
			if v.article == nil || v.article.id != id {
				return
			}
			var rest []int
			for _, h := range v.article.hidden {
				if h != i {
					rest = append(rest, h)
				}
			}
			v.setHidden(rest)
			v.lastStrip = -1
			v.AlwaysRemove.Disable()
			v.StripInfo.SetText("Strip mode: click a block to remove it from this article.")
		})
		return nil
	}})
}

// setHidden shows the article without the given blocks, keeping the reading position, and
// stores the choice.
func (v *ReaderView) setHidden(hidden []int) {
	a := v.article
	sort.Ints(hidden)
	a.hidden = hidden
	top, _ := v.Reader.VisibleRange()
	a.rebuild()
	strip := v.Reader.StripMode()
	v.Reader.SetDocument(a.shown, v.meta())
	v.Reader.SetStripMode(strip)
	v.refreshHighlights()
	v.Reader.ScrollToOffset(top)
	key, val := hiddenKey(a.art.Current.ID), formatHidden(hidden)
	v.g.background(func(ctx context.Context) {
		err := v.g.svc.Library.SetSetting(ctx, key, val)
		v.deliver(func() {
			if err != nil {
				v.g.fail("remember the removed blocks", err)
				return
			}
			if v.changed != nil {
				v.changed()
			}
		})
	})
}

// HiddenBlocks returns the indices of the blocks removed from the open article.
func (v *ReaderView) HiddenBlocks() []int {
	if v.article == nil {
		return nil
	}
	return v.article.hidden
}

// alwaysRemove makes a site rule of the block last removed: future captures of the site
// leave out blocks with the same text.
func (v *ReaderView) alwaysRemove() {
	a := v.article
	if a == nil || v.lastStrip < 0 {
		return
	}
	text := stripRuleText(a.full, v.lastStrip)
	host := a.host()
	if text == "" || host == "" {
		return
	}
	rule := siterules.UserRule{Host: host, Kind: siterules.StripText, Value: text}
	v.AlwaysRemove.Disable()
	v.g.background(func(ctx context.Context) {
		id, err := v.g.svc.Library.AddUserRule(ctx, rule)
		if err == nil {
			v.reloadRules(ctx)
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
					if v.changed != nil {
						v.changed()
					}
				})
				return nil
			}})
			v.StripInfo.SetText(fmt.Sprintf("Rule saved: on %s, blocks containing “%s” are left out of future captures.", host, clip(text, 60)))
			if v.ruleAdded != nil {
				v.ruleAdded(id)
			}
		})
	})
}

// host is the site of the open article, for site rules.
func (a *openArticle) host() string {
	c := a.art.Current
	u := c.FinalURL
	if u == "" {
		u = c.RequestedURL
	}
	h := hostOf(u)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i] // site rules are per host, whatever the port
	}
	return strings.TrimPrefix(h, "www.")
}

func blockText(d *doc.Document, i int) string {
	b := d.Blocks[i]
	if b.Start == b.End {
		if b.Kind == doc.Image {
			return "image " + b.Alt
		}
		return b.Kind.String()
	}
	return strings.Join(strings.Fields(d.Text[b.Start:b.End]), " ")
}

// maxRuleText is the longest text a strip rule matches on: a block's opening words are
// enough to recognise boilerplate, and stay the same when a count or a date inside it
// changes.
const maxRuleText = 80

// stripRuleText is the text a rule removing block i matches: the block's first words, up
// to maxRuleText bytes at a word boundary; "" for a block without text.
func stripRuleText(d *doc.Document, i int) string {
	b := d.Blocks[i]
	if b.Start == b.End {
		return ""
	}
	t := strings.Join(strings.Fields(d.Text[b.Start:b.End]), " ")
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
