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
	"strings"
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
	values := []any{
		articleID, c.RequestedURL, c.FinalURL, formatTime(c.FetchedAt), c.HTTPStatus, c.ContentType,
		rawGz, c.RawCharset, c.CleanedHTML, c.Text, c.Title, c.Byline, c.SiteName,
		formatNullTime(c.Published), c.Lang, c.Excerpt, c.LeadImage, c.WordCount, formatTime(now),
		removed, restored, stripped,
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO captures (`+captureSumColumns+`, sum) VALUES (?`+strings.Repeat(", ?", len(values))+`)`,
		append(values, RowSum(values...))...)
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

// Capture returns the capture with the given id, fully loaded. A capture
// that no longer matches its checksum is not returned: the error is a
// *DamagedError matching ErrDamaged.
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

// captureSumColumns are the columns of a capture that its sum covers, every
// one but id and sum, in the order RowSum takes them. A capture's sum is
// RowSum over their values as SQLite holds them (TEXT as string, INTEGER as
// int64, BLOB as []byte, NULL as nil), which are the values addCapture
// inserts; so a value that reads back changed in content or in type breaks
// it. A migration that adds a column to captures must add it here, and fill
// the sums again in the same transaction.
const captureSumColumns = `article_id, requested_url, final_url, fetched_at, http_status, content_type,
	raw_html, raw_charset, cleaned_html, text, title, byline, site_name,
	published_at, lang, excerpt, lead_image_url, word_count, created_at, removed, restored, stripped`

// scanStoredCapture scans a row of sum followed by captureSumColumns as the
// driver returns them, and reports whether the sum holds.
func scanStoredCapture(s scanner, extra ...any) (values []any, ok bool, err error) {
	var sum any
	values = make([]any, strings.Count(captureSumColumns, ",")+1)
	dest := append(append([]any(nil), extra...), &sum)
	for i := range values {
		dest = append(dest, &values[i])
	}
	if err := s.Scan(dest...); err != nil {
		return nil, false, err
	}
	stored, isInt := sum.(int64)
	return values, isInt && stored == RowSum(values...), nil
}

// fromStored sets *dst from v, a value as the driver returns it, converting
// it as Scan would.
func fromStored[T any](dst *T, v any) error {
	var n sql.Null[T]
	if err := n.Scan(v); err != nil {
		return err
	}
	*dst = n.V
	return nil
}

// ReadCapture returns the capture with the given id, fully loaded, read in
// tx: for another owner of tables in the library (package annotate) that
// needs a capture inside its own transaction. Like Capture, it checks the
// capture against its checksum and returns an error matching ErrDamaged,
// never the capture, if it reads back different from what was saved; and
// ErrNotFound if there is none.
func ReadCapture(ctx context.Context, tx *sql.Tx, id int64) (Capture, error) {
	c, err := readCapture(ctx, tx, id)
	if err != nil {
		return Capture{}, fmt.Errorf("capture %d: %w", id, err)
	}
	return c, nil
}

// readCapture reads a capture and checks it against its sum: a capture that
// reads back different from what was saved is a *DamagedError, never a
// capture.
func readCapture(ctx context.Context, tx *sql.Tx, id int64) (Capture, error) {
	row := tx.QueryRowContext(ctx, `SELECT sum, `+captureSumColumns+` FROM captures WHERE id = ?`, id)
	v, ok, err := scanStoredCapture(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, ErrNotFound
	}
	if err != nil {
		return Capture{}, err
	}
	if !ok {
		return Capture{}, &DamagedError{Kind: "capture", ID: id}
	}
	c := Capture{ID: id}
	var rawGz []byte
	var fetched, created, removed, restored, stripped string
	var published sql.NullString
	err = errors.Join(
		fromStored(&c.ArticleID, v[0]), fromStored(&c.RequestedURL, v[1]), fromStored(&c.FinalURL, v[2]),
		fromStored(&fetched, v[3]), fromStored(&c.HTTPStatus, v[4]), fromStored(&c.ContentType, v[5]),
		fromStored(&rawGz, v[6]), fromStored(&c.RawCharset, v[7]), fromStored(&c.CleanedHTML, v[8]),
		fromStored(&c.Text, v[9]), fromStored(&c.Title, v[10]), fromStored(&c.Byline, v[11]),
		fromStored(&c.SiteName, v[12]), published.Scan(v[13]), fromStored(&c.Lang, v[14]),
		fromStored(&c.Excerpt, v[15]), fromStored(&c.LeadImage, v[16]), fromStored(&c.WordCount, v[17]),
		fromStored(&created, v[18]), fromStored(&removed, v[19]), fromStored(&restored, v[20]),
		fromStored(&stripped, v[21]),
	)
	if err != nil {
		return Capture{}, err
	}
	if c.FetchedAt, err = parseTime(fetched); err != nil {
		return Capture{}, err
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Capture{}, err
	}
	if c.Published, err = parseNullTime(published); err != nil {
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

// captureSumProblems checks every capture against its sum. The sum covers
// the raw page's stored bytes, so the CRC of its gzip stream adds nothing
// (a page already damaged when its sum was filled got none: see
// fillCaptureSums).
func captureSumProblems(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, sum, `+captureSumColumns+` FROM captures`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var id int64
		_, ok, err := scanStoredCapture(rows, &id)
		if err != nil {
			return nil, err
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("capture %d: its stored copy is damaged", id))
		}
	}
	return problems, rows.Err()
}

// fillCaptureSums gives every capture without a sum (saved before migration
// 8) the sum of what it holds now. It is migration 8's Go step and so runs
// once, in that migration's transaction; from then on every capture has a
// sum and a missing one is damage. Damage done to a capture before its sum
// was filled cannot be told from what was saved, except in the raw page,
// whose gzip stream has a CRC of its own: a capture whose page fails it is
// left without a sum, so that it reads as damaged from then on.
func fillCaptureSums(ctx context.Context, tx *sql.Tx) error {
	type filled struct{ id, sum int64 }
	var fill []filled
	rows, err := tx.QueryContext(ctx, `SELECT id, sum, `+captureSumColumns+` FROM captures WHERE sum IS NULL`)
	if err != nil {
		return fmt.Errorf("fill capture sums: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		v, _, err := scanStoredCapture(rows, &id)
		if err != nil {
			return fmt.Errorf("fill capture sums: %w", err)
		}
		if gz, isBlob := v[6].([]byte); isBlob && gunzipCheck(gz) != nil {
			continue
		}
		fill = append(fill, filled{id, RowSum(v...)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill capture sums: %w", err)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("fill capture sums: %w", err)
	}
	for _, f := range fill {
		if _, err := tx.ExecContext(ctx, `UPDATE captures SET sum = ? WHERE id = ?`, f.sum, f.id); err != nil {
			return fmt.Errorf("fill sum of capture %d: %w", f.id, err)
		}
	}
	return nil
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
