package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestBackupWhileWriting backs up while another goroutine keeps saving
// articles: the copy must be complete, consistent and openable.
func TestBackupWhileWriting(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	for i := range 20 {
		if _, _, err := l.AddCapture(ctx, fmt.Sprintf("text:before-%d", i), sampleCapture("Before", "saved before the backup")); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	writing := make(chan struct{})
	var wg sync.WaitGroup
	var writes int
	var writeErr error
	wg.Go(func() {
		defer func() {
			if writes == 0 {
				close(writing)
			}
		}()
		for {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("text:during-%d", writes)
			if _, _, err := l.AddCapture(ctx, key, sampleCapture("During", "saved during the backup")); err != nil {
				writeErr = err
				return
			}
			writes++
			if writes == 1 {
				close(writing)
			}
		}
	})
	<-writing // the backup starts while saves are under way

	dest := filepath.Join(t.TempDir(), "backups", "copy.db")
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		t.Fatal(err)
	}
	backupErr := l.Backup(ctx, dest)
	close(stop)
	wg.Wait()
	if backupErr != nil {
		t.Fatal(backupErr)
	}
	if writeErr != nil {
		t.Fatalf("writer failed during backup: %v", writeErr)
	}

	entries, err := os.ReadDir(filepath.Dir(dest))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "copy.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("backup folder holds %q, want just copy.db", names)
	}

	copyLib, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyLib.Close()
	problems, err := copyLib.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("backup has problems: %q", problems)
	}
	n, err := copyLib.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total, err := l.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < 21 || n > total {
		t.Errorf("backup holds %d articles, want between 21 (those saved before it began) and %d", n, total)
	}
	t.Logf("%d articles written during the backup, %d in the copy", writes, n)
	a, err := copyLib.ArticleByURL(ctx, "text:before-0")
	if err != nil {
		t.Fatal(err)
	}
	if want := sampleCapture("Before", "x").RawHTML; !bytes.Equal(a.Current.RawHTML[:20], want[:20]) {
		t.Errorf("raw HTML in backup starts %q, want %q", a.Current.RawHTML[:20], want[:20])
	}
}

func TestBackupReplacesOldBackup(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(dest, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("One", "one")); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	copyLib, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyLib.Close()
	if n, err := copyLib.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count() of backup = %d, %v; want 1", n, err)
	}
}

func TestBackupRefusesLiveLibrary(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("One", "one")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(l.Path(), link); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, dest := range []string{l.Path(), l.Path() + "-wal", link} {
		if err := l.Backup(ctx, dest); !errors.Is(err, ErrBackupOverLibrary) {
			t.Errorf("Backup(%s) error = %v, want ErrBackupOverLibrary", dest, err)
		}
	}
	after, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("library file changed")
	}
	if problems, err := l.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("Check() = %q, %v; want none", problems, err)
	}
}

func TestVacuum(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	for i := range 10 {
		id, _, err := l.AddCapture(ctx, fmt.Sprintf("text:%d", i), sampleCapture("T", string(bytes.Repeat([]byte("word "), 2000))))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if err := l.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.Vacuum(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := l.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count() after vacuum = %d, %v; want 1", n, err)
	}
	var free int
	if err := l.r.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
		t.Fatal(err)
	}
	if free != 0 {
		t.Errorf("freelist_count after vacuum = %d, want 0", free)
	}
}
