package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gloss/archive/clean"
)

// Capture is one fetch of an article, kept as received and as cleaned.
// Captures are never changed once saved; fetching again adds a new one.
type Capture struct {
	ID        int64
	ArticleID int64

	RequestedURL string
	FinalURL     string // after redirects
	FetchedAt    time.Time
	HTTPStatus   int
	ContentType  string
	RawHTML      []byte // the exact bytes received (stored compressed)
	RawCharset   string // the charset RawHTML was decoded with

	CleanedHTML string
	Text        string // canonical plain text; annotations anchor into it
	Title       string
	Byline      string
	SiteName    string
	Published   *time.Time // nil when unknown
	Lang        string
	Excerpt     string
	LeadImage   string // URL
	WordCount   int
	// Removed lists what cleaning took out, in document order; Restored names the
	// removals (by Path) the user chose to keep, which a re-clean honours.
	Removed  []clean.Removal
	Restored []string
	// Stripped holds the canonical text of blocks the user removed in strip mode.
	Stripped []string

	CreatedAt time.Time // when it was saved to the library
}

// AddCapture saves c as the newest capture of the article identified by key
// and makes it current, creating the article if key is new. key is the
// normalised requested URL (see NormalizeURL), or "file:…" / "text:<sha256>"
// for local imports. Earlier captures are kept unchanged. c.ID, c.ArticleID
// and c.CreatedAt are ignored; a zero c.FetchedAt means now. Hooks
// registered with OnCapture run in the same transaction; an error from one
// saves nothing.
func (l *Library) AddCapture(ctx context.Context, key string, c Capture) (articleID, captureID int64, err error) {
	return l.AddCaptureWithImages(ctx, key, c, nil, nil)
}

