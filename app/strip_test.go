package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"gloss/annotate"
	"gloss/annotate/export"
	"gloss/archive"
	"gloss/archive/clean"
	"gloss/archive/doc"
	"gloss/archive/siterules"
)

const (
	councilPara  = "City councils have started to count that difference in money."
	newsletterP  = "Sign up for our newsletter to get the best stories about cities in your inbox every morning."
	boilerplate  = "This column appears every other Tuesday and is written by volunteers from the county naturalist society."
	treesPath    = "/2024/street-trees"
	newsletterDv = `<div class="newsletter"><p>` + newsletterP + `</p></div>`
)

// treesWithNewsletter is the sample article with a newsletter box inside it, which the
// cleaner removes.
func treesWithNewsletter(t *testing.T) string {
	t.Helper()
	s := string(sample(t))
	i := strings.Index(s, "</article>")
	return s[:i] + newsletterDv + s[i:]
}

// sitePage is a short article of a site whose pages all end with the same appeal.
func sitePage(title, body string) string {
	return `<html><head><title>` + title + `</title></head><body><article><h1>` + title + `</h1>
<p>` + body + `</p>
<p>The second paragraph says more about it, so that there is an article worth the name to keep.</p>
<p>` + boilerplate + `</p></article></body></html>`
}

// serve serves pages by path, and a small PNG at /img.png.
func serve(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range m.Pix {
		m.Pix[i] = 0x80
	}
	m.Set(0, 0, color.Black)
	if err := png.Encode(&img, m); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/img.png" {
			w.Header().Set("Content-Type", "image/png")
			w.Write(img.Bytes())
			return
		}
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(p))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// save saves a page through the saver, as the add dialog does, and returns its article.
func (h *harness) save(url string) int64 {
	h.t.Helper()
	s, err := h.saver.Save(context.Background(), url, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.ArticleID
}

// afterReclean runs act, which starts a re-clean of the open article, and waits until the
// reader has shown the new capture or failed.
func (h *harness) afterReclean(act func()) error {
	h.t.Helper()
	var done bool
	var err error
	h.g.Reader.recleaned = func(e error) { done, err = true, e }
	act()
	h.waitFor("the article to be cleaned again", func() bool { return done })
	h.g.Reader.recleaned = nil
	return err
}

// current returns an article as the library has it now.
func (h *harness) current(id int64) archive.Article {
	h.t.Helper()
	a, err := h.lib.Article(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// clickBlockAt clicks, in strip mode, the block holding byte offset off.
func (h *harness) clickBlockAt(off int) {
	r := h.g.Reader.Reader
	r.ScrollToOffset(off)
	r.Tapped(&fyne.PointEvent{Position: r.PositionOf(off+10).AddXY(0, 4)})
}

// exportMarkdown writes the article's annotated Markdown as the exporters load it from
// the library.
func (h *harness) exportMarkdown(id int64) string {
	h.t.Helper()
	a, hs, err := export.Load(context.Background(), h.lib, h.store, id)
	if err != nil {
		h.t.Fatal(err)
	}
	var b bytes.Buffer
	if err := export.Markdown(&b, a, hs, export.MarkdownOptions{}); err != nil {
		h.t.Fatal(err)
	}
	return b.String()
}

func TestStripBlockExportAndUndo(t *testing.T) {
	srv := serve(t, map[string]string{treesPath: treesWithNewsletter(t)})
	h := newHarness(t)
	id := h.save(srv.URL + treesPath)
	ctx := context.Background()
	elsewhere, err := h.store.Highlight(ctx, id, annotate.NewHighlight{Quote: airSentence, Note: "Okafor"})
	if err != nil {
		t.Fatal(err)
	}
	inside, err := h.store.Highlight(ctx, id, annotate.NewHighlight{Quote: "count that difference in money"})
	if err != nil {
		t.Fatal(err)
	}
	h.open(id)
	v := h.g.Reader
	s, _ := h.offsets(councilPara)
	b := v.article.doc.Blocks[v.article.doc.BlockAt(s)]
	para := h.text()[b.Start:b.End]

	v.SetStripMode(true)
	if !v.StripBar.Visible() {
		t.Fatal("strip bar hidden in strip mode")
	}
	if err := h.afterReclean(func() { h.clickBlockAt(s) }); err != nil {
		t.Fatalf("strip: %v", err)
	}

	a := h.current(id)
	if strings.Contains(a.Current.Text, councilPara) {
		t.Errorf("the current capture still has the removed paragraph")
	}
	if a.Captures != 2 {
		t.Errorf("captures = %d, want 2: the saved one and the one without the block", a.Captures)
	}
	if got := a.Current.Stripped; len(got) != 1 || got[0] != para {
		t.Errorf("capture's stripped blocks = %q, want the paragraph", got)
	}
	if got := v.article.doc.Text; got != a.Current.Text {
		t.Errorf("the reader does not show the new capture")
	}
	if !v.Reader.StripMode() || !v.StripBar.Visible() {
		t.Errorf("strip mode ended with the re-clean")
	}
	if got := v.StripInfo.Text; !strings.HasPrefix(got, "Removed: “City councils") {
		t.Errorf("strip bar says %q", got)
	}
	if v.AlwaysRemove.Disabled() || v.StripUndo.Disabled() {
		t.Errorf("Always remove disabled %v, Undo disabled %v; want both enabled", v.AlwaysRemove.Disabled(), v.StripUndo.Disabled())
	}
	for _, hl := range h.highlights(id) {
		switch hl.ID {
		case elsewhere.ID:
			if hl.Status == annotate.StatusOrphan || a.Current.Text[hl.Start:hl.End] != airSentence {
				t.Errorf("highlight elsewhere: %s at %d..%d, want anchored on %q", hl.Status, hl.Start, hl.End, airSentence)
			}
		case inside.ID:
			if hl.Status != annotate.StatusOrphan {
				t.Errorf("highlight inside the removed block is %s, want an orphan", hl.Status)
			}
		}
	}
	if n := len(v.Reader.Highlights()); n != 1 {
		t.Errorf("reader paints %d highlights, want the 1 still anchored", n)
	}
	md := h.exportMarkdown(id)
	if strings.Contains(md, "City councils have started") {
		t.Errorf("export still has the removed block")
	}
	if !strings.Contains(md, "=="+airSentence+"==") {
		t.Errorf("export lacks the highlight elsewhere")
	}

	// Undo cleans the article again with the block: a third capture, the orphan placed again.
	if got := h.g.UndoLabel(); got != "Remove block" {
		t.Fatalf("undo label = %q", got)
	}
	if err := h.afterReclean(h.g.Undo); err != nil {
		t.Fatalf("undo: %v", err)
	}
	a = h.current(id)
	if !strings.Contains(a.Current.Text, councilPara) || a.Captures != 3 || len(a.Current.Stripped) != 0 {
		t.Errorf("after undo: paragraph there %v, captures %d, stripped %q", strings.Contains(a.Current.Text, councilPara), a.Captures, a.Current.Stripped)
	}
	for _, hl := range h.highlights(id) {
		if hl.Status == annotate.StatusOrphan {
			t.Errorf("highlight %q still an orphan after undo", hl.Exact)
		}
	}
	if got := v.StripInfo.Text; !strings.HasPrefix(got, "Put back:") {
		t.Errorf("strip bar says %q after undo", got)
	}
	if !strings.Contains(h.exportMarkdown(id), "City councils have started") {
		t.Errorf("export lacks the block put back")
	}
}

func TestStripSkipsImages(t *testing.T) {
	page := `<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>
<p>The new harbour wall was finished in March after three years of work by the port authority.</p>
<p><img src="/img.png" alt="The wall at low tide" width="40" height="30"></p>
<p>Engineers tested models of the wall in a wave tank before the council approved the design.</p></article></body></html>`
	srv := serve(t, map[string]string{"/wall": page})
	h := newHarness(t)
	id := h.save(srv.URL + "/wall")
	h.open(id)
	img := -1
	for i, b := range h.g.Reader.article.doc.Blocks {
		if b.Kind == doc.Image {
			img = i
		}
	}
	if img < 0 {
		t.Fatal("the article has no image block")
	}
	h.g.Reader.SetStripMode(true)
	h.g.Reader.StripBlock(img)
	if h.g.Reader.busy != 0 {
		t.Errorf("an image block started a re-clean")
	}
	if got := h.g.Reader.StripInfo.Text; !strings.HasPrefix(got, "Images and dividers cannot be removed") {
		t.Errorf("strip bar says %q", got)
	}
	h.drain()
	if n := h.current(id).Captures; n != 1 {
		t.Errorf("captures = %d, want 1", n)
	}
}

func TestAlwaysRemoveCleansEarlierArticles(t *testing.T) {
	srv := serve(t, map[string]string{
		"/moths": sitePage("Moths at night", "Moths outnumber butterflies ten to one in most gardens after dark."),
		"/bees":  sitePage("Bees in winter", "Bees cluster in a tight ball to keep the queen warm through the winter."),
		"/ants":  sitePage("Ants underground", "Ants farm fungus in chambers below the soil of the meadow."),
	})
	h := newHarness(t)
	moths := h.save(srv.URL + "/moths")
	bees := h.save(srv.URL + "/bees")
	ants := h.save(srv.URL + "/ants")
	h.open(ants)
	v := h.g.Reader
	v.SetStripMode(true)
	s, _ := h.offsets(boilerplate)
	if err := h.afterReclean(func() { h.clickBlockAt(s) }); err != nil {
		t.Fatal(err)
	}
	if want := "Always remove blocks like this on 127.0.0.1"; v.AlwaysRemove.Text != want {
		t.Errorf("button = %q, want %q", v.AlwaysRemove.Text, want)
	}

	// The rule is stored, and Gloss offers to clean the site's two other articles again.
	var rule int64
	v.ruleAdded = func(id int64) { rule = id }
	test.Tap(v.AlwaysRemove)
	h.waitFor("the rule", func() bool { return rule != 0 })
	rules, err := h.lib.UserRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Host != "127.0.0.1" || rules[0].Kind != siterules.StripText {
		t.Fatalf("rules = %+v, want one text rule for 127.0.0.1", rules)
	}
	if got := rules[0].Value; !strings.HasPrefix(boilerplate, got) || len(got) > maxRuleText || len(got) < 20 || boilerplate[len(got)] != ' ' {
		t.Errorf("rule text = %q, want the paragraph's first words", got)
	}
	o := v.SiteOffer
	if o == nil {
		t.Fatal("no offer to clean the earlier articles")
	}
	if got, want := len(o.IDs), 2; got != want || !containsID(o.IDs, moths) || !containsID(o.IDs, bees) {
		t.Fatalf("offer covers %v, want moths %d and bees %d", o.IDs, moths, bees)
	}
	var job *Job
	h.g.Jobs.done = func(j *Job) { job = j }
	test.Tap(o.Clean)
	if n := len(h.g.Jobs.Jobs); n != 1 {
		t.Fatalf("jobs = %d, want the re-clean", n)
	}
	h.waitFor("the site to be cleaned again", func() bool { return job != nil })
	if job.Err != nil {
		t.Fatalf("re-clean: %v", job.Err)
	}
	for _, id := range []int64{moths, bees} {
		a := h.current(id)
		if strings.Contains(a.Current.Text, boilerplate) || a.Captures != 2 {
			t.Errorf("article %d: appeal still there %v, captures %d (want gone, 2)", id, strings.Contains(a.Current.Text, boilerplate), a.Captures)
		}
	}

	// An earlier article shows the rule's removal, with a button that removes the rule;
	// then the article is cleaned again with the appeal. Undo adds the rule back.
	h.open(moths)
	p := h.openRemoved()
	row := p.row(t, removedBySite, "This column appears")
	if row.Action == nil || row.Action.Text != "Remove rule" {
		t.Fatalf("site row action = %v, want Remove rule", row.Action)
	}
	if !strings.Contains(row.Note.Text, "your rule for 127.0.0.1; remove the rule to keep it") {
		t.Errorf("site row note = %q", row.Note.Text)
	}
	if err := h.afterReclean(func() { test.Tap(row.Action) }); err != nil {
		t.Fatal(err)
	}
	if rs, _ := h.lib.UserRules(context.Background()); len(rs) != 0 {
		t.Errorf("rules after removing it = %+v", rs)
	}
	if !strings.Contains(h.current(moths).Current.Text, boilerplate) {
		t.Errorf("without the rule, the appeal is still left out")
	}
	if err := h.afterReclean(h.g.Undo); err != nil {
		t.Fatal(err)
	}
	if rs, _ := h.lib.UserRules(context.Background()); len(rs) != 1 {
		t.Errorf("rules after undo = %+v, want the rule back", rs)
	}
	if strings.Contains(h.current(moths).Current.Text, boilerplate) {
		t.Errorf("with the rule back, the appeal is in the text again")
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// openRemoved opens "What was removed" and waits for its list.
func (h *harness) openRemoved() *RemovedPanel {
	h.t.Helper()
	h.g.Reader.showRemoved()
	p := h.g.Reader.RemovedPanel
	if p == nil {
		h.t.Fatal("no panel")
	}
	h.waitFor("the list of removals", func() bool { return p.filled > 0 })
	return p
}

// refilled runs act and waits for the panel to be filled again.
func (h *harness) refilled(p *RemovedPanel, act func()) {
	h.t.Helper()
	n := p.filled
	act()
	h.waitFor("the list of removals again", func() bool { return p.filled > n })
}

// row finds the panel's row of a kind whose text holds s.
func (p *RemovedPanel) row(t *testing.T, kind removedKind, s string) *RemovedRow {
	t.Helper()
	for _, r := range p.Rows {
		if r.kind == kind && strings.Contains(r.Removal.Text, s) {
			return r
		}
	}
	var have []string
	for _, r := range p.Rows {
		have = append(have, r.Removal.Reason+": "+clip(r.Removal.Text, 40))
	}
	t.Fatalf("no row of kind %d with %q among %q", kind, s, have)
	return nil
}

func TestShowWhatWasRemovedAndRestore(t *testing.T) {
	srv := serve(t, map[string]string{treesPath: treesWithNewsletter(t)})
	h := newHarness(t)
	id := h.save(srv.URL + treesPath)
	h.open(id)
	if strings.Contains(h.text(), "Sign up for our newsletter") {
		t.Fatal("cleaning kept the newsletter box")
	}
	p := h.openRemoved()
	if !strings.HasPrefix(p.Summary.Text, "Left out: ") || !strings.Contains(p.Summary.Text, " by cleaning") {
		t.Errorf("summary = %q", p.Summary.Text)
	}
	row := p.row(t, removedByCleaning, "Sign up for our newsletter")
	if row.Action == nil || row.Action.Text != "Restore" {
		t.Fatalf("newsletter row action = %v, want Restore", row.Action)
	}
	path := row.Removal.Path

	// Restore: the box is in the text, and listed as restored, with what it was.
	h.refilled(p, func() {
		if err := h.afterReclean(func() { test.Tap(row.Action) }); err != nil {
			t.Fatal(err)
		}
	})
	a := h.current(id)
	if !strings.Contains(a.Current.Text, newsletterP) || len(a.Current.Restored) != 1 || a.Current.Restored[0] != path {
		t.Fatalf("after restore: box there %v, restored %q (want %q)", strings.Contains(a.Current.Text, newsletterP), a.Current.Restored, path)
	}
	if !strings.Contains(h.text(), newsletterP) {
		t.Errorf("the reader does not show the restored box")
	}
	back := p.row(t, restoredByYou, "Sign up for our newsletter")
	if back.Action == nil || back.Action.Text != "Undo restore" {
		t.Fatalf("restored row action = %v, want Undo restore", back.Action)
	}

	// Strip a block: it is listed as removed by you, and Put back brings it back.
	h.g.Reader.SetStripMode(true)
	s, _ := h.offsets(councilPara)
	h.refilled(p, func() {
		if err := h.afterReclean(func() { h.clickBlockAt(s) }); err != nil {
			t.Fatal(err)
		}
	})
	mine := p.row(t, removedByYou, councilPara)
	if mine.Action == nil || mine.Action.Text != "Put back" {
		t.Fatalf("your row action = %v, want Put back", mine.Action)
	}
	h.refilled(p, func() {
		if err := h.afterReclean(func() { test.Tap(mine.Action) }); err != nil {
			t.Fatal(err)
		}
	})
	if a := h.current(id); !strings.Contains(a.Current.Text, councilPara) || len(a.Current.Stripped) != 0 {
		t.Errorf("after put back: paragraph there %v, stripped %q", strings.Contains(a.Current.Text, councilPara), a.Current.Stripped)
	}

	// Undo restore: the box goes again.
	back = p.row(t, restoredByYou, "Sign up for our newsletter")
	h.refilled(p, func() {
		if err := h.afterReclean(func() { test.Tap(back.Action) }); err != nil {
			t.Fatal(err)
		}
	})
	if a := h.current(id); strings.Contains(a.Current.Text, newsletterP) || len(a.Current.Restored) != 0 {
		t.Errorf("after undoing the restore: box there %v, restored %q", strings.Contains(a.Current.Text, newsletterP), a.Current.Restored)
	}
	p.row(t, removedByCleaning, "Sign up for our newsletter")
}

func TestRemovedEntries(t *testing.T) {
	long := strings.Repeat("word ", 80) + "end"
	cut := strings.TrimSpace(long[:300]) + "…"
	rules := []archive.StoredRule{
		{ID: 7, UserRule: siterules.UserRule{Host: "example.org", Kind: siterules.StripClass, Value: "promo"}},
		{ID: 9, UserRule: siterules.UserRule{Host: "example.org", Kind: siterules.StripText, Value: "Subscribe now"}},
	}
	c := archive.Capture{
		Removed: []clean.Removal{
			{Reason: "newsletter call to action", Rule: "cta/newsletter", Text: "Sign up", Path: "article:0.4"},
			{Reason: `your rule for example.org: strip text "Subscribe now"`, Rule: "your rule for example.org", Text: "Subscribe now and save", Path: "site:0"},
			{Reason: "site rule example.org.txt:3 strip", Rule: "site rule example.org.txt:3", Text: "Related", Path: "site:1"},
			{Reason: "removed by you", Rule: "strip mode", Text: cut, Path: "user:1"},
		},
		Restored: []string{"page:0.1.2", "article:0.9"},
		Stripped: []string{"Gone from the page", long},
	}
	restored := map[string]clean.Removal{"page:0.1.2": {Reason: "comment section", Text: "Comments", Path: "page:0.1.2"}}
	got := removedEntries(c, rules, restored)
	type row struct {
		kind   removedKind
		reason string
		text   string
		rule   int64
	}
	want := []row{
		{removedByCleaning, "newsletter call to action", "", 0},
		{removedBySite, `your rule for example.org: strip text "Subscribe now"`, "", 9},
		{removedBySite, "site rule example.org.txt:3 strip", "", 0},
		{removedByYou, "removed by you", long, 0},
		{restoredByYou, "comment section", "", 0},
		{restoredByYou, "kept at your request", "", 0},
		{strippedNotFound, "removed by you, not found in this capture", "Gone from the page", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		e := got[i]
		var rule int64
		if e.rule != nil {
			rule = e.rule.ID
		}
		if e.kind != w.kind || e.removal.Reason != w.reason || e.text != w.text || rule != w.rule {
			t.Errorf("entry %d = kind %d %q text %.20q rule %d, want kind %d %q text %.20q rule %d",
				i, e.kind, e.removal.Reason, e.text, rule, w.kind, w.reason, w.text, w.rule)
		}
	}
}

func TestCarryOffset(t *testing.T) {
	old := doc.Parse(`<p>First paragraph here.</p><p>Second one, removed.</p><p>Third stays put.</p>`)
	cur := doc.Parse(`<p>First paragraph here.</p><p>Third stays put.</p>`)
	tests := []struct {
		name string
		at   string // where the offset is in the old text
		skip int    // bytes into it
		want string // what the new text holds there
	}{
		{"same block", "First", 6, "paragraph here."},
		{"block after the removed one", "Third", 6, "stays put."},
		{"inside the removed block", "Second", 3, "Third stays put."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := strings.Index(old.Text, tt.at) + tt.skip
			got := carryOffset(old, cur, off)
			if !strings.HasPrefix(cur.Text[got:], tt.want) {
				t.Errorf("carried to %d %q, want %q", got, cur.Text[got:], tt.want)
			}
		})
	}
}

func TestStripRuleText(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Subscribe", "Subscribe"},
		{"ok", ""},
		{"Support   independent\nreporting", "Support independent reporting"},
		{boilerplate, "This column appears every other Tuesday and is written by volunteers from the"},
		{strings.Repeat("x", 100), strings.Repeat("x", maxRuleText)},
	}
	for _, tt := range tests {
		if got := stripRuleText(tt.text); got != tt.want {
			t.Errorf("stripRuleText(%.30q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestStripRefusesToEmptyTheArticle(t *testing.T) {
	page := `<html><head><title>Note</title></head><body><article>
<p>The only paragraph of a very short note, long enough for the extractor to take it as an article body.</p>
</article></body></html>`
	srv := serve(t, map[string]string{"/note": page})
	h := newHarness(t)
	id := h.save(srv.URL + "/note")
	h.open(id)
	h.g.Reader.SetStripMode(true)
	textBlocks := func() []int {
		var out []int
		for i, b := range h.g.Reader.article.doc.Blocks {
			if b.End > b.Start {
				out = append(out, i)
			}
		}
		return out
	}
	// Every block but the last goes (the title, if the document has it as a block).
	for n := len(textBlocks()); n > 1; n-- {
		if err := h.afterReclean(func() { h.g.Reader.StripBlock(textBlocks()[0]) }); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(textBlocks()); n != 1 {
		t.Fatalf("%d blocks with text left, want 1", n)
	}
	before := h.current(id).Captures
	err := h.afterReclean(func() { h.g.Reader.StripBlock(textBlocks()[0]) })
	if !errors.Is(err, archive.ErrNoArticle) {
		t.Fatalf("stripping the last block: %v, want ErrNoArticle", err)
	}
	if got := h.g.Reader.StripInfo.Text; got != "That would leave no article text, so nothing was changed." {
		t.Errorf("strip bar says %q", got)
	}
	if got := h.current(id).Captures; got != before {
		t.Errorf("captures = %d, want %d: nothing stored", got, before)
	}
}
