package archive

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckHealthy(t *testing.T) {
	l := openTest(t)
	ctx := context.Background()
	for _, key := range []string{"text:1", "text:2", "text:1"} {
		if _, _, err := l.AddCapture(ctx, key, sampleCapture("T", "text")); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := l.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("Check() = %q, want none", problems)
	}
}

// TestCheckFindsDamage damages a library through a raw connection with
// foreign keys off, as a bug or another tool could, and expects Check to say
// what is wrong.
func TestCheckFindsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage string
		want   string
	}{
		{"dangling capture",
			`INSERT INTO captures (article_id, fetched_at, created_at) VALUES (999, '', '')`,
			"captures row 3 refers to a missing articles row"},
		{"current capture of another article",
			`UPDATE articles SET current_capture_id = 2 WHERE id = 1`,
			"article 1 has no current capture of its own"},
		{"list entry out of date",
			`UPDATE articles SET title = 'Edited behind our back' WHERE id = 2`,
			"article 2: library list entry differs from its current capture"},
		{"missing search entry",
			`DELETE FROM article_fts WHERE rowid = 1`,
			"article 1 is missing from the search index"},
		{"stray search entry",
			`INSERT INTO article_fts (rowid, title, byline, site, text, annotations) VALUES (77, 't', '', '', 'x', '')`,
			"search index has an entry for missing article 77"},
		{"search index out of step with its content",
			`DELETE FROM article_fts_content WHERE id = 2`,
			"integrity: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "library.db")
			l, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			for _, key := range []string{"text:1", "text:2"} {
				if _, _, err := l.AddCapture(ctx, key, sampleCapture("T", "some words")); err != nil {
					t.Fatal(err)
				}
			}
			raw := rawDB(t, path, "_foreign_keys=off")
			if _, err := raw.Exec(tt.damage); err != nil {
				t.Fatal(err)
			}
			problems, err := l.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p, tt.want)
			}
			if !found {
				t.Errorf("Check() = %q, want a problem containing %q", problems, tt.want)
			}
		})
	}
}
