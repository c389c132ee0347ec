package annotate

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gloss/archive"
)

// Progress is how far the user has read an article.
type Progress struct {
	Fraction float64 // from 0 (not started) to 1 (finished)
	Offset   int     // byte offset in the current capture's text where they stopped
}

// ArticleMeta is what the user keeps about a whole article.
type ArticleMeta struct {
	ArticleID int64
	Tags      []string
	Note      string // Markdown
	Favourite bool
	Archived  bool
	Progress  Progress
	Updated   time.Time // when note, favourite, archived or progress last changed; zero if never
}

// ArticleMeta returns the article-level annotations of an article. If its row or one of
// its tags is damaged, it fails with an error matching ErrDamaged (see queryHighlights
// for why the whole read fails).
func (s *Store) ArticleMeta(ctx context.Context, articleID int64) (ArticleMeta, error) {
	var m ArticleMeta
	err := s.lib.Read(ctx, func(tx *sql.Tx) error {
		if err := articleExists(ctx, tx, articleID); err != nil {
			return err
		}
		var err error
		if m, err = readArticleMeta(ctx, tx, articleID); err != nil {
			return err
		}
		m.Tags, err = articleTags(ctx, tx, articleID)
		return err
	})
	if err != nil {
		return ArticleMeta{}, fmt.Errorf("annotations of article %d: %w", articleID, err)
	}
	return m, nil
}

// readArticleMeta reads an article's row of article_meta, checked against its sum; no
// row means all defaults.
func readArticleMeta(ctx context.Context, tx *sql.Tx, articleID int64) (ArticleMeta, error) {
	m := ArticleMeta{ArticleID: articleID}
	rows, err := articleMetaTable.read(ctx, tx, `article_id = ?`, articleID)
	if err != nil || len(rows) == 0 {
		return m, err
	}
	return articleMetaFromRow(rows[0].vals)
}

// articleMetaFromRow makes an ArticleMeta (without tags) of the values of a row of
// article_meta, in articleMetaTable's order.
func articleMetaFromRow(v []any) (ArticleMeta, error) {
	var r rowReader
	m := ArticleMeta{ArticleID: r.int(v[0]), Note: r.str(v[1]), Favourite: r.int(v[2]) == 1, Archived: r.int(v[3]) == 1}
	p, ok := v[4].(float64)
	if !ok {
		r.keep(fmt.Errorf("stored value %v is not a number", v[4]))
	}
	m.Progress = Progress{Fraction: p, Offset: int(r.int(v[5]))}
	m.Updated = r.time(v[6])
	return m, r.err
}

// SetArticleNote replaces the note of an article.
func (s *Store) SetArticleNote(ctx context.Context, articleID int64, note string) error {
	return s.setMeta(ctx, articleID, "note", `note = ?`, note)
}

// SetFavourite marks an article as a favourite or not.
func (s *Store) SetFavourite(ctx context.Context, articleID int64, on bool) error {
	return s.setMeta(ctx, articleID, "favourite", `favourite = ?`, on)
}

// SetArchived marks an article as archived (read and put away) or not.
func (s *Store) SetArchived(ctx context.Context, articleID int64, on bool) error {
	return s.setMeta(ctx, articleID, "archived", `archived = ?`, on)
}

// SetProgress records how far the user has read an article.
func (s *Store) SetProgress(ctx context.Context, articleID int64, p Progress) error {
	if math.IsNaN(p.Fraction) || p.Fraction < 0 || p.Fraction > 1 {
		return fmt.Errorf("set progress of article %d: %w", articleID,
			&ValueError{What: "reading progress", Value: strconv.FormatFloat(p.Fraction, 'g', -1, 64), Reason: "must be from 0 to 1"})
	}
	if p.Offset < 0 {
		return fmt.Errorf("set progress of article %d: %w", articleID,
			&ValueError{What: "reading position", Value: strconv.Itoa(p.Offset), Reason: "must not be negative"})
	}
	return s.setMeta(ctx, articleID, "progress", `progress = ?, progress_offset = ?`, p.Fraction, p.Offset)
}