// addCapture does AddCapture's work inside tx; rawGz is c.RawHTML compressed.
func (l *Library) addCapture(ctx context.Context, tx *sql.Tx, key string, c Capture, rawGz []byte) (articleID, captureID int64, err error) {
	now := l.now()
	if c.FetchedAt.IsZero() {
		c.FetchedAt = now
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, key).Scan(&articleID)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO articles (url, added_at, updated_at) VALUES (?, ?, ?)`,
			key, formatTime(now), formatTime(now))
		if err != nil {
			return 0, 0, fmt.Errorf("insert article: %w", err)
		}
		if articleID, err = res.LastInsertId(); err != nil {
			return 0, 0, fmt.Errorf("insert article: %w", err)
		}
	} else if err != nil {
		return 0, 0, fmt.Errorf("find article: %w", err)
	}

	removed, err := jsonList(c.Removed)
	if err != nil {
		return 0, 0, fmt.Errorf("encode removals: %w", err)
	}
	restored, err := jsonList(c.Restored)
	if err != nil {
		return 0, 0, fmt.Errorf("encode restored removals: %w", err)
	}
	stripped, err := jsonList(c.Stripped)
	if err != nil {
		return 0, 0, fmt.Errorf("encode stripped blocks: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO captures (
			article_id, requested_url, final_url, fetched_at, http_status, content_type,
			raw_html, raw_charset, cleaned_html, text, title, byline, site_name,
			published_at, lang, excerpt, lead_image_url, word_count, created_at, removed, restored, stripped
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		articleID, c.RequestedURL, c.FinalURL, formatTime(c.FetchedAt), c.HTTPStatus, c.ContentType,
		rawGz, c.RawCharset, c.CleanedHTML, c.Text, c.Title, c.Byline, c.SiteName,
		formatNullTime(c.Published), c.Lang, c.Excerpt, c.LeadImage, c.WordCount, formatTime(now),
		removed, restored, stripped)
	if err != nil {
		return 0, 0, fmt.Errorf("insert capture: %w", err)
	}
	if captureID, err = res.LastInsertId(); err != nil {
		return 0, 0, fmt.Errorf("insert capture: %w", err)
	}

	_, err = tx.ExecContext(ctx, `
		UPDATE articles SET
			current_capture_id = ?, updated_at = ?,
			title = ?, sort_title = ?, byline = ?, site_name = ?, published_at = ?, word_count = ?
		WHERE id = ?`,
		captureID, formatTime(now),
		c.Title, sortTitle(c.Title, key), c.Byline, c.SiteName, formatNullTime(c.Published), c.WordCount,
		articleID)
	if err != nil {
		return 0, 0, fmt.Errorf("make capture current: %w", err)
	}
	if err := indexArticle(ctx, tx, articleID, c); err != nil {
		return 0, 0, err
	}
	return articleID, captureID, nil
}

// Capture returns the capture with the given id, fully loaded.
func (l *Library) Capture(ctx context.Context, id int64) (Capture, error) {
	var c Capture
	err := l.Read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = readCapture(ctx, tx, id)
		return err
	})
	if err != nil {
		return Capture{}, fmt.Errorf("capture %d: %w", id, err)
	}
	return c, nil
}

// Captures returns the captures of an article, newest first, without their
// bodies (RawHTML, CleanedHTML and Text are empty).
func (l *Library) Captures(ctx context.Context, articleID int64) ([]Capture, error) {
	var cs []Capture
	err := l.Read(ctx, func(tx *sql.Tx) error {
		if err := articleExists(ctx, tx, articleID); err != nil {
			return err
		}
		var err error
		cs, err = readCaptureList(ctx, tx, articleID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("captures of article %d: %w", articleID, err)
	}
	return cs, nil
}

const captureMetaColumns = `id, article_id, requested_url, final_url, fetched_at, http_status, content_type,
	raw_charset, title, byline, site_name, published_at, lang, excerpt, lead_image_url, word_count, created_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanCaptureMeta scans captureMetaColumns followed by extra destinations.
func scanCaptureMeta(s scanner, c *Capture, extra ...any) error {
	var fetched, created string
	var published sql.NullString
	dest := append([]any{
		&c.ID, &c.ArticleID, &c.RequestedURL, &c.FinalURL, &fetched, &c.HTTPStatus, &c.ContentType,
		&c.RawCharset, &c.Title, &c.Byline, &c.SiteName, &published, &c.Lang, &c.Excerpt, &c.LeadImage,
		&c.WordCount, &created,
	}, extra...)
	if err := s.Scan(dest...); err != nil {
		return err
	}
	var err error
	if c.FetchedAt, err = parseTime(fetched); err != nil {
		return err
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return err
	}
	c.Published, err = parseNullTime(published)
	return err
}

func readCapture(ctx context.Context, tx *sql.Tx, id int64) (Capture, error) {
	var c Capture
	var rawGz []byte
	row := tx.QueryRowContext(ctx,
		`SELECT `+captureMetaColumns+`, raw_html, cleaned_html, text, removed, restored, stripped FROM captures WHERE id = ?`, id)
	var removed, restored, stripped string
	err := scanCaptureMeta(row, &c, &rawGz, &c.CleanedHTML, &c.Text, &removed, &restored, &stripped)
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, ErrNotFound
	}
	if err != nil {
		return Capture{}, err
	}
	if c.RawHTML, err = decompress(rawGz); err != nil {
		return Capture{}, fmt.Errorf("raw html: %w", err)
	}
	if err := json.Unmarshal([]byte(removed), &c.Removed); err != nil {
		return Capture{}, fmt.Errorf("removals: %w", err)
	}
	if err := json.Unmarshal([]byte(restored), &c.Restored); err != nil {
		return Capture{}, fmt.Errorf("restored removals: %w", err)
	}
	if err := json.Unmarshal([]byte(stripped), &c.Stripped); err != nil {
		return Capture{}, fmt.Errorf("stripped blocks: %w", err)
	}
	if len(c.Stripped) == 0 {
		c.Stripped = nil
	}
	if len(c.Removed) == 0 {
		c.Removed = nil
	}
	if len(c.Restored) == 0 {
		c.Restored = nil
	}
	return c, nil
}

func readCaptureList(ctx context.Context, tx *sql.Tx, articleID int64) ([]Capture, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT `+captureMetaColumns+` FROM captures WHERE article_id = ? ORDER BY id DESC`, articleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []Capture
	for rows.Next() {
		var c Capture
		if err := scanCaptureMeta(rows, &c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return cs, nil
}

// compress gzips raw HTML for storage; nothing stays nothing (NULL).
func compress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("compress raw html: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress raw html: %w", err)
	}
	return buf.Bytes(), nil
}

func decompress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	return out, zr.Close()
}

// jsonList encodes a list for a JSON column; nil is the empty list.
func jsonList[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
