package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestCaptureSumColumns keeps the sum's columns and the table in step: a
// column added to captures and left out of captureSumColumns would not be
// protected.
func TestCaptureSumColumns(t *testing.T) {
	l := openTest(t)
	rows, err := l.r.Query(`SELECT name FROM pragma_table_info('captures') WHERE name NOT IN ('id', 'sum') ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range strings.Split(captureSumColumns, ",") {
		want = append(want, strings.TrimSpace(c))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("captures has columns %q, captureSumColumns %q", got, want)
	}
}

// TestCaptureSumRoundTrip saves captures with the values a sum could get
// wrong (nothing received, no date, bytes that are not UTF-8, NUL) and reads
// them back: each must match its sum.
func TestCaptureSumRoundTrip(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	full := sampleCapture("Title", "text \x00 with a NUL and \xff not UTF-8")
	bare := Capture{Text: "just text"}
	empty := Capture{}
	for i, c := range []Capture{full, bare, empty} {
		_, id, err := l.AddCapture(ctx, fmt.Sprintf("text:%d", i), c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.Capture(ctx, id)
		if err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
		if got.Text != c.Text || string(got.RawHTML) != string(c.RawHTML) || got.CleanedHTML != c.CleanedHTML {
			t.Errorf("capture %d reads back %+v, want %+v", i, got, c)
		}
	}
	if problems, err := l.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("Check() = %q, %v, want none", problems, err)
	}
}

// TestCaptureDamage damages one value of one capture behind the library's
// back, as a bad disk sector or another tool could: Check must report the
// capture, reading it must fail with ErrDamaged (other captures still
// read), and Open must refuse the file.
func TestCaptureDamage(t *testing.T) {
	otherPage, err := compress([]byte("<html>another page</html>"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		capture int64 // 1, 2: article 1's old and current capture; 3: article 2's
		damage  string
		args    []any
	}{
		{"text", 3, `UPDATE captures SET text = 'some wordz' WHERE id = 3`, nil},
		{"cleaned HTML", 2, `UPDATE captures SET cleaned_html = replace(cleaned_html, 'some', 'sone') WHERE id = 2`, nil},
		{"raw page, still valid gzip", 2, `UPDATE captures SET raw_html = ? WHERE id = 2`, []any{otherPage}},
		{"old capture's publication date lost", 1, `UPDATE captures SET published_at = NULL WHERE id = 1`, nil},
		{"text turned into a blob", 3, `UPDATE captures SET text = CAST(text AS BLOB) WHERE id = 3`, nil},
		{"old capture's removals", 1, `UPDATE captures SET removed = '[{}]' WHERE id = 1`, nil},
		{"old capture's fetch time", 1, `UPDATE captures SET fetched_at = replace(fetched_at, '2025', '2024') WHERE id = 1`, nil},
		{"sum lost", 2, `UPDATE captures SET sum = NULL WHERE id = 2`, nil},
		{"sum changed", 3, `UPDATE captures SET sum = sum + 1 WHERE id = 3`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := openTest(t)
			path := l.path
			for _, key := range []string{"text:1", "text:1", "text:2"} {
				if _, _, err := l.AddCapture(ctx, key, sampleCapture("T", "some words")); err != nil {
					t.Fatal(err)
				}
			}
			raw := rawDB(t, path, "_foreign_keys=off")
			if _, err := raw.Exec(tt.damage, tt.args...); err != nil {
				t.Fatal(err)
			}

			want := fmt.Sprintf("capture %d: its stored copy is damaged", tt.capture)
			problems, err := l.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !containsProblem(problems, want) {
				t.Errorf("Check() = %q, want %q", problems, want)
			}
			for id := int64(1); id <= 3; id++ {
				_, err := l.Capture(ctx, id)
				var de *DamagedError
				switch {
				case id != tt.capture && err != nil:
					t.Errorf("Capture(%d) = %v, want the intact capture", id, err)
				case id == tt.capture && (!errors.Is(err, ErrDamaged) || !errors.As(err, &de) || de.ID != id):
					t.Errorf("Capture(%d) error = %v, want a *DamagedError matching ErrDamaged", id, err)
				}
			}
			err = l.Read(ctx, func(tx *sql.Tx) error {
				_, err := ReadCapture(ctx, tx, tt.capture)
				return err
			})
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("ReadCapture(%d) error = %v, want ErrDamaged", tt.capture, err)
			}
			if tt.capture != 1 {
				article := map[int64]int64{2: 1, 3: 2}[tt.capture]
				if _, err := l.Article(ctx, article); !errors.Is(err, ErrDamaged) {
					t.Errorf("Article(%d) error = %v, want ErrDamaged", article, err)
				}
			}
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			_, err = Open(path)
			var ce *CorruptError
			if !errors.As(err, &ce) || !strings.Contains(ce.Detail, want) {
				t.Errorf("Open() = %v, want a *CorruptError saying %q", err, want)
			}
		})
	}
}

func containsProblem(problems []string, want string) bool {
	for _, p := range problems {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

// TestSchemaDamage changes the schema's text as a damaged byte could while
// leaving it valid SQL: Check must report it and Open refuse the file. A
// table of another owner is not the archive's to judge.
func TestSchemaDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage string
		want   string // "" for no problem
	}{
		{"comment in a table's definition",
			`UPDATE sqlite_schema SET sql = replace(sql, 'gzip of the exact', 'gzip of thE exact') WHERE name = 'captures'`,
			"the schema entry for table captures is damaged"},
		{"default value",
			`UPDATE sqlite_schema SET sql = replace(sql, 'stripped TEXT NOT NULL DEFAULT ''[]''', 'stripped TEXT NOT NULL DEFAULT ''[}''') WHERE name = 'captures'`,
			"the schema entry for table captures is damaged"},
		{"search index tokenizer",
			`UPDATE sqlite_schema SET sql = replace(sql, 'remove_diacritics 2', 'remove_diacritics 0') WHERE name = 'article_fts'`,
			"the schema entry for table article_fts is damaged"},
		{"migration record renamed",
			`UPDATE schema_migrations SET name = '0003_settingz.sql' WHERE owner = 'archive' AND version = 3`,
			"the record of archive migration 3 is damaged"},
		{"migration time malformed",
			`UPDATE schema_migrations SET applied_at = replace(applied_at, 'T', 't') WHERE owner = 'archive' AND version = 5`,
			"the record of archive migration 5 is damaged"},
		{"another owner's table",
			`CREATE TABLE other_owner_notes (id INTEGER PRIMARY KEY, note TEXT)`,
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := openTest(t)
			path := l.path
			if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("T", "some words")); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, path, "_foreign_keys=off")
			if _, err := raw.Exec(`PRAGMA writable_schema = ON; ` + tt.damage + `; PRAGMA writable_schema = OFF`); err != nil {
				t.Fatal(err)
			}
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			problems, err := l.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" && len(problems) > 0 || tt.want != "" && !containsProblem(problems, tt.want) {
				t.Errorf("Check() = %q, want %q", problems, tt.want)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l2, err := Open(path)
			var ce *CorruptError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Open() = %v, want the library", err)
			case tt.want != "" && (!errors.As(err, &ce) || !strings.Contains(ce.Detail, tt.want)):
				t.Errorf("Open() = %v, want a *CorruptError saying %q", err, tt.want)
			}
			if err == nil {
				if err := l2.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestSearchIndexDamage changes a byte of the search index's current data:
// Open must refuse the file (PRAGMA integrity_check runs FTS5's own check,
// which compares the index with the text it indexes).
func TestSearchIndexDamage(t *testing.T) {
	for _, where := range []string{"start", "middle", "end"} {
		t.Run(where, func(t *testing.T) {
			ctx := context.Background()
			l := openTest(t)
			path := l.path
			if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("Quarterly report", strings.Repeat("budget figures and their sources ", 50))); err != nil {
				t.Fatal(err)
			}
			raw := rawDB(t, path, "_foreign_keys=off")
			var id int64
			var block []byte
			// Leaves are numbered from segment 1 upwards (id >= 2^37); the
			// one segment written holds everything the index knows.
			err := raw.QueryRow(`SELECT id, block FROM article_fts_data WHERE id >= 137438953472 ORDER BY id LIMIT 1`).Scan(&id, &block)
			if err != nil {
				t.Fatal(err)
			}
			off := map[string]int{"start": 4, "middle": len(block) / 2, "end": len(block) - 2}[where]
			block[off] ^= 0x20
			if _, err := raw.Exec(`UPDATE article_fts_data SET block = ? WHERE id = ?`, block, id); err != nil {
				t.Fatal(err)
			}
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			if problems, err := l.Check(ctx); err != nil || len(problems) == 0 {
				t.Errorf("Check() = %q, %v, want the damage reported", problems, err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(path); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open() = %v, want ErrCorrupt", err)
			}
		})
	}
}

// olderLibrary makes a library at path as the archive's first n migrations
// leave it, without opening it with this Gloss.
func olderLibrary(t *testing.T, path string, n int) *Library {
	t.Helper()
	ms, err := readMigrations(archiveMigrations())
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	for _, m := range ms[:n] {
		files[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	w, err := sql.Open("sqlite3", writerDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	l := &Library{path: path, w: w, now: time.Now}
	if err := l.Migrate(ownerArchive, files); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestMigrationFillsCaptureSums opens a library saved before captures had
// sums: Open gives every capture the sum of what it holds, once, so that
// the captures read back and damage done afterwards is found.
func TestMigrationFillsCaptureSums(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	old := olderLibrary(t, path, 7)
	c := sampleCapture("Old article", "saved by an older Gloss")
	raw, err := compress(c.RawHTML)
	if err != nil {
		t.Fatal(err)
	}
	// Article 3's raw page was damaged before the upgrade: its gzip stream
	// fails its CRC.
	damagedRaw := append([]byte(nil), raw...)
	damagedRaw[len(damagedRaw)-6] ^= 0x10
	err = old.Write(ctx, func(tx *sql.Tx) error {
		for i, key := range []string{"text:a", "text:b", "text:c"} {
			raw := raw
			if i == 2 {
				raw = damagedRaw
			}
			if _, err := tx.Exec(`INSERT INTO articles (id, url, added_at, updated_at, title, sort_title, byline, site_name, published_at, word_count)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, i+1, key, formatTime(c.FetchedAt), formatTime(c.FetchedAt),
				c.Title, c.Title, c.Byline, c.SiteName, formatNullTime(c.Published), c.WordCount); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO captures (id, article_id, requested_url, final_url, fetched_at, http_status, content_type,
				raw_html, raw_charset, cleaned_html, text, title, byline, site_name, published_at, lang, excerpt, lead_image_url,
				word_count, created_at, removed, restored, stripped)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]', '[]')`,
				i+1, i+1, c.RequestedURL, c.FinalURL, formatTime(c.FetchedAt), c.HTTPStatus, c.ContentType,
				raw, c.RawCharset, c.CleanedHTML, c.Text, c.Title, c.Byline, c.SiteName, formatNullTime(c.Published),
				c.Lang, c.Excerpt, c.LeadImage, c.WordCount, formatTime(c.FetchedAt)); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE articles SET current_capture_id = ? WHERE id = ?`, i+1, i+1); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO article_fts (rowid, title, byline, site, text, annotations) VALUES (?, ?, ?, ?, ?, '')`,
				i+1, c.Title, c.Byline, c.SiteName, c.Text); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.w.Close(); err != nil {
		t.Fatal(err)
	}

	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var missing int
	if err := l.r.QueryRow(`SELECT count(*) FROM captures WHERE sum IS NULL`).Scan(&missing); err != nil {
		t.Fatal(err)
	}
	if missing != 1 {
		t.Errorf("%d captures without a sum after Open, want 1 (the one whose page was damaged)", missing)
	}
	want := []string{"capture 3: its stored copy is damaged"}
	if problems, err := l.Check(ctx); err != nil || !reflect.DeepEqual(problems, want) {
		t.Errorf("Check() = %q, %v, want %q", problems, err, want)
	}
	if _, err := l.Capture(ctx, 3); !errors.Is(err, ErrDamaged) {
		t.Errorf("Capture(3) error = %v, want ErrDamaged", err)
	}
	a, err := l.Article(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Current.Text != c.Text || string(a.Current.RawHTML) != string(c.RawHTML) {
		t.Errorf("article 1 reads back %q, want %q", a.Current.Text, c.Text)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// Filled once: the next Open refuses the library rather than fill the
	// damaged capture's sum over, and so it does after new damage.
	var ce *CorruptError
	if _, err := Open(path); !errors.As(err, &ce) || !strings.Contains(ce.Detail, want[0]) {
		t.Errorf("Open() = %v, want a *CorruptError saying %q", err, want[0])
	}
	raw2 := rawDB(t, path, "_foreign_keys=off")
	if _, err := raw2.Exec(`UPDATE captures SET raw_html = ?, sum = ? WHERE id = 3`, raw, sum3(t, raw2, raw)); err != nil {
		t.Fatal(err)
	}
	if _, err := raw2.Exec(`UPDATE captures SET cleaned_html = 'other' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if err := raw2.Close(); err != nil {
		t.Fatal(err)
	}
	want = []string{"capture 2: its stored copy is damaged"}
	if _, err := Open(path); !errors.As(err, &ce) || ce.Detail != want[0] {
		t.Errorf("Open() after damage = %v, want a *CorruptError saying %q", err, want[0])
	}
}

// sum3 returns the sum capture 3 of TestMigrationFillsCaptureSums has with
// its raw page repaired to raw.
func sum3(t *testing.T, db *sql.DB, raw []byte) int64 {
	t.Helper()
	v, _, err := scanStoredCapture(db.QueryRow(`SELECT sum, ` + captureSumColumns + ` FROM captures WHERE id = 3`))
	if err != nil {
		t.Fatal(err)
	}
	v[6] = raw
	return RowSum(v...)
}

// TestMigrateWithSteps checks that a migration's Go step runs once, after
// its SQL and in its transaction: a failing step leaves no trace of it.
func TestMigrateWithSteps(t *testing.T) {
	files := fstest.MapFS{
		"0001_notes.sql": {Data: []byte(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, sum INTEGER)`)},
		"0002_more.sql":  {Data: []byte(`ALTER TABLE notes ADD COLUMN extra TEXT`)},
	}
	fail := errors.New("step failed")
	tests := []struct {
		name    string
		step    MigrationStep
		wantErr error
		want    int // notes rows after
	}{
		{"step fills", func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO notes (body, sum) SELECT 'filled', count(extra) FROM notes`)
			return err
		}, nil, 1},
		{"step fails", func(context.Context, *sql.Tx) error { return fail }, fail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openTest(t)
			runs := 0
			steps := map[int]MigrationStep{2: func(ctx context.Context, tx *sql.Tx) error {
				runs++
				return tt.step(ctx, tx)
			}}
			err := l.MigrateWith("test", files, steps)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MigrateWith() = %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				if err := l.MigrateWith("test", files, steps); err != nil {
					t.Fatal(err)
				}
			}
			if runs != 1 {
				t.Errorf("the step ran %d times, want 1", runs)
			}
			var n int
			if err := l.r.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("%d notes, want %d", n, tt.want)
			}
			if got, want := versions(t, l, "test"), map[bool][]int{true: {1, 2}, false: {1}}[tt.wantErr == nil]; !equalInts(got, want) {
				t.Errorf("versions recorded %v, want %v", got, want)
			}
		})
	}
}

// TestCheckWith runs another owner's check in Check's snapshot.
func TestCheckWith(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	if _, _, err := l.AddCapture(ctx, "text:1", sampleCapture("T", "words")); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("cannot read notes")
	tests := []struct {
		name    string
		check   ContentCheck
		want    []string
		wantErr error
	}{
		{"problems added", func(ctx context.Context, tx *sql.Tx) ([]string, error) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM captures`).Scan(&n)
			return []string{fmt.Sprintf("note 1 of %d captures is damaged", n)}, err
		}, []string{"note 1 of 1 captures is damaged"}, nil},
		{"nothing wrong", func(context.Context, *sql.Tx) ([]string, error) { return nil, nil }, []string{}, nil},
		{"check fails", func(context.Context, *sql.Tx) ([]string, error) { return nil, broken }, nil, broken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.CheckWith(ctx, tt.check)
			if !errors.Is(err, tt.wantErr) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CheckWith() = %q, %v, want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDamagedError(t *testing.T) {
	err := fmt.Errorf("article 4: current capture 7: %w", &DamagedError{Kind: "capture", ID: 7})
	var de *DamagedError
	if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) {
		t.Fatalf("%v does not match ErrDamaged and *DamagedError", err)
	}
	if got, want := de.Error(), "capture 7 is damaged in the library file"; !strings.HasPrefix(got, want) {
		t.Errorf("Error() = %q, want it to start %q", got, want)
	}
	if errors.Is(err, ErrCorrupt) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%v matches another sentinel", err)
	}
}
