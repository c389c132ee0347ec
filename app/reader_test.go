package app

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"gloss/annotate"
	"gloss/archive"
)

// archiveAll lists everything, in the default order.
var archiveAll = archive.ListOptions{}

const treesURL = "https://fieldnotes.example/2024/street-trees"

// openSample imports the sample article and opens it.
func (h *harness) openSample() int64 {
	h.t.Helper()
	id := h.importPage("street-trees.html", sample(h.t), treesURL)
	h.g.Library.reload()
	h.open(id)
	return id
}

// highlights returns the article's highlights as the store has them.
func (h *harness) highlights(id int64) []annotate.Highlight {
	h.t.Helper()
	hs, err := h.store.ForArticle(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return hs
}

func TestDragSelectsSentence(t *testing.T) {
	h := newHarness(t)
	h.openSample()
	for _, sentence := range []string{
		airSentence,
		"Nobody who walked between the two needed a thermometer to feel the difference.",
		"canopy cover",
	} {
		t.Run(sentence[:12], func(t *testing.T) {
			s, e := h.offsets(sentence)
			h.dragSelect(s, e)
			if gs, ge := h.g.Reader.Reader.Selection(); gs != s || ge != e {
				t.Fatalf("selection = %d..%d %q, want %d..%d", gs, ge, h.text()[gs:ge], s, e)
			}
			if !h.g.Reader.SelBar.Visible() {
				t.Error("no toolbar at the selection")
			}
		})
	}
}

func TestHighlightNoteTagsAndClaim(t *testing.T) {
	h := newHarness(t)
	id := h.openSample()
	s, e := h.offsets(airSentence)
	h.dragSelect(s, e)

	// A green swatch in the selection toolbar highlights the sentence in green.
	test.Tap(h.g.Reader.SelBar.Swatches[1])
	h.waitFor("the highlight", func() bool { return len(h.g.Reader.article.highlights) == 1 })
	hs := h.highlights(id)
	if len(hs) != 1 {
		t.Fatalf("store has %d highlights, want 1", len(hs))
	}
	hl := hs[0]
	if hl.Start != s || hl.End != e || hl.Exact != airSentence || hl.Color != "green" {
		t.Errorf("highlight = %d..%d %q %s, want %d..%d %q green", hl.Start, hl.End, hl.Exact, hl.Color, s, e, airSentence)
	}
	if got := h.g.Reader.Reader.Highlights(); len(got) != 1 || got[0].Start != s || got[0].End != e {
		t.Errorf("reader paints %v", got)
	}
	if n := len(h.g.Annotations.Cards.Objects); n != 1 {
		t.Errorf("annotations pane shows %d cards, want 1", n)
	}

	// N opens the note editor of the highlight the selection is on.
	h.g.Reader.active = hl.ID
	h.g.Reader.Reader.ClearSelection()
	h.g.Reader.typedRune('n')
	h.waitFor("the note editor", func() bool { return h.g.editors.Note != nil })
	h.g.editors.Note.Entry.SetText("Okafor's measurements; ask for the dataset.")
	test.Tap(h.g.editors.Note.Save)
	h.waitFor("the note", func() bool { return h.highlights(id)[0].Note != "" })

	// T: tags, comma-separated, normalised by the store.
	h.g.Reader.typedRune('t')
	h.waitFor("the tag editor", func() bool { return h.g.editors.Tags != nil })
	h.g.editors.Tags.Entry.SetText("Heat, #evidence")
	test.Tap(h.g.editors.Tags.Save)
	h.waitFor("the tags", func() bool { return len(h.highlights(id)[0].Tags) == 2 })

	// C: the claim editor.
	h.g.Reader.typedRune('c')
	h.waitFor("the claim editor", func() bool { return h.g.editors.Claim != nil })
	ce := h.g.editors.Claim
	ce.Claimant.SetText("Dr. Ines Okafor")
	ce.Kind.SetSelected(claimKindLabel(annotate.KindStatistic))
	ce.Evidence.SetSelected(evidenceLabel(annotate.EvidenceCited))
	ce.Status.SetSelected(claimStatusLabel(annotate.ClaimSupported))
	ce.Verdict.SetText("Matches the regional measurements.")
	ce.Links.SetText("https://example.org/heat-study\n")
	test.Tap(ce.Save)
	h.waitFor("the claim", func() bool { return h.highlights(id)[0].Claim != nil })

	got := h.highlights(id)[0]
	if got.Note != "Okafor's measurements; ask for the dataset." {
		t.Errorf("note = %q", got.Note)
	}
	if want := []string{"evidence", "heat"}; !reflect.DeepEqual(got.Tags, want) {
		t.Errorf("tags = %q, want %q", got.Tags, want)
	}
	c := got.Claim
	want := annotate.Claim{Claimant: "Dr. Ines Okafor", Kind: annotate.KindStatistic, Evidence: annotate.EvidenceCited,
		Status: annotate.ClaimSupported, Verdict: "Matches the regional measurements.", Links: []string{"https://example.org/heat-study"}}
	if c.Claimant != want.Claimant || c.Kind != want.Kind || c.Evidence != want.Evidence || c.Status != want.Status ||
		c.Verdict != want.Verdict || !reflect.DeepEqual(c.Links, want.Links) {
		t.Errorf("claim = %+v, want %+v", *c, want)
	}

	// The library knows: the row counts the highlight, the tag and claim filters find it.
	rows, err := h.store.ListArticles(context.Background(), annotate.ListFilter{Tag: "heat", ClaimStatus: annotate.ClaimSupported}, archiveAll)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != id || rows[0].Highlights != 1 {
		t.Errorf("library rows for tag heat, supported claims = %+v", rows)
	}
	h.waitFor("the list to count the highlight", func() bool {
		r, ok := h.g.Library.row(0)
		return ok && r.Highlights == 1
	})
}

func TestKeysAndContextMenuHighlight(t *testing.T) {
	h := newHarness(t)
	id := h.openSample()
	tests := []struct {
		name   string
		act    func()
		colour string
	}{
		{"H uses the default colour", func() { h.g.Reader.typedRune('h') }, annotate.DefaultColor},
		{"4 picks the fourth colour", func() { h.g.Reader.typedRune('4') }, annotate.Colors[3]},
		{"context menu", func() {
			s, _ := h.g.Reader.Reader.Selection()
			h.g.Reader.secondaryTap(s+1, fyne.NewPos(10, 10))
			menu := h.g.Reader.contextMenu()
			for _, it := range menu.Items {
				if it.Label == "Highlight" {
					it.Action()
				}
			}
		}, annotate.DefaultColor},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sentence := []string{airSentence, claimSentence, "canopy cover"}[i]
			s, e := h.offsets(sentence)
			h.dragSelect(s, e)
			before := len(h.highlights(id))
			tt.act()
			h.waitFor("the highlight", func() bool { return len(h.g.Reader.article.highlights) == before+1 })
			var got *annotate.Highlight
			for _, x := range h.highlights(id) {
				if x.Start == s && x.End == e {
					got = &x
				}
			}
			if got == nil || got.Color != tt.colour {
				t.Errorf("highlight of %q = %+v, want colour %s", sentence, got, tt.colour)
			}
		})
	}
}

