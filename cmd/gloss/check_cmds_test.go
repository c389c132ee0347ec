package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckReportsDamagedAnnotations: `gloss check` finds a highlight whose stored note
// changed behind Gloss's back, as a damaged byte would change it.
func TestCheckReportsDamagedAnnotations(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	page := filepath.Join(dir, "moths.html")
	if err := os.WriteFile(page, []byte(testPage), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := gloss(t, db, "", "import", "--url", "https://example.org/moths", page); code != 0 {
		t.Fatalf("import: %q %q exit %d", out, errs, code)
	}
	id := newHighlight(t, db, "1", "--quote", "nine to one", "--note", "A ratio without a source.")
	if out, errs, code := gloss(t, db, "", "check"); code != 0 || out != "ok\n" {
		t.Fatalf("check of a healthy library = %q, %q, exit %d; want ok", out, errs, code)
	}

	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE highlights SET note = 'A ratio with a source.' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := gloss(t, db, "", "check")
	want := "highlight " + id + ": its stored values are damaged"
	if code == 0 || !strings.Contains(out+errs, want) {
		t.Errorf("check of a damaged library = %q, %q, exit %d; want a failure saying %q", out, errs, code, want)
	}
}
