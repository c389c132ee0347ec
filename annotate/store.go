package annotate

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"gloss/archive"
)

// migrationOwner is the owner name of annotate's tables in the library's
// schema_migrations.
const migrationOwner = "annotate"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // a constant, valid path: cannot happen
	}
	return sub
}

// Errors of the store; test for them with errors.Is.
var (
	// ErrNotFound: no such article or highlight (a highlight in the trash counts as
	// missing). It is archive.ErrNotFound, so one test covers both packages.
	ErrNotFound = archive.ErrNotFound
	// ErrInvalid: a value outside what Gloss accepts (an unknown colour or claim kind,
	// an empty tag, a progress above 1). The error is a *ValueError.
	ErrInvalid = errors.New("invalid value")
	// ErrNothingToUndo: Undo found the trash empty.
	ErrNothingToUndo = errors.New("nothing to undo")
)

// ValueError reports a value Gloss does not accept. It matches ErrInvalid.
type ValueError struct {
	What    string   // what the value is for: "colour", "claim kind", "tag"
	Value   string   // the value given
	Allowed []string // the values allowed, when they are a closed list
	Reason  string   // why, when there is no list
}

// Error returns one sentence a person can act on.
func (e *ValueError) Error() string {
	if len(e.Allowed) > 0 {
		return fmt.Sprintf("%s %q is not one of: %s", e.What, e.Value, strings.Join(e.Allowed, ", "))
	}
	return fmt.Sprintf("%s %q: %s", e.What, e.Value, e.Reason)
}

// Is reports whether target is ErrInvalid.
func (e *ValueError) Is(target error) bool { return target == ErrInvalid }

