package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/archive/durability"
)

func TestRollingBackup(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "backups")
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 30, 0, 0, time.Local) }
	name := func(d int) string { return filepath.Join(dir, fmt.Sprintf("library-2025-03-%02d.db", d)) }
	for d := 1; d <= 10; d++ {
		if _, _, err := l.AddCapture(ctx, fmt.Sprintf("text:%d", d), sampleCapture("T", "day "+strconv.Itoa(d))); err != nil {
			t.Fatal(err)
		}
		got, err := l.RollingBackup(ctx, dir, 7, day(d))
		if err != nil {
			t.Fatal(err)
		}
		if got != name(d) {
			t.Fatalf("day %d: RollingBackup = %q, want %q", d, got, name(d))
		}
		// Later the same day: nothing new.
		again, err := l.RollingBackup(ctx, dir, 7, day(d).Add(8*time.Hour))
		if err != nil || again != "" {
			t.Fatalf("day %d, again: RollingBackup = %q, %v; want none", d, again, err)
		}
	}
	got, err := Backups(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for d := 10; d >= 4; d-- {
		want = append(want, name(d))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Backups() =\n%q\nwant\n%q", got, want)
	}
	// Each is a complete library as it was that day.
	for i, p := range got {
		b, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		n, err := b.Count(ctx)
		b.Close()
		if err != nil || n != 10-i {
			t.Errorf("%s holds %d articles, %v; want %d", p, n, err, 10-i)
		}
	}
	if _, err := l.RollingBackup(ctx, dir, 0, day(11)); err == nil {
		t.Error("RollingBackup(keep 0) succeeded, want an error")
	}
}

// TestRollingBackupCleansUp checks that temporary files of interrupted
// backups go once they are a day old, and only then, that old backups of
// this library go, and that other files, other libraries' backups
// included, are left alone.
func TestRollingBackupCleansUp(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2025, 3, 2, 12, 0, 0, 0, time.Local)
	files := []struct {
		name string
		age  time.Duration
		kept bool
	}{
		{".library-2025-03-01.db.tmp-123", 25 * time.Hour, false},
		{".library-2025-03-02.db.tmp-456", time.Hour, true}, // another Gloss may be writing it
		{"notes.txt", 1000 * time.Hour, true},
		{"library-2025-03-01.db.old", 1000 * time.Hour, true},
		{"library-2025-03-01.db", 24 * time.Hour, false}, // yesterday's: keep is 1
		{"other-2025-02-01.db", 1000 * time.Hour, true},
		{"other-2025-02-02.db", 1000 * time.Hour, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.RollingBackup(ctx, dir, 1, now); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s kept = %v, want %v", f.name, kept, f.kept)
		}
	}
}

