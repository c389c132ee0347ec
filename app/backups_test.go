package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"gloss/annotate"
	"gloss/archive"
	"gloss/archive/fetch"
)

// TestDailyBackup: the app makes today's backup in the background after it opens.
func TestDailyBackup(t *testing.T) {
	h := newHarness(t)
	h.openSample()
	dir := filepath.Join(t.TempDir(), "backups")
	h.g.svc.BackupDir = dir
	defer func(d time.Duration) { firstBackupDelay = d }(firstBackupDelay)
	firstBackupDelay = 0
	h.g.runBackups()
	var found []string
	deadline := time.Now().Add(waitTimeout)
	for len(found) == 0 && time.Now().Before(deadline) {
		found = archive.GoodBackups(context.Background(), dir)
		time.Sleep(20 * time.Millisecond)
	}
	if len(found) != 1 {
		t.Fatalf("good backups in %s = %q, want today's", dir, found)
	}
	b, err := archive.Open(found[0])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, err := b.Count(context.Background()); err != nil || n != 1 {
		t.Errorf("the backup holds %d articles (%v), want 1", n, err)
	}
}

func TestUntilTomorrow(t *testing.T) {
	loc := time.FixedZone("x", 2*3600)
	for _, tt := range []struct {
		now  time.Time
		want time.Duration
	}{
		{time.Date(2026, 3, 1, 23, 59, 0, 0, loc), 2 * time.Minute},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, loc), 24*time.Hour + time.Minute},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, loc), 12*time.Hour + time.Minute},
	} {
		if got := untilTomorrow(tt.now); got != tt.want {
			t.Errorf("untilTomorrow(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

// damagedLibrary makes a library with one article and a daily backup of it, then damages
// the library, and returns the error Open gives.
func damagedLibrary(t *testing.T, withBackup bool) *archive.CorruptError {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	lib, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := annotate.NewStore(lib); err != nil {
		t.Fatal(err)
	}
	saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
	if _, err := saver.ImportFile(ctx, "street-trees.html", sample(t), treesURL); err != nil {
		t.Fatal(err)
	}
	if withBackup {
		if _, err := lib.RollingBackup(ctx, archive.BackupDir(path), KeepBackups, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[16], b[17] = 0x03, 0x00 // an impossible page size
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = archive.Open(path)
	var ce *archive.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Open(damaged) error %v, want a *CorruptError", err)
	}
	return ce
}

// TestDamagedWindowRestores: a damaged library is offered its newest good backup;
// restoring it puts the backup in place, keeps the damaged file, and hands over to
// the app.
func TestDamagedWindowRestores(t *testing.T) {
	ce := damagedLibrary(t, true)
	damaged, err := os.ReadFile(ce.Path)
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	q := newUIQueue()
	var kept string
	w := newDamagedWindow(a, ce, q.do, func(aside string) error { kept = aside; return nil })
	w.Window.Show()
	if w.Restore.Disabled() {
		t.Fatal("Restore is disabled although a good backup exists")
	}
	test.Tap(w.Restore)
	deadline := time.Now().Add(waitTimeout)
	for kept == "" && !w.Status.Visible() {
		if !q.next(time.Until(deadline)) {
			t.Fatal("timed out waiting for the restore")
		}
	}
	if w.Status.Visible() {
		t.Fatalf("restore failed: %s", w.Status.Text)
	}
	if got, err := os.ReadFile(kept); err != nil || string(got) != string(damaged) {
		t.Errorf("the damaged file is not kept unchanged as %q (%v)", kept, err)
	}
	lib, err := archive.Open(ce.Path)
	if err != nil {
		t.Fatalf("Open after restore: %v", err)
	}
	defer lib.Close()
	if n, err := lib.Count(context.Background()); err != nil || n != 1 {
		t.Errorf("restored library holds %d articles (%v), want 1", n, err)
	}
}

// TestDamagedWindowRestoreFails shows why a restore failed and, since nothing was
// changed, offers it again.
func TestDamagedWindowRestoreFails(t *testing.T) {
	ce := damagedLibrary(t, true)
	damaged, err := os.ReadFile(ce.Path)
	if err != nil {
		t.Fatal(err)
	}
	// The backup is damaged after the window offered it.
	if err := os.WriteFile(ce.Backups[0], []byte("not a library"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	q := newUIQueue()
	w := newDamagedWindow(a, ce, q.do, func(string) error {
		t.Error("restored called although the restore failed")
		return nil
	})
	w.Window.Show()
	test.Tap(w.Restore)
	deadline := time.Now().Add(waitTimeout)
	for !w.Status.Visible() {
		if !q.next(time.Until(deadline)) {
			t.Fatal("timed out waiting for the restore")
		}
	}
	if want := "not usable"; !strings.Contains(w.Status.Text, want) {
		t.Errorf("status = %q, want it to say the backup is %s", w.Status.Text, want)
	}
	if w.Restore.Disabled() || w.Quit.Disabled() {
		t.Errorf("after the failure Restore disabled %v, Quit disabled %v; want both enabled", w.Restore.Disabled(), w.Quit.Disabled())
	}
	if got, _ := os.ReadFile(ce.Path); string(got) != string(damaged) {
		t.Error("the failed restore changed the library file")
	}
}

// TestDamagedWindowWithoutBackup says there is none and offers nothing to restore.
func TestDamagedWindowWithoutBackup(t *testing.T) {
	ce := damagedLibrary(t, false)
	a := test.NewTempApp(t)
	w := newDamagedWindow(a, ce, newUIQueue().do, func(string) error {
		t.Error("restored called without a backup")
		return nil
	})
	if !w.Restore.Disabled() {
		t.Error("Restore is enabled without a good backup")
	}
	if want := "No good backup"; !strings.Contains(w.Message.Text, want) {
		t.Errorf("message = %q, want it to say %q", w.Message.Text, want)
	}
}
