package libgen

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"
	"path/filepath"

	"gloss/archive"
)

func TestZZDiag(t *testing.T) {
	if os.Getenv("ZZDIAG") == "" {
		t.Skip()
	}
	ctx := context.Background()
	opt, _, _ := FromEnv()
	src, err := Cached(ctx, CacheDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "l.db")
	Copy(src, dst)
	lib, err := archive.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	q, _ := SearchQueries(opt, 100)
	variants := map[string]string{
		"full200": `SELECT rowid, title, site, snippet(article_fts, 3, '«', '»', '…', 16), snippet(article_fts, 4, '«', '»', '…', 16), rank FROM article_fts WHERE article_fts MATCH ? AND rank MATCH 'bm25(10.0, 2.0, 2.0, 1.0, 4.0)' ORDER BY rank LIMIT 200`,
		"full50": `SELECT rowid, title, site, snippet(article_fts, 3, '«', '»', '…', 16), snippet(article_fts, 4, '«', '»', '…', 16), rank FROM article_fts WHERE article_fts MATCH ? AND rank MATCH 'bm25(10.0, 2.0, 2.0, 1.0, 4.0)' ORDER BY rank LIMIT 50`,
		"nosnip200": `SELECT rowid, title, site, rank FROM article_fts WHERE article_fts MATCH ? AND rank MATCH 'bm25(10.0, 2.0, 2.0, 1.0, 4.0)' ORDER BY rank LIMIT 200`,
		"rowidonly200": `SELECT rowid, rank FROM article_fts WHERE article_fts MATCH ? AND rank MATCH 'bm25(10.0, 2.0, 2.0, 1.0, 4.0)' ORDER BY rank LIMIT 200`,
		"count": `SELECT count(*) FROM article_fts WHERE article_fts MATCH ?`,
		"unranked200": `SELECT rowid FROM article_fts WHERE article_fts MATCH ? LIMIT 200`,
	}
	for name, sqlq := range variants {
		var lat Latencies
		for _, w := range q.Words {
			m := `"` + w + `"`
			lat.Time(func() error {
				return lib.Read(ctx, func(tx *sql.Tx) error {
					rows, err := tx.QueryContext(ctx, sqlq, m)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
					}
					return rows.Err()
				})
			})
		}
		t.Logf("%-14s median %6.2f ms p99 %6.2f ms", name, lat.Milliseconds(50), lat.Milliseconds(99))
	}
	_ = time.Now
}