func TestDeleteHighlightAndUndo(t *testing.T) {
	h := newHarness(t)
	id := h.importPage("street-trees.html", sample(t), treesURL)
	ctx := context.Background()
	hl, err := h.store.Highlight(ctx, id, annotate.NewHighlight{Quote: "canopy cover", Color: "purple", Note: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	h.open(id)
	if n := len(h.g.Reader.Reader.Highlights()); n != 1 {
		t.Fatalf("reader shows %d highlights, want 1", n)
	}
	// The pointer is on the highlight; Delete removes it.
	p := h.g.Reader.Reader.PositionOf(hl.Start + 2)
	h.g.Reader.highlightHover(hl.ID, p)
	h.g.Reader.Reader.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	h.waitFor("the deletion", func() bool { return len(h.g.Reader.article.highlights) == 0 })
	if got := h.highlights(id); len(got) != 0 {
		t.Fatalf("store still has %d highlights", len(got))
	}
	if n := len(h.g.Reader.Reader.Highlights()); n != 0 {
		t.Errorf("reader still paints %d highlights", n)
	}
	if got := h.g.UndoLabel(); got != "Delete highlight" {
		t.Errorf("undo label = %q", got)
	}
	h.g.Undo()
	h.waitFor("the undo", func() bool { return len(h.g.Reader.article.highlights) == 1 })
	got := h.highlights(id)
	if len(got) != 1 || got[0].ID != hl.ID || got[0].Note != "keep" {
		t.Errorf("after undo: %+v", got)
	}
}

func TestReattachOrphan(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first := []byte(`<html><head><title>Bees in winter</title></head><body><article><h1>Bees in winter</h1>
<p>Honey bees cluster in a tight ball to keep the queen warm through the coldest weeks.</p>
<p>They shiver their flight muscles to make heat, and take turns on the cold outside of the ball.</p></article></body></html>`)
	id := h.importPage("bees.html", first, "https://example.org/bees")
	hl, err := h.store.Highlight(ctx, id, annotate.NewHighlight{Quote: "shiver their flight muscles to make heat", Note: "how"})
	if err != nil {
		t.Fatal(err)
	}
	// The site rewrote the article: the passage is gone, so the highlight is an orphan.
	second := []byte(strings.ReplaceAll(string(first), "They shiver their flight muscles to make heat, and take turns",
		"Workers vibrate without moving their wings, and they rotate"))
	h.importPage("bees.html", second, "https://example.org/bees")
	h.open(id)
	if got := len(h.g.Annotations.OrphanCards); got != 1 {
		t.Fatalf("orphans shown = %d, want 1", got)
	}
	card := h.g.Annotations.OrphanCards[0]
	if !card.Reattach.Disabled() {
		t.Error("re-attach enabled without a selection")
	}
	s, e := h.offsets("Workers vibrate without moving their wings")
	h.dragSelect(s, e)
	if card.Reattach.Disabled() {
		t.Fatal("re-attach disabled with a selection")
	}
	// Letting go of the selection (Escape) disables it again; selecting enables it.
	h.g.Reader.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !card.Reattach.Disabled() {
		t.Error("re-attach enabled after Escape cleared the selection")
	}
	h.g.Reader.Reader.SetSelection(s, e)
	h.g.Reader.selected(s, e)
	test.Tap(card.Reattach)
	h.waitFor("the re-attached highlight", func() bool { return len(h.g.Annotations.OrphanCards) == 0 })
	got := h.highlights(id)
	if len(got) != 1 || got[0].ID != hl.ID || got[0].Start != s || got[0].End != e || got[0].Status != annotate.StatusAnchored || got[0].Note != "how" {
		t.Errorf("after re-attaching: %+v", got)
	}
	if n := len(h.g.Reader.Reader.Highlights()); n != 1 {
		t.Errorf("reader paints %d highlights, want 1", n)
	}
}

func TestFindInArticle(t *testing.T) {
	h := newHarness(t)
	h.openSample()
	h.g.Reader.showFind()
	if !h.g.Reader.FindBar.Visible() {
		t.Fatal("Ctrl+F showed no find bar")
	}
	tests := []struct {
		query string
		count string
		n     int
	}{
		{"canopy", "1 of 3", 3},
		{"CALDER street", "1 of 2", 2},
		{"no such words", "No matches", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h.g.Reader.Reader.ScrollToFraction(0) // matches count from the first one in view
			test.Type(h.g.Reader.FindEntry, tt.query)
			defer h.g.Reader.FindEntry.SetText("")
			if got := h.g.Reader.FindCount.Text; got != tt.count {
				t.Errorf("count = %q, want %q", got, tt.count)
			}
			if len(h.g.Reader.finds) != tt.n {
				t.Errorf("matches = %d, want %d", len(h.g.Reader.finds), tt.n)
			}
		})
	}
	h.g.Reader.FindEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.g.Reader.FindBar.Visible() {
		t.Error("Escape left the find bar open")
	}
}
