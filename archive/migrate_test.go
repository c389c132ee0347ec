package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func tableExists(t *testing.T, l *Library, name string) bool {
	t.Helper()
	var n int
	err := l.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = ?`, name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func versions(t *testing.T, l *Library, owner string) []int {
	t.Helper()
	rows, err := l.r.Query(`SELECT version FROM schema_migrations WHERE owner = ? ORDER BY version`, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// archiveVersions is the versions of the archive migrations this Gloss has.
func archiveVersions(t *testing.T) []int {
	t.Helper()
	ms, err := readMigrations(archiveMigrations())
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.version)
	}
	return vs
}

func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, table := range []string{"schema_migrations", "articles", "captures", "article_fts"} {
		if !tableExists(t, l, table) {
			t.Errorf("table %s missing after Open", table)
		}
	}
	if got, want := versions(t, l, ownerArchive), archiveVersions(t); !equalInts(got, want) {
		t.Errorf("archive versions = %v, want %v", got, want)
	}
}

func TestOpenTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	ctx := context.Background()
	for i := range 3 {
		l, err := Open(path)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if _, _, err := l.AddCapture(ctx, "text:"+string(rune('a'+i)), Capture{Text: "x"}); err != nil {
			t.Fatal(err)
		}
		if got, want := versions(t, l, ownerArchive), archiveVersions(t); !equalInts(got, want) {
			t.Errorf("open %d: archive versions %v recorded, want %v", i+1, got, want)
		}
		if n, err := l.Count(ctx); err != nil || n != i+1 {
			t.Errorf("open %d: Count() = %d, %v; want %d", i+1, n, err, i+1)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNewerSchemaRefused opens a library that a newer Gloss has migrated
// further: Open must refuse and leave the file exactly as it was.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AddCapture(context.Background(), "text:1", Capture{Text: "keep me"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, path, "")
	if _, err := raw.Exec(`INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES ('archive', 999, '0999_future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stBefore, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	l, err = Open(path)
	if err == nil {
		l.Close()
		t.Fatal("Open succeeded on a newer library")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Open error %v does not match ErrNewerSchema", err)
	}
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("Open error %v is not a *SchemaError", err)
	}
	known := len(archiveVersions(t))
	if got, want := *se, (SchemaError{Owner: "archive", Found: 999, Known: known}); got != want {
		t.Errorf("SchemaError = %+v, want %+v", got, want)
	}
	want := fmt.Sprintf("this library was written by a newer version of Gloss (schema archive v999, this Gloss knows v%d); update Gloss", known)
	if got := se.Error(); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stAfter, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("library file bytes changed")
	}
	if !stBefore.ModTime().Equal(stAfter.ModTime()) {
		t.Errorf("library mtime changed from %v to %v", stBefore.ModTime(), stAfter.ModTime())
	}
}

// TestMigrateOwner migrates a second owner's tables the way package
// annotate does.
func TestMigrateOwner(t *testing.T) {
	l := openTest(t)
	v1 := fstest.MapFS{
		"0001_notes.sql": {Data: []byte(`CREATE TABLE notes (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, body TEXT);`)},
		"README.md":      {Data: []byte("not a migration: ignored")},
	}
	v2 := fstest.MapFS{
		"0001_notes.sql": v1["0001_notes.sql"],
		"0002_tags.sql":  {Data: []byte("CREATE TABLE tags (name TEXT PRIMARY KEY);\nCREATE INDEX notes_article ON notes(article_id);")},
	}

	steps := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr error
	}{
		{"first", v1, []int{1}, nil},
		{"again", v1, []int{1}, nil},
		{"upgrade", v2, []int{1, 2}, nil},
		{"downgrade refused", v1, []int{1, 2}, ErrNewerSchema},
	}
	for _, s := range steps {
		err := l.Migrate("annotate", s.files)
		if !errors.Is(err, s.wantErr) {
			t.Errorf("%s: Migrate error = %v, want %v", s.name, err, s.wantErr)
		}
		if got := versions(t, l, "annotate"); !equalInts(got, s.want) {
			t.Errorf("%s: annotate versions = %v, want %v", s.name, got, s.want)
		}
	}
	if !tableExists(t, l, "notes") || !tableExists(t, l, "tags") {
		t.Error("annotate tables missing")
	}
	if got, want := versions(t, l, ownerArchive), archiveVersions(t); !equalInts(got, want) {
		t.Errorf("archive versions = %v, want %v (another owner must not touch them)", got, want)
	}
}

// TestMigrationAtomic: a failing migration leaves neither its changes nor
// its record; the ones before it stay applied.
func TestMigrationAtomic(t *testing.T) {
	l := openTest(t)
	files := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte(`CREATE TABLE good (x);`)},
		"0002_bad.sql": {Data: []byte(`CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1);`)},
	}
	err := l.Migrate("test", files)
	if err == nil || !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Errorf("Migrate error = %v, want one naming 0002_bad.sql", err)
	}
	if got, want := versions(t, l, "test"), []int{1}; !equalInts(got, want) {
		t.Errorf("versions = %v, want %v", got, want)
	}
	if !tableExists(t, l, "good") {
		t.Error("table from migration 1 missing")
	}
	if tableExists(t, l, "half") {
		t.Error("table from failed migration 2 exists")
	}
}

func TestReadMigrationsRejectsBadSets(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name  string
		files fstest.MapFS
	}{
		{"gap", fstest.MapFS{"0001_a.sql": sql, "0003_c.sql": sql}},
		{"repeat", fstest.MapFS{"0001_a.sql": sql, "0001_b.sql": sql}},
		{"starts at 2", fstest.MapFS{"0002_a.sql": sql}},
		{"no name", fstest.MapFS{"0001.sql": sql}},
		{"no number", fstest.MapFS{"init.sql": sql}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ms, err := readMigrations(tt.files); err == nil {
				t.Errorf("readMigrations() = %d migrations, want an error", len(ms))
			}
		})
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	content := []byte("these are my notes, not a library\n")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := Open(path); err == nil {
		l.Close()
		t.Fatal("Open succeeded on a text file")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("file changed to %q", got)
	}
}
