package archive

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

// openTest opens a new library in a temporary folder, with a clock that
// advances one second per call so that saved order is deterministic.
func openTest(t testing.TB) *Library {
	t.Helper()
	l, err := Open(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	l.now = fakeClock()
	return l
}

func fakeClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// openDSN opens a database handle that the test closes at its end.
func openDSN(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rawDB opens a library file with only the given settings, for tests that
// inspect or damage it behind the Library's back.
func rawDB(t testing.TB, path, params string) *sql.DB {
	t.Helper()
	return openDSN(t, "file:"+path+"?"+params)
}

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	xdg := t.TempDir()
	tests := []struct {
		name      string
		glossDB   string
		xdg       string
		want      string
		wantDirOK bool
	}{
		{"GLOSS_DB wins", "/some/where/lib.db", xdg, "/some/where/lib.db", false},
		{"XDG_DATA_HOME", "", xdg, filepath.Join(xdg, "gloss", "library.db"), true},
		{"relative XDG_DATA_HOME ignored", "", "rel/dir", filepath.Join(home, ".local", "share", "gloss", "library.db"), true},
		{"home", "", "", filepath.Join(home, ".local", "share", "gloss", "library.db"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("GLOSS_DB", tt.glossDB)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			got, err := DefaultPath()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("DefaultPath() = %q, want %q", got, tt.want)
			}
			if !tt.wantDirOK {
				return
			}
			st, err := os.Stat(filepath.Dir(got))
			if err != nil {
				t.Fatal(err)
			}
			if perm := st.Mode().Perm(); perm != 0o700 {
				t.Errorf("folder mode = %v, want 0700", perm)
			}
		})
	}
}

type connSettings struct {
	journalMode  string
	synchronous  int
	foreignKeys  int
	busyTimeout  int
	queryOnly    int
	secureDelete int
}

func readSettings(t *testing.T, c *sql.Conn) connSettings {
	t.Helper()
	ctx := context.Background()
	var s connSettings
	for _, p := range []struct {
		pragma string
		dest   any
	}{
		{"journal_mode", &s.journalMode},
		{"synchronous", &s.synchronous},
		{"foreign_keys", &s.foreignKeys},
		{"busy_timeout", &s.busyTimeout},
		{"query_only", &s.queryOnly},
		{"secure_delete", &s.secureDelete},
	} {
		if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(p.dest); err != nil {
			t.Fatalf("PRAGMA %s: %v", p.pragma, err)
		}
	}
	return s
}

// TestConnectionSettings checks the settings every connection really has,
// since the driver silently ignores DSN keys it does not know.
func TestConnectionSettings(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()

	want := connSettings{journalMode: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 5, queryOnly: 0, secureDelete: 1}
	wantReader := connSettings{journalMode: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 10000, queryOnly: 1, secureDelete: 0}

	tests := []struct {
		name  string
		db    *sql.DB
		conns int
		want  connSettings
	}{
		{"writer pool", l.w, 1, want},
		{"reader pool", l.r, readers, wantReader},
		// The pools above hand out the same connections again; fresh pools
		// from the same DSNs show that any new connection is set up alike.
		{"writer DSN, many connections", openDSN(t, writerDSN(l.path)), 3, want},
		{"reader DSN, many connections", openDSN(t, readerDSN(l.path)), 6, wantReader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.db.Stats().MaxOpenConnections; tt.db == l.w && got != 1 {
				t.Errorf("writer MaxOpenConnections = %d, want 1", got)
			}
			// Hold all connections at once so each one is distinct.
			conns := make([]*sql.Conn, tt.conns)
			var wg sync.WaitGroup
			errs := make([]error, tt.conns)
			for i := range conns {
				wg.Go(func() { conns[i], errs[i] = tt.db.Conn(ctx) })
			}
			wg.Wait()
			for i, c := range conns {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				defer c.Close()
			}
			for i, c := range conns {
				if got := readSettings(t, c); got != tt.want {
					t.Errorf("connection %d: settings = %+v, want %+v", i, got, tt.want)
				}
			}
		})
	}
}

// TestOneWriter checks that writes share one connection and that a write
// transaction holds the write lock from its start (_txlock=immediate).
func TestOneWriter(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()

	held, err := l.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if c, err := l.w.Conn(short); !errors.Is(err, context.DeadlineExceeded) {
		if c != nil {
			c.Close()
		}
		t.Errorf("second writer connection: err = %v, want %v", err, context.DeadlineExceeded)
	}
	held.Close()

	other := rawDB(t, l.path, "_busy_timeout=0")
	err = l.Write(ctx, func(tx *sql.Tx) error {
		// Nothing written yet; a deferred BEGIN would not hold the lock.
		_, err := other.ExecContext(ctx, "BEGIN IMMEDIATE")
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy {
			t.Errorf("BEGIN IMMEDIATE elsewhere during Write: err = %v, want SQLITE_BUSY", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadRefusesWrites(t *testing.T) {
	l := openTest(t)
	err := l.Read(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO articles (url, added_at, updated_at) VALUES ('x', '', '')`)
		return err
	})
	if err == nil {
		t.Fatal("insert through Read succeeded, want an error")
	}
	if n, err := l.Count(context.Background()); err != nil || n != 0 {
		t.Errorf("Count() = %d, %v; want 0, nil", n, err)
	}
}

// TestOpenOddPath opens libraries whose paths would break a naive DSN.
func TestOpenOddPath(t *testing.T) {
	for _, name := range []string{"my library.db", "what?.db", "100%.db", "a#b.db", "ünï.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			l, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := l.AddCapture(context.Background(), "text:1", Capture{Text: "hello"}); err != nil {
				t.Error(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != 1 || names[0] != name {
				t.Errorf("files in folder = %q, want just %q", names, name)
			}
		})
	}
}

// TestWriteWaitsForLock holds the write lock from another connection, as
// another process would, for longer than the writer's own busy timeout:
// Write must wait for it, polling, rather than fail with SQLITE_BUSY, and
// stop waiting when its context ends.
func TestWriteWaitsForLock(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	other := rawDB(t, l.path, "_busy_timeout=0")
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	hold := 20 * writerBusyTimeout
	released := make(chan error, 1)
	go func() {
		time.Sleep(hold)
		_, err := conn.ExecContext(ctx, "COMMIT")
		released <- err
	}()
	if err := l.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatalf("SetSetting while another connection held the lock for %v: %v", hold, err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}

	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	short, cancel := context.WithTimeout(ctx, hold)
	defer cancel()
	err = l.SetSetting(short, "k", "w")
	if se := (sqlite3.Error{}); !errors.As(err, &se) || se.Code != sqlite3.ErrBusy {
		t.Errorf("SetSetting with the lock held past its deadline: err = %v, want SQLITE_BUSY", err)
	}
}
