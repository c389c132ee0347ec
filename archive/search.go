package archive

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Snippet markers: Snippets wraps each matched word of a snippet in them.
const (
	SnippetOpen  = "«"
	SnippetClose = "»"
)

// SearchResult is one article found by Search.
type SearchResult struct {
	ArticleID int64
	Title     string
	Site      string
	Rank      float64 // relevance; higher is better (negated bm25)
}

// rankExpr weights the columns of article_fts (title, byline, site, text,
// annotations) for bm25: a word in the title counts most, then the user's
// own notes, then the byline and site, then the body.
const rankExpr = `bm25(10.0, 2.0, 2.0, 1.0, 4.0)`

// Search finds articles whose current capture or annotations match query,
// best first, at most limit (0 or less means 50). It returns no snippets:
// computing one re-reads and re-tokenises the article's text, most of the
// cost of a search for a couple of hundred results, so a caller asks
// Snippets for the results it shows.
//
// Words match whole words, ignoring case and accents. Any text a user types
// is a valid query: punctuation never causes a syntax error. On top of
// plain words Search understands:
//
//	"two words"   a phrase
//	clim*         a prefix
//	cats OR dogs  either word (binds tighter than the implicit AND)
//	-dogs         articles without the word (also: NOT dogs)
//
// A bare AND is ignored: words are all required anyway. Lower-case and, or,
// not are ordinary words.
func (l *Library) Search(ctx context.Context, query string, limit int) ([]SearchResult, error) {
	match := ftsQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	var results []SearchResult
	err := l.Read(ctx, func(tx *sql.Tx) error {
		// ORDER BY rank with "rank MATCH" lets FTS5 sort by the weighted
		// score itself. The titles come from articles (a copy of the
		// current capture's, as in the index): reading them from the index
		// would read each result's whole text with them, as much time again
		// as ranking.
		rows, err := tx.QueryContext(ctx, `
			SELECT r.id, a.title, a.site_name, r.rank
			FROM (
				SELECT rowid AS id, rank FROM article_fts
				WHERE article_fts MATCH ? AND rank MATCH ?
				ORDER BY rank
				LIMIT ?
			) r JOIN articles a ON a.id = r.id
			ORDER BY r.rank`,
			match, rankExpr, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SearchResult
			if err := rows.Scan(&r.ArticleID, &r.Title, &r.Site, &r.Rank); err != nil {
				return err
			}
			r.Rank = -r.Rank
			results = append(results, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	return results, nil
}

// Snippets returns the text around the best match of query in each of the
// articles ids (results of Search for the same query, typically the ones on
// screen), with every matched word between SnippetOpen and SnippetClose. The
// snippet comes from the article's text or, when the match is only in its
// annotations, from them. An article that does not match the query (any
// more) has no entry. Each article costs about as much as reading its text
// once, so ask for the rows in view, not for every result.
func (l *Library) Snippets(ctx context.Context, query string, ids []int64) (map[int64]string, error) {
	match := ftsQuery(query)
	if match == "" || len(ids) == 0 {
		return map[int64]string{}, nil
	}
	out := make(map[int64]string, len(ids))
	err := l.Read(ctx, func(tx *sql.Tx) error {
		for len(ids) > 0 {
			n := min(len(ids), snippetBatch)
			if err := snippets(ctx, tx, match, ids[:n], out); err != nil {
				return err
			}
			ids = ids[n:]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: snippets: %w", query, err)
	}
	return out, nil
}

// snippetBatch is how many articles one query of Snippets looks up, well under
// SQLite's limit on parameters.
const snippetBatch = 500

// snippetQuery is the query of snippets for n articles. Its parameters: the
// snippet markers (twice), the FTS5 query, the lowest and highest rowid, and
// the n rowids.
//
// "rowid IN" alone would make FTS5 evaluate the query once per id (it takes
// IN as a list of "rowid =" lookups), and a prefix or a phrase costs more to
// set up than to run. A range of rowids is one evaluation, and the "+" leaves
// the IN to SQLite, as a filter on the rows that come back.
func snippetQuery(n int) string {
	return `
		SELECT rowid, snippet(article_fts, 3, ?, ?, '…', 16),
			snippet(article_fts, 4, ?, ?, '…', 16)
		FROM article_fts
		WHERE article_fts MATCH ? AND rowid BETWEEN ? AND ?
			AND +rowid IN (?` + strings.Repeat(", ?", n-1) + `)`
}

// snippets adds to out the snippets of the articles ids that match the FTS5
// query match, in one evaluation of the query; snippet() runs only for the
// rows of ids.
func snippets(ctx context.Context, tx *sql.Tx, match string, ids []int64, out map[int64]string) error {
	args := []any{SnippetOpen, SnippetClose, SnippetOpen, SnippetClose, match, slices.Min(ids), slices.Max(ids)}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, snippetQuery(len(ids)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text, annotations string
		if err := rows.Scan(&id, &text, &annotations); err != nil {
			return err
		}
		// The text's snippet is preferred; when the match is only in the
		// annotations, theirs is used instead.
		if !strings.Contains(text, SnippetOpen) && strings.Contains(annotations, SnippetOpen) {
			text = annotations
		}
		out[id] = text
	}
	return rows.Err()
}

// SetAnnotationIndex replaces the annotation text indexed for an article, in
// the caller's write transaction (see Write), so that Search finds articles
// by their highlights, notes and tags. Package annotate calls it whenever an
// article's annotations change, with all of them joined into text.
func (l *Library) SetAnnotationIndex(tx *sql.Tx, articleID int64, text string) error {
	ctx := context.Background()
	if err := articleExists(ctx, tx, articleID); err != nil {
		return fmt.Errorf("index annotations of article %d: %w", articleID, err)
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE rowid = ?`, articleID).Scan(&n)
	if err == nil && n == 0 {
		// Only a damaged index lacks the entry (Check reports it); rebuild
		// it from the current capture rather than drop the annotations.
		_, err = tx.ExecContext(ctx, `
			INSERT INTO article_fts (rowid, title, byline, site, text, annotations)
			SELECT a.id, c.title, c.byline, c.site_name, c.text, ?
			FROM articles a JOIN captures c ON c.id = a.current_capture_id
			WHERE a.id = ?`, text, articleID)
	} else if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE article_fts SET annotations = ? WHERE rowid = ?`, text, articleID)
	}
	if err != nil {
		return fmt.Errorf("index annotations of article %d: %w", articleID, err)
	}
	return nil
}

// indexArticle makes the search entry of an article reflect capture c,
// keeping its annotations.
func indexArticle(ctx context.Context, tx *sql.Tx, articleID int64, c Capture) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE rowid = ?`, articleID).Scan(&n)
	if err != nil {
		return fmt.Errorf("index article: %w", err)
	}
	if n == 0 {
		_, err = tx.ExecContext(ctx,
			`INSERT INTO article_fts (rowid, title, byline, site, text, annotations) VALUES (?, ?, ?, ?, ?, '')`,
			articleID, c.Title, c.Byline, c.SiteName, c.Text)
	} else {
		_, err = tx.ExecContext(ctx,
			`UPDATE article_fts SET title = ?, byline = ?, site = ?, text = ? WHERE rowid = ?`,
			c.Title, c.Byline, c.SiteName, c.Text, articleID)
	}
	if err != nil {
		return fmt.Errorf("index article: %w", err)
	}
	return nil
}

func unindexArticle(ctx context.Context, tx *sql.Tx, articleID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, articleID); err != nil {
		return fmt.Errorf("unindex article: %w", err)
	}
	return nil
}

// term is one element of a parsed query.
type term struct {
	text   string // without quotes or the trailing *
	prefix bool
	not    bool
	or     bool // an OR between the previous and the next term
}

// ftsQuery turns what a user typed into an FTS5 query that cannot be a
// syntax error: every word or phrase is double-quoted (FTS5's string
// literal, where only " needs escaping) and only the operators it emits
// itself appear unquoted. It returns "" when nothing searchable is left.
func ftsQuery(q string) string {
	var terms []term
	negateNext := false // after a bare NOT
	// Control characters separate words: FTS5 reads a NUL as the end of
	// the query, which would leave a quoted string unterminated.
	rs := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q))
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsSpace(rs[i]):
			i++
		case rs[i] == '"' || (rs[i] == '-' && i+1 < len(rs) && rs[i+1] == '"'):
			t := term{not: negateNext || rs[i] == '-'}
			if rs[i] == '-' {
				i++
			}
			negateNext = false
			i++ // opening quote
			start := i
			for i < len(rs) && rs[i] != '"' {
				i++
			}
			t.text = string(rs[start:i])
			if i < len(rs) {
				i++ // closing quote
			}
			for i < len(rs) && rs[i] == '*' {
				t.prefix = true
				i++
			}
			terms = append(terms, t)
		default:
			start := i
			for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '"' {
				i++
			}
			w := string(rs[start:i])
			switch w {
			case "OR":
				terms = append(terms, term{or: true})
				continue
			case "AND":
				continue
			case "NOT":
				negateNext = true
				continue
			}
			t := term{not: negateNext}
			negateNext = false
			if len(w) > 1 && w[0] == '-' {
				t.not, w = true, w[1:]
			}
			if trimmed := strings.TrimRight(w, "*"); trimmed != w {
				t.prefix, w = true, trimmed
			}
			t.text = w
			terms = append(terms, t)
		}
	}

	// Group: OR joins its neighbours; NOT terms are subtracted at the end.
	var groups [][]string
	var nots []string
	joinNext := false
	for _, t := range terms {
		if t.or {
			joinNext = len(groups) > 0
			continue
		}
		if !searchable(t.text) {
			continue
		}
		s := `"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`
		if t.prefix {
			s += "*"
		}
		switch {
		case t.not:
			nots = append(nots, s)
		case joinNext:
			groups[len(groups)-1] = append(groups[len(groups)-1], s)
		default:
			groups = append(groups, []string{s})
		}
		joinNext = false
	}
	if len(groups) == 0 {
		return "" // FTS5 cannot search for "everything except"
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g, " OR ")
		if len(g) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	// Explicit AND: FTS5 joins only bare phrases implicitly, so a group in
	// parentheses followed by a phrase would be a syntax error.
	out := strings.Join(parts, " AND ")
	if len(nots) > 0 {
		out = "(" + out + ")"
		for _, n := range nots {
			out += " NOT " + n
		}
	}
	return out
}

// searchable reports whether s has anything the tokenizer indexes: a quoted
// string of only punctuation is not an error, but it matches nothing.
func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}
