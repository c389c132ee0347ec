package app

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"gloss/annotate"
)

// setMaxPages caps the library file at n pages on its one writer connection, so that
// a write needing more fails as on a full disk (SQLITE_FULL); 0 lifts the cap. It
// returns the cap SQLite accepted: never below the file's size.
func (h *harness) setMaxPages(n int64) int64 {
	h.t.Helper()
	if n == 0 {
		n = 1 << 30
	}
	var got int64
	err := h.lib.Write(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(fmt.Sprintf(`PRAGMA max_page_count = %d`, n)).Scan(&got)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// TestNoteKeptWhenDiskFull saves a long note while the library cannot grow: the editor
// stays open with the note in it and says why, nothing half-written is stored, and Save
// stores it once there is room again.
func TestNoteKeptWhenDiskFull(t *testing.T) {
	h := newHarness(t)
	id := h.openSample()
	s, e := h.offsets(airSentence)
	if _, err := h.store.Highlight(context.Background(), id, annotate.NewHighlight{Start: s, End: e, Color: "yellow"}); err != nil {
		t.Fatal(err)
	}
	h.g.Reader.reloadHighlights()
	h.waitFor("the highlight", func() bool { return len(h.g.Reader.article.highlights) == 1 })
	hl := h.highlights(id)[0]

	h.g.noteEditor(hl)
	ed := h.g.editors.Note
	note := strings.Repeat("A long note that needs pages of its own. ", 2000)
	ed.Entry.SetText(note)
	h.setMaxPages(1) // the file as it is: no room for another page
	test.Tap(ed.Save)
	h.waitFor("the failed save", func() bool { return ed.Failure.Visible() })
	if want := "Not saved. The disk is full: nothing was saved, and everything saved before is safe. Free some space, then try again. What you wrote is kept here until it is saved."; ed.Failure.Text != want {
		t.Errorf("status = %q, want %q", ed.Failure.Text, want)
	}
	if got := ed.Entry.Text; got != note {
		t.Errorf("editor text after the failed save has %d bytes, want the %d typed", len(got), len(note))
	}
	if ed.Save.Disabled() {
		t.Error("Save is disabled after the failed save; the person cannot try again")
	}
	if !h.dialogShown() {
		t.Fatal("the note editor closed after the failed save")
	}
	if got := h.highlights(id)[0].Note; got != "" {
		t.Errorf("stored note after the failed save = %.40q…, want none", got)
	}

	h.setMaxPages(0)
	test.Tap(ed.Save)
	h.waitFor("the saved note", func() bool { return h.highlights(id)[0].Note != "" })
	h.waitFor("the editor to close", func() bool { return !h.dialogShown() })
	if got, want := h.highlights(id)[0].Note, strings.TrimSpace(note); got != want {
		t.Errorf("stored note has %d bytes, want %d", len(got), len(want))
	}
	if problems, err := h.lib.Check(context.Background()); err != nil || len(problems) > 0 {
		t.Errorf("Check() = %q, %v", problems, err)
	}
}

// dialogShown reports whether the window shows a dialog.
func (h *harness) dialogShown() bool { return h.g.Window.Canvas().Overlays().Top() != nil }