// setMeta sets columns of an article's meta row, creating it if needed, and re-indexes
// the article's annotations.
func (s *Store) setMeta(ctx context.Context, articleID int64, what, set string, args ...any) error {
	err := s.lib.Write(ctx, func(tx *sql.Tx) error {
		if err := articleExists(ctx, tx, articleID); err != nil {
			return err
		}
		// The update leaves the other columns as they are: they must be intact for the
		// new sum to vouch for them.
		if err := articleMetaTable.verify(ctx, tx, `article_id = ?`, articleID); err != nil {
			return err
		}
		now := formatTime(s.now())
		_, err := tx.ExecContext(ctx, `INSERT INTO article_meta (article_id, updated_at) VALUES (?, ?)
			ON CONFLICT (article_id) DO NOTHING`, articleID, now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE article_meta SET `+set+`, updated_at = ? WHERE article_id = ?`,
			append(args, now, articleID)...)
		if err != nil {
			return err
		}
		if err := articleMetaTable.seal(ctx, tx, `article_id = ?`, articleID); err != nil {
			return err
		}
		return s.reindex(ctx, tx, articleID)
	})
	if err != nil {
		return fmt.Errorf("set %s of article %d: %w", what, articleID, err)
	}
	return nil
}

// ListFilter selects articles for the library list. Zero fields select everything.
type ListFilter struct {
	Tag           string      // tagged so, directly or through a live highlight
	ClaimStatus   ClaimStatus // with a live highlight whose claim has this status
	Favourite     *bool
	Archived      *bool
	HasHighlights *bool // with at least one live highlight, or none
}

// ArticleRow is one line of the library list: the article's summary with its
// annotations.
type ArticleRow struct {
	archive.ArticleSummary
	Tags       []string // the article's own tags
	Highlights int      // live highlights, orphans included
	Favourite  bool
	Archived   bool
	Progress   Progress
}

// listOrder is the ORDER BY of each sort, over articles a; each is served by an index of
// articles (see the archive's migrations) when no filter narrows the list first.
func listOrder(by archive.SortBy, desc bool) (string, error) {
	switch by {
	case archive.SortSaved, "":
		if desc {
			return "a.added_at DESC, a.id DESC", nil
		}
		return "a.added_at, a.id", nil
	case archive.SortTitle:
		if desc {
			return "a.sort_title DESC, a.id DESC", nil
		}
		return "a.sort_title, a.id", nil
	case archive.SortPublished:
		if desc {
			return "a.published_at DESC, a.id DESC", nil
		}
		return "a.published_at IS NULL, a.published_at, a.id", nil
	}
	return "", fmt.Errorf("unknown sort order %q", by)
}

// where returns the conditions of f over articles a, each an indexed lookup.
func (f ListFilter) where() (string, []any, error) {
	var conds []string
	var args []any
	if f.Tag != "" {
		tag, err := NormalizeTag(f.Tag)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, `a.id IN (
			SELECT article_id FROM article_tags WHERE tag = ?
			UNION
			SELECT h.article_id FROM highlight_tags t JOIN highlights h ON h.id = t.highlight_id
			WHERE t.tag = ? AND h.deleted_at IS NULL)`)
		args = append(args, tag, tag)
	}
	if f.ClaimStatus != "" {
		if !contains(ClaimStatuses, f.ClaimStatus) {
			return "", nil, &ValueError{What: "claim status", Value: string(f.ClaimStatus), Allowed: names(ClaimStatuses)}
		}
		conds = append(conds, `a.id IN (
			SELECT h.article_id FROM claims c JOIN highlights h ON h.id = c.highlight_id
			WHERE c.status = ? AND h.deleted_at IS NULL)`)
		args = append(args, string(f.ClaimStatus))
	}
	flag := func(p *bool, set string) {
		if p == nil {
			return
		}
		op := "IN"
		if !*p {
			op = "NOT IN"
		}
		conds = append(conds, "a.id "+op+" ("+set+")")
	}
	flag(f.Favourite, `SELECT article_id FROM article_meta WHERE favourite = 1`)
	flag(f.Archived, `SELECT article_id FROM article_meta WHERE archived = 1`)
	if f.HasHighlights != nil {
		not := ""
		if !*f.HasHighlights {
			not = "NOT "
		}
		conds = append(conds, not+`EXISTS (SELECT 1 FROM highlights h WHERE h.article_id = a.id AND h.deleted_at IS NULL)`)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args, nil
}

// listArticlesQuery is the query of ListArticles for a WHERE clause and an ORDER BY.
func listArticlesQuery(where, order string) string {
	return `
		SELECT a.id, a.url, a.title, a.site_name, a.byline, a.added_at, a.published_at, a.word_count,
			(SELECT count(*) FROM captures c WHERE c.article_id = a.id),
			(SELECT count(*) FROM highlights h WHERE h.article_id = a.id AND h.deleted_at IS NULL),
			` + articleMetaTable.columns("m") + `
		FROM articles a LEFT JOIN article_meta m ON m.article_id = a.id
		` + where + `
		ORDER BY ` + order + ` LIMIT ? OFFSET ?`
}

// ListArticles returns a page of the library list, filtered by f and sorted and paged as
// opt says, with each article's tags, highlight count, flags and reading progress. If the
// flags or a tag of an article on the page are damaged, the page fails with an error
// matching ErrDamaged naming them (see queryHighlights for why).
func (s *Store) ListArticles(ctx context.Context, f ListFilter, opt archive.ListOptions) ([]ArticleRow, error) {
	order, err := listOrder(opt.Sort, opt.Desc)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	where, args, err := f.where()
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	limit := opt.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []ArticleRow
	err = s.lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, listArticlesQuery(where, order), append(args, limit, max(opt.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		index := map[int64]int{}
		var damaged []string
		nm := len(articleMetaTable.cols)
		for rows.Next() {
			var r ArticleRow
			var added string
			var published sql.NullString
			meta := make([]any, nm+1)
			dest := []any{&r.ID, &r.URL, &r.Title, &r.Site, &r.Byline, &added, &published, &r.WordCount,
				&r.Captures, &r.Highlights}
			for i := range meta {
				dest = append(dest, &meta[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if mr := (storedRow{vals: meta[:nm], sum: meta[nm]}); mr.vals[0] != nil {
				if !mr.intact() {
					damaged = append(damaged, articleMetaTable.what(mr.vals))
					continue
				}
				m, err := articleMetaFromRow(mr.vals)
				if err != nil {
					return err
				}
				r.Favourite, r.Archived, r.Progress = m.Favourite, m.Archived, m.Progress
			}
			if r.AddedAt, err = parseTime(added); err != nil {
				return err
			}
			if published.Valid {
				p, err := parseTime(published.String)
				if err != nil {
					return err
				}
				r.Published = &p
			}
			index[r.ID] = len(out)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(damaged) > 0 {
			return &DamagedError{Rows: damaged}
		}
		if len(out) == 0 {
			return nil
		}
		// The tags of the page, a few queries at most.
		for from := 0; from < len(out); from += tagBatch {
			ids := make([]any, 0, tagBatch)
			for _, r := range out[from:min(from+tagBatch, len(out))] {
				ids = append(ids, r.ID)
			}
			if err := pageTags(ctx, tx, ids, func(id int64, tag string) {
				out[index[id]].Tags = append(out[index[id]].Tags, tag)
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return out, nil
}

// tagBatch is how many articles' tags are read in one query.
const tagBatch = 500

// pageTags calls add with the tags of the articles ids, checked against their sums.
func pageTags(ctx context.Context, tx *sql.Tx, ids []any, add func(id int64, tag string)) error {
	rows, err := articleTagsTable.read(ctx, tx, `article_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY article_id, tag`, ids...)
	if err != nil {
		return err
	}
	for _, row := range rows {
		var r rowReader
		id, tag := r.int(row.vals[0]), r.str(row.vals[1])
		if r.err != nil {
			return r.err
		}
		add(id, tag)
	}
	return nil
}

// CountArticles returns how many articles f selects, for paging the list.
func (s *Store) CountArticles(ctx context.Context, f ListFilter) (int, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	var n int
	err = s.lib.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM articles a `+where, args...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}
