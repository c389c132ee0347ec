package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gloss/archive"
)

// TestDailyBackupAndRestore makes today's backup, damages the library, and restores
// it: every command refuses the damaged file and names `gloss restore`, which puts the
// newest usable backup in place and keeps the damaged file.
func TestDailyBackupAndRestore(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "library.db")
	if out, errs, code := gloss(t, db, "", "save", srv.URL+"/moths"); code != 0 {
		t.Fatalf("save = %q, %q, exit %d", out, errs, code)
	}

	out, errs, code := gloss(t, db, "", "backup")
	want := filepath.Join(archive.BackupDir(db), "library-"+time.Now().Format("2006-01-02")+".db")
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("backup = %q, %q, exit %d; want %q", out, errs, code, want)
	}
	if out, _, code = gloss(t, db, "", "backup"); code != 0 || !strings.Contains(out, "already") {
		t.Errorf("second backup today = %q, exit %d; want it to say today's exists", out, code)
	}
	out, errs, code = gloss(t, db, "", "backups")
	if code != 0 || !strings.HasPrefix(out, want+"\t") || !strings.Contains(out, "usable") {
		t.Errorf("backups = %q, %q, exit %d; want %s listed as usable", out, errs, code, want)
	}

	// Damage the library: the file header's page size made impossible.
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	b[16], b[17] = 0x03, 0x00
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := append([]byte(nil), b...)
	out, errs, code = gloss(t, db, "", "list")
	if code == 0 || !strings.Contains(errs, "damaged") || !strings.Contains(errs, "gloss restore") {
		t.Fatalf("list on a damaged library = %q, %q, exit %d; want a refusal naming gloss restore", out, errs, code)
	}

	out, errs, code = gloss(t, db, "", "restore")
	if code != 0 || !strings.Contains(out, "restored") || !strings.Contains(out, "kept as") {
		t.Fatalf("restore = %q, %q, exit %d", out, errs, code)
	}
	aside := strings.TrimSpace(out[strings.LastIndex(out, "kept as ")+len("kept as "):])
	if got, err := os.ReadFile(aside); err != nil || string(got) != string(damaged) {
		t.Errorf("the damaged library was not kept unchanged as %s (%v)", aside, err)
	}
	if out, errs, code = gloss(t, db, "", "list"); code != 0 || !strings.Contains(out, "Moths of the Night") {
		t.Errorf("list after restore = %q, %q, exit %d; want the saved article", out, errs, code)
	}
}

func TestRestoreWithoutBackups(t *testing.T) {
	db := filepath.Join(t.TempDir(), "library.db")
	if err := os.WriteFile(db, []byte("not a database at all, but long enough to have a header of a hundred bytes......................"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := gloss(t, db, "", "list")
	if code == 0 || !strings.Contains(errs, "no good backup") || strings.Contains(errs, "gloss restore") {
		t.Errorf("list = %q, exit %d; want a refusal saying there is no good backup", errs, code)
	}
	_, errs, code = gloss(t, db, "", "restore")
	if code == 0 || !strings.Contains(errs, "no usable backup") {
		t.Errorf("restore = %q, exit %d; want it to say there is no usable backup", errs, code)
	}
}
