package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Article is one saved page or document, with its current capture.
type Article struct {
	ID        int64
	URL       string // the identity key: normalised URL, or file:… / text:<sha256>
	AddedAt   time.Time
	UpdatedAt time.Time // when the current capture was saved
	Current   Capture   // fully loaded
	Captures  int       // how many captures the article has, Current included
}

// ArticleSummary is what the library list shows of an article, taken from
// its current capture.
type ArticleSummary struct {
	ID        int64
	URL       string
	Title     string
	Site      string
	Byline    string
	AddedAt   time.Time
	Published *time.Time // nil when unknown
	WordCount int
	Captures  int
}

// SortBy is the order of List.
type SortBy string

// The orders List supports.
const (
	SortSaved     SortBy = "saved"     // when the article was first saved
	SortPublished SortBy = "published" // publication date; undated articles last either way
	SortTitle     SortBy = "title"     // title, ignoring case, accents and leading punctuation
)

// ListOptions selects a page of the library list.
type ListOptions struct {
	Limit  int    // at most this many; 0 or less means no limit
	Offset int    // skip this many first
	Sort   SortBy // "" means SortSaved
	Desc   bool   // reverse the order (newest, latest or Z first)
}

// Size is how many bytes an article takes, summed over all its captures.
type Size struct {
	Text        int64 // plain text
	RawHTML     int64 // raw HTML as stored (compressed)
	CleanedHTML int64
	Images      int64 // stored images, each counted once
}

// trackingParams are query parameters that only identify a campaign or a
// click, never the page; NormalizeURL drops them (and every utm_* one).
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "igshid": true, "mc_cid": true, "mc_eid": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true,
}

// NormalizeURL returns the identity key of a web address: scheme and host
// lower-cased, default port, fragment and tracking parameters (utm_*,
// fbclid, gclid and similar) removed, an empty path made "/", the rest of the
// query kept in its order. Anything that is not an absolute http(s) URL is
// returned trimmed but otherwise unchanged.
func NormalizeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return raw
	}
	u.Scheme = scheme
	host, port := strings.ToLower(u.Hostname()), u.Port()
	host = strings.TrimSuffix(host, ".")
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = stripTracking(u.RawQuery)
	u.ForceQuery = false
	return u.String()
}

// stripTracking removes tracking parameters from a raw query, keeping the
// others byte for byte and in order.
func stripTracking(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		k = strings.ToLower(k)
		if strings.HasPrefix(k, "utm_") || trackingParams[k] {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// foldAccents decomposes and drops combining marks: "Über" → "Uber".
var foldAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// sortTitle is the key the title order sorts on: the title (or, for an
// untitled article, its address without scheme and www.) lower-cased,
// without accents or leading punctuation, so "«Über»" sorts with "uber".
func sortTitle(title, key string) string {
	s := strings.TrimSpace(title)
	if s == "" {
		s = key
		for _, p := range []string{"https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
	}
	if folded, _, err := transform.String(foldAccents, s); err == nil {
		s = folded
	}
	s = strings.ToLower(s)
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	return s
}

// Article returns the article with the given id and its current capture. If
// the capture no longer matches its checksum, the error matches ErrDamaged
// (a *DamagedError) and no article is returned.
func (l *Library) Article(ctx context.Context, id int64) (Article, error) {
	var a Article
	err := l.Read(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = readArticle(ctx, tx, id)
		return err
	})
	if err != nil {
		return Article{}, fmt.Errorf("article %d: %w", id, err)
	}
	return a, nil
}

// ArticleByURL returns the article whose key (as given to AddCapture) is key.
func (l *Library) ArticleByURL(ctx context.Context, key string) (Article, error) {
	var a Article
	err := l.Read(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		a, err = readArticle(ctx, tx, id)
		return err
	})
	if err != nil {
		return Article{}, fmt.Errorf("article %s: %w", key, err)
	}
	return a, nil
}

func readArticle(ctx context.Context, tx *sql.Tx, id int64) (Article, error) {
	a := Article{ID: id}
	var added, updated string
	var current sql.NullInt64
	err := tx.QueryRowContext(ctx, `
		SELECT url, added_at, updated_at, current_capture_id,
			(SELECT count(*) FROM captures c WHERE c.article_id = a.id)
		FROM articles a WHERE id = ?`, id).Scan(&a.URL, &added, &updated, &current, &a.Captures)
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, ErrNotFound
	}
	if err != nil {
		return Article{}, err
	}
	if a.AddedAt, err = parseTime(added); err != nil {
		return Article{}, err
	}
	if a.UpdatedAt, err = parseTime(updated); err != nil {
		return Article{}, err
	}
	if !current.Valid {
		return Article{}, fmt.Errorf("article has no current capture")
	}
	if a.Current, err = readCapture(ctx, tx, current.Int64); err != nil {
		return Article{}, fmt.Errorf("current capture %d: %w", current.Int64, err)
	}
	return a, nil
}

func articleExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// listOrder is the ORDER BY of each list order. Every one is served by an
// index of articles (see migrations/0001_library.sql); library_test.go checks
// the query plans so a sort never falls back to sorting the whole table.
func listOrder(by SortBy, desc bool) (string, error) {
	switch by {
	case SortSaved, "":
		if desc {
			return "added_at DESC, id DESC", nil
		}
		return "added_at, id", nil
	case SortTitle:
		if desc {
			return "sort_title DESC, id DESC", nil
		}
		return "sort_title, id", nil
	case SortPublished:
		if desc {
			return "published_at DESC, id DESC", nil // NULL sorts lowest: last
		}
		return "published_at IS NULL, published_at, id", nil
	}
	return "", fmt.Errorf("unknown sort order %q", by)
}

func listQuery(order string) string {
	return `SELECT id, url, title, site_name, byline, added_at, published_at, word_count,
		(SELECT count(*) FROM captures c WHERE c.article_id = a.id)
	FROM articles a ORDER BY ` + order + ` LIMIT ? OFFSET ?`
}

// List returns a page of the library, sorted as opt says.
func (l *Library) List(ctx context.Context, opt ListOptions) ([]ArticleSummary, error) {
	order, err := listOrder(opt.Sort, opt.Desc)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	limit := opt.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var list []ArticleSummary
	err = l.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, listQuery(order), limit, max(opt.Offset, 0))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s ArticleSummary
			var added string
			var published sql.NullString
			err := rows.Scan(&s.ID, &s.URL, &s.Title, &s.Site, &s.Byline, &added, &published, &s.WordCount, &s.Captures)
			if err != nil {
				return err
			}
			if s.AddedAt, err = parseTime(added); err != nil {
				return err
			}
			if s.Published, err = parseNullTime(published); err != nil {
				return err
			}
			list = append(list, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return list, nil
}

// Count returns how many articles the library holds.
func (l *Library) Count(ctx context.Context) (int, error) {
	var n int
	err := l.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// Delete removes an article with all its captures and its search entry.
// Tables of other packages that reference articles with ON DELETE CASCADE
// lose their rows in the same transaction.
func (l *Library) Delete(ctx context.Context, id int64) error {
	err := l.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return unindexArticle(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	return nil
}

// ArticleSize returns the bytes an article's captures take in the library.
func (l *Library) ArticleSize(ctx context.Context, id int64) (Size, error) {
	var s Size
	err := l.Read(ctx, func(tx *sql.Tx) error {
		if err := articleExists(ctx, tx, id); err != nil {
			return err
		}
		// octet_length counts bytes of TEXT; length would count characters.
		if err := tx.QueryRowContext(ctx, `
			SELECT coalesce(sum(octet_length(text)), 0),
				coalesce(sum(length(raw_html)), 0),
				coalesce(sum(octet_length(cleaned_html)), 0)
			FROM captures WHERE article_id = ?`, id).Scan(&s.Text, &s.RawHTML, &s.CleanedHTML); err != nil {
			return err
		}
		// Each distinct image counts once for the article, however many captures show it.
		return tx.QueryRowContext(ctx, `
			SELECT coalesce(sum(size), 0) FROM images WHERE hash IN (
				SELECT ci.hash FROM capture_images ci JOIN captures c ON c.id = ci.capture_id
				WHERE c.article_id = ?)`, id).Scan(&s.Images)
	})
	if err != nil {
		return Size{}, fmt.Errorf("size of article %d: %w", id, err)
	}
	return s, nil
}