// Store keeps annotations in a library and keeps them anchored as articles are captured
// again. It is safe for concurrent use.
type Store struct {
	lib *archive.Library
	now func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now (tests use it to
// age the trash).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// NewStore brings annotate's tables in lib up to date, registers a capture hook that
// re-anchors an article's highlights on every new capture in the capture's own
// transaction, catches up on captures added while no store was listening (by a Gloss that
// did not open one), and purges the trash of highlights deleted more than TrashRetention
// ago. Open one store per library: every store registers its own hook.
//
// Before anything is written, NewStore checks the schema entries of annotate's tables
// and, in a library small enough for archive.Open to check in full
// (archive.FullCheckAtOpen), every annotation against its sum (see Check): if it finds
// damage, it returns a *archive.CorruptError, as Open does for a damaged file, and
// registers nothing.
func NewStore(lib *archive.Library, opts ...Option) (*Store, error) {
	s := &Store{lib: lib, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := lib.MigrateWith(migrationOwner, migrations(), migrationSteps); err != nil {
		return nil, fmt.Errorf("annotations: %w", err)
	}
	ctx := context.Background()
	if err := s.checkAtOpen(ctx); err != nil {
		return nil, err
	}
	lib.OnCapture(s.onCapture)
	if err := s.catchUp(ctx); err != nil {
		return nil, fmt.Errorf("annotations: %w", err)
	}
	if _, err := s.PurgeTrash(ctx); err != nil {
		return nil, fmt.Errorf("annotations: %w", err)
	}
	return s, nil
}

// onCapture is the capture hook: it re-anchors the article's highlights on the capture
// just added.
func (s *Store) onCapture(ctx context.Context, tx *sql.Tx, articleID, captureID int64, text string) error {
	if _, err := reanchor(ctx, tx, articleID, captureID, text); err != nil {
		return fmt.Errorf("re-anchor highlights of article %d: %w", articleID, err)
	}
	// Making the capture current queued the article for catchUp (migration
	// 0004_reanchor_queue); it is done.
	_, err := tx.ExecContext(ctx, `
		DELETE FROM reanchor_queue WHERE article_id = ?
			AND (SELECT current_capture_id FROM articles WHERE id = ?) = ?`, articleID, articleID, captureID)
	if err != nil {
		return fmt.Errorf("re-anchor highlights of article %d: %w", articleID, err)
	}
	return nil
}

// catchUp re-anchors the highlights of the articles whose current capture they may not
// be anchored on: those the triggers of migration 0004_reanchor_queue queued, because a
// capture came while no store was listening or a highlight was stored on another
// capture. It reads the queue, not the highlights, so opening a library costs the same
// at any size.
func (s *Store) catchUp(ctx context.Context) error {
	ids, err := reanchorQueue(ctx, s.lib)
	if err != nil {
		return fmt.Errorf("find highlights to re-anchor: %w", err)
	}
	for _, id := range ids {
		if _, err := s.Reanchor(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		err := s.lib.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM reanchor_queue WHERE article_id = ?`, id)
			return err
		})
		if err != nil {
			return fmt.Errorf("re-anchor highlights of article %d: %w", id, err)
		}
	}
	return nil
}

// reanchorQueue returns the articles queued for re-anchoring, in order of id.
func reanchorQueue(ctx context.Context, lib *archive.Library) ([]int64, error) {
	var ids []int64
	err := lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT article_id FROM reanchor_queue ORDER BY article_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// Ref names what a tag or note is attached to: an article (ArticleID) or a highlight
// (HighlightID). Exactly one is set.
type Ref struct {
	ArticleID   int64
	HighlightID string
}

// ArticleRef returns the Ref of an article.
func ArticleRef(id int64) Ref { return Ref{ArticleID: id} }

// HighlightRef returns the Ref of a highlight.
func HighlightRef(id string) Ref { return Ref{HighlightID: id} }

// String names what r refers to, for messages: "article 12" or "highlight <uuid>".
func (r Ref) String() string {
	if r.HighlightID != "" {
		return "highlight " + r.HighlightID
	}
	return "article " + strconv.FormatInt(r.ArticleID, 10)
}

// ParseRef reads what a person typed to name an article or a highlight: a positive
// number is an article id, a UUID a highlight id.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return ArticleRef(id), nil
	}
	if id, err := ParseHighlightID(s); err == nil {
		return HighlightRef(id), nil
	}
	return Ref{}, &ValueError{What: "id", Value: s, Reason: "neither an article id (a number) nor a highlight id (a UUID)"}
}

// ParseHighlightID checks that s is a highlight id (a UUID, with or without the
// urn:uuid: prefix) and returns it in the form Gloss stores.
func ParseHighlightID(s string) (string, error) {
	u, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", &ValueError{What: "highlight id", Value: s, Reason: "not a UUID"}
	}
	return u.String(), nil
}

// NormalizeTag returns a tag as Gloss stores it: white space runs made one space, a
// leading '#' dropped, lower case. It fails on a tag that ends up empty or longer than
// 100 characters.
func NormalizeTag(tag string) (string, error) {
	t := strings.Join(strings.Fields(tag), " ")
	t = strings.TrimSpace(strings.TrimPrefix(t, "#"))
	t = strings.ToLower(t)
	switch {
	case t == "":
		return "", &ValueError{What: "tag", Value: tag, Reason: "empty"}
	case utf8.RuneCountInString(t) > 100:
		return "", &ValueError{What: "tag", Value: tag, Reason: "longer than 100 characters"}
	}
	return t, nil
}

// normalizeTags normalises tags, sorted and without repeats.
func normalizeTags(tags []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		n, err := NormalizeTag(t)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// AddTags tags an article or a highlight. Tags it already has are left alone.
func (s *Store) AddTags(ctx context.Context, ref Ref, tags ...string) error {
	return s.changeTags(ctx, ref, tags, true)
}

// RemoveTags removes tags from an article or a highlight. Tags it does not have are
// ignored.
func (s *Store) RemoveTags(ctx context.Context, ref Ref, tags ...string) error {
	return s.changeTags(ctx, ref, tags, false)
}

func (s *Store) changeTags(ctx context.Context, ref Ref, tags []string, add bool) error {
	verb := "untag"
	if add {
		verb = "tag"
	}
	norm, err := normalizeTags(tags)
	if err != nil {
		return fmt.Errorf("%s %s: %w", verb, ref, err)
	}
	err = s.lib.Write(ctx, func(tx *sql.Tx) error {
		articleID := ref.ArticleID
		if ref.HighlightID != "" {
			if articleID, err = s.touchHighlight(ctx, tx, ref.HighlightID); err != nil {
				return err
			}
		} else if err := articleExists(ctx, tx, articleID); err != nil {
			return err
		}
		for _, t := range norm {
			var err error
			switch {
			case ref.HighlightID != "" && add:
				err = insertTag(ctx, tx, highlightTagsTable, ref.HighlightID, t)
			case ref.HighlightID != "":
				_, err = tx.ExecContext(ctx, `DELETE FROM highlight_tags WHERE highlight_id = ? AND tag = ?`, ref.HighlightID, t)
			case add:
				err = insertTag(ctx, tx, articleTagsTable, articleID, t)
			default:
				_, err = tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ? AND tag = ?`, articleID, t)
			}
			if err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, articleID)
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", verb, ref, err)
	}
	return nil
}

// insertTag adds a row (owner, tag) to highlight_tags or article_tags, and its sum, unless
// the row is there already (its sum is its own: sealing it again would vouch for it
// whatever it holds).
func insertTag(ctx context.Context, tx *sql.Tx, t *sumTable, owner any, tag string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO `+t.name+` (`+t.cols[0]+`, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`, owner, tag)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return t.seal(ctx, tx, t.cols[0]+` = ? AND tag = ?`, owner, tag)
}

// TagCount is a tag with how many articles carry it (directly or through one of their
// highlights) and how many highlights.
type TagCount struct {
	Tag        string
	Articles   int
	Highlights int
}

// Tags returns every tag in use, in alphabetical order, with its counts, for the
// library's tag filter. Highlights in the trash do not count. The counts are kept up to
// date on every write (migration 0002_tag_counts), so Tags reads one row per tag however
// large the library is.
func (s *Store) Tags(ctx context.Context) ([]TagCount, error) {
	out, err := readTagCounts(ctx, s.lib, `SELECT tag, articles, highlights FROM tag_counts ORDER BY tag`)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	return out, nil
}

// readTagCounts runs query, which selects a tag, its count of articles and its count of
// highlights, and returns its rows.
func readTagCounts(ctx context.Context, lib *archive.Library, query string) ([]TagCount, error) {
	var out []TagCount
	err := lib.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var tc TagCount
			if err := rows.Scan(&tc.Tag, &tc.Articles, &tc.Highlights); err != nil {
				return err
			}
			out = append(out, tc)
		}
		return rows.Err()
	})
	return out, err
}

// reindex recomputes the annotation text of an article (see annotationText) and gives
// it to the library's full-text index, in tx. Every write calls it last: since it reads
// all of the article's annotations checked against their sums, a write that left a row
// damaged, or without its sum, fails here and is rolled back.
func (s *Store) reindex(ctx context.Context, tx *sql.Tx, articleID int64) error {
	m, err := readArticleMeta(ctx, tx, articleID)
	if err != nil {
		return fmt.Errorf("index annotations: %w", err)
	}
	tags, err := articleTags(ctx, tx, articleID)
	if err != nil {
		return fmt.Errorf("index annotations: %w", err)
	}
	hs, err := queryHighlights(ctx, tx, `h.article_id = ? AND h.deleted_at IS NULL`, articleID)
	if err != nil {
		return fmt.Errorf("index annotations: %w", err)
	}
	return s.lib.SetAnnotationIndex(tx, articleID, annotationText(m.Note, tags, hs))
}

// annotationText is the text the full-text index holds for an article's annotations:
// its note and tags, then the notes, tags and claims of its live highlights hs in
// document order, one per line.
func annotationText(note string, tags []string, hs []Highlight) string {
	var parts []string
	add := func(ss ...string) {
		for _, p := range ss {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	}
	add(note)
	add(tags...)
	hs = append([]Highlight(nil), hs...)
	sortDocumentOrder(hs)
	for _, h := range hs {
		add(h.Note)
		add(h.Tags...)
		if c := h.Claim; c != nil {
			add(c.Claimant, string(c.Kind), string(c.Status), c.Verdict)
		}
	}
	return strings.Join(parts, "\n")
}

// articleTags returns an article's tags, sorted, checked against their sums.
func articleTags(ctx context.Context, tx *sql.Tx, articleID int64) ([]string, error) {
	rows, err := articleTagsTable.read(ctx, tx, `article_id = ? ORDER BY tag`, articleID)
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, r := range rows {
		t, err := asString(r.vals[1])
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, nil
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

// currentCapture returns the id and text of an article's current capture. Annotate
// reads the archive's tables (never writes them) inside its own transactions, so that a
// highlight is placed on the text that is current when it is stored.
func currentCapture(ctx context.Context, tx *sql.Tx, articleID int64) (int64, string, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT current_capture_id FROM articles WHERE id = ?`, articleID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !id.Valid) {
		return 0, "", ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("current capture of article %d: %w", articleID, err)
	}
	// Read through the archive, which checks the capture against its sum: a highlight
	// must not be anchored in text that is not what was saved.
	c, err := archive.ReadCapture(ctx, tx, id.Int64)
	if err != nil {
		return 0, "", fmt.Errorf("current capture of article %d: %w", articleID, err)
	}
	return c.ID, c.Text, nil
}

// timeLayout is how times are stored, as in the archive's tables: UTC, fixed width, so
// that string order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// jsonStrings decodes a JSON array of strings stored by SQLite (json_group_array) or
// by Gloss; an empty array is nil.
func jsonStrings(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", s, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