// damage flips bytes in the middle of the file at path, where the tables
// live, so that Open refuses it.
func damage(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096; i+4096 <= len(b); i += 4096 {
		b[i+3] ^= 0xff // the start of each page's cell content area
		b[i+4] ^= 0xff
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreBackup(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, _, err := l.AddCapture(ctx, fmt.Sprintf("text:%d", i), sampleCapture("T", strings.Repeat("saved words ", 500))); err != nil {
			t.Fatal(err)
		}
	}
	dir := BackupDir(path)
	older, err := l.RollingBackup(ctx, dir, 7, time.Date(2025, 3, 1, 0, 0, 0, 0, time.Local))
	if err != nil {
		t.Fatal(err)
	}
	newer, err := l.RollingBackup(ctx, dir, 7, time.Date(2025, 3, 2, 0, 0, 0, 0, time.Local))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// The newest backup is damaged too: it must not be offered.
	damage(t, newer)
	damage(t, path)
	damaged, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open(damaged) error %v, want a *CorruptError", err)
	}
	if want := []string{older}; !slices.Equal(ce.Backups, want) {
		t.Errorf("Backups = %q, want %q", ce.Backups, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "is damaged") || !strings.Contains(msg, older) {
		t.Errorf("message %q does not say the file is damaged and name the good backup", msg)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Error("Open changed the damaged file")
	}

	if _, err := RestoreBackup(ctx, path, newer); err == nil {
		t.Fatal("RestoreBackup accepted a damaged backup")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Error("a refused restore changed the library file")
	}

	// A log left by a crash goes aside with the file it belongs to.
	if err := os.WriteFile(path+"-wal", []byte("the damaged library's log"), 0o600); err != nil {
		t.Fatal(err)
	}
	aside, err := RestoreBackup(ctx, path, ce.Backups[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(aside); !bytes.Equal(got, damaged) {
		t.Errorf("the damaged file kept at %s differs from the damaged library", aside)
	}
	if got, _ := os.ReadFile(aside + "-wal"); string(got) != "the damaged library's log" {
		t.Errorf("the damaged library's log kept as %q", got)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old log is still beside the restored library: %v", err)
	}
	restored, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if n, err := restored.Count(ctx); err != nil || n != 5 {
		t.Errorf("restored library holds %d articles, %v; want 5", n, err)
	}
	if problems, err := restored.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("restored library: Check() = %q, %v", problems, err)
	}
}

// TestKeepAsideNeverOverwrites gives a file a second name when the first
// choice is taken.
func TestKeepAsideNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "library.db")
	now := time.Date(2025, 3, 1, 10, 11, 12, 0, time.Local)
	if err := os.WriteFile(path, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	taken := path + ".damaged-2025-03-01-101112"
	if err := os.WriteFile(taken, []byte("an earlier damaged file"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := keepAside(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := taken + "-2"; got != want {
		t.Errorf("keepAside = %q, want %q", got, want)
	}
	for p, want := range map[string]string{taken: "an earlier damaged file", got: "damaged", path: "damaged"} {
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("%s holds %q, want %q", p, b, want)
		}
	}
}

func TestCorruptErrorMessage(t *testing.T) {
	tests := []struct {
		backups []string
		want    string
	}{
		{nil, "the library /l.db is damaged or is not a Gloss library (page 3: bad); Gloss did not open it and changed nothing in it; no good backup was found"},
		{[]string{"/b/l-2025-03-02.db", "/b/l-2025-03-01.db"},
			"the library /l.db is damaged or is not a Gloss library (page 3: bad); Gloss did not open it and changed nothing in it; the newest good backup is /b/l-2025-03-02.db"},
	}
	for _, tt := range tests {
		err := error(&CorruptError{Path: "/l.db", Detail: "page 3: bad", Backups: tt.backups})
		if got := err.Error(); got != tt.want {
			t.Errorf("Error() =\n%q\nwant\n%q", got, tt.want)
		}
		if !errors.Is(fmt.Errorf("wrapped: %w", err), ErrCorrupt) {
			t.Error("a wrapped *CorruptError does not match ErrCorrupt")
		}
	}
}

// TestBackupChild is the child of TestBackupKilled: it backs the library up
// to the same file again and again, acknowledging each, until it is killed.
func TestBackupChild(t *testing.T) {
	role, args := durability.Role()
	if role != "backup" {
		t.Skip("the child process of TestBackupKilled")
	}
	l, err := Open(args[0])
	if err != nil {
		t.Fatal(err)
	}
	durability.Ack("open")
	for n := 0; ; n++ {
		if err := l.Backup(context.Background(), args[1]); err != nil {
			t.Fatal(err)
		}
		durability.Ack("%d", n)
	}
}

// TestBackupKilled kills a process in the middle of making a backup over an
// existing good one, at random moments: the backup file must always be a
// complete, verified library, never a partial file. 10 kills; 200 under
// GLOSS_STRESS=1.
func TestBackupKilled(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fillLibrary(t, l, 2<<20, 1) // a copy takes a few tens of milliseconds
	dest := filepath.Join(t.TempDir(), "backup.db")
	start := time.Now()
	if err := l.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	want, err := l.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	var completed int
	for range durability.N(10, 200) {
		child := durability.Start(t, "TestBackupChild", "backup", path, dest)
		// Start-up takes a while; aim at the copies.
		child.WaitAcks(1) // opened
		time.Sleep(time.Duration(r.Int64N(int64(2 * took))))
		completed += len(child.Kill()) - 1
		if d, err := checkDB(ctx, dest, checkFull); err != nil || d != "" {
			t.Fatalf("after the kill the backup is damaged: %q, %v", d, err)
		}
		var n int
		if err := rawDB(t, dest, "mode=ro").QueryRow(`SELECT count(*) FROM articles`).Scan(&n); err != nil || n != want {
			t.Fatalf("backup holds %d articles, %v; want %d", n, err, want)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(dest))
	if err != nil {
		t.Fatal(err)
	}
	var temps int
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			temps++
		}
	}
	t.Logf("a backup takes %v; %d backups completed between kills; %d temporary files left by kills (RollingBackup removes them after a day)",
		took.Round(time.Millisecond), completed, temps)
}

// BenchmarkWriteLatencyDuringBackup measures how long small saves take while
// backups of a 64 MB library run back to back: the p99 and worst latency
// of a save, as a person would feel them.
func BenchmarkWriteLatencyDuringBackup(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "library.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	fillLibrary(b, l, 64<<20, 2)
	ctx := context.Background()
	dest := filepath.Join(b.TempDir(), "backup.db")
	var mu sync.Mutex
	var lat []time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			if _, _, err := l.AddCapture(ctx, fmt.Sprintf("text:latency-%d", i), sampleCapture("T", "a short note saved during a backup")); err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			lat = append(lat, time.Since(start))
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // a person, not a loop
		}
	})
	for b.Loop() {
		if err := l.Backup(ctx, dest); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(durability.Percentile(lat, 99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(durability.Percentile(lat, 100).Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(lat)), "saves")
}

// TestHoldLibraryOpen is not a test: TestRestoreRefusesLibraryInUse runs it in a child
// process to hold a library open, as a running Gloss would, until its input closes.
func TestHoldLibraryOpen(t *testing.T) {
	path := os.Getenv("GLOSS_HOLD_LIBRARY")
	if path == "" {
		t.Skip("helper process of TestRestoreRefusesLibraryInUse")
	}
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.List(context.Background(), ListOptions{}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("open")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes our input
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreRefusesLibraryInUse restores a backup over a library that another process
// holds open: the restore is refused and changes nothing, and it goes ahead once that
// process has closed the library.
func TestRestoreRefusesLibraryInUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("Kept", "words to keep")); err != nil {
		t.Fatal(err)
	}
	backup, err := l.RollingBackup(ctx, BackupDir(path), 7, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^TestHoldLibraryOpen$")
	child.Env = append(os.Environ(), "GLOSS_HOLD_LIBRARY="+path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "open\n" {
		t.Fatalf("the child did not open the library: %q, %v", line, err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	aside, err := RestoreBackup(ctx, path, backup)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("restore while another process has the library open: aside %q, error %v; want ErrInUse", aside, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the refused restore changed the library file")
	}
	if others, _ := filepath.Glob(path + ".damaged-*"); len(others) != 0 {
		t.Errorf("the refused restore set files aside: %q", others)
	}

	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("the child: %v", err)
	}
	if _, err := RestoreBackup(ctx, path, backup); err != nil {
		t.Fatalf("restore once the library is closed: %v", err)
	}
}
